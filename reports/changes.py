"""What changed in each section of a return since the previous update (the changes page)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from overview.selectors import ON_TRACK_QUESTIONS
from reports.return_page import RoundPage
from svmonitor.history import FIELD_LABELS, FieldChange, field_text
from svmonitor.section_rows import RagBadge, SectionRow, rag_badge

_WORDS = re.compile(r"\S+|\s+")


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


def _score_text(value) -> str:
    return "not scored" if value is None else str(value)


def _row_change(row: SectionRow, scored: bool = True) -> ChangeItem | None:
    update, previous = row.update, row.previous
    other = []
    # A rated register keeps no score, so none is listed as changed.
    if row.kind == "risk" and previous is not None and scored:
        for name in ("impact", "likelihood"):
            if getattr(previous, name) != getattr(update, name):
                other.append(
                    FieldChange(
                        FIELD_LABELS[name],
                        _score_text(getattr(previous, name)),
                        _score_text(getattr(update, name)),
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


def _group(title: str, rows: list[SectionRow], scored: bool = True) -> ChangeGroup:
    items = [_row_change(row, scored) for row in rows]
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
                FieldChange(FIELD_LABELS[name], field_text(name, before), field_text(name, after))
            )
    for headlines in page.headlines:
        if headlines.previous is not None and headlines.previous != headlines.texts:
            other.append(
                FieldChange(
                    headlines.title,
                    field_text("texts", headlines.previous),
                    field_text("texts", headlines.texts),
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
        _group("Risks", page.risks, page.round.agreement.council.risks_scored),
        _group("Workstreams", workstreams),
    ]
