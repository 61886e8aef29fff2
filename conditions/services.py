"""Writes for one section of a return (a condition's or workstream's RAG, milestones) and for
the programme they hang from (conditions, programme areas, workstreams)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from conditions.models import (
    SAVING_NEGATIVE,
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    MilestoneUpdate,
    ProgrammeArea,
    Workstream,
    WorkstreamSaving,
    WorkstreamUpdate,
)
from conditions.selectors import saving_years, savings_agreement_for
from svmonitor.access import require_action
from svmonitor.audit import audit_record, model_fields_dict
from svmonitor.choices import FINANCE_UNIT_POUNDS, RoundStatus
from svmonitor.fy import fy_label
from svmonitor.models import LocalAuthority
from svmonitor.numbers import decimal_places, number_parse
from svmonitor.roles import Action
from svmonitor.services import (
    narrative_limit,
    rated_section_confirmable,
    rated_section_validate,
    round_lock_for_edit,
    section_confirm_versioned,
    section_save_versioned,
)
from svmonitor.services.records import row_write

RATED_FIELDS = ("rag", "narrative")
MILESTONE_FIELDS = ("status", "due_date", "completed_on")


def _rated_save(*, model, update, expected_version, rag, narrative, by, action, key_measures=None):
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=update.round_id, by=by, action=Action.EDIT)
    # 2. Validate the rules (field-keyed errors for the form), within the council's limit.
    narrative = (narrative or "").strip()
    rated_section_validate(
        rag=rag, narrative=narrative, limit=narrative_limit(locked.agreement.council)
    )
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
    after = model_fields_dict(update, RATED_FIELDS)
    if key_measures is not None:
        # The measures a condition update cites (the workbook's "Key measures" column).
        before["key_measures"] = sorted(update.key_measures.values_list("pk", flat=True))
        update.key_measures.set(key_measures)
        after["key_measures"] = sorted(m.pk for m in key_measures)
    # 4. History, with before and after.
    audit_record(action=action, user=by, obj=update, before=before, after=after)
    return update


@transaction.atomic
def condition_update_save(
    *,
    update: ConditionUpdate,
    expected_version: int,
    rag: str,
    narrative: str,
    by,
    key_measures: list | None = None,
) -> ConditionUpdate:
    """Save a condition's assurance level and progress update (and cited measures) for its round."""
    return _rated_save(
        model=ConditionUpdate,
        update=update,
        expected_version=expected_version,
        rag=rag,
        narrative=narrative,
        by=by,
        action="condition_update.save",
        key_measures=key_measures,
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


def _rated_confirm(*, model, pk, expected_version, by, action):
    update = model.objects.get(pk=pk)
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=update.round_id, by=by, action=Action.EDIT)
    # 2. Only a section that would pass a save as it stands can be confirmed.
    rated_section_validate(
        rag=update.rag, narrative=update.narrative, limit=narrative_limit(locked.agreement.council)
    )
    rated_section_confirmable(update.rag)
    # 3. Bump the version over the one the user saw, with history.
    return section_confirm_versioned(
        model=model,
        update=update,
        expected_version=expected_version,
        by=by,
        action=action,
        shown=RATED_FIELDS,
    )


@transaction.atomic
def condition_update_confirm(*, pk: int, expected_version: int, by) -> ConditionUpdate:
    """No change this quarter: record that a condition's update carried forward into a draft
    was reviewed and left as it is (refused if it is incomplete or saved since the version the
    user saw); its history records the confirmation."""
    return _rated_confirm(
        model=ConditionUpdate,
        pk=pk,
        expected_version=expected_version,
        by=by,
        action="condition_update.confirm",
    )


@transaction.atomic
def workstream_update_confirm(*, pk: int, expected_version: int, by) -> WorkstreamUpdate:
    """No change this quarter for a workstream's update, as for a condition's."""
    return _rated_confirm(
        model=WorkstreamUpdate,
        pk=pk,
        expected_version=expected_version,
        by=by,
        action="workstream_update.confirm",
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


def milestone_update_for_round(*, round_id: int, milestone: Milestone) -> MilestoneUpdate:
    """The round's record of a milestone, made from the milestone if the round has none yet
    (a milestone added after the round opened)."""
    record, _created = MilestoneUpdate.objects.get_or_create(
        round_id=round_id,
        milestone=milestone,
        defaults={
            "due_date": milestone.due_date,
            "status": milestone.status,
            "completed_on": milestone.completed_on,
        },
    )
    return record


def _milestone_record_write(record: MilestoneUpdate, values: dict, by, expected_version: int):
    before = model_fields_dict(record, MILESTONE_FIELDS)
    section_save_versioned(
        model=MilestoneUpdate,
        pk=record.pk,
        expected_version=expected_version,
        values={**values, "updated_at": timezone.now(), "updated_by": by},
        shown=MILESTONE_FIELDS,
    )
    record.refresh_from_db()
    audit_record(
        action="milestone.save",
        user=by,
        obj=record,
        before=before,
        after=model_fields_dict(record, MILESTONE_FIELDS),
    )
    return record


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
) -> Milestone | MilestoneUpdate:
    """Save a milestone's status, due date and completion date, if no one saved in between.

    From a return (`round_id`): that round's own record of the milestone (MilestoneUpdate),
    only while the return is a draft; other rounds keep theirs, so completing it in 2025-26
    leaves 2024-25's return as it was. From outside a return (the workbook's Milestones sheet,
    the admin): the milestone as set up, where a later round's record starts, and the record
    of every open draft return with it; a locked return keeps its record.
    """
    values = {"status": status, "due_date": due_date, "completed_on": completed_on}
    if round_id is not None:
        # 1. Check the role, lock the round and refuse unless it is a draft.
        round_lock_for_edit(round_id=round_id, by=by, action=Action.EDIT)
        # 2. Validate the rules (field-keyed errors for the form).
        _milestone_validate(**values)
        # 3. Write this round's record over the version the user saw, with history.
        record = milestone_update_for_round(round_id=round_id, milestone=milestone)
        return _milestone_record_write(record, values, by, expected_version)
    # 1. Check the role; 2. validate.
    require_action(by, _council_of_workstream(milestone.workstream_id), Action.EDIT)
    _milestone_validate(**values)
    # 3. The milestone as set up, over the version the user saw, with history.
    before = Milestone.objects.filter(pk=milestone.pk).values(*MILESTONE_FIELDS).get()
    section_save_versioned(
        model=Milestone,
        pk=milestone.pk,
        expected_version=expected_version,
        values={**values, "updated_at": timezone.now()},
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
    # 4. The open return reports it as it now stands (each draft locked as a section save
    #    would be); a ready, signed-off or submitted return keeps its own record.
    drafts = MilestoneUpdate.objects.filter(milestone=milestone, round__status=RoundStatus.DRAFT)
    for record in drafts.order_by("round_id"):
        round_lock_for_edit(round_id=record.round_id)
        _milestone_record_write(record, values, by, record.version)
    return milestone


def _council_of_workstream(workstream_id: int) -> LocalAuthority:
    return LocalAuthority.objects.get(programme_areas__workstreams=workstream_id)


def _rated_create(*, model, round, by, action, fields: dict, m2m: dict | None = None):
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=round.pk, by=by, action=Action.EDIT)
    # 2. The same rules as a save from the round page.
    fields["narrative"] = (fields.get("narrative") or "").strip()
    rated_section_validate(
        rag=fields["rag"],
        narrative=fields["narrative"],
        limit=narrative_limit(locked.agreement.council),
    )
    # 3. Create, with history.
    return row_write(
        model=model, instance=None, values={**fields, "round": round}, by=by, action=action, m2m=m2m
    )


@transaction.atomic
def condition_update_create(
    *, round, condition: AgreementCondition, rag: str, narrative: str, by, key_measures=()
) -> ConditionUpdate:
    """Add a condition's section to a draft round that has none for it."""
    return _rated_create(
        model=ConditionUpdate,
        round=round,
        by=by,
        action="condition_update",
        fields={"condition": condition, "rag": rag, "narrative": narrative},
        m2m={"key_measures": list(key_measures)},
    )


@transaction.atomic
def workstream_update_create(
    *, round, workstream: Workstream, rag: str, narrative: str, by
) -> WorkstreamUpdate:
    """Add a workstream's section to a draft round that has none for it."""
    return _rated_create(
        model=WorkstreamUpdate,
        round=round,
        by=by,
        action="workstream_update",
        fields={"workstream": workstream, "rag": rag, "narrative": narrative},
    )


@transaction.atomic
def milestone_create(
    *,
    workstream: Workstream,
    title: str,
    due_date: dt.date,
    status: str = Milestone.Status.ON_TRACK,
    completed_on: dt.date | None = None,
    by,
) -> Milestone:
    """Add a milestone to a workstream, with the status rules of a milestone save."""
    require_action(by, _council_of_workstream(workstream.pk), Action.EDIT)
    _milestone_validate(status=status, due_date=due_date, completed_on=completed_on)
    return row_write(
        model=Milestone,
        instance=None,
        values={
            "workstream": workstream,
            "title": title,
            "due_date": due_date,
            "status": status,
            "completed_on": completed_on,
        },
        by=by,
        action="milestone",
    )


@transaction.atomic
def condition_upsert(
    *, agreement, condition: AgreementCondition | None, by, **fields
) -> AgreementCondition:
    """Create or change one condition of an agreement: its label, wording and dates in force."""
    require_action(by, agreement.council, Action.EDIT)
    return row_write(
        model=AgreementCondition,
        instance=condition,
        values={**fields, "agreement": agreement},
        by=by,
        action="condition",
    )


@transaction.atomic
def programme_area_upsert(
    *, council: LocalAuthority, area: ProgrammeArea | None, by, **fields
) -> ProgrammeArea:
    """Create or change one priority area of a council's programme."""
    require_action(by, council, Action.EDIT)
    return row_write(
        model=ProgrammeArea,
        instance=area,
        values={**fields, "council": council},
        by=by,
        action="programme_area",
    )


@transaction.atomic
def workstream_upsert(
    *, area: ProgrammeArea, workstream: Workstream | None, by, conditions=None, **fields
) -> Workstream:
    """Create or change a workstream of a programme area, and the conditions it serves."""
    require_action(by, area.council, Action.EDIT)
    return row_write(
        model=Workstream,
        instance=workstream,
        values={**fields, "area": area},
        by=by,
        action="workstream",
        m2m={"conditions": list(conditions)} if conditions is not None else None,
    )


# --- forecast savings by workstream (issue 18.3) ----------------------------------------------

# The column holds 16 digits with 2 after the point.
_MONEY_LIMIT = Decimal("1e14")
SAVING_PENNIES = "Enter pounds to the penny (at most 2 decimal places)."
SAVING_TOO_LARGE = "This amount is too large to store."
SAVING_STALE = (
    "someone else saved this saving after you opened the grid. Yours is still in the box; "
    "check it and save again to replace theirs."
)


def _saving_value(raw, *, field: str = "saving", unit_pounds: int = 1) -> Decimal | None:
    """A typed saving (in `unit_pounds` pounds) as stored pounds; None for a blank box."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    number = number_parse(raw, field=field, pounds=True) * unit_pounds
    if abs(number) >= _MONEY_LIMIT:
        raise ValidationError({field: SAVING_TOO_LARGE})
    if decimal_places(number) > 2:
        raise ValidationError({field: SAVING_PENNIES})
    if number < 0:
        raise ValidationError({field: SAVING_NEGATIVE})
    return number.quantize(Decimal("0.01"))


def _saving_year_check(agreement, year, field="financial_year") -> None:
    if agreement is None:
        raise ValidationError({field: "The council has no agreement to forecast savings under."})
    years = saving_years(agreement)
    if not isinstance(year, int) or year not in years:
        raise ValidationError(
            {field: f"Choose a year from {fy_label(years[0])} to {fy_label(years[-1])}."}
        )


@transaction.atomic
def workstream_saving_upsert(
    *,
    workstream: Workstream,
    financial_year: int,
    saving,
    by,
    expected_version: int | None = None,
) -> WorkstreamSaving:
    """Create or change what one workstream is expected to save in one financial year (the
    admin's and the workbook's door; the grid saves many at once through
    workstream_savings_save, under the same rules)."""
    council = _council_of_workstream(workstream.pk)
    require_action(by, council, Action.EDIT_FINANCE)
    _saving_year_check(savings_agreement_for(council), financial_year)
    amount = _saving_value(saving)
    if amount is None:
        raise ValidationError({"saving": "Enter the expected saving."})
    stored = WorkstreamSaving.objects.filter(
        workstream=workstream, financial_year=financial_year
    ).first()
    return row_write(
        model=WorkstreamSaving,
        instance=stored,
        values={"workstream": workstream, "financial_year": financial_year, "saving": amount},
        by=by,
        action="workstream_saving",
        expected_version=expected_version,
    )


class SavingsRefused(ValidationError):
    """Some boxes of the savings grid broke the rules, or were saved by someone else since the
    grid was opened; nothing was written. `problems` maps (workstream id, year) to why;
    `versions` gives each stale box's stored version."""

    def __init__(self, problems: dict, versions: dict | None = None):
        self.problems = problems
        self.versions = versions or {}
        super().__init__(list(problems.values()))


@transaction.atomic
def workstream_savings_save(*, council, cells: dict, versions: dict, unit: str, by) -> int:
    """Save the savings grid all or none; returns how many boxes changed.

    `cells` maps (workstream id, financial year) to the saving as typed in `unit` (£000 or £m,
    FINANCE_UNIT_POUNDS); an empty box means no saving that year (a stored one is removed).
    `versions` maps the same keys to the version each box was opened with (0: none stored).
    """
    # 1. The role, the council's workstreams and the agreement's years.
    require_action(by, council, Action.EDIT_FINANCE)
    if unit not in FINANCE_UNIT_POUNDS:
        raise ValidationError("Choose a unit from the list.")
    agreement = savings_agreement_for(council)
    if agreement is None:
        raise ValidationError("The council has no agreement to forecast savings under.")
    years = saving_years(agreement)
    names = dict(Workstream.objects.filter(area__council=council).values_list("pk", "name"))
    problems: dict = {}
    values: dict = {}
    for (workstream_id, year), raw in cells.items():
        if workstream_id not in names:
            problems[(workstream_id, year)] = "No such workstream in this council."
            continue
        if year not in years:
            problems[(workstream_id, year)] = f"{fy_label(year)} is outside the agreement's years."
            continue
        # 2. Each amount in pounds, to the penny.
        try:
            values[(workstream_id, year)] = _saving_value(
                raw, unit_pounds=FINANCE_UNIT_POUNDS[unit]
            )
        except ValidationError as error:
            problems[(workstream_id, year)] = error.message_dict["saving"][0]
    if problems:
        raise SavingsRefused(problems)
    # 3. The stored savings, locked; a box saved by someone else since it was opened is stale.
    stored = {
        (row.workstream_id, row.financial_year): row
        for row in WorkstreamSaving.objects.select_for_update().filter(
            workstream_id__in=list(names), financial_year__in=list(years)
        )
    }
    stale, writes = {}, []
    for key, amount in values.items():
        row = stored.get(key)
        if (row.saving if row else None) == amount:
            continue
        if (row.version if row else 0) != versions.get(key, 0):
            stale[key] = row.version if row else 0
            problems[key] = SAVING_STALE
            continue
        writes.append((key, row, amount))
    if problems:
        raise SavingsRefused(problems, stale)
    # 4. Each changed box, with its history.
    for (workstream_id, year), row, amount in writes:
        if row is None:
            row = WorkstreamSaving(workstream_id=workstream_id, financial_year=year, saving=amount)
            row.full_clean()
            row.save()
            audit_record(
                action="workstream_saving.create",
                user=by,
                obj=row,
                council=council,
                after={"financial_year": year, "saving": row.saving},
            )
        elif amount is None:
            audit_record(
                action="workstream_saving.delete",
                user=by,
                obj=row,
                council=council,
                before={"financial_year": year, "saving": row.saving},
            )
            row.delete()
        else:
            before = row.saving
            WorkstreamSaving.objects.filter(pk=row.pk).update(
                saving=amount, version=F("version") + 1
            )
            audit_record(
                action="workstream_saving.save",
                user=by,
                obj=row,
                council=council,
                before={"saving": before},
                after={"saving": amount},
            )
    return len(writes)


# --- the DSG plan's workstream log (issue 19) ---------------------------------------------------

WORKSTREAM_LOG_FIELDS = ("lead_role", "start_date", "end_date", "status", "dsg_line")
END_BEFORE_START = "The end date must be on or after the start date."
STATUS_UNKNOWN = "Choose the workstream's status from the list."


def _workstream_log_validate(values: dict) -> None:
    errors: dict[str, str] = {}
    if values["status"] not in Workstream.Status.values and values["status"] != "":
        errors["status"] = STATUS_UNKNOWN
    start, end = values["start_date"], values["end_date"]
    if start and end and end < start:
        errors["end_date"] = END_BEFORE_START
    for name, limit in (("lead_role", 120), ("dsg_line", 200)):
        if len(values[name]) > limit:
            errors[name] = f"Keep this to {limit} characters or fewer."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def workstream_log_save(
    *, workstream: Workstream, expected_version: int, by, **fields
) -> Workstream:
    """Save a workstream's log entry for the DSG plan (its lead as a role title, start and end
    dates, status and the DSG line it affects) if no one saved it since `expected_version`.
    The log is the plan's, not a round's: the next round freezes it as it then stands."""
    unknown = set(fields) - set(WORKSTREAM_LOG_FIELDS)
    if unknown:
        raise TypeError(f"workstream_log_save got fields it does not save: {sorted(unknown)}")
    # 1. Check the role at the workstream's council.
    require_action(by, _council_of_workstream(workstream.pk), Action.EDIT)
    # 2. Validate the values as they would stand.
    before = Workstream.objects.filter(pk=workstream.pk).values(*WORKSTREAM_LOG_FIELDS).get()
    values = {**before, **fields}
    for name in ("lead_role", "dsg_line", "status"):
        values[name] = (values[name] or "").strip()
    _workstream_log_validate(values)
    # 3. Write if still at the version the user saw, with history.
    section_save_versioned(
        model=Workstream,
        pk=workstream.pk,
        expected_version=expected_version,
        values=values,
        shown=WORKSTREAM_LOG_FIELDS,
    )
    workstream.refresh_from_db()
    audit_record(
        action="workstream_log.save",
        user=by,
        obj=workstream,
        before=before,
        after=model_fields_dict(workstream, WORKSTREAM_LOG_FIELDS),
    )
    return workstream
