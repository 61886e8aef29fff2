"""Agreement conditions, their per-round updates, and the programme structure."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from svmonitor.base_models import RatedUpdate
from svmonitor.choices import Rag
from svmonitor.models import FY_RANGE, MONEY
from svmonitor.scoping import council_scoped


class AgreementCondition(models.Model):
    """A numbered condition of an agreement ("1", "3.1", "12"), in force for a period."""

    agreement = models.ForeignKey(
        "svmonitor.Agreement", on_delete=models.CASCADE, related_name="conditions"
    )
    label = models.CharField(max_length=10, help_text='As numbered in the agreement: "3.1"')
    title = models.CharField(max_length=200)
    wording = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    in_force_from = models.DateField()
    in_force_to = models.DateField(null=True, blank=True)

    objects = council_scoped("agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "label", "in_force_from"],
                name="%(app_label)s_%(class)s_unique_label",
            ),
            models.CheckConstraint(
                condition=Q(in_force_to__isnull=True)
                | Q(in_force_to__gte=models.F("in_force_from")),
                name="%(app_label)s_%(class)s_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Condition {self.label}: {self.title}"


class ConditionUpdate(RatedUpdate):
    """The assurance level and progress narrative for one condition in one round."""

    round = models.ForeignKey(
        "svmonitor.ReportingRound", on_delete=models.CASCADE, related_name="condition_updates"
    )
    condition = models.ForeignKey(
        AgreementCondition, on_delete=models.CASCADE, related_name="updates"
    )
    key_measures = models.ManyToManyField(
        "metrics.Measure", blank=True, related_name="cited_by_condition_updates"
    )

    objects = council_scoped("round__agreement__council")

    class Meta(RatedUpdate.Meta):
        constraints = [
            *RatedUpdate.Meta.constraints,
            models.UniqueConstraint(
                fields=["round", "condition"], name="%(app_label)s_%(class)s_one_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.condition.label} in {self.round_id}: {self.get_rag_display()}"


class ProgrammeArea(models.Model):
    """A priority area of the council's programme (Wiltshire has six)."""

    council = models.ForeignKey(
        "svmonitor.LocalAuthority", on_delete=models.CASCADE, related_name="programme_areas"
    )
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=160)
    summary = models.TextField(blank=True)

    objects = council_scoped("council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "number"], name="%(app_label)s_%(class)s_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} - {self.name}"


WORKSTREAM_STATUSES = ["", "not_started", "on_track", "at_risk", "off_track", "complete", "stopped"]


class Workstream(models.Model):
    """A workstream within a programme area, serving one or more conditions; its log fields
    (dates, status, the DSG line it affects) are the DSG plan's workstream log (issue 19)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"
        STOPPED = "stopped", "Stopped"

    area = models.ForeignKey(ProgrammeArea, on_delete=models.CASCADE, related_name="workstreams")
    name = models.CharField(max_length=240)
    lead_role = models.CharField(max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    conditions = models.ManyToManyField(AgreementCondition, blank=True, related_name="workstreams")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    dsg_line = models.CharField("DSG line affected", max_length=200, blank=True)
    # Bumped by every save of the log fields; a save carrying an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = council_scoped("area__council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WORKSTREAM_STATUSES),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkstreamUpdate(RatedUpdate):
    """A workstream's RAG and narrative in one round."""

    round = models.ForeignKey(
        "svmonitor.ReportingRound", on_delete=models.CASCADE, related_name="workstream_updates"
    )
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="updates")

    objects = council_scoped("round__agreement__council")

    class Meta(RatedUpdate.Meta):
        constraints = [
            *RatedUpdate.Meta.constraints,
            models.UniqueConstraint(
                fields=["round", "workstream"], name="%(app_label)s_%(class)s_one_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workstream} in {self.round_id}: {self.get_rag_display()}"


SAVING_NEGATIVE = "Enter a saving as a positive amount (or leave the box empty for none)."


class WorkstreamSaving(models.Model):
    """What a workstream is expected to save in one financial year (pounds; a saving is
    positive): its part in the gap between the unmitigated and the latest (mitigated) High
    Needs Block forecasts, which the finance chart stacks (issue 18.3)."""

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="savings")
    financial_year = models.PositiveSmallIntegerField()
    saving = models.DecimalField("Expected saving (£)", **MONEY)
    version = models.PositiveIntegerField(default=1)

    objects = council_scoped("workstream__area__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workstream", "financial_year"], name="%(app_label)s_%(class)s_one_per_year"
            ),
            models.CheckConstraint(condition=FY_RANGE, name="%(app_label)s_%(class)s_year_valid"),
            models.CheckConstraint(
                condition=Q(saving__gte=0),
                name="%(app_label)s_%(class)s_saving_not_negative",
                violation_error_message=SAVING_NEGATIVE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workstream} {self.financial_year}: £{self.saving:,.0f}"


class Milestone(models.Model):
    """A dated deliverable of a workstream."""

    class Status(models.TextChoices):
        COMPLETE = "complete", "Complete"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OVERDUE = "overdue", "Overdue"

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=240)
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ON_TRACK)
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = council_scoped("workstream__area__council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["complete", "on_track", "at_risk", "overdue"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            # A completed milestone has its completion date, and only a completed one does.
            models.CheckConstraint(
                condition=(Q(status="complete") & Q(completed_on__isnull=False))
                | (~Q(status="complete") & Q(completed_on__isnull=True)),
                name="%(app_label)s_%(class)s_completed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_date})"


class MilestoneUpdate(models.Model):
    """A milestone as one round reports it: due date, status and completion date.

    Each round keeps its own record (carried forward when the next round opens, like a
    workstream's update), so completing a milestone in 2025-26 leaves 2024-25's return as it
    was. The milestone's own status and dates are only where its first record starts from.
    """

    round = models.ForeignKey(
        "svmonitor.ReportingRound", on_delete=models.CASCADE, related_name="milestone_updates"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="updates")
    due_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=Milestone.Status.choices, default=Milestone.Status.ON_TRACK
    )
    completed_on = models.DateField(null=True, blank=True)
    # Bumped by every save; a save carrying an older version is refused (optimistic locking).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = council_scoped("round__agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "milestone"], name="%(app_label)s_%(class)s_one_per_round"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["complete", "on_track", "at_risk", "overdue"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=(Q(status="complete") & Q(completed_on__isnull=False))
                | (~Q(status="complete") & Q(completed_on__isnull=True)),
                name="%(app_label)s_%(class)s_completed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone.title} in {self.round_id}: {self.get_status_display()}"


__all__ = [
    "AgreementCondition",
    "ConditionUpdate",
    "Milestone",
    "MilestoneUpdate",
    "ProgrammeArea",
    "Rag",
    "Workstream",
    "WorkstreamSaving",
    "WorkstreamUpdate",
]
