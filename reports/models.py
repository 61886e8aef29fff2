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

    objects = council_scoped("round__agreement__council")

    def __str__(self) -> str:
        return f"Snapshot {self.sha256[:12]} of {self.round}"
