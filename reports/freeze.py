"""Freezing a round: its content as canonical JSON, hashed with SHA-256, kept for good."""

from __future__ import annotations

import hashlib
import json

from reports.models import RoundSnapshot
from reports.round_page import milestone_as_recorded, section_row_as_recorded
from reports.snapshot import round_snapshot_build, snapshot_as_dict
from reports.snapshot.parts import parts_payload
from reports.snapshot.record import frozen_payloads_for_rounds
from svmonitor.models import ReportingRound


def canonical_json(payload: dict) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 text kept as is."""
    # allow_nan=False: NaN is not JSON (PostgreSQL's jsonb refuses it), so fail loudly instead.
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def payload_sha256(payload: dict) -> str:
    """SHA-256 (hex) of a payload's canonical JSON."""
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def round_payload(round: ReportingRound) -> dict:
    """The round as the dashboard's read model shows it, as JSON-safe data (another kind of
    return: its registered parts' fragments, reports.snapshot.parts)."""
    if not round.is_safety_valve:
        return parts_payload(round)
    # The same read model the dashboard, PDF and Excel render: what is signed is what is shown.
    return snapshot_as_dict(round_snapshot_build(round))


def round_snapshot_freeze(*, round: ReportingRound, by) -> RoundSnapshot:
    """Store the round's payload and the SHA-256 of its canonical JSON."""
    payload = round_payload(round)
    text = canonical_json(payload)
    return RoundSnapshot.objects.create(
        round=round,
        created_by=by,
        # Stored as parsed back from the canonical text, so re-hashing it gives the same digest.
        payload=json.loads(text),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def round_snapshot_verify(snapshot: RoundSnapshot) -> bool:
    """Whether a stored snapshot's payload still hashes to its recorded SHA-256."""
    return payload_sha256(snapshot.payload) == snapshot.sha256


class SnapshotFreezer:
    """The spine's lifecycle freezes rounds through this (registered in ReportsConfig.ready)."""

    def freeze(self, *, round, by) -> str:
        """Freeze the round as the dashboard's read model shows it; return its SHA-256."""
        return round_snapshot_freeze(round=round, by=by).sha256

    def latest_sha256(self, *, round) -> str | None:
        """The SHA-256 of the round's latest frozen record (the one signed)."""
        latest = RoundSnapshot.objects.filter(round=round).order_by("-created_at", "-pk").first()
        return latest.sha256 if latest else None

    def frozen_payloads(self, *, round_ids) -> dict[int, dict]:
        """Each locked round's latest frozen payload by round id, in one query."""
        return frozen_payloads_for_rounds(list(round_ids))

    def row_as_recorded(self, *, round, row) -> bool:
        """Lay a locked round's frozen values over one section row (reports.round_page)."""
        return section_row_as_recorded(round, row)

    def milestone_as_recorded(self, *, round, milestone) -> bool:
        """Lay a locked round's frozen values over one milestone (reports.round_page)."""
        return milestone_as_recorded(round, milestone)
