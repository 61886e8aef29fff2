"""The rules every section save of a return follows (conditions, risks, workstreams, milestones,
the overview): the round's edit lock, text limits, assurance levels and the versioned write."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone

from svmonitor.access import require_action
from svmonitor.audit import audit_record, json_safe
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import StaleEdit, round_locked_error
from svmonitor.models import NARRATIVE_MAX_DEFAULT, ReportingRound
from svmonitor.selectors import RAGS_NEEDING_NARRATIVE

# The default limit on a narrative's length; each council's is LocalAuthority.narrative_max.
NARRATIVE_MAX = NARRATIVE_MAX_DEFAULT
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


def narrative_limit(council) -> int:
    """The council's limit on a narrative's length (characters)."""
    return getattr(council, "narrative_max", None) or NARRATIVE_MAX


def text_length_errors(errors: dict, *, limit: int = NARRATIVE_MAX, **texts: str) -> None:
    """Add a field error for each text longer than the limit (the council's narrative_max)."""
    for name, text in texts.items():
        if len(text) > limit:
            errors[name] = f"Keep this to {limit:,} characters or fewer (it has {len(text):,})."


def rated_section_validate(
    *, rag: str, narrative: str, extra_errors: dict | None = None, limit: int = NARRATIVE_MAX
) -> None:
    """Validate an assurance level and narrative; raise one field-keyed ValidationError."""
    errors = dict(extra_errors or {})
    if rag not in Rag.values:
        errors["rag"] = "Choose an assurance level from the list."
    text_length_errors(errors, limit=limit, narrative=narrative)
    if rag in RAGS_NEEDING_NARRATIVE and not narrative.strip() and "narrative" not in errors:
        errors["narrative"] = NARRATIVE_NEEDED
    if errors:
        raise ValidationError(errors)


NOT_RATED_TO_CONFIRM = (
    "This section is not rated, so there is nothing to confirm: choose its assurance level."
)


def rated_section_confirmable(rag: str) -> None:
    """Refuse "No change this quarter" for a section with no level to keep."""
    if rag == Rag.NOT_RATED:
        raise ValidationError({"rag": NOT_RATED_TO_CONFIRM})


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


def section_confirm_versioned(
    *, model: type[models.Model], update, expected_version: int, by, action: str, shown: tuple
):
    """Record that a section was reviewed this round and left as it was ("No change this
    quarter"): the same version check as a save, the version bumped so the section counts as
    reviewed, and an audit event (before = after) so its history says who confirmed it when.

    The caller has locked the round (round_lock_for_edit, which checks the role) and checked
    that the section is complete as it stands."""
    values = model._default_manager.filter(pk=update.pk).values(*shown).get()
    section_save_versioned(
        model=model,
        pk=update.pk,
        expected_version=expected_version,
        values={"updated_at": timezone.now(), "updated_by": by},
        shown=shown,
    )
    update.refresh_from_db()
    audit_record(
        action=action,
        user=by,
        obj=update,
        before=json_safe(values),
        after=json_safe(values),
    )
    return update
