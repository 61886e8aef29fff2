"""The conditions' and workstreams' parts of a return: carried forward into a new round, and
what is still to do in them (registered with the spine in ConditionsConfig.ready)."""

from __future__ import annotations

from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    MilestoneUpdate,
    Workstream,
    WorkstreamUpdate,
)
from conditions.sections_dsg import LOG_SECTION, log_found_in
from conditions.sections_dsg import PARTS as DSG_PARTS
from conditions.selectors import conditions_in_force, milestones_as_in_round, milestones_in_round
from conditions.services import condition_update_confirm, workstream_update_confirm
from svmonitor.choices import Rag
from svmonitor.history import HistorySection, history_section_register
from svmonitor.section_rows import rag_labels, rag_text
from svmonitor.section_views import (
    section_urls,
    section_urls_register,
    task_url,
    tasks_url,
    with_next,
)
from svmonitor.sections import (
    TASK_COMPLETED,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    RoundRows,
    SectionRef,
    SummaryCard,
    SummaryRow,
    rated_gaps,
    rated_progress,
    rated_task_status,
    return_part_register,
    section_confirm_register,
)


def conditions_carry_forward(new, previous, by) -> None:
    """Copy the previous round's condition updates (and their cited measures) into `new`."""
    condition_ids = set(
        conditions_in_force(agreement=new.agreement, on=new.due_date).values_list("pk", flat=True)
    )
    old = []
    if previous is not None:
        old = list(
            ConditionUpdate.objects.filter(round=previous, condition_id__in=condition_ids)
            .prefetch_related("key_measures")
            .order_by("pk")
        )
    stamp = {"round": new, "updated_by": by}
    rows = [
        ConditionUpdate(condition_id=u.condition_id, rag=u.rag, narrative=u.narrative, **stamp)
        for u in old
    ]
    seen = {u.condition_id for u in old}
    rows += [ConditionUpdate(condition_id=pk, **stamp) for pk in condition_ids - seen]
    created = ConditionUpdate.objects.bulk_create(rows)
    # Key measures cited by an update travel with it.
    through = ConditionUpdate.key_measures.through
    by_condition = {u.condition_id: u for u in created}
    through.objects.bulk_create(
        through(conditionupdate_id=by_condition[u.condition_id].pk, measure_id=m.pk)
        for u in old
        for m in u.key_measures.all()
    )


def conditions_completeness(
    round, carried: bool, read: RoundRows | None = None
) -> list[CompletenessGap]:
    """Unrated conditions, Red/Amber ones without a narrative, carried ones not reviewed
    (from `read.conditions` when the caller has them, in the same order)."""
    if read is not None and read.conditions is not None:
        rows = [(u.pk, u.condition.label, u.rag, u.narrative, u.version) for u in read.conditions]
    else:
        rows = (
            ConditionUpdate.objects.filter(round=round)
            .order_by("condition__order", "condition__label")
            .values_list("pk", "condition__label", "rag", "narrative", "version")
        )
    gaps = rated_gaps(
        "condition",
        [(pk, f"Condition {label}", rag, n, v) for pk, label, rag, n, v in rows],
        carried=carried,
    )
    # A condition in force with no row at all is as unrated as one marked "not rated".
    in_force = conditions_in_force(agreement=round.agreement, on=round.due_date)
    if read is not None and read.conditions is not None:
        rated = {u.condition_id for u in read.conditions}
        missing = [label for pk, label in in_force.values_list("pk", "label") if pk not in rated]
    else:
        missing = in_force.exclude(updates__round=round).values_list("label", flat=True)
    return gaps + [
        CompletenessGap("condition", f"Condition {label}", "not rated") for label in missing
    ]


def conditions_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """Conditions complete of total per round (two queries): every update row, and every
    condition in force on the round's due date that has no row (as conditions_completeness)."""
    rows = list(
        ConditionUpdate.objects.filter(round_id__in=[r.pk for r in rounds]).values_list(
            "round_id", "condition_id", "pk", "condition__label", "rag", "narrative", "version"
        )
    )
    has_row = {(round_id, condition_id) for round_id, condition_id, *_ in rows}
    in_force = AgreementCondition.objects.filter(
        agreement_id__in={r.agreement_id for r in rounds}
    ).values_list("pk", "agreement_id", "in_force_from", "in_force_to")
    missing = [
        r.pk
        for pk, agreement_id, start, end in in_force
        for r in rounds
        if r.agreement_id == agreement_id
        and start <= r.due_date
        and (end is None or end >= r.due_date)
        and (r.pk, pk) not in has_row
    ]
    return rated_progress(
        "condition",
        [(round_id, *row) for round_id, _condition, *row in rows],
        carried_ids=carried_ids,
        missing=missing,
    )


def workstreams_carry_forward(new, previous, by) -> None:
    """Copy the previous round's workstream updates into `new`; add rows for new workstreams."""
    workstream_ids = set(
        Workstream.objects.filter(area__council=new.agreement.council_id).values_list(
            "pk", flat=True
        )
    )
    old = []
    if previous is not None:
        old = list(WorkstreamUpdate.objects.filter(round=previous).order_by("pk"))
    stamp = {"round": new, "updated_by": by}
    rows = [
        WorkstreamUpdate(workstream_id=u.workstream_id, rag=u.rag, narrative=u.narrative, **stamp)
        for u in old
    ]
    seen = {u.workstream_id for u in old}
    rows += [WorkstreamUpdate(workstream_id=pk, **stamp) for pk in sorted(workstream_ids - seen)]
    WorkstreamUpdate.objects.bulk_create(rows)


def workstreams_completeness(
    round, carried: bool, read: RoundRows | None = None
) -> list[CompletenessGap]:
    """Unrated workstreams, Red/Amber ones without a narrative, carried ones not reviewed
    (from `read.workstreams` when the caller has them, in the same order)."""
    if read is not None and read.workstreams is not None:
        rows = [(u.pk, u.workstream.name, u.rag, u.narrative, u.version) for u in read.workstreams]
        return rated_gaps("workstream", rows, carried=carried)
    rows = (
        WorkstreamUpdate.objects.filter(round=round)
        .order_by("workstream__area__number", "workstream__order", "workstream__name")
        .values_list("pk", "workstream__name", "rag", "narrative", "version")
    )
    return rated_gaps("workstream", list(rows), carried=carried)


def workstreams_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """Workstreams complete of total per round (one query)."""
    rows = WorkstreamUpdate.objects.filter(round_id__in=[r.pk for r in rounds]).values_list(
        "round_id", "pk", "workstream__name", "rag", "narrative", "version"
    )
    return rated_progress("workstream", list(rows), carried_ids=carried_ids)


def milestones_carry_forward(new, previous, by) -> None:
    """Give the new round a record of every milestone of the council's workstreams: the
    previous round's record if it had one, else the milestone as first set up."""
    old = {}
    if previous is not None:
        old = {u.milestone_id: u for u in MilestoneUpdate.objects.filter(round=previous)}
    milestones = Milestone.objects.filter(
        workstream__area__council=new.agreement.council_id
    ).order_by("pk")
    rows = []
    for milestone in milestones:
        start = old.get(milestone.pk, milestone)
        rows.append(
            MilestoneUpdate(
                round=new,
                milestone=milestone,
                due_date=start.due_date,
                status=start.status,
                completed_on=start.completed_on,
                updated_by=by,
            )
        )
    MilestoneUpdate.objects.bulk_create(rows)


def milestones_completeness(round, carried: bool) -> list[CompletenessGap]:
    """Nothing: a milestone's status is checked against its dates when it is saved."""
    return []


# --- tasks on the return's task list -----------------------------------------------------------


def _rated_rows(update) -> tuple:
    return (update.rag, update.narrative, update.version)


def _ref(kind: str, update) -> SectionRef:
    return SectionRef(kind, update.pk, str(update.version))


def _unchanged(kind: str, updates, carried: bool) -> tuple[SectionRef, ...]:
    # Carried forward, never saved this round, and complete as it stands: what "No change this
    # quarter" can confirm.
    return tuple(
        _ref(kind, u)
        for u in updates
        if carried
        and u.version == 1
        and rated_task_status([_rated_rows(u)], carried=False) == TASK_COMPLETED
    )


def _question_url(round, kind: str, update, back: str) -> str:
    # A section with no level yet starts at its question, which returns to the list on save.
    if update.rag != Rag.NOT_RATED:
        return ""
    return with_next(section_urls(round, kind, update.pk)["edit"], back)


def conditions_tasks(round, carried: bool) -> list[ReturnTask]:
    """One task per condition of the return."""
    back = tasks_url(round)
    updates = (
        ConditionUpdate.objects.filter(round=round)
        .select_related("condition")
        .order_by("condition__order", "condition__label", "pk")
    )
    return [
        ReturnTask(
            key=f"condition-{u.pk}",
            group="Agreement conditions",
            title=f"Condition {u.condition.label}: {u.condition.title}",
            status=rated_task_status([_rated_rows(u)], carried=carried),
            unchanged=_unchanged("condition", [u], carried),
            ready_for_dependents=u.rag != Rag.NOT_RATED,
            start_url=_question_url(round, "condition", u, back),
        )
        for u in updates
    ]


def _rated_summary(round, kind: str, update, key: str, labels: dict, extra=()) -> SummaryCard:
    edit = with_next(section_urls(round, kind, update.pk)["edit"], task_url(round, key))
    return SummaryCard(
        title="",
        rows=(
            SummaryRow("Assurance level", rag_text(update.rag, labels), edit, "assurance level"),
            *extra,
            SummaryRow(
                "Progress update", update.narrative or "None given", edit, "progress update"
            ),
        ),
        history_url=section_urls(round, kind, update.pk)["history"],
    )


def conditions_task_summary(round, key: str) -> list[SummaryCard] | None:
    """A condition task's answers, each with its Change link (None: not a condition task)."""
    pk = _key_pk(key, "condition-")
    update = ConditionUpdate.objects.filter(round=round, pk=pk).select_related("condition")
    update = update.first() if pk is not None else None
    if update is None:
        return None
    labels = rag_labels(round.agreement.council_id)
    card = _rated_summary(round, "condition", update, key, labels)
    condition = update.condition
    return [
        SummaryCard(
            title=f"Condition {condition.label}: {condition.title}",
            rows=(SummaryRow("The condition", condition.wording), *card.rows),
            history_url=card.history_url,
        )
    ]


def _key_pk(key: str, prefix: str) -> int | None:
    rest = key.removeprefix(prefix)
    return int(rest) if key.startswith(prefix) and rest.isdigit() else None


def workstreams_tasks(round, carried: bool) -> list[ReturnTask]:
    """One task per programme area: its workstreams' updates (and their milestones)."""
    back = tasks_url(round)
    updates = (
        WorkstreamUpdate.objects.filter(round=round)
        .select_related("workstream__area")
        .order_by("workstream__area__number", "workstream__order", "workstream__name", "pk")
    )
    areas: dict[int, list] = {}
    for update in updates:
        areas.setdefault(update.workstream.area_id, []).append(update)
    tasks = []
    for area_updates in areas.values():
        area = area_updates[0].workstream.area
        count = len(area_updates)
        tasks.append(
            ReturnTask(
                key=f"workstreams-{area.pk}",
                group="Workstreams and milestones",
                title=f"{area.number}. {area.name}",
                hint=f"{count} workstream{'s' if count != 1 else ''}",
                status=rated_task_status([_rated_rows(u) for u in area_updates], carried=carried),
                unchanged=_unchanged("workstream", area_updates, carried),
                start_url=(
                    _question_url(round, "workstream", area_updates[0], back) if count == 1 else ""
                ),
            )
        )
    return tasks


def workstreams_task_summary(round, key: str) -> list[SummaryCard] | None:
    """A programme area's task: each workstream's answers and milestones, with Change links."""
    area_pk = _key_pk(key, "workstreams-")
    if area_pk is None:
        return None
    updates = list(
        WorkstreamUpdate.objects.filter(round=round, workstream__area_id=area_pk)
        .select_related("workstream")
        .order_by("workstream__order", "workstream__name", "pk")
    )
    if not updates:
        return None
    labels = rag_labels(round.agreement.council_id)
    back = task_url(round, key)
    cards = []
    for update in updates:
        milestones = milestones_as_in_round(
            milestones_in_round(
                Milestone.objects.filter(workstream_id=update.workstream_id), round.pk
            )
        )
        milestone_rows = tuple(
            SummaryRow(
                f"Milestone: {m.title}",
                f"{m.get_status_display()}, due {m.due_date:%-d %B %Y}"
                + (f", completed {m.completed_on:%-d %B %Y}" if m.completed_on else ""),
                with_next(section_urls(round, "milestone", m.pk)["edit"], back),
                f"milestone {m.title}",
            )
            for m in milestones
        )
        card = _rated_summary(round, "workstream", update, key, labels)
        cards.append(
            SummaryCard(
                title=f"Workstream: {update.workstream.name}",
                rows=(*card.rows, *milestone_rows),
                history_url=card.history_url,
            )
        )
    return cards


PARTS = (
    ReturnPart(
        "conditions",
        10,
        conditions_carry_forward,
        conditions_completeness,
        progress=conditions_progress,
        takes_read=True,
        tasks=conditions_tasks,
        task_summary=conditions_task_summary,
    ),
    ReturnPart(
        "workstreams",
        30,
        workstreams_carry_forward,
        workstreams_completeness,
        progress=workstreams_progress,
        takes_read=True,
        tasks=workstreams_tasks,
        task_summary=workstreams_task_summary,
    ),
    # Each round keeps its own record of each milestone (completing one in 2025-26 leaves
    # 2024-25's return as it was), carried forward like a workstream's update.
    # Milestones are not sections of their own to complete (nothing to count).
    ReturnPart(
        "milestones",
        35,
        milestones_carry_forward,
        milestones_completeness,
        progress=lambda rounds, carried_ids: {},
    ),
)


def register_with_spine() -> None:
    """Register the conditions' and workstreams' parts, section URLs and histories."""
    for part in (*PARTS, *DSG_PARTS):
        return_part_register(part)
    # The DSG plan's workstream log (issue 19): its history is the workstream's log saves.
    history_section_register(
        LOG_SECTION,
        HistorySection(
            "conditions.workstream",
            actions=frozenset({"workstream_log.save"}),
            found_in=log_found_in,
        ),
        field_labels={"dsg_line": "DSG line affected", "lead_role": "Lead"},
    )
    section_urls_register(
        "condition",
        edit="conditions:condition_update_edit",
        show="conditions:condition_update_show",
    )
    section_urls_register(
        "workstream",
        edit="conditions:workstream_update_edit",
        show="conditions:workstream_update_show",
    )
    section_urls_register(
        "milestone", edit="conditions:milestone_edit", show="conditions:milestone_show"
    )
    section_confirm_register("condition", condition_update_confirm)
    section_confirm_register("workstream", workstream_update_confirm)
    history_section_register("condition", HistorySection("conditions.conditionupdate"))
    history_section_register("workstream", HistorySection("conditions.workstreamupdate"))
    # A milestone's history in a return is that of the round's own record of it.
    history_section_register("milestone", HistorySection("conditions.milestoneupdate"))
