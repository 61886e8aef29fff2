"""Sections of a return beyond the rated ones, edited in place: milestones, the overview
(on-track answers, adviser request, overall assurance) and the headline lists."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from conditions.changes import fields_for_display, last_saved_by
from conditions.forms import HeadlinesForm, MilestoneForm, OverviewForm
from conditions.round_services import (
    headline_texts,
    headlines_fingerprint,
    headlines_save_unless_changed,
    milestone_save_in_round,
)
from conditions.selectors import (
    headline_list,
    milestone_for_user,
    overview_for_user,
    previous_overview_for,
    rag_badge,
    rag_labels,
)
from conditions.views_support import (
    conflict_form,
    focus_first,
    history_url,
    locked_response,
    milestone_decorate,
    partial_template,
    round_for_request,
    round_urls,
    saved_response,
    section_urls,
    service_errors_to_form,
)
from svmonitor.errors import StaleEdit
from svmonitor.models import Headline
from svmonitor.roles import Action
from svmonitor.services import OVERVIEW_FIELDS, round_overview_save

# --- milestones ------------------------------------------------------------------------------

MILESTONE_TEMPLATE = "conditions/milestone_edit.html"


def _milestone_context(round, milestone, **extra):
    milestone_decorate(round, milestone)
    return {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "milestone": milestone,
        **extra,
    }


@login_required
@require_GET
def milestone_show(request, slug, fy, n, pk):
    """A milestone as shown on the round page."""
    round = round_for_request(request, slug, fy, n)
    milestone = milestone_for_user(user=request.user, round=round, pk=pk, action=Action.VIEW)
    if milestone is None:
        raise Http404("No such milestone in this return.")
    if not request.htmx:
        return redirect(f"{round_urls(round)['round']}#milestone-{pk}")
    return render(
        request,
        f"{MILESTONE_TEMPLATE}#milestone-row",
        _milestone_context(round, milestone, refocus=True),
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, slug, fy, n, pk):
    """Edit a milestone's status and dates in place."""
    round = round_for_request(request, slug, fy, n, Action.EDIT)
    milestone = milestone_for_user(user=request.user, round=round, pk=pk, action=Action.EDIT)
    if milestone is None:
        raise Http404("No such milestone in this return.")
    anchor = f"milestone-{pk}"

    def row_response(**extra):
        milestone.refresh_from_db()
        context = _milestone_context(round, milestone, **extra)
        return render(request, f"{MILESTONE_TEMPLATE}#milestone-row", context)

    if round.is_locked:
        return locked_response(request, round, anchor, row_response)
    kwargs = {"round": round, "original_completed_on": milestone.completed_on}
    conflict = None
    if request.method == "GET":
        initial = {
            "status": milestone.status,
            "due_date": milestone.due_date,
            "completed_on": milestone.completed_on,
            "version": milestone.version,
        }
        form = MilestoneForm(initial=initial, auto_id=f"{anchor}-%s", **kwargs)
    else:
        form = MilestoneForm(request.POST, auto_id=f"{anchor}-%s", **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                milestone_save_in_round(
                    round_id=round.pk,
                    milestone=milestone,
                    expected_version=data["version"],
                    status=data["status"],
                    due_date=data["due_date"],
                    completed_on=data["completed_on"],
                    by=request.user,
                )
            except StaleEdit as stale:
                form, conflict = conflict_form(MilestoneForm, request.POST, anchor, stale, **kwargs)
                who, when = last_saved_by(section="milestone", object_id=pk)
                conflict.update(who=who, when=when, fields=fields_for_display(stale.current))
            except ValidationError as error:
                service_errors_to_form(form, error)
            else:
                return saved_response(request, round, anchor, row_response)
    if request.htmx and not conflict:
        focus_first(form)
    context = _milestone_context(
        round, milestone, form=form, conflict=conflict, inline=bool(request.htmx)
    )
    return render(request, partial_template(request, MILESTONE_TEMPLATE, "milestone-form"), context)


# --- overview --------------------------------------------------------------------------------

OVERVIEW_TEMPLATE = "conditions/overview_edit.html"


def _overview_context(round, overview, **extra):
    labels = rag_labels(round.agreement.council_id)
    previous = previous_overview_for(round)
    overview.history_url = history_url(round, "overview", overview.pk)
    return {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "overview": overview,
        "previous_overview": previous,
        "overview_badge": rag_badge(overview.overall_rag, labels),
        "previous_overview_badge": rag_badge(previous.overall_rag, labels) if previous else None,
        **extra,
    }


def _overview(request, round, action):
    overview = overview_for_user(user=request.user, round=round, action=action)
    if overview is None:
        raise Http404("This return has no overview.")
    return overview


@login_required
@require_GET
def overview_show(request, slug, fy, n):
    """The overview as shown on the round page."""
    round = round_for_request(request, slug, fy, n)
    overview = _overview(request, round, Action.VIEW)
    if not request.htmx:
        return redirect(f"{round_urls(round)['round']}#overview")
    return render(
        request,
        f"{OVERVIEW_TEMPLATE}#overview-row",
        _overview_context(round, overview, refocus=True),
    )


@login_required
@require_http_methods(["GET", "POST"])
def overview_edit(request, slug, fy, n):
    """Edit the on-track answers, adviser request and overall assurance in place."""
    round = round_for_request(request, slug, fy, n, Action.EDIT)
    overview = _overview(request, round, Action.EDIT)

    def row_response(**extra):
        overview.refresh_from_db()
        context = _overview_context(round, overview, **extra)
        return render(request, f"{OVERVIEW_TEMPLATE}#overview-row", context)

    if round.is_locked:
        return locked_response(request, round, "overview", row_response)
    conflict = None
    if request.method == "GET":
        initial = {name: getattr(overview, name) for name in OVERVIEW_FIELDS}
        form = OverviewForm(initial={**initial, "version": overview.version}, auto_id="overview-%s")
    else:
        form = OverviewForm(request.POST, auto_id="overview-%s")
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in OVERVIEW_FIELDS}
            try:
                round_overview_save(
                    overview=overview,
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                    **values,
                )
            except StaleEdit as stale:
                form, conflict = conflict_form(OverviewForm, request.POST, "overview", stale)
                who, when = last_saved_by(section="overview", object_id=overview.pk)
                conflict.update(who=who, when=when, fields=fields_for_display(stale.current))
            except ValidationError as error:
                service_errors_to_form(form, error)
            else:
                return saved_response(request, round, "overview", row_response)
    if request.htmx and not conflict:
        focus_first(form)
    context = _overview_context(
        round, overview, form=form, conflict=conflict, inline=bool(request.htmx)
    )
    return render(request, partial_template(request, OVERVIEW_TEMPLATE, "overview-form"), context)


# --- headlines -------------------------------------------------------------------------------

HEADLINES_TEMPLATE = "conditions/headlines_edit.html"


def _headlines_context(round, overview, kind, **extra):
    return {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "overview": overview,
        "list": headline_list(overview=overview, kind=kind),
        "urls": section_urls(round, "headlines", kind),
        **extra,
    }


def _kind(kind: str) -> str:
    if kind not in Headline.Kind.values:
        raise Http404("No such headline list.")
    return kind


@login_required
@require_GET
def headlines_show(request, slug, fy, n, kind):
    """One headline list as shown on the round page."""
    round = round_for_request(request, slug, fy, n)
    overview = _overview(request, round, Action.VIEW)
    kind = _kind(kind)
    if not request.htmx:
        return redirect(f"{round_urls(round)['round']}#headlines-{kind}")
    context = _headlines_context(round, overview, kind, refocus=True)
    return render(request, f"{HEADLINES_TEMPLATE}#headlines-row", context)


@login_required
@require_http_methods(["GET", "POST"])
def headlines_edit(request, slug, fy, n, kind):
    """Edit one list of headlines (at most three) in place."""
    round = round_for_request(request, slug, fy, n, Action.EDIT)
    overview = _overview(request, round, Action.EDIT)
    kind = _kind(kind)
    anchor = f"headlines-{kind}"

    def row_response(**extra):
        context = _headlines_context(round, overview, kind, **extra)
        return render(request, f"{HEADLINES_TEMPLATE}#headlines-row", context)

    if round.is_locked:
        return locked_response(request, round, anchor, row_response)
    conflict = None
    if request.method == "GET":
        texts = headline_texts(overview=overview, kind=kind)
        form = HeadlinesForm(
            initial={"texts": texts, "seen": headlines_fingerprint(texts)}, auto_id=f"{anchor}-%s"
        )
    else:
        form = HeadlinesForm(request.POST, auto_id=f"{anchor}-%s")
        if form.is_valid():
            try:
                headlines_save_unless_changed(
                    overview=overview,
                    kind=kind,
                    texts=form.cleaned_data["texts"],
                    seen=form.cleaned_data["seen"],
                    by=request.user,
                )
            except StaleEdit as stale:
                data = request.POST.copy()
                data["seen"] = stale.current["seen"]
                form = HeadlinesForm(data, auto_id=f"{anchor}-%s")
                form.is_valid()
                who, when = last_saved_by(section=kind, object_id=overview.pk)
                conflict = {
                    "message": stale.message,
                    "texts": stale.current["texts"],
                    "who": who,
                    "when": when,
                }
            except ValidationError as error:
                service_errors_to_form(form, error)
            else:
                return saved_response(request, round, anchor, row_response)
    context = _headlines_context(
        round, overview, kind, form=form, conflict=conflict, inline=bool(request.htmx)
    )
    context["focus"] = bool(request.htmx)
    return render(request, partial_template(request, HEADLINES_TEMPLATE, "headlines-form"), context)
