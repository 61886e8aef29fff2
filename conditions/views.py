"""A condition's and a workstream's section of a return, and a workstream's milestones: shown
and edited in place."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from conditions.forms import MilestoneForm
from conditions.kinds import CONDITION, WORKSTREAM, milestone_decorate
from conditions.selectors import milestone_for_user
from conditions.services import milestone_save
from svmonitor.history import theirs_fields
from svmonitor.rated_views import rated_section_edit, rated_section_show
from svmonitor.roles import Action
from svmonitor.section_views import (
    edit_form_submit,
    locked_response,
    partial_template,
    round_for_request,
    round_urls,
    row_renderer,
    saved_response,
    shown_response,
)
from svmonitor.sections import round_freezer


@login_required
@require_GET
def condition_update_show(request, slug, fy, n, pk):
    """A condition's section as the round page shows it (where Cancel returns to)."""
    return rated_section_show(request, slug, fy, n, pk, CONDITION)


@login_required
@require_http_methods(["GET", "POST"])
def condition_update_edit(request, slug, fy, n, pk):
    """Edit a condition's assurance level and progress update in place."""
    return rated_section_edit(request, slug, fy, n, pk, CONDITION)


@login_required
@require_GET
def workstream_update_show(request, slug, fy, n, pk):
    """A workstream's section as the round page shows it (where Cancel returns to)."""
    return rated_section_show(request, slug, fy, n, pk, WORKSTREAM)


@login_required
@require_http_methods(["GET", "POST"])
def workstream_update_edit(request, slug, fy, n, pk):
    """Edit a workstream's RAG and narrative in place."""
    return rated_section_edit(request, slug, fy, n, pk, WORKSTREAM)


MILESTONE_TEMPLATE = "conditions/milestone_edit.html"


MILESTONE_INITIAL = ("status", "due_date", "completed_on", "version")


def _milestone_context(round, milestone, **extra):
    # A locked return's milestone as frozen; one its frozen record lacks is not part of it.
    if not round_freezer().milestone_as_recorded(round=round, milestone=milestone):
        raise Http404("No such milestone in this return.")
    milestone_decorate(round, milestone)
    return {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "milestone": milestone,
        **extra,
    }


def _milestone(request, round, pk: int, action: str):
    milestone = milestone_for_user(user=request.user, round=round, pk=pk, action=action)
    if milestone is None:
        raise Http404("No such milestone in this return.")
    return milestone


def _milestone_row(request, round, milestone):
    context = partial(_milestone_context, round, milestone)
    return row_renderer(request, f"{MILESTONE_TEMPLATE}#milestone-row", context)


@login_required
@require_GET
def milestone_show(request, slug, fy, n, pk):
    """A milestone as shown on the round page."""
    round = round_for_request(request, slug, fy, n)
    milestone = _milestone(request, round, pk, Action.VIEW)
    return shown_response(
        request, round, f"milestone-{pk}", _milestone_row(request, round, milestone)
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, slug, fy, n, pk):
    """Edit a milestone's status and dates in place."""
    round = round_for_request(request, slug, fy, n, Action.EDIT)
    milestone = _milestone(request, round, pk, Action.EDIT)
    anchor = f"milestone-{pk}"
    row_response = _milestone_row(request, round, milestone)
    if round.is_locked:
        return locked_response(request, round, anchor, row_response)

    def save(data):
        milestone_save(
            round_id=round.pk,
            milestone=milestone,
            expected_version=data["version"],
            status=data["status"],
            due_date=data["due_date"],
            completed_on=data["completed_on"],
            by=request.user,
        )

    edit = edit_form_submit(
        request,
        MilestoneForm,
        anchor=anchor,
        initial=lambda: {name: getattr(milestone, name) for name in MILESTONE_INITIAL},
        save=save,
        theirs=lambda stale: theirs_fields("milestone", milestone.round_record_pk, stale),
        round=round,
        original_completed_on=milestone.completed_on,
    )
    if edit.saved:
        return saved_response(request, round, anchor, row_response)
    context = _milestone_context(
        round, milestone, form=edit.form, conflict=edit.conflict, inline=bool(request.htmx)
    )
    return render(request, partial_template(request, MILESTONE_TEMPLATE, "milestone-form"), context)
