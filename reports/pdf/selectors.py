"""Reads for the PDFs: which snapshot a round's report is built from, and the risk history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reports.models import RoundSnapshot as FrozenSnapshot
from reports.snapshot import Rating, RoundSnapshot, snapshot_as_dict
from reports.snapshot.hydrate import snapshot_from_dict
from reports.snapshot.record import round_record
from risks.models import RiskUpdate
from svmonitor.choices import DEFAULT_DFE_MAPPING, Rag, RoundStatus
from svmonitor.models import ReportingRound


@dataclass(frozen=True)
class ReportSource:
    """What a round's PDF is built from: the frozen payload (or live data for a draft)."""

    round: ReportingRound
    snapshot: RoundSnapshot
    frozen: FrozenSnapshot | None

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


def report_source_for_round(*, round: ReportingRound) -> ReportSource:
    """A draft renders live data; any later state renders the payload frozen when it was ready.

    The same record every other surface shows (reports.snapshot.record.round_record): the
    frozen payload holds the return itself, and what happened to it afterwards (the
    sign-offs recorded against its hash, the date it was sent) is laid over it from the round.
    """
    record = round_record(round)
    snapshot = record.snapshot
    if record.frozen is None:
        # Through the JSON form too, so a draft and a frozen round take the same path.
        snapshot = snapshot_from_dict(snapshot_as_dict(snapshot))
    return ReportSource(round=round, snapshot=snapshot, frozen=record.frozen)


def rating_for_code(snapshot: RoundSnapshot, code: str) -> Rating:
    """A RAG code in the council's words, as the snapshot's definitions give them."""
    words = {d.level: d for d in snapshot.rag_definitions}
    own = words.get(code)
    dfe = own.dfe_level if own else DEFAULT_DFE_MAPPING.get(code, Rag.NOT_RATED)
    dfe_own = words.get(dfe)
    return Rating(
        code=code,
        label=own.label if own else Rag(code).label,
        dfe_code=dfe,
        dfe_label=dfe_own.label if dfe_own else Rag(dfe).label,
    )


def risk_ratings_by_update(*, source: ReportSource) -> dict[int, tuple[Rating | None, ...]]:
    """Each risk's assurance level at Updates 1, 2 and 3 of the round's year (2 or 3 queries).

    This round's level is in its own snapshot. An earlier update's comes from that round's
    payload frozen before this one (so a frozen report cannot change); a round that was never
    frozen (history loaded as submitted) falls back to its recorded risk updates.
    """
    snap = source.snapshot
    current = snap.round.update_number
    earlier = list(
        ReportingRound.objects.safety_valve()
        .filter(
            agreement_id=snap.agreement.id,
            financial_year=snap.round.financial_year,
            update_number__lt=current,
        )
        .values_list("pk", "update_number")
    )
    frozen = FrozenSnapshot.objects.filter(round_id__in=[pk for pk, _ in earlier])
    if source.frozen_at is not None:
        frozen = frozen.filter(created_at__lte=source.frozen_at)
    payloads: dict[int, dict] = {}
    for row in frozen.order_by("created_at", "pk"):
        payloads[row.round_id] = row.payload  # the latest wins
    by_update: dict[int, dict[int, Rating]] = {}
    unfrozen = [pk for pk, _ in earlier if pk not in payloads]
    live: dict[int, dict[int, str]] = {}
    if unfrozen:
        rows = RiskUpdate.objects.filter(round_id__in=unfrozen).values("round_id", "risk_id", "rag")
        for row in rows:
            live.setdefault(row["round_id"], {})[row["risk_id"]] = row["rag"]
    for pk, number in earlier:
        if pk in payloads:
            by_update[number] = {
                r["id"]: Rating(**r["rating"]) for r in payloads[pk].get("risks", [])
            }
        else:
            by_update[number] = {
                risk_id: rating_for_code(snap, code) for risk_id, code in live.get(pk, {}).items()
            }
    by_update[current] = {r.id: r.rating for r in snap.risks}
    return {
        risk.id: tuple(by_update.get(n, {}).get(risk.id) for n in (1, 2, 3)) for risk in snap.risks
    }
