"""Reads for a return's history: each section's audit trail, and what changed since the
previous update, section by section (word-level differences of the narratives)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from django.utils.dateparse import parse_date

from conditions.selectors import RagBadge, RoundPage, SectionRow, rag_badge
from svmonitor.choices import Rag, YesNo
from svmonitor.models import AuditEvent
from svmonitor.selectors import ON_TRACK_QUESTIONS

FIELD_LABELS = {
    "rag": "Assurance level",
    "narrative": "Progress update",
    "impact": "Impact",
    "likelihood": "Likelihood",
    "score": "Score",
    "status": "Status",
    "due_date": "Due date",
    "completed_on": "Completed on",
    "overall_rag": "Overall assurance level",
    "overall_narrative": "Overall narrative",
    "adviser_support_requested": "Adviser support requested",
    "adviser_support_detail": "Support requested",
    "texts": "Headlines",
    **{answer: f"{wording}?" for answer, _c, wording in ON_TRACK_QUESTIONS},
    **{commentary: f"{wording}: commentary" for _a, commentary, wording in ON_TRACK_QUESTIONS},
}
ACTION_LABELS = {
    "condition_update.save": "Saved the condition",
    "risk_update.save": "Saved the risk",
    "workstream_update.save": "Saved the workstream",
    "milestone.save": "Saved the milestone",
    "round_overview.save": "Saved the overview",
    "headlines.save": "Saved the headlines",
}
HISTORY_OBJECT_TYPES = {
    "condition": "conditions.conditionupdate",
    "risk": "risks.riskupdate",
    "workstream": "conditions.workstreamupdate",
    "milestone": "conditions.milestone",
    "overview": "svmonitor.roundoverview",
    "driver": "svmonitor.roundoverview",
    "barrier": "svmonitor.roundoverview",
    "engagement": "svmonitor.roundoverview",
}
HEADLINE_KINDS = {"driver", "barrier", "engagement"}
_WORDS = re.compile(r"\S+|\s+")


# --- history ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after a save, as text."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded save of a section: who, when, and what changed."""

    at: dt.datetime
    who: str
    action: str
    changes: tuple[FieldChange, ...]


def _display(name: str, value) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "\n".join(f"{n}. {text}" for n, text in enumerate(value, 1)) or "(none)"
    if name.endswith("rag") and value in Rag.values:
        return Rag(value).label
    if name.endswith("on_track") and value in YesNo.values:
        return YesNo(value).label
    if name == "status":
        return str(value).replace("_", " ").capitalize()
    if isinstance(value, str) and name in ("due_date", "completed_on"):
        day = parse_date(value)
        return f"{day:%-d %B %Y}" if day else value
    return str(value)


def fields_for_display(values: dict) -> list[tuple[str, str]]:
    """(label, text) pairs for a section's stored values, e.g. the other person's save."""
    return [
        (FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), _display(name, value))
        for name, value in values.items()
    ]


def _field_changes(before: dict | None, after: dict | None) -> tuple[FieldChange, ...]:
    before, after = before or {}, after or {}
    names = [n for n in after if n != "kind"] + [
        n for n in before if n not in after and n != "kind"
    ]
    return tuple(
        FieldChange(
            FIELD_LABELS.get(n, n.replace("_", " ").capitalize()),
            _display(n, before.get(n)),
            _display(n, after.get(n)),
        )
        for n in names
        if before.get(n) != after.get(n)
    )


def section_history(*, user, section: str, object_id: int) -> list[HistoryEntry]:
    """Every recorded save of one section, newest first, scoped to the user's councils."""
    events = (
        AuditEvent.objects.for_user(user)
        .filter(object_type=HISTORY_OBJECT_TYPES[section], object_id=str(object_id))
        .order_by("-at", "-pk")
    )
    entries = []
    for event in events:
        if section in HEADLINE_KINDS:
            if event.action != "headlines.save" or (event.after or {}).get("kind") != section:
                continue
        elif section == "overview" and event.action == "headlines.save":
            continue
        entries.append(
            HistoryEntry(
                at=event.at,
                who=event.username or "(unknown)",
                action=ACTION_LABELS.get(event.action, event.action),
                changes=_field_changes(event.before, event.after),
            )
        )
    return entries


def last_saved_by(*, section: str, object_id: int) -> tuple[str, dt.datetime | None]:
    """Who last saved a section and when, from its history (for the reconcile panel)."""
    event = (
        AuditEvent.objects.filter(
            object_type=HISTORY_OBJECT_TYPES[section], object_id=str(object_id)
        )
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return "someone else", None
    return event.username or "someone else", event.at


# --- changes since the previous update -------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A run of words that is the same, added or removed between two texts."""

    kind: str  # "equal", "insert" or "delete"
    text: str


def text_diff(before: str, after: str) -> list[Segment]:
    """Word-level differences from `before` to `after`."""
    old, new = _WORDS.findall(before or ""), _WORDS.findall(after or "")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("equal", "".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            segments.append(Segment("delete", "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(Segment("insert", "".join(new[j1:j2])))
    return segments


@dataclass
class ChangeItem:
    """What changed in one section since the previous update."""

    anchor: str
    title: str
    is_new: bool
    before: RagBadge | None
    after: RagBadge | None
    narrative: list[Segment]
    other: list[FieldChange] = field(default_factory=list)

    @property
    def rag_changed(self) -> bool:
        """Whether the level moved."""
        return (self.before and self.before.code) != (self.after and self.after.code)


@dataclass
class ChangeGroup:
    """The changed sections of one kind (conditions, risks, workstreams, overview)."""

    title: str
    changed: list[ChangeItem]
    unchanged: int


def _title(row: SectionRow) -> str:
    update = row.update
    if row.kind == "condition":
        return f"Condition {update.condition.label}: {update.condition.title}"
    if row.kind == "risk":
        return f"Risk {update.risk.number}"
    return update.workstream.name


def _row_change(row: SectionRow) -> ChangeItem | None:
    update, previous = row.update, row.previous
    other = []
    if row.kind == "risk" and previous is not None:
        for name in ("impact", "likelihood"):
            if getattr(previous, name) != getattr(update, name):
                other.append(
                    FieldChange(
                        FIELD_LABELS[name], str(getattr(previous, name)), str(getattr(update, name))
                    )
                )
    if (
        previous is not None
        and previous.rag == update.rag
        and previous.narrative == update.narrative
        and not other
    ):
        return None
    return ChangeItem(
        anchor=row.anchor,
        title=_title(row),
        is_new=previous is None,
        before=rag_badge(previous.rag) if previous is not None else None,
        after=rag_badge(update.rag),
        narrative=text_diff(previous.narrative if previous else "", update.narrative),
        other=other,
    )


def _group(title: str, rows: list[SectionRow]) -> ChangeGroup:
    items = [_row_change(row) for row in rows]
    changed = [item for item in items if item is not None]
    return ChangeGroup(title=title, changed=changed, unchanged=len(items) - len(changed))


OVERVIEW_COMPARED = (
    *(name for trio in ON_TRACK_QUESTIONS for name in trio[:2]),
    "adviser_support_requested",
    "adviser_support_detail",
)


def _overview_change(page: RoundPage) -> ChangeGroup:
    current, previous = page.overview, page.previous_overview
    if current is None:
        return ChangeGroup(title="Overview", changed=[], unchanged=0)
    other = []
    for name in OVERVIEW_COMPARED:
        before = getattr(previous, name) if previous is not None else ""
        after = getattr(current, name)
        if before != after:
            other.append(
                FieldChange(FIELD_LABELS[name], _display(name, before), _display(name, after))
            )
    for headlines in page.headlines:
        if headlines.previous is not None and headlines.previous != headlines.texts:
            other.append(
                FieldChange(
                    headlines.title,
                    _display("texts", headlines.previous),
                    _display("texts", headlines.texts),
                )
            )
    before_rag = previous.overall_rag if previous is not None else None
    before_text = previous.overall_narrative if previous is not None else ""
    if (
        previous is not None
        and before_rag == current.overall_rag
        and before_text == current.overall_narrative
        and not other
    ):
        return ChangeGroup(title="Overview", changed=[], unchanged=1)
    item = ChangeItem(
        anchor="overview",
        title="Overview and overall assurance",
        is_new=previous is None,
        before=rag_badge(before_rag),
        after=rag_badge(current.overall_rag),
        narrative=text_diff(before_text, current.overall_narrative),
        other=other,
    )
    return ChangeGroup(title="Overview", changed=[item], unchanged=0)


def round_changes(page: RoundPage) -> list[ChangeGroup]:
    """What changed in each section since the previous update (new sections count as changed)."""
    workstreams = [row for area in page.areas for row in area.rows]
    return [
        _overview_change(page),
        _group("Agreement conditions", page.conditions),
        _group("Risks", page.risks),
        _group("Workstreams", workstreams),
    ]
