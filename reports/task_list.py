"""A draft return as a GOV.UK task list ("complete multiple tasks"), built from the registry of
a return's parts: each part reports its tasks and their status (svmonitor.sections); this module
knows no section. It adds what only the whole list can know: "Cannot start yet" where a task
waits on another part, the count of completed tasks, and each task's page.

"No change this quarter" confirms a carried-forward section through the service the section's
app registered (section_confirm_register): the role check, the round's edit lock, the version
the page showed, and one history event per section. The bulk action on the task list does the
same for every unchanged section the page listed, one service call each.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from svmonitor.errors import StaleEdit
from svmonitor.section_views import task_url
from svmonitor.sections import (
    TASK_CANNOT_START,
    TASK_COMPLETED,
    TASK_STATUS_LABELS,
    ReturnTask,
    SectionRef,
    SummaryCard,
    return_parts,
    section_confirmer,
)
from svmonitor.selectors import round_was_carried_forward

# GOV.UK task list status: a tag for anything but Completed (plain text), per the component.
STATUS_TAG = {
    "not_started": "govuk-tag--blue",
    "in_progress": "govuk-tag--light-blue",
    "cannot_start": "",
}


@dataclass
class TaskRow:
    """One task as the task list shows it."""

    task: ReturnTask
    status: str
    url: str  # where the task's link goes: its unanswered question, or its page
    page: str  # the task's own page: its answers with Change links

    @property
    def status_label(self) -> str:
        """The status in words."""
        return TASK_STATUS_LABELS[self.status]

    @property
    def status_tag(self) -> str | None:
        """The GOV.UK tag class, or None for plain text (Completed, Cannot start yet)."""
        if self.status in (TASK_COMPLETED, TASK_CANNOT_START):
            return None
        return STATUS_TAG[self.status]

    @property
    def can_open(self) -> bool:
        """Whether the task links to its page (not while it cannot start)."""
        return self.status != TASK_CANNOT_START


@dataclass
class TaskGroup:
    """Tasks under one heading."""

    title: str
    rows: list[TaskRow] = field(default_factory=list)


@dataclass
class TaskList:
    """A return's tasks in the parts' order, grouped, with the count."""

    groups: list[TaskGroup]
    rows: list[TaskRow]

    @property
    def total(self) -> int:
        """How many tasks the return has."""
        return len(self.rows)

    @property
    def completed(self) -> int:
        """How many are completed."""
        return sum(row.status == TASK_COMPLETED for row in self.rows)

    @property
    def unchanged(self) -> list[SectionRef]:
        """Every carried-forward section nobody has saved this round and that is complete as it
        stands, across tasks that can start: what the bulk "No change" confirms."""
        return [ref for row in self.rows if row.can_open for ref in row.task.unchanged]

    @property
    def unchanged_tasks(self) -> int:
        """How many tasks have something the bulk action would confirm."""
        return sum(1 for row in self.rows if row.can_open and row.task.unchanged)


def return_tasks(
    round, *, return_kind: str | None = None, carried: bool | None = None, actions=None
):
    """Every task the registered parts of the round's kind (or of `return_kind`) report for
    the round, with dependencies resolved. Given the user's `actions` at the council, a task
    whose start page needs an action they lack links to the task's own page instead."""
    return_kind = return_kind or round.return_kind
    if carried is None:
        carried = round_was_carried_forward(round)
    by_part: dict[str, list[ReturnTask]] = {}
    for part in return_parts(return_kind):
        if part.tasks is not None:
            by_part[part.name] = list(part.tasks(round, carried))
    rows = []
    for tasks in by_part.values():
        for task in tasks:
            status = task.status
            blocked = any(
                not other.ready_for_dependents
                for name in task.depends_on
                for other in by_part.get(name, ())
            )
            if blocked and status != TASK_COMPLETED:
                status = TASK_CANNOT_START
            page = task_url(round, task.key)
            may_start = actions is None or task.start_action in actions
            url = task.start_url if task.start_url and may_start else page
            rows.append(TaskRow(task=task, status=status, url=url, page=page))
    groups: dict[str, TaskGroup] = {}
    for row in rows:
        groups.setdefault(row.task.group, TaskGroup(row.task.group)).rows.append(row)
    return TaskList(groups=list(groups.values()), rows=rows)


def return_task(round, key: str, *, return_kind: str | None = None, actions=None):
    """One task of the round and its summary cards, or (None, None) if it has no such task.
    Given the user's `actions`, the links are those they may follow (see cards_for)."""
    return_kind = return_kind or round.return_kind
    tasks = return_tasks(round, return_kind=return_kind, actions=actions)
    row = next((r for r in tasks.rows if r.task.key == key), None)
    if row is None:
        return None, None
    for part in return_parts(return_kind):
        if part.task_summary is not None:
            cards = part.task_summary(round, key)
            if cards is not None:
                return row, cards_for(cards, row=row, actions=actions)
    return row, [SummaryCard(title=row.task.title, rows=())]


def cards_for(cards: list[SummaryCard], *, row: TaskRow, actions) -> list[SummaryCard]:
    """The cards with a Change link only where the user may follow it: the task can start and
    they hold the action its page needs (all links kept when `actions` is None)."""
    if actions is None:
        return cards
    return [
        replace(
            card,
            rows=tuple(
                answer
                if row.can_open and answer.change_action in actions
                else replace(answer, change_url="")
                for answer in card.rows
            ),
        )
        for card in cards
    ]


@dataclass
class ConfirmResult:
    """What a "No change this quarter" request did."""

    confirmed: list[SectionRef] = field(default_factory=list)
    # Sections saved by someone since the page showed them, or no longer complete: left alone.
    skipped: list[tuple[SectionRef, str]] = field(default_factory=list)


STALE = "someone saved it after your page was loaded"


def sections_confirm_unchanged(*, refs: list[SectionRef], by) -> ConfirmResult:
    """Confirm each section as reviewed with no change, through its own service (role check,
    edit lock, the version the page showed, one history event each).

    Each section is its own transaction, like a save from its page: a section someone changed
    since the page was loaded is skipped and named, the others are confirmed. A role or lock
    refusal stops the lot (it would refuse every one)."""
    result = ConfirmResult()
    for ref in refs:
        confirm = section_confirmer(ref.kind)
        if confirm is None:
            result.skipped.append((ref, "it cannot be confirmed"))
            continue
        try:
            with transaction.atomic():
                confirm(pk=ref.pk, version=ref.version, by=by)
        except StaleEdit:
            result.skipped.append((ref, STALE))
        except ValidationError as error:
            if getattr(error, "code", None) == "locked":
                raise
            result.skipped.append((ref, "; ".join(error.messages)))
        except PermissionDenied:
            raise
        else:
            result.confirmed.append(ref)
    return result


def task_refs(row: TaskRow) -> list[SectionRef]:
    """What the task page's "No change this quarter" confirms."""
    return list(row.task.unchanged) if row.can_open else []
