"""A draft return as a task list: the list, each task's page (its answers with Change links),
and "No change this quarter" for one task or every unchanged section at once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from reports.drift.services import drift_suggestion_accept, drift_suggestion_dismiss
from reports.drift.task import task_drift
from reports.return_page import round_gaps
from reports.task_list import (
    STALE,
    ConfirmResult,
    return_task,
    return_tasks,
    sections_confirm_unchanged,
    task_refs,
)
from svmonitor.errors import StaleEdit
from svmonitor.roles import Action
from svmonitor.section_views import round_for_request, round_urls, task_url
from svmonitor.sections import SAFETY_VALVE, SectionRef


def _draft_or_round_page(round):
    # A ready, signed-off or submitted return is read from its frozen record on the round
    # page; the task list is how a draft is written.
    if round.is_locked:
        return redirect(round_urls(round)["round"])
    return None


@login_required
@require_GET
def task_list(request, slug, fy, n, kind=SAFETY_VALVE):
    """The draft return's tasks with their status, and how many are completed."""
    round = round_for_request(request, slug, fy, n, kind=kind)
    if (away := _draft_or_round_page(round)) is not None:
        return away
    tasks = return_tasks(round, actions=request.council_actions)
    context = {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "tasks": tasks,
        "gaps": round_gaps(round),
    }
    return render(request, "reports/tasks/task_list.html", context)


@login_required
@require_GET
def task_detail(request, slug, fy, n, key, kind=SAFETY_VALVE):
    """One task's page: its answers as a summary list, each with a Change link, and "No change
    this quarter" while it holds carried-forward sections nobody has saved."""
    round = round_for_request(request, slug, fy, n, kind=kind)
    if (away := _draft_or_round_page(round)) is not None:
        return away
    row, cards = return_task(round, key, actions=request.council_actions)
    if row is None:
        raise Http404("No such task in this return.")
    context = {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "row": row,
        "cards": cards,
        # Issue 18.2: what the figures suggest for a risk or condition, and narrative figures
        # that disagree with the data (None for any other task).
        "drift": task_drift(round, key),
    }
    return render(request, "reports/tasks/task_detail.html", context)


def _confirm(request, unchanged) -> ConfirmResult:
    # The sections the page showed (and their versions), kept to those still unchanged in
    # this return or task: one saved since is named as skipped, never confirmed.
    refs = [SectionRef.parse(text) for text in request.POST.getlist("section")]
    allowed = {(ref.kind, ref.pk) for ref in unchanged}
    keep = [ref for ref in refs if ref is not None and (ref.kind, ref.pk) in allowed]
    result = sections_confirm_unchanged(refs=keep, by=request.user)
    result.skipped += [
        (ref, STALE) for ref in refs if ref is not None and (ref.kind, ref.pk) not in allowed
    ]
    return result


def _report(request, result: ConfirmResult, round) -> None:
    count = len(result.confirmed)
    if count:
        messages.success(
            request,
            f"{count} section{'s' if count != 1 else ''} confirmed: "
            f"no change this {round.kind.period_noun}.",
        )
    for ref, why in result.skipped:
        messages.error(request, f"A {ref.kind} section was not confirmed: {why}.")


@login_required
@require_POST
def task_confirm_unchanged(request, slug, fy, n, key, kind=SAFETY_VALVE):
    """No change this quarter for one task: its carried-forward sections, at the versions its
    page showed, confirmed through their services; back to the task list."""
    round = round_for_request(request, slug, fy, n, Action.EDIT, kind=kind)
    if (away := _draft_or_round_page(round)) is not None:
        return away
    row, _cards = return_task(round, key)
    if row is None:
        raise Http404("No such task in this return.")
    # Only this task's sections, whatever else the form carries; none while it cannot start.
    _report(request, _confirm(request, task_refs(row)), round)
    return redirect(round_urls(round)["tasks"])


@login_required
@require_POST
def tasks_confirm_unchanged(request, slug, fy, n, kind=SAFETY_VALVE):
    """Confirm every unchanged section the task list showed ("No change this quarter" for all
    of them): one service call and one history event per section."""
    round = round_for_request(request, slug, fy, n, Action.EDIT, kind=kind)
    if (away := _draft_or_round_page(round)) is not None:
        return away
    _report(request, _confirm(request, return_tasks(round).unchanged), round)
    return redirect(round_urls(round)["tasks"])


def _suggestion_fields(request) -> tuple[int, str] | None:
    # The suggestion the page showed: its measure and evidence (found again from the figures).
    measure = request.POST.get("measure", "")
    evidence = request.POST.get("evidence", "")
    if not measure.isdigit() or not evidence:
        return None
    return int(measure), evidence


@login_required
@require_POST
def task_suggestion_decide(request, slug, fy, n, key, outcome, kind=SAFETY_VALVE):
    """Accept or dismiss one drift suggestion on a risk's or condition's task page, through
    its service (role check, edit lock, history); back to the task page."""
    round = round_for_request(request, slug, fy, n, Action.EDIT, kind=kind)
    if (away := _draft_or_round_page(round)) is not None:
        return away
    if outcome not in ("accept", "dismiss"):
        raise Http404("No such decision.")
    row, _cards = return_task(round, key)
    if row is None:
        raise Http404("No such task in this return.")
    page = task_url(round, key)
    # A form that names no suggestion is answered as one whose evidence has moved on.
    measure, evidence = _suggestion_fields(request) or (0, "")
    try:
        if outcome == "accept":
            version = request.POST.get("version", "")
            drift_suggestion_accept(
                round=round,
                key=key,
                measure_pk=measure,
                evidence=evidence,
                expected_version=int(version) if version.isdigit() else 0,
                by=request.user,
            )
            messages.success(request, "Suggestion accepted: the change is saved in its history.")
        else:
            drift_suggestion_dismiss(
                round=round, key=key, measure_pk=measure, evidence=evidence, by=request.user
            )
            messages.success(request, "Suggestion dismissed: its history records that you did.")
    except StaleEdit:
        messages.error(request, f"The suggestion was not accepted: {STALE}.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(page)
