"""One record out: the round as every surface shows it, frozen once it is locked.

A draft is built from live data. A round that is ready, signed off or submitted is read from
the payload frozen when it was marked ready (`reports.RoundSnapshot`), whatever has changed
since; only what happened to the return afterwards (its status, the date it was sent, the
sign-offs recorded against the frozen hash) is laid over it from the round. The dashboard,
the round page, the changes page, the PDFs, the Excel export and the portfolio all go
through `round_record`, so none of them can show a mix of the two.

Whether live data has moved since the freeze is a separate, dearer question (a live build):
`round_record_changes` answers it for the pages that say so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

from metrics.periods import PeriodKind, period_label
from reports.models import RoundSnapshot as FrozenSnapshot
from reports.snapshot.build import round_loaded, round_snapshot_build
from reports.snapshot.hydrate import snapshot_from_dict
from reports.snapshot.measures import measure_windowed
from reports.snapshot.parts import PartsRecord, parts_record
from reports.snapshot.scope import MeasureScope
from reports.snapshot.serialise import snapshot_as_dict
from reports.snapshot.types import RoundSnapshot, SignOffInfo
from svmonitor.choices import RoundStatus
from svmonitor.models import LocalAuthority, ReportingRound, SignOff

LOCKED_STATES = (RoundStatus.READY, RoundStatus.SIGNED_OFF, RoundStatus.SUBMITTED)
# What may differ between the frozen payload and a live build without the return changing:
# the lifecycle after the freeze, laid over the frozen content from the round.
_ROUND_AFTER_FREEZE = ("status", "status_label", "submitted_on", "version")
_SEP = ", "


@dataclass(frozen=True)
class RoundRecord:
    """A round's content as shown everywhere: frozen payload, or live data for a draft."""

    round: ReportingRound
    snapshot: RoundSnapshot
    frozen: FrozenSnapshot | None

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


def frozen_snapshot_for(round: ReportingRound) -> FrozenSnapshot | None:
    """The payload frozen when the round was last marked ready (one query), or None.

    A round from round_list_for_council knows that payload's id already: none is looked up
    for a round never frozen, and the one there is is read by its key.
    """
    if hasattr(round, "frozen_snapshot_id"):
        if round.frozen_snapshot_id is None:
            return None
        return FrozenSnapshot.objects.filter(pk=round.frozen_snapshot_id).first()
    return FrozenSnapshot.objects.filter(round=round).order_by("-created_at", "-pk").first()


def frozen_payloads_for_rounds(round_ids: list[int]) -> dict[int, dict]:
    """Each locked round's latest frozen payload by round id, in one query."""
    payloads: dict[int, dict] = {}
    rows = (
        FrozenSnapshot.objects.filter(round_id__in=round_ids, round__status__in=LOCKED_STATES)
        .order_by("round_id", "-created_at", "-pk")
        .values_list("round_id", "payload")
    )
    for round_id, payload in rows:
        payloads.setdefault(round_id, payload)
    return payloads


def _sign_offs(round: ReportingRound, sha256: str) -> tuple[SignOffInfo, ...]:
    # Sign-offs are recorded after the freeze, against its hash; voided ones are history only.
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


def _scoped_payload(payload: dict, scope: MeasureScope) -> dict:
    """The payload with only the figures of the measures a dashboard page shows (the others
    kept without figures, as a scoped live build has them), so the rest are not rebuilt.

    A payload frozen before the groups were recorded keeps every figure: its groups are worked
    out from them."""
    groups = payload.get("kpi_groups")
    if groups is None:
        return payload
    if scope.is_summary:
        codes = {card.get("measure_code") for card in payload.get("headlines", ())}
        # Issue 18.1: the summary's stock and flow section reads its measures' figures too.
        codes |= {m.get("code") for m in payload["measures"] if m.get("stock_flow_role")}
    else:
        codes = {c for g in groups if g.get("slug") == scope.page for c in g["measure_codes"]}
    empty = {"lines": [], "rolling": [], "table": [], "footnotes": []}
    measures = [m if m.get("code") in codes else {**m, **empty} for m in payload["measures"]]
    return {**payload, "measures": measures}


def _laid_over(
    round: ReportingRound, frozen: FrozenSnapshot, sign_offs, scope: MeasureScope | None = None
) -> RoundSnapshot:
    payload = frozen.payload if scope is None else _scoped_payload(frozen.payload, scope)
    snapshot = snapshot_from_dict(payload)
    return dataclasses.replace(
        snapshot,
        round=dataclasses.replace(
            snapshot.round,
            status=round.status,
            status_label=RoundStatus(round.status).label,
            submitted_on=round.submitted_on,
            version=round.version,
        ),
        sign_offs=sign_offs,
    )


def round_record(
    round: ReportingRound, *, since: dt.date | None = None, scope: MeasureScope | None = None
) -> RoundRecord | PartsRecord:
    """The round as every surface shows it: frozen if locked, live if a draft. A round of
    another kind than the Safety Valve return gives its parts' record
    (reports.snapshot.parts.PartsRecord); `since` and `scope` are the Safety Valve dashboard's.

    Queries: a draft, those of round_snapshot_build; a locked round, two (its frozen payload
    and its sign-offs). A locked round that was never frozen (history loaded as submitted)
    is built from live data, with `frozen` None (one query more to find that out, none for a
    round from round_list_for_council).

    `since` (the dashboard's window) keeps only the key measures' figures from that month on;
    a live build then loads no earlier figures at all. `scope` (a dashboard page) keeps only
    the figures of the measures that page shows (reports.snapshot.scope).
    """
    if not round.is_safety_valve:
        # Another kind of return: its record is its registered parts' fragments.
        frozen = frozen_snapshot_for(round) if round.status in LOCKED_STATES else None
        sign_offs = _sign_offs(round, frozen.sha256) if frozen is not None else ()
        return parts_record(round, frozen, sign_offs)
    if round.status in LOCKED_STATES:
        # Its frozen payload's id with the rest the build reads of the round (one query).
        round = round_loaded(round)
    frozen = frozen_snapshot_for(round) if round.status in LOCKED_STATES else None
    if frozen is None:
        snapshot = round_snapshot_build(round, since=since, scope=scope)
        return RoundRecord(round=round, snapshot=snapshot, frozen=None)
    # A dashboard page (a scope) shows no sign-offs: not read for it.
    sign_offs = _sign_offs(round, frozen.sha256) if scope is None else ()
    snapshot = _laid_over(round, frozen, sign_offs, scope)
    if since:
        windowed = tuple(measure_windowed(m, since) for m in snapshot.measures)
        snapshot = dataclasses.replace(snapshot, measures=windowed)
    return RoundRecord(round=round, snapshot=snapshot, frozen=frozen)


# --- what changed since the freeze -----------------------------------------------------------


@dataclass(frozen=True)
class RecordChange:
    """One figure or text that differs between the frozen return and live data."""

    where: str
    frozen: str
    live: str


# Derived from other fields (listed once, where they come from) or laid over from the round.
_DERIVED = {
    "rolling",
    "table",
    "milestone_counts",
    "overdue",
    "heat_map",
    "has_last_year",
    "has_stat_neighbour",
    "is_overdue",
    "status_label",
    "previous",
    "previous_round_label",
    "change",
    "polarity_label",
    "reading_label",
    "kind_label",
    "role_label",
    "capacity_label",
    "key",
    "label_of_round",
    "sign_offs",
    "ratings_by_update",  # each earlier update's level is that round's own record
}
_SECTION_NAMES = {
    "council": "Council",
    "agreement": "Agreement",
    "round": "Round",
    "tier": "Monitoring tier",
    "contacts": "Key contacts",
    "rag_definitions": "RAG definitions",
    "overview": "Overview",
    "conditions": "Agreement conditions",
    "areas": "Programme",
    "risks": "Risks",
    "measures": "Key measures",
    "headlines": "Headline figures",
    "finance": "Finance",
    "payments": "DfE payments",
    "data_as_at": "Figures up to",
    "kpi_groups": "Key measures grouped by",
    "workstream_savings": "Forecast savings by workstream",
}


def _month(text: str) -> str:
    try:
        return f"{dt.date.fromisoformat(text):%B %Y}"
    except (TypeError, ValueError):
        return str(text)


def _item_name(section: str, item: dict) -> str:
    """How a row of a list is named in a change: "Condition 3.1", "October 2024"."""
    namers = {
        "conditions": lambda c: f"Condition {c['label']}",
        "risks": lambda r: f"Risk {r['number']}",
        "areas": lambda a: f"Area {a['number']}",
        "workstreams": lambda w: w["name"],
        "milestones": lambda m: f"milestone {m['title']}",
        "measures": lambda m: m["code"],
        "kpi_groups": lambda g: (
            f"Condition {g['label']}"
            if g["kind"] == "condition"
            else f"Area {g['label']}"
            if g["kind"] == "area"
            else g["title"]
        ),
        "lines": lambda line: line["name"],
        "points": lambda p: (
            _month(p["period"])
            if p.get("period_kind", PeriodKind.MONTH) == PeriodKind.MONTH
            else period_label(dt.date.fromisoformat(p["period"]), p["period_kind"])
        ),
        "finance": lambda y: y["fy"],
        "workstream_savings": lambda w: w["name"],
        "savings": lambda f: f["fy"],
        "payments": lambda p: f"due {p['due_date']}",
        "rag_definitions": lambda d: d["level"],
        "contacts": lambda c: c.get("role_label") or c["role"],
        "headlines": lambda h: h.get("title") or f"{h.get('kind_label')} {h.get('position')}",
    }
    namer = namers.get(section)
    try:
        return namer(item) if namer else section
    except KeyError:
        return section


def _identity(item: dict):
    """What matches a row of a list between the frozen and live forms."""
    for key in ("id", "code", "slug", "period", "financial_year", "level", "due_date"):
        if key == "period" and key in item:
            # A month and the academic year starting that month are different figures (a
            # payload frozen before issue 13 has months only).
            return (key, item[key], item.get("period_kind", PeriodKind.MONTH))
        if key in item:
            return (key, item[key])
    if "kind" in item and "position" in item:
        return ("headline", item["kind"], item["position"])
    if "title" in item:
        return ("title", item["title"])
    if "role" in item:
        return ("role", item["role"], item.get("name"))
    return ("row", json.dumps(item, sort_keys=True))


def _shown(value) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict) and "code" in value and "label" in value:
        return str(value["label"])  # a rating, in the council's words
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)[:200]
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _is_rating(value) -> bool:
    return isinstance(value, dict) and {"code", "label", "dfe_code"} <= set(value)


def _walk(path: list[str], section: str, frozen, live, out: list[RecordChange]) -> None:
    if frozen == live:
        return
    if _is_rating(frozen) or _is_rating(live):
        out.append(RecordChange(_SEP.join(path), _shown(frozen), _shown(live)))
        return
    if isinstance(frozen, dict) and isinstance(live, dict):
        for key in frozen.keys() | live.keys():
            # A field added since the payload was frozen is not a change to the return.
            if key in _DERIVED or key not in frozen:
                continue
            name = _SECTION_NAMES.get(key, key) if not path else key.replace("_", " ")
            sub = key if isinstance(frozen.get(key), list) else section
            _walk([*path, name], sub, frozen.get(key), live.get(key), out)
        return
    if (
        isinstance(frozen, list)
        and isinstance(live, list)
        and all(isinstance(i, dict) for i in [*frozen, *live])
    ):
        before = {_identity(i): i for i in frozen}
        after = {_identity(i): i for i in live}
        for key in [*before, *(k for k in after if k not in before)]:
            old, new = before.get(key), after.get(key)
            name = _item_name(section, old or new)
            if old is None:
                out.append(RecordChange(_SEP.join([*path, name]), "(not in the return)", "added"))
            elif new is None:
                out.append(RecordChange(_SEP.join([*path, name]), "in the return", "(removed)"))
            else:
                _walk([*path, name], section, old, new, out)
        return
    out.append(RecordChange(_SEP.join(path), _shown(frozen), _shown(live)))


# A demo marker that no page, report or export shows: not part of what was returned.
_COUNCIL_NOT_IN_RETURN = frozenset({"is_fictional"})


def _content(payload: dict) -> dict:
    """The payload without what may change after the freeze without the return changing."""
    content = {key: value for key, value in payload.items() if key != "sign_offs"}
    content["council"] = {
        key: value
        for key, value in payload.get("council", {}).items()
        if key not in _COUNCIL_NOT_IN_RETURN
    }
    content["round"] = {
        key: value
        for key, value in payload.get("round", {}).items()
        if key not in _ROUND_AFTER_FREEZE
    }
    return content


def _differences(frozen: FrozenSnapshot, live: RoundSnapshot) -> list[RecordChange]:
    before = _content(frozen.payload)
    after = _content(json.loads(json.dumps(snapshot_as_dict(live))))
    if before == after:
        return []
    changes: list[RecordChange] = []
    _walk([], "", before, after, changes)
    return changes


def round_record_changes(record: RoundRecord) -> list[RecordChange]:
    """What differs between a frozen return and the same round built from live data now.

    Empty for a draft or a round never frozen. Costs a live build (round_snapshot_build).
    """
    if record.frozen is None:
        return []
    return _differences(record.frozen, round_snapshot_build(record.round))


def round_record_changed(record: RoundRecord) -> bool:
    """Whether live data now differs from a frozen return (False for a draft).

    The answer is kept on the frozen payload with the council's data version it was worked
    out at (svmonitor.LocalAuthority.data_version, moved by every write through the one door):
    while the version stands, it is one query; after a write, one live build and comparison.
    """
    frozen = record.frozen
    if frozen is None:
        return False
    council_id = record.round.agreement.council_id
    version = (
        LocalAuthority.objects.filter(pk=council_id).values_list("data_version", flat=True).get()
    )
    if frozen.compared_at_version == version:
        return frozen.changed_since
    changed = bool(round_record_changes(record))
    # Filed under the version read before the live build: a write during it moved the version
    # on, so the next view compares again.
    FrozenSnapshot.objects.filter(pk=frozen.pk).update(
        compared_at_version=version, changed_since=changed
    )
    return changed
