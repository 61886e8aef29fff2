"""The rules every section save of a return follows (conditions, risks, workstreams, milestones,
the overview): the round's edit lock, text limits, assurance levels and the versioned write."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from svmonitor.access import require_action
from svmonitor.audit import json_safe
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import StaleEdit, round_locked_error
from svmonitor.models import ReportingRound
from svmonitor.selectors import RAGS_NEEDING_NARRATIVE

NARRATIVE_MAX = 5000
NARRATIVE_NEEDED = (
    "A Red or Amber rating (including Amber/Red and Amber/Green) needs a progress update."
)


def round_lock_for_edit(*, round_id: int, by=None, action: str | None = None) -> ReportingRound:
    """Lock a round for a section edit; refuse unless `by` may do `action` and it is a draft."""
    # FOR UPDATE on the round serialises section saves with mark-ready: no edit can land
    # after the snapshot is frozen. On SQLite the IMMEDIATE transaction does the same.
    # of=("self",): the council is joined for the role check, not locked.
    locked = (
        ReportingRound.objects.select_for_update(of=("self",))
        .select_related("agreement__council")
        .get(pk=round_id)
    )
    if action is not None:
        require_action(by, locked.agreement.council, action)
    if locked.status != RoundStatus.DRAFT:
        raise round_locked_error(locked)
    return locked


def text_length_errors(errors: dict, **texts: str) -> None:
    """Add a field error for each text longer than the narrative limit."""
    for name, text in texts.items():
        if len(text) > NARRATIVE_MAX:
            errors[name] = (
                f"Keep this to {NARRATIVE_MAX:,} characters or fewer (it has {len(text):,})."
            )


def rated_section_validate(*, rag: str, narrative: str, extra_errors: dict | None = None) -> None:
    """Validate an assurance level and narrative; raise one field-keyed ValidationError."""
    errors = dict(extra_errors or {})
    if rag not in Rag.values:
        errors["rag"] = "Choose an assurance level from the list."
    text_length_errors(errors, narrative=narrative)
    if rag in RAGS_NEEDING_NARRATIVE and not narrative.strip() and "narrative" not in errors:
        errors["narrative"] = NARRATIVE_NEEDED
    if errors:
        raise ValidationError(errors)


def section_save_versioned(
    *, model: type[models.Model], pk: int, expected_version: int, values: dict, shown: tuple
) -> None:
    """Write `values` only if the row is still at `expected_version`, or raise StaleEdit."""
    # One UPDATE ... WHERE version = expected: two people saving the same old version cannot
    # both win, whatever the isolation level, because the second matches no row.
    changed = model._default_manager.filter(pk=pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if changed == 0:
        current = model._default_manager.filter(pk=pk).values(*shown, "version").first() or {}
        raise StaleEdit(
            current=json_safe({name: current.get(name) for name in shown}),
            current_version=current.get("version", 0),
        )
