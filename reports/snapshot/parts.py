"""The record of a return built from its registered parts (every kind but the Safety Valve
return, whose snapshot reports.snapshot.build assembles whole): {"kind", "round", "parts"},
where each part that has a `snapshot` hook gives its own fragment. Frozen, hashed and signed
by the same lifecycle as the Safety Valve return (reports.freeze); read through `round_record`,
so every output of a DSG plan round (its PDF, Word document, Schools Forum paper) reads the
frozen fragments of a locked round and live ones of a draft."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reports.models import RoundSnapshot as FrozenSnapshot
from reports.snapshot.types import SignOffInfo
from svmonitor.choices import RoundStatus
from svmonitor.models import ReportingRound
from svmonitor.sections import return_parts

PAYLOAD_VERSION = 1


def parts_payload(round: ReportingRound) -> dict:
    """The round's record as JSON-safe data: its identity and each part's fragment, live."""
    council = round.agreement.council
    plan = round.agreement
    return {
        "payload_version": PAYLOAD_VERSION,
        "kind": round.return_kind,
        "round": {
            "council": council.name,
            "council_slug": council.slug,
            "financial_year": round.financial_year,
            "fy": round.fy,
            "update_number": round.update_number,
            "label": round.label,
            "kind_title": round.kind.title,
            "due_date": round.due_date.isoformat(),
            "data_as_at": round.data_as_at.isoformat() if round.data_as_at else None,
            "plan_title": plan.title,
            "plan_years": [plan.first_financial_year, plan.last_financial_year],
        },
        "parts": {
            part.name: part.snapshot(round)
            for part in return_parts(round.return_kind)
            if part.snapshot is not None
        },
    }


@dataclass(frozen=True)
class PartsRecord:
    """A parts-built round as every surface shows it: the frozen payload of a locked round
    (with the status and sign-offs recorded after freezing laid over), live for a draft."""

    round: ReportingRound
    payload: dict
    frozen: FrozenSnapshot | None
    sign_offs: tuple[SignOffInfo, ...] = ()

    @property
    def is_frozen(self) -> bool:
        """Whether the content is the frozen payload."""
        return self.frozen is not None

    @property
    def sha256(self) -> str | None:
        """The frozen payload's SHA-256, or None when built from live data."""
        return self.frozen.sha256 if self.frozen else None

    @property
    def frozen_at(self) -> dt.datetime | None:
        """When the payload was frozen."""
        return self.frozen.created_at if self.frozen else None

    @property
    def parts(self) -> dict:
        """Each part's fragment by part name."""
        return self.payload.get("parts", {})

    @property
    def status(self) -> str:
        """The round's status now (laid over the frozen content)."""
        return self.round.status

    @property
    def status_label(self) -> str:
        """The round's status as words (a submitted DSG plan update: presented to the Forum)."""
        return self.round.status_label

    @property
    def is_draft(self) -> bool:
        """Whether the record is a draft's (outputs print DRAFT)."""
        return self.round.status == RoundStatus.DRAFT


def parts_record(round: ReportingRound, frozen: FrozenSnapshot | None, sign_offs) -> PartsRecord:
    """The record of a parts-built round, given its frozen payload (None: build it live)."""
    if frozen is None:
        return PartsRecord(round=round, payload=parts_payload(round), frozen=None)
    return PartsRecord(round=round, payload=frozen.payload, frozen=frozen, sign_offs=sign_offs)


@dataclass(frozen=True)
class PartChange:
    """One value that differs between a frozen parts record and live data."""

    part: str
    path: str
    frozen: object
    live: object


def _walk(part: str, path: str, frozen, live, out: list[PartChange]) -> None:
    if isinstance(frozen, dict) and isinstance(live, dict):
        for key in sorted(set(frozen) | set(live), key=str):
            _walk(part, f"{path}.{key}" if path else str(key), frozen.get(key), live.get(key), out)
    elif isinstance(frozen, list) and isinstance(live, list) and len(frozen) == len(live):
        for index, (a, b) in enumerate(zip(frozen, live, strict=True)):
            _walk(part, f"{path}[{index + 1}]", a, b, out)
    elif frozen != live:
        out.append(PartChange(part=part, path=path, frozen=frozen, live=live))


def parts_record_changes(record: PartsRecord) -> list[PartChange]:
    """What live data has changed in each part since the record was frozen (a live build)."""
    if not record.is_frozen:
        return []
    live = parts_payload(record.round)["parts"]
    out: list[PartChange] = []
    for name in sorted(set(record.parts) | set(live)):
        _walk(name, "", record.parts.get(name), live.get(name), out)
    return out
