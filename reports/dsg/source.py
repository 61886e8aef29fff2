"""What a DSG round's outputs are built from: its record, and the previous round's for the
Schools Forum paper's "previous forecast"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from reports.models import RoundSnapshot as FrozenSnapshot
from reports.snapshot.record import round_record
from reports.snapshot.types import SignOffInfo
from svmonitor.choices import RoundStatus
from svmonitor.models import ReportingRound


@dataclass(frozen=True)
class PreviousRecord:
    """The previous DSG round's record, as it stood when this one was frozen."""

    label: str
    payload: dict
    frozen_at: dt.datetime | None


@dataclass(frozen=True)
class DsgSource:
    """A DSG round's record as its outputs read it: the parts' fragments, frozen or live."""

    round: ReportingRound
    payload: dict
    frozen: FrozenSnapshot | None
    sign_offs: tuple[SignOffInfo, ...] = ()
    previous: PreviousRecord | None = None
    rendered_at: dt.datetime = field(default_factory=timezone.localtime)

    @property
    def parts(self) -> dict:
        """The parts' fragments by part name (a part absent from the payload is not here)."""
        return self.payload.get("parts") or {}

    @property
    def is_draft(self) -> bool:
        """Not yet signed off by both officers: every page says DRAFT."""
        return self.round.status in (RoundStatus.DRAFT, RoundStatus.READY)

    @property
    def sha256(self) -> str | None:
        """The frozen payload's SHA-256, or None when built from live data."""
        return self.frozen.sha256 if self.frozen else None

    @property
    def frozen_at(self) -> dt.datetime | None:
        """When the payload was frozen."""
        return self.frozen.created_at if self.frozen else None


def _record(round: ReportingRound) -> tuple[dict, FrozenSnapshot | None, tuple]:
    """The spine's record of the round (reports.snapshot.record.round_record)."""
    record = round_record(round)
    return record.payload, record.frozen, tuple(record.sign_offs)


def _previous_round(round: ReportingRound) -> ReportingRound | None:
    earlier = (
        ReportingRound.objects.of_kind(round.return_kind)
        .filter(agreement_id=round.agreement_id)
        .exclude(pk=round.pk)
    )
    before = [
        r
        for r in earlier.order_by("-financial_year", "-update_number")
        if (r.financial_year, r.update_number) < (round.financial_year, round.update_number)
    ]
    return before[0] if before else None


def _previous(round: ReportingRound, frozen: FrozenSnapshot | None) -> PreviousRecord | None:
    """The previous round's frozen record; for a frozen round, the one frozen before it (so a
    frozen paper cannot change). A previous round never frozen gives no previous forecast."""
    previous = _previous_round(round)
    if previous is None:
        return None
    rows = FrozenSnapshot.objects.filter(round=previous)
    if frozen is not None:
        rows = rows.filter(created_at__lte=frozen.created_at)
    row = rows.order_by("-created_at", "-pk").first()
    if row is None:
        return None
    return PreviousRecord(previous.label, row.payload, row.created_at)


def dsg_source_for_round(*, round: ReportingRound) -> DsgSource:
    """A draft's outputs read its parts live; a ready, signed-off or submitted round's read the
    payload frozen when it was marked ready, with the sign-offs recorded against its hash."""
    payload, frozen, sign_offs = _record(round)
    return DsgSource(
        round=round,
        payload=payload,
        frozen=frozen,
        sign_offs=sign_offs,
        previous=_previous(round, frozen),
    )
