"""Reads for the PDFs: which snapshot a round's report is built from, and the risk history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from reports.models import RoundSnapshot as FrozenSnapshot
from reports.pdf.hydrate import snapshot_from_dict
from reports.snapshot import Rating, RoundSnapshot, round_snapshot_build, snapshot_as_dict
from risks.models import RiskUpdate
from svmonitor.choices import DEFAULT_DFE_MAPPING, Rag, RoundStatus
from svmonitor.models import ReportingRound, SignOff


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


def _live_sign_offs(round: ReportingRound, sha256: str):
    # Sign-offs are recorded after the freeze, against its hash; voided ones are history only.
    from reports.snapshot.types import SignOffInfo

    capacities = dict(SignOff.Capacity.choices)
    return tuple(
        SignOffInfo(
            capacity=s.capacity,
            capacity_label=capacities[s.capacity],
            signed_by=s.signed_by.get_full_name() or s.signed_by.get_username(),
            signed_at=s.signed_at,
            snapshot_sha256=s.snapshot_sha256,
        )
        for s in SignOff.objects.filter(round=round, snapshot_sha256=sha256, voided_at__isnull=True)
        .select_related("signed_by")
        .order_by("capacity")
    )


def report_source_for_round(*, round: ReportingRound) -> ReportSource:
    """A draft renders live data; any later state renders the payload frozen when it was ready.

    The frozen payload holds the return itself. What happened to it afterwards (the sign-offs
    recorded against its hash, the date it was sent) is laid over it from the round, so the
    cover is current while the content cannot change.
    """
    frozen = None
    if round.status != RoundStatus.DRAFT:
        frozen = FrozenSnapshot.objects.filter(round=round).order_by("-created_at", "-pk").first()
    if frozen is None:
        # Through the JSON form too, so a draft and a frozen round take the same path.
        payload = snapshot_as_dict(round_snapshot_build(round))
        return ReportSource(round=round, snapshot=snapshot_from_dict(payload), frozen=None)
    snapshot = snapshot_from_dict(frozen.payload)
    snapshot = dataclasses.replace(
        snapshot,
        round=dataclasses.replace(
            snapshot.round,
            status=round.status,
            status_label=RoundStatus(round.status).label,
            submitted_on=round.submitted_on,
        ),
        sign_offs=_live_sign_offs(round, frozen.sha256),
    )
    return ReportSource(round=round, snapshot=snapshot, frozen=frozen)


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
        ReportingRound.objects.filter(
            agreement_id=snap.agreement.id,
            financial_year=snap.round.financial_year,
            update_number__lt=current,
        ).values_list("pk", "update_number")
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
