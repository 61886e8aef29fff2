"""The overview of a return: the on-track answers, the adviser request, the board's overall
RAG and narrative, and the three headline lists."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from svmonitor.choices import Rag, YesNo
from svmonitor.scoping import council_scoped


class RoundOverview(models.Model):
    """The overview page of a return: on-track answers, adviser request, the board's RAG."""

    round = models.OneToOneField(
        "svmonitor.ReportingRound", on_delete=models.CASCADE, related_name="overview"
    )
    deficit_this_year_on_track = models.CharField(max_length=3, choices=YesNo.choices, blank=True)
    deficit_this_year_commentary = models.TextField(blank=True)
    zero_deficit_on_track = models.CharField(max_length=3, choices=YesNo.choices, blank=True)
    zero_deficit_commentary = models.TextField(blank=True)
    capital_project_on_track = models.CharField(max_length=3, choices=YesNo.choices, blank=True)
    capital_project_commentary = models.TextField(blank=True)
    # "" = not answered: a yes/no box could not tell "No" from a question nobody answered.
    adviser_support_requested = models.CharField(
        max_length=3, choices=YesNo.choices, blank=True, default=""
    )
    adviser_support_detail = models.TextField(blank=True)
    overall_rag = models.CharField(max_length=12, choices=Rag.choices, default=Rag.NOT_RATED)
    overall_narrative = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = council_scoped("round__agreement__council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_rag__in=Rag.values), name="%(app_label)s_%(class)s_rag_valid"
            ),
            models.CheckConstraint(
                condition=Q(deficit_this_year_on_track__in=["", *YesNo.values])
                & Q(zero_deficit_on_track__in=["", *YesNo.values])
                & Q(capital_project_on_track__in=["", *YesNo.values])
                & Q(adviser_support_requested__in=["", *YesNo.values]),
                name="%(app_label)s_%(class)s_answers_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Overview of {self.round}"


class Headline(models.Model):
    """One programme headline: a driver, barrier or engagement example (at most 3 a list)."""

    class Kind(models.TextChoices):
        DRIVER = "driver", "Biggest drivers of positive change"
        BARRIER = "barrier", "Biggest barriers to implementation"
        ENGAGEMENT = "engagement", "Best examples of stakeholder engagement"

    overview = models.ForeignKey(RoundOverview, on_delete=models.CASCADE, related_name="headlines")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    objects = council_scoped("overview__round__agreement__council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["driver", "barrier", "engagement"]),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            # Positions 1-3 and unique per list: the database itself holds "at most 3".
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=3),
                name="%(app_label)s_%(class)s_position_1_to_3",
            ),
            models.UniqueConstraint(
                fields=["overview", "kind", "position"], name="%(app_label)s_%(class)s_one_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.position}"


class NarrativeTopic(models.Model):
    """One text a kind of return asks for each round (a DSG plan's narratives, its stakeholder
    engagement, the Schools Forum paper's sections): rows, so a kind can add or reword topics."""

    return_kind = models.CharField(max_length=30)
    # The task the topic belongs to ("narrative", "stakeholders", "paper"): one registered part
    # of the return each.
    group = models.CharField(max_length=30)
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=120)
    hint = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["return_kind", "group", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["return_kind", "key"], name="%(app_label)s_%(class)s_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.return_kind})"


class RoundNarrative(models.Model):
    """One topic's text in one round, carried forward into the next round of the same kind."""

    round = models.ForeignKey(
        "svmonitor.ReportingRound", on_delete=models.CASCADE, related_name="narratives"
    )
    topic = models.ForeignKey(NarrativeTopic, on_delete=models.PROTECT, related_name="texts")
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = council_scoped("round__agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "topic"], name="%(app_label)s_%(class)s_one_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic.title} in {self.round_id}"


class RoundGovernance(models.Model):
    """A DSG plan round's governance: the Schools Forum meeting it goes to, the next review
    and notes (the S151 officer's and DCS's sign-off is the round's own lifecycle sign-off)."""

    round = models.OneToOneField(
        "svmonitor.ReportingRound", on_delete=models.CASCADE, related_name="governance"
    )
    schools_forum_date = models.DateField(null=True, blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = council_scoped("round__agreement__council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_date__isnull=True)
                | Q(schools_forum_date__isnull=True)
                | Q(next_review_date__gte=models.F("schools_forum_date")),
                name="%(app_label)s_%(class)s_review_after_forum",
            ),
        ]

    def __str__(self) -> str:
        return f"Governance of {self.round}"
