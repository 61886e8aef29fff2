"""The risk register and each risk's per-round assurance history."""

from django.db import models
from django.db.models import F, Q

from svmonitor.base_models import RatedUpdate
from svmonitor.scoping import council_scoped

# Scored (both 1-5) or, in a council's rated register, not scored at all (both empty).
# (A CHECK passes when it evaluates to NULL, so "both set" is spelt out, not left to >= 1.)
ONE_TO_FIVE = (
    Q(impact__isnull=False)
    & Q(likelihood__isnull=False)
    & Q(impact__gte=1)
    & Q(impact__lte=5)
    & Q(likelihood__gte=1)
    & Q(likelihood__lte=5)
) | (Q(impact__isnull=True) & Q(likelihood__isnull=True))


def _score_field() -> models.GeneratedField:
    # Computed by the database from its own columns, so it can never be stored out of step.
    return models.GeneratedField(
        expression=F("impact") * F("likelihood"),
        output_field=models.PositiveSmallIntegerField(null=True),
        db_persist=True,
    )


class Risk(models.Model):
    """A programme risk: "There is a risk that ...", scored impact x likelihood or rated."""

    council = models.ForeignKey(
        "svmonitor.LocalAuthority", on_delete=models.CASCADE, related_name="risks"
    )
    number = models.PositiveSmallIntegerField()
    title = models.TextField(help_text='"There is a risk that ..."')
    impact_description = models.TextField("Impact", blank=True)
    owner_role = models.CharField("Risk owner (role)", max_length=120, blank=True)
    impact = models.PositiveSmallIntegerField("Impact (1-5)", null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField("Likelihood (1-5)", null=True, blank=True)
    score = _score_field()
    mitigation = models.TextField(blank=True)
    action_required = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    objects = council_scoped("council")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=ONE_TO_FIVE, name="%(app_label)s_%(class)s_1_to_5"),
            models.UniqueConstraint(
                fields=["council", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Risk {self.number}"


class RiskUpdate(RatedUpdate):
    """A risk's assurance level, narrative and score as they stood in one round."""

    round = models.ForeignKey(
        "svmonitor.ReportingRound", on_delete=models.CASCADE, related_name="risk_updates"
    )
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="updates")
    impact = models.PositiveSmallIntegerField("Impact (1-5)", null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField("Likelihood (1-5)", null=True, blank=True)
    score = _score_field()
    # Issue 15.8: whether the risk goes into the DfE report's register this round. None: the
    # default, in when it has an update here (a level or a narrative); True/False: the
    # council's choice (risks.services.risk_update_save). Every risk stays on the dashboard.
    in_dfe_report = models.BooleanField(
        "In the DfE report",
        null=True,
        blank=True,
        default=None,
        help_text="Blank: in the DfE report's risk register when it has an update this round.",
    )

    objects = council_scoped("round__agreement__council")

    class Meta(RatedUpdate.Meta):
        constraints = [
            *RatedUpdate.Meta.constraints,
            models.CheckConstraint(condition=ONE_TO_FIVE, name="%(app_label)s_%(class)s_1_to_5"),
            models.UniqueConstraint(
                fields=["round", "risk"], name="%(app_label)s_%(class)s_one_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"Risk {self.risk.number} in {self.round_id}: {self.get_rag_display()}"
