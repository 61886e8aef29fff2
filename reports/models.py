"""Frozen snapshots of a round, as signed off and as sent to DfE."""

from django.conf import settings
from django.db import models

from svmonitor.scoping import council_scoped


class RoundSnapshot(models.Model):
    """The whole return frozen when marked ready, with the SHA-256 of its canonical JSON."""

    round = models.ForeignKey(
        "svmonitor.ReportingRound", on_delete=models.PROTECT, related_name="snapshots"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # Whether live data differed from this payload when last compared, and the council's
    # data version (svmonitor.LocalAuthority.data_version) at that comparison: while the
    # version stands, the answer stands (reports.snapshot.record.round_record_changed).
    compared_at_version = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    changed_since = models.BooleanField(default=False, editable=False)

    objects = council_scoped("round__agreement__council")

    def __str__(self) -> str:
        return f"Snapshot {self.sha256[:12]} of {self.round}"


def _report_file_path(instance: "ReportFile", filename: str) -> str:
    # Named by council, round and content hash: a new render never overwrites an old one.
    return f"reports/{instance.round.agreement.council.slug}/{filename}"


class ReportFile(models.Model):
    """A generated PDF of a frozen round, kept with the SHA-256 of its bytes."""

    class Kind(models.TextChoices):
        REPORT = "report", "DfE monitoring report"
        BOARD_PACK = "board_pack", "Board pack"

    round = models.ForeignKey(
        "svmonitor.ReportingRound", on_delete=models.PROTECT, related_name="report_files"
    )
    snapshot = models.ForeignKey(RoundSnapshot, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The round's lifecycle version when rendered: the cover shows its sign-offs and the date
    # it was sent, so a later sign-off or submission gets a new file of the same snapshot.
    round_version = models.PositiveIntegerField()
    file = models.FileField(upload_to=_report_file_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = council_scoped("round__agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "kind", "round_version"],
                name="%(app_label)s_%(class)s_one_per_version",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["report", "board_pack"]),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.round} ({self.sha256[:12]})"


class DriftDecision(models.Model):
    """What a council did with one drift suggestion in one round: accepted or dismissed.

    A suggestion itself is worked out from the figures each time a task page is read
    (reports/drift); only the decision is kept, once per piece of evidence (the measure, which
    way it drifted and the month of its latest figure), so a dismissed suggestion does not
    come back in the round until the evidence moves on."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    round = models.ForeignKey(
        "svmonitor.ReportingRound", on_delete=models.CASCADE, related_name="drift_decisions"
    )
    section = models.CharField(max_length=12, help_text='"risk" or "condition"')
    section_pk = models.PositiveIntegerField(help_text="The risk's or condition's update")
    measure = models.ForeignKey("metrics.Measure", on_delete=models.CASCADE, related_name="+")
    evidence = models.CharField(max_length=40, help_text='e.g. "above:2024-09"')
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    suggestion = models.TextField(help_text="The suggestion as it was shown")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    objects = council_scoped("round__agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "section", "section_pk", "measure", "evidence"],
                name="%(app_label)s_%(class)s_once_per_evidence",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["accepted", "dismissed"])
                & models.Q(section__in=["risk", "condition"]),
                name="%(app_label)s_%(class)s_choices_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.suggestion}"


class PortfolioEntry(models.Model):
    """One council's row on the DfE portfolio, as its data stood at a data version on a day.

    A stored read model, not a copy of a page: the portfolio reads forty of these in one query
    instead of building forty rows from the councils' rounds. It stands while the council's
    data version (svmonitor.LocalAuthority.data_version, moved in the same transaction by
    every write through the one door) and the day (the tier in force and what is overdue turn
    on it) stand; otherwise the portfolio builds it again from the record and stores it
    (reports.portfolio.portfolio_entries_build). Written without an audit event: it records no
    change of anyone's, and an event would move the version it is keyed on.
    """

    council = models.OneToOneField(
        "svmonitor.LocalAuthority",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="portfolio_entry",
    )
    data_version = models.PositiveBigIntegerField()
    built_on = models.DateField()
    # What the row shows, JSON-safe (reports.portfolio.portfolio_entry_row reads it).
    row = models.JSONField()

    def __str__(self) -> str:
        return f"Portfolio row of council {self.council_id} at version {self.data_version}"
