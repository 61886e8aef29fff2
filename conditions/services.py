"""Writes for one section of a return: a condition's or workstream's RAG, and milestones."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from conditions.models import ConditionUpdate, Milestone, WorkstreamUpdate
from svmonitor.audit import audit_record, model_fields_dict
from svmonitor.services import (
    rated_section_validate,
    round_lock_for_edit,
    section_save_versioned,
)

RATED_FIELDS = ("rag", "narrative")
MILESTONE_FIELDS = ("status", "due_date", "completed_on")


def _rated_save(*, model, update, expected_version, rag, narrative, by, action):
    # 1. Lock the round and refuse unless it is a draft.
    round_lock_for_edit(round_id=update.round_id)
    # 2. Validate the rules (field-keyed errors for the form).
    narrative = (narrative or "").strip()
    rated_section_validate(rag=rag, narrative=narrative)
    # 3. Write only over the version the user saw.
    before = model.objects.filter(pk=update.pk).values(*RATED_FIELDS).get()
    section_save_versioned(
        model=model,
        pk=update.pk,
        expected_version=expected_version,
        values={"rag": rag, "narrative": narrative, "updated_at": timezone.now(), "updated_by": by},
        shown=RATED_FIELDS,
    )
    update.refresh_from_db()
    # 4. History, with before and after.
    audit_record(
        action=action,
        user=by,
        obj=update,
        before=before,
        after=model_fields_dict(update, RATED_FIELDS),
    )
    return update


@transaction.atomic
def condition_update_save(
    *, update: ConditionUpdate, expected_version: int, rag: str, narrative: str, by
) -> ConditionUpdate:
    """Save a condition's assurance level and progress update for its round."""
    return _rated_save(
        model=ConditionUpdate,
        update=update,
        expected_version=expected_version,
        rag=rag,
        narrative=narrative,
        by=by,
        action="condition_update.save",
    )


@transaction.atomic
def workstream_update_save(
    *, update: WorkstreamUpdate, expected_version: int, rag: str, narrative: str, by
) -> WorkstreamUpdate:
    """Save a workstream's RAG and narrative for its round."""
    return _rated_save(
        model=WorkstreamUpdate,
        update=update,
        expected_version=expected_version,
        rag=rag,
        narrative=narrative,
        by=by,
        action="workstream_update.save",
    )


MILESTONE_PAST_DUE = (
    "This milestone was due on {due:%-d %B %Y} and is not complete, so it is overdue: choose "
    "Overdue, or Complete with its date, or move the due date."
)
MILESTONE_NOT_DUE = (
    "This milestone is not due until {due:%-d %B %Y}, so it cannot be overdue: choose On track "
    "or At risk, or correct the due date."
)


def milestone_status_error(*, status: str, due_date: dt.date, today: dt.date) -> str | None:
    """Why a status contradicts the due date, or None.

    The stored status is the effective one: an incomplete milestone past its due date IS
    overdue, and one not yet due is not, so every count of "Overdue" agrees with the dates.
    """
    if status == Milestone.Status.COMPLETE:
        return None
    if due_date < today and status != Milestone.Status.OVERDUE:
        return MILESTONE_PAST_DUE.format(due=due_date)
    if due_date >= today and status == Milestone.Status.OVERDUE:
        return MILESTONE_NOT_DUE.format(due=due_date)
    return None


def _milestone_validate(*, status, due_date, completed_on) -> None:
    errors = {}
    if status not in Milestone.Status.values:
        errors["status"] = "Choose a status from the list."
    if not isinstance(due_date, dt.date):
        errors["due_date"] = "Enter the date the milestone is due."
    elif "status" not in errors:
        clash = milestone_status_error(status=status, due_date=due_date, today=timezone.localdate())
        if clash:
            errors["status"] = clash
    if status == Milestone.Status.COMPLETE and completed_on is None:
        errors["completed_on"] = "Enter the date a completed milestone was completed."
    elif status != Milestone.Status.COMPLETE and completed_on is not None:
        errors["completed_on"] = "Only a completed milestone has a completion date."
    elif completed_on is not None and completed_on > timezone.localdate():
        errors["completed_on"] = "The completion date cannot be in the future."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_save(
    *,
    milestone: Milestone,
    expected_version: int,
    status: str,
    due_date: dt.date,
    completed_on: dt.date | None,
    by,
    round_id: int | None = None,
) -> Milestone:
    """Save a milestone's status, due date and completion date, if no one saved in between;
    edited from a return (`round_id`), only while that return is a draft."""
    # Milestones belong to a workstream and outlive rounds, so a save from outside a return
    # takes no round lock (a signed-off return keeps its milestones as its frozen snapshot
    # has them). Edited from a return, they follow that return's lock like its other sections.
    if round_id is not None:
        round_lock_for_edit(round_id=round_id)
    _milestone_validate(status=status, due_date=due_date, completed_on=completed_on)
    before = Milestone.objects.filter(pk=milestone.pk).values(*MILESTONE_FIELDS).get()
    section_save_versioned(
        model=Milestone,
        pk=milestone.pk,
        expected_version=expected_version,
        values={
            "status": status,
            "due_date": due_date,
            "completed_on": completed_on,
            "updated_at": timezone.now(),
        },
        shown=MILESTONE_FIELDS,
    )
    milestone.refresh_from_db()
    audit_record(
        action="milestone.save",
        user=by,
        obj=milestone,
        before=before,
        after=model_fields_dict(milestone, MILESTONE_FIELDS),
    )
    return milestone
