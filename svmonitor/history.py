"""The history of a return's sections, read from the audit trail: who saved what, when, through
which door, with before and after. Apps register their sections' audit object types and field
labels (svmonitor.history.history_section_register)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.dateparse import parse_date

from svmonitor.choices import Rag, YesNo
from svmonitor.models import AuditEvent

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
}
ACTION_LABELS = {
    "condition_update.save": "Saved the condition",
    "risk_update.save": "Saved the risk",
    "workstream_update.save": "Saved the workstream",
    "milestone.save": "Saved the milestone",
    "round_overview.save": "Saved the overview",
    "headlines.save": "Saved the headlines",
    # "No change this quarter": reviewed and left as carried forward.
    "condition_update.confirm": "Confirmed: no change this quarter",
    "risk_update.confirm": "Confirmed: no change this quarter",
    "workstream_update.confirm": "Confirmed: no change this quarter",
    "round_overview.confirm": "Confirmed: no change this quarter",
    "headlines.confirm": "Confirmed: no change this quarter",
    # Sections a workbook adds to a draft round (each app's *_create service).
    "condition_update.create": "Added the condition",
    "risk_update.create": "Added the risk",
    "workstream_update.create": "Added the workstream",
    "milestone.create": "Added the milestone",
    # Issue 18.2: a suggestion from the figures, decided (an accepted one's change is the save
    # event beside it).
    "suggestion.accept": "Accepted a suggestion from the figures",
    "suggestion.dismiss": "Dismissed a suggestion from the figures",
}


@dataclass(frozen=True)
class HistorySection:
    """Where one kind of section's history is kept in the audit trail."""

    object_type: str  # the audited model's label_lower
    actions: frozenset[str] | None = None  # only these actions (None: every action) ...
    exclude_actions: frozenset[str] = frozenset()  # ... but never these
    after_kind: str | None = None  # only events whose `after` has this "kind"
    # (round, pk) -> the section's title and the page showing it, if object `pk` is part of
    # that round, else None: how the history page finds a section that is not a rated
    # section, a milestone or the overview (the DSG plan's texts, governance, workstream log).
    found_in: Callable[[object, int], tuple[str, str] | None] | None = None


# The section's word in a URL ("risk", "driver") -> its history; filled by the owning apps.
HISTORY_SECTIONS: dict[str, HistorySection] = {}


def history_section_register(
    section: str, history: HistorySection, *, field_labels: dict | None = None
) -> None:
    """Say where one kind of section's history is kept, and how its fields are labelled."""
    HISTORY_SECTIONS[section] = history
    FIELD_LABELS.update(field_labels or {})


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
    via: str = ""


def field_text(name: str, value) -> str:
    """A stored field value as the history and the changes page print it."""
    answered = name.endswith("on_track") or name == "adviser_support_requested"
    if answered and value in ("", None):
        return "Not answered"
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "\n".join(f"{n}. {text}" for n, text in enumerate(value, 1)) or "(none)"
    if name.endswith("rag") and value in Rag.values:
        return Rag(value).label
    if answered and value in YesNo.values:
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
        (FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), field_text(name, value))
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
            field_text(n, before.get(n)),
            field_text(n, after.get(n)),
        )
        for n in names
        if before.get(n) != after.get(n)
    )


def section_history(*, user, section: str, object_id: int) -> list[HistoryEntry]:
    """Every recorded save of one section, newest first, scoped to the user's councils."""
    history = HISTORY_SECTIONS[section]
    events = (
        AuditEvent.objects.for_user(user)
        .filter(object_type=history.object_type, object_id=str(object_id))
        .order_by("-at", "-pk")
    )
    entries = []
    for event in events:
        # Sections that share an object (the overview and its three headline lists) tell
        # their events apart by action, and headline lists by the kind saved.
        if history.actions is not None and event.action not in history.actions:
            continue
        if event.action in history.exclude_actions:
            continue
        if history.after_kind and (event.after or {}).get("kind") != history.after_kind:
            continue
        entries.append(
            HistoryEntry(
                at=event.at,
                who=event.username or "(unknown)",
                action=ACTION_LABELS.get(event.action, event.action),
                changes=_field_changes(event.before, event.after),
                via=event.via,
            )
        )
    return entries


def last_saved_by(*, section: str, object_id: int) -> tuple[str, dt.datetime | None]:
    """Who last saved a section and when, from its history (for the reconcile panel)."""
    event = (
        AuditEvent.objects.filter(
            object_type=HISTORY_SECTIONS[section].object_type, object_id=str(object_id)
        )
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return "someone else", None
    return event.username or "someone else", event.at


def theirs_fields(section: str, object_id: int, stale) -> dict:
    """Who saved the version now stored, when, and its fields as the conflict lists them."""
    who, when = last_saved_by(section=section, object_id=object_id)
    return {"who": who, "when": when, "fields": fields_for_display(stale.current)}
