"""The round page of a locked return, as frozen: its sections' words, levels and milestones
come from the frozen record, never from the live rows under them.

The round page is built from the section rows (for their edit links, history and who saved
them). For a round whose record is frozen (and for the previous update beside it, when that
is frozen) every value shown is then replaced, in memory only, by the frozen one; a section
the frozen return did not have is not shown. Nothing here is ever saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.models import RoundSnapshot as FrozenSnapshot
from reports.snapshot.hydrate import snapshot_from_dict
from reports.snapshot.record import (
    LOCKED_STATES,
    RecordChange,
    RoundRecord,
    frozen_snapshot_for,
    round_record_changed,
    round_record_changes,
)
from reports.snapshot.types import RoundSnapshot
from svmonitor.choices import DEFAULT_RAG_DEFINITIONS, Rag


@dataclass(frozen=True)
class FrozenState:
    """Whether the page shows a frozen return, when it was frozen, and what moved since."""

    frozen: FrozenSnapshot | None
    changes: list[RecordChange]
    # Whether live data differs, where only that was asked (round_record_changed).
    changed: bool = False

    @property
    def is_frozen(self) -> bool:
        """Whether the page shows the frozen return."""
        return self.frozen is not None

    @property
    def frozen_at(self):
        """When the return was frozen."""
        return self.frozen.created_at if self.frozen else None

    @property
    def has_changed(self) -> bool:
        """Whether live data differs from the frozen return."""
        return self.changed or bool(self.changes)


def _by_id(rows) -> dict:
    return {row.id: row for row in rows}


def _condition(update, frozen) -> None:
    update.rag, update.narrative = frozen.rating.code, frozen.narrative
    condition = update.condition
    condition.label, condition.title, condition.wording = frozen.label, frozen.title, frozen.wording


def _risk(update, frozen) -> None:
    update.rag, update.narrative = frozen.rating.code, frozen.narrative
    update.impact, update.likelihood, update.score = frozen.impact, frozen.likelihood, frozen.score
    risk = update.risk
    risk.title, risk.owner_role = frozen.title, frozen.owner_role
    risk.impact_description = frozen.impact_description
    risk.mitigation, risk.action_required = frozen.mitigation, frozen.action_required


def _workstream(update, frozen) -> None:
    update.rag, update.narrative = frozen.rating.code, frozen.narrative
    update.workstream.name, update.workstream.lead_role = frozen.name, frozen.lead_role


def _milestones(milestones: list, frozen) -> list:
    shown = []
    by_id = _by_id(frozen.milestones)
    for milestone in milestones:
        recorded = by_id.get(milestone.pk)
        if recorded is None:
            continue
        milestone.title, milestone.due_date = recorded.title, recorded.due_date
        milestone.status, milestone.completed_on = recorded.status, recorded.completed_on
        shown.append(milestone)
    return shown


def _workstreams(snapshot: RoundSnapshot) -> dict:
    return {w.id: w for area in snapshot.areas for w in area.workstreams}


def _overview(overview, frozen) -> None:
    overview.overall_rag = frozen.overall.code
    for name in (
        "overall_narrative",
        "deficit_this_year_on_track",
        "deficit_this_year_commentary",
        "zero_deficit_on_track",
        "zero_deficit_commentary",
        "capital_project_on_track",
        "capital_project_commentary",
        "adviser_support_requested",
        "adviser_support_detail",
    ):
        setattr(overview, name, getattr(frozen, name))


def _headline_texts(snapshot: RoundSnapshot) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for item in sorted(snapshot.overview.headlines, key=lambda h: (h.kind, h.position)):
        texts.setdefault(item.kind, []).append(item.text)
    return texts


def _rag_definitions(snapshot: RoundSnapshot) -> list[tuple[str, str]]:
    defined = {d.level: d for d in snapshot.rag_definitions}
    rows = []
    for level in Rag:
        if level in defined:
            rows.append((defined[level].label or level.label, defined[level].definition))
        elif level != Rag.NOT_RATED:
            rows.append((level.label, DEFAULT_RAG_DEFINITIONS[level]))
    return rows


# Per kind: the frozen rows by the live row's key, and how one is laid over a live update.
_SECTIONS = {
    "condition": (lambda s: _by_id(s.conditions), "condition_id", _condition),
    "risk": (lambda s: _by_id(s.risks), "risk_id", _risk),
    "workstream": (_workstreams, "workstream_id", _workstream),
}


def _this_update(rows: list, kind: str, snapshot: RoundSnapshot) -> list:
    frozen_rows, key, apply = _SECTIONS[kind]
    by_id = frozen_rows(snapshot)
    shown = []
    for row in rows:
        frozen = by_id.get(getattr(row.update, key))
        if frozen is None:
            continue  # not in the frozen return
        apply(row.update, frozen)
        if kind == "workstream":
            row.milestones = _milestones(row.milestones, frozen)
        shown.append(row)
    return shown


def _previous_update(rows: list, kind: str, snapshot: RoundSnapshot) -> None:
    frozen_rows, key, apply = _SECTIONS[kind]
    by_id = frozen_rows(snapshot)
    for row in rows:
        if row.previous is None:
            continue
        frozen = by_id.get(getattr(row.previous, key))
        if frozen is None:
            row.previous = None
        else:
            apply(row.previous, frozen)


def _previous_snapshot(previous) -> RoundSnapshot | None:
    if previous is None or previous.status not in LOCKED_STATES:
        return None
    frozen = frozen_snapshot_for(previous)
    return snapshot_from_dict(frozen.payload) if frozen is not None else None


def round_page_as_recorded(page, *, with_changes: bool | str = True) -> FrozenState:
    """Lay the frozen record over a built round page (conditions.selectors.round_page_build).

    This round's values come from its frozen record when it is locked (the payload
    round_record reads), and the previous update's from its own when that is frozen.
    `with_changes` also lists what differs from live data (a live build: the changes page);
    "whether" only says if anything does, for the one-line notice (round_record_changed: one
    query while the council's data version stands). Queries: one per frozen payload read,
    and a live build when compared.
    """
    # The page has read the latest frozen payload already, for its sign-off panel.
    frozen = page.sign_offs.snapshot if page.round.status in LOCKED_STATES else None
    snap = snapshot_from_dict(frozen.payload) if frozen is not None else None
    groups = [("condition", "conditions"), ("risk", "risks")]
    if snap is not None:
        for kind, name in groups:
            setattr(page, name, _this_update(getattr(page, name), kind, snap))
        for area in page.areas:
            area.rows = _this_update(area.rows, "workstream", snap)
        page.areas = [area for area in page.areas if area.rows]
        if page.overview is not None:
            _overview(page.overview, snap.overview)
        texts = _headline_texts(snap)
        for headlines in page.headlines:
            headlines.texts = texts.get(headlines.kind, [])
        page.labels.clear()
        page.labels.update({d.level: d.label for d in snap.rag_definitions})
        page.rag_definitions = _rag_definitions(snap)
    previous = _previous_snapshot(page.previous_round)
    if previous is not None:
        for kind, name in groups:
            _previous_update(getattr(page, name), kind, previous)
        for area in page.areas:
            _previous_update(area.rows, "workstream", previous)
        if page.previous_overview is not None:
            _overview(page.previous_overview, previous.overview)
        texts = _headline_texts(previous)
        for headlines in page.headlines:
            if headlines.previous is not None:
                headlines.previous = texts.get(headlines.kind, [])
    changes, changed = [], False
    if frozen is not None and with_changes:
        record = RoundRecord(round=page.round, snapshot=snap, frozen=frozen)
        if with_changes == "whether":
            changed = round_record_changed(record)
        else:
            changes = round_record_changes(record)
    return FrozenState(frozen=frozen, changes=changes, changed=changed)


def _frozen_of(round) -> RoundSnapshot | None:
    if round.status not in LOCKED_STATES:
        return None
    frozen = frozen_snapshot_for(round)
    return snapshot_from_dict(frozen.payload) if frozen is not None else None


def section_row_as_recorded(round, row) -> bool:
    """Lay a locked round's frozen record over one section row (its show and edit views), as
    round_page_as_recorded does for the whole page; False if the frozen return lacks it."""
    snap = _frozen_of(round)
    if snap is None:
        return True
    row.labels.clear()
    row.labels.update({d.level: d.label for d in snap.rag_definitions})
    return bool(_this_update([row], row.kind, snap))


def milestone_as_recorded(round, milestone) -> bool:
    """Lay a locked round's frozen record over one milestone (its show view); False if the
    frozen return lacks it."""
    snap = _frozen_of(round)
    if snap is None:
        return True
    return any(_milestones([milestone], w) for w in _workstreams(snap).values())
