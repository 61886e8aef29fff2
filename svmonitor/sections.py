"""The parts of a return, registered by the apps that own them.

The spine runs a round's lifecycle (open, mark ready, sign off, submit, reopen) without knowing
what a return holds: each domain app registers its part (conditions, risks, workstreams and
milestones, the overview) in its AppConfig.ready(), saying how to carry the part forward into a
new round and what is still to do in it. The app at the top (reports) registers the freezer that
turns a round into its frozen record when it is marked ready. A second kind of return registers
other parts; the lifecycle stays the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from svmonitor.choices import Rag

# Red or any Amber (including the blended Amber/Red and Amber/Green) must say why.
RAGS_NEEDING_NARRATIVE = frozenset({Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN})
NOT_REVIEWED = "not yet reviewed for this update"


@dataclass(frozen=True)
class CompletenessGap:
    """One thing still to do before a return can be marked ready for sign-off."""

    section: str  # "condition", "risk", "workstream", "overview", "kpis", "finance"
    item: str
    problem: str
    object_id: int | None = None
    # Where the gap is fixed, when that is a page of its own (the KPI month page, the finance
    # grid) rather than a section of the round page.
    url: str = ""
    # The action (svmonitor.roles.Action value) that page needs: a user without it is shown
    # the gap as text, not a link that refuses them (the finance grids need edit_finance).
    url_action: str = "view"

    def __str__(self) -> str:
        return f"{self.item}: {self.problem}"


# A task's status on the return's task list (GOV.UK "complete multiple tasks" pattern).
TASK_NOT_STARTED = "not_started"
TASK_IN_PROGRESS = "in_progress"
TASK_COMPLETED = "completed"
TASK_CANNOT_START = "cannot_start"
TASK_STATUS_LABELS = {
    TASK_NOT_STARTED: "Not yet started",
    TASK_IN_PROGRESS: "In progress",
    TASK_COMPLETED: "Completed",
    TASK_CANNOT_START: "Cannot start yet",
}

# The kind of return a part belongs to; a second kind (a DSG deficit management plan) registers
# its own parts under its own name and its task list lists only those.
SAFETY_VALVE = "safety_valve"
# The DSG deficit management plan (issue 19): its titles and cadence are in
# svmonitor/return_kinds.py; its parts are registered by the apps that own them.
DSG_PLAN = "dsg_plan"


@dataclass(frozen=True)
class SectionRef:
    """One section of a return at the version a page showed it: what "No change this quarter"
    confirms (refused if the section has been saved since)."""

    kind: str  # the section's word, as registered with section_confirm_register ("risk")
    pk: int
    version: str  # its version number, or a list's fingerprint (a headline list has no number)

    def __str__(self) -> str:
        return f"{self.kind}:{self.pk}:{self.version}"

    @classmethod
    def parse(cls, text: str) -> SectionRef | None:
        """A ref from its str() form, or None if it is not one."""
        parts = text.strip().split(":")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isalnum():
            return None
        return cls(parts[0], int(parts[1]), parts[2])


@dataclass(frozen=True)
class SummaryRow:
    """One answer on a task's summary page, with where to change it."""

    key: str
    value: str
    change_url: str = ""
    change_label: str = ""  # what the Change link changes, for screen readers
    # The action (svmonitor.roles.Action value) the Change link's page needs: shown only to a
    # user who holds it (the finance grids need edit_finance, not edit).
    change_action: str = "edit"


@dataclass(frozen=True)
class SummaryCard:
    """One section of a task's summary page (a workstream group has one per workstream)."""

    title: str
    rows: tuple[SummaryRow, ...]
    history_url: str = ""


@dataclass(frozen=True)
class ReturnTask:
    """One task on a return's task list, as the part that owns it reports it.

    `status` is the part's own view (not started, in progress, completed); the task list sets
    "Cannot start yet" where a part this task `depends_on` has a task not `ready_for_dependents`.
    `unchanged` are the task's carried-forward sections nobody has saved this round: "No change
    this quarter" confirms exactly these."""

    key: str  # unique in the return and URL-safe: "condition-12", "workstreams-3"
    group: str  # the task list's heading for it: "Agreement conditions"
    title: str
    status: str
    hint: str = ""
    unchanged: tuple[SectionRef, ...] = ()
    ready_for_dependents: bool = True
    depends_on: tuple[str, ...] = ()  # names of registered parts
    waiting_for: str = ""  # what a "Cannot start yet" waits for, in words
    # Where the task starts when it has a question still unanswered (its question page, which
    # returns to the task list on save); else the task's page, its answers to review.
    start_url: str = ""
    # The action (svmonitor.roles.Action value) start_url needs: a user without it is sent to
    # the task's page instead, never to a page that refuses them.
    start_action: str = "edit"


@dataclass(frozen=True)
class ReturnPart:
    """One registered part of a return and the lifecycle hooks it answers."""

    name: str
    order: int
    # (new_round, previous_round_or_None, by) -> None: copy the part into a new draft.
    carry_forward: Callable
    # (round, carried: bool) -> list[CompletenessGap]: what is still to do.
    completeness: Callable
    # (rounds, carried_ids: set[int]) -> {round_id: (complete, total)}: how many of the part's
    # sections are complete, for many rounds in a fixed number of queries (the home page's
    # progress; svmonitor.selectors.rounds_progress). None: the part counts as one section per
    # round, complete when its completeness has no gap (a query or more per round).
    progress: Callable | None = None
    # Whether `completeness` also takes `read=`: the round's rows a caller has read already
    # (a RoundRows), so it need not read them again (the round page has them all).
    takes_read: bool = False
    # (round, carried: bool) -> list[ReturnTask]: the part's tasks on the task list.
    tasks: Callable | None = None
    # (round, task_key) -> list[SummaryCard] | None: a task's summary page (None: not this
    # part's task).
    task_summary: Callable | None = None
    return_kind: str = SAFETY_VALVE
    # (round) -> dict: the part's data as it stands for the round, JSON-serialisable. A kind
    # whose record is built from its parts (every kind but the Safety Valve return, whose
    # snapshot reports builds whole) freezes {"parts": {name: snapshot(round)}} when a round
    # is marked ready (reports.snapshot.parts).
    snapshot: Callable | None = None


@dataclass(frozen=True)
class RoundRows:
    """A round's section rows as a caller has read them (each list holds every row of the
    round, or is None where not read): condition updates with their condition, risk updates
    with their risk, workstream updates with their workstream, and the overview (None if the
    round has none; `overview_read` says whether it was read), and the round before it (None
    for a first round; `previous_read` says whether it was read: svmonitor.selectors'
    round_previous)."""

    conditions: list | None = None
    risks: list | None = None
    workstreams: list | None = None
    overview: object | None = None
    overview_read: bool = False
    previous: object | None = None
    previous_read: bool = False


class RoundFreezer(Protocol):
    """What the lifecycle needs of the frozen record (registered by reports)."""

    def freeze(self, *, round, by) -> str:
        """Freeze the round as it stands; return the frozen record's SHA-256."""

    def latest_sha256(self, *, round) -> str | None:
        """The SHA-256 of the round's latest frozen record, if it has one."""

    def frozen_payloads(self, *, round_ids) -> dict[int, dict]:
        """Each locked round's latest frozen payload by round id (one query): what the layers
        below the reports app (the workbook export) read a locked round from."""

    def row_as_recorded(self, *, round, row) -> bool:
        """Lay a locked round's frozen values over one section row of a return (a no-op for a
        draft); False if the frozen return does not have that section."""

    def milestone_as_recorded(self, *, round, milestone) -> bool:
        """The same for one milestone of a workstream."""


_PARTS: dict[str, ReturnPart] = {}
_FREEZER: list[RoundFreezer] = []


def return_part_register(part: ReturnPart) -> None:
    """Register (or replace, on a second ready()) one part of the return."""
    _PARTS[part.name] = part


def return_part_unregister(name: str) -> None:
    """Remove a registered part (a test's own kind of return, when it is done)."""
    _PARTS.pop(name, None)


def return_parts(return_kind: str | None = None) -> list[ReturnPart]:
    """Every registered part (of one kind of return, if given), in the order the return shows
    them."""
    parts = [p for p in _PARTS.values() if return_kind in (None, p.return_kind)]
    return sorted(parts, key=lambda part: part.order)


# section kind ("risk") -> its "No change this quarter" service: (pk=, version=, by=).
_CONFIRMERS: dict[str, Callable] = {}


def section_confirm_register(kind: str, confirm: Callable, *, numbered: bool = True) -> None:
    """Say which service confirms one kind of section unchanged for the round ("No change this
    quarter"): it checks the role, locks the round, refuses a stale version and records it in
    the section's history. A numbered section's service takes `expected_version` as a number;
    otherwise the version text as the page had it."""

    def call(*, pk: int, version: str, by):
        if numbered:
            if not version.isdigit():
                raise ValueError(f"Not a version number: {version!r}")
            return confirm(pk=pk, expected_version=int(version), by=by)
        return confirm(pk=pk, expected_version=version, by=by)

    _CONFIRMERS[kind] = call


def section_confirmer(kind: str) -> Callable | None:
    """The registered confirm service of one kind of section, if any."""
    return _CONFIRMERS.get(kind)


def rated_task_status(rows, *, carried: bool) -> str:
    """A rated task's status from (rag, narrative, version) rows of its sections.

    Completed: every section rated (with a progress update where its level needs one) and
    saved or confirmed this round (or the round was not carried forward). Not yet started:
    every section as carried forward (or new and empty). In progress: anything between."""
    rows = list(rows)
    touched = [
        version > 1 or (not carried and (rag != Rag.NOT_RATED or narrative.strip()))
        for rag, narrative, version in rows
    ]
    done = [
        rag != Rag.NOT_RATED and (rag not in RAGS_NEEDING_NARRATIVE or bool(narrative.strip()))
        for rag, narrative, _v in rows
    ]
    if rows and all(touched) and all(done):
        return TASK_COMPLETED
    if any(touched):
        return TASK_IN_PROGRESS
    return TASK_NOT_STARTED


def round_freezer_register(freezer: RoundFreezer) -> None:
    """Register the one freezer (the app that builds the frozen record)."""
    _FREEZER[:] = [freezer]


def round_freezer() -> RoundFreezer:
    """The registered freezer; a configuration error if no app registered one."""
    if not _FREEZER:
        raise RuntimeError("No round freezer is registered: is 'reports' in INSTALLED_APPS?")
    return _FREEZER[0]


def rated_gaps(section: str, rows, *, carried: bool = False) -> list[CompletenessGap]:
    """Gaps of rated sections from (object_id, item, rag, narrative, version) rows."""
    gaps = []
    for object_id, item, rag, narrative, version in rows:
        if rag == Rag.NOT_RATED:
            gaps.append(CompletenessGap(section, item, "not rated", object_id))
        elif rag in RAGS_NEEDING_NARRATIVE and not narrative.strip():
            label = Rag(rag).label
            gaps.append(
                CompletenessGap(
                    section, item, f"rated {label} without a progress update", object_id
                )
            )
        elif carried and version == 1:
            gaps.append(CompletenessGap(section, item, NOT_REVIEWED, object_id))
    return gaps


def rated_progress(section: str, rows, *, carried_ids, missing=()) -> dict[int, tuple[int, int]]:
    """(complete, total) per round of a rated part, by the same rules as rated_gaps.

    `rows` are (round_id, object_id, item, rag, narrative, version); a row is a complete section
    when rated_gaps finds nothing in it. `missing` are round ids once per section the round
    should have but has no row for (counted, never complete).
    """
    by_round: dict[int, list] = {}
    for round_id, *row in rows:
        by_round.setdefault(round_id, []).append(tuple(row))
    counts: dict[int, tuple[int, int]] = {}
    for round_id, round_rows in by_round.items():
        gaps = rated_gaps(section, round_rows, carried=round_id in carried_ids)
        incomplete = {gap.object_id for gap in gaps}
        counts[round_id] = (len(round_rows) - len(incomplete), len(round_rows))
    for round_id in missing:
        done, total = counts.get(round_id, (0, 0))
        counts[round_id] = (done, total + 1)
    return counts
