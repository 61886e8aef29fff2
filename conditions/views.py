"""The quarterly return in the browser: the round page, each section edited in place (htmx,
with a plain POST and redirect when JavaScript is off), history, and what changed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from conditions.changes import (
    HISTORY_OBJECT_TYPES,
    fields_for_display,
    last_saved_by,
    round_changes,
    section_history,
)
from conditions.forms import (
    HeadlinesForm,
    MilestoneForm,
    OverviewForm,
    RatedUpdateForm,
    ReopenForm,
    RiskUpdateForm,
    SubmissionForm,
)
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
    round_for_user,
    round_gaps,
    round_page_build,
    section_for_user,
    section_row,
    sign_off_state,
)
from conditions.services import condition_update_save, workstream_update_save
from conditions.views_support import (
    RATED_SPECS,
    attach_urls,
    focus_first,
    history_url,
    milestone_decorate,
    round_urls,
    section_urls,
    service_errors_to_form,
)
from risks.services import risk_update_save
from svmonitor.access import council_for_user
from svmonitor.errors import StaleEdit
from svmonitor.fy import fy_label, fy_parse
from svmonitor.models import Headline
from svmonitor.roles import Action
from svmonitor.services import OVERVIEW_FIELDS, round_overview_save

RATED_TEMPLATE = "conditions/rated_section_edit.html"
LOCKED_NOTE = "This return is {state} and can no longer be edited; reopen it first."

SAVERS = {
    "condition": condition_update_save,
    "risk": risk_update_save,
    "workstream": workstream_update_save,
}


def round_for_request(request, slug: str, fy: str, n: int, action: str = Action.VIEW):
    """The round named in the URL, if the user may do `action` at its council; else 404/403."""
    council_for_user(request, slug, action)
    try:
        year = fy_parse(fy)
    except ValueError:
        raise Http404("No such financial year.") from None
    if fy != fy_label(year):
        # One address per round: "2024-25", not "2024/25" or "2024-2025".
        raise Http404("No such financial year.")
    if n not in (1, 2, 3):
        raise Http404("No such update.")
    found = round_for_user(
        user=request.user,
        council=request.council,
        financial_year=year,
        update_number=n,
        action=action,
    )
    if found is None:
        raise Http404("No such return.")
    return found


def _partial(request, template: str, name: str) -> str:
    # A boosted navigation wants the whole page; a section swap wants only the fragment.
    if request.htmx and not request.htmx.boosted:
        return f"{template}#{name}"
    return template


def _locked_response(request, round, anchor: str, row_response):
    state = round.get_status_display().lower().replace("dfe", "DfE")
    if request.htmx:
        return row_response(note=LOCKED_NOTE.format(state=state))
    messages.error(request, LOCKED_NOTE.format(state=state))
    return redirect(f"{round_urls(round)['round']}#{anchor}")


# --- the round page --------------------------------------------------------------------------


def render_round(request, round, *, status: int = 200, **extra):
    """The full round page, optionally with a lifecycle form's errors."""
    page = round_page_build(round=round, user=request.user)
    nav = round_urls(round)
    attach_urls(page, round)
    context = {
        "page": page,
        "round": round,
        "council": round.agreement.council,
        "nav": nav,
        "gaps": page.gaps,
        "sign_offs": page.sign_offs,
        **_lifecycle_forms(round),
        **extra,
    }
    return render(request, "conditions/round_detail.html", context, status=status)


def _lifecycle_forms(round) -> dict:
    return {
        "submission_form": SubmissionForm(round=round, auto_id="submit-%s"),
        "reopen_form": ReopenForm(auto_id="reopen-%s"),
    }


@login_required
@require_GET
def round_detail(request, slug, fy, n):
    """The return: overview, headlines, conditions, risks, workstreams and its lifecycle."""
    return render_round(request, round_for_request(request, slug, fy, n))


@login_required
@require_GET
def round_status(request, slug, fy, n):
    """The completeness and sign-off panel, refreshed after every section save."""
    round = round_for_request(request, slug, fy, n)
    context = {
        "round": round,
        "nav": round_urls(round),
        "gaps": round_gaps(round),
        "sign_offs": sign_off_state(round=round, user=request.user),
        **_lifecycle_forms(round),
    }
    template = "conditions/round_detail.html"
    if request.htmx:
        template += "#round-status"
    return render(request, template, context)


@login_required
@require_GET
def round_changes_view(request, slug, fy, n):
    """What changed in each section since the previous update."""
    round = round_for_request(request, slug, fy, n)
    page = round_page_build(round=round, user=request.user)
    context = {
        "round": round,
        "council": round.agreement.council,
        "page": page,
        "groups": round_changes(page),
        "nav": round_urls(round),
    }
    return render(request, _partial(request, "conditions/round_changes.html", "changes"), context)


@login_required
@require_GET
def section_history_view(request, slug, fy, n, section, pk):
    """Every recorded change to one section of the return: who, when, before and after."""
    round = round_for_request(request, slug, fy, n)
    if section not in HISTORY_OBJECT_TYPES:
        raise Http404("No such section.")
    if section in ("condition", "risk", "workstream"):
        found = section_for_user(
            user=request.user, round=round, kind=section, pk=pk, action=Action.VIEW
        )
        title = found and _section_title(section, found)
    elif section == "milestone":
        found = milestone_for_user(user=request.user, round=round, pk=pk, action=Action.VIEW)
        title = found and f"Milestone: {found.title}"
    else:
        found = overview_for_user(user=request.user, round=round, action=Action.VIEW)
        found = found if found is not None and found.pk == pk else None
        title = "Overview" if section == "overview" else Headline.Kind(section).label
    if found is None:
        raise Http404("No such section in this return.")
    context = {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "title": title,
        "anchor": _anchor_for(section, pk),
        "entries": section_history(user=request.user, section=section, object_id=pk),
    }
    return render(request, _partial(request, "conditions/section_history.html", "history"), context)


def _anchor_for(section: str, pk: int) -> str:
    if section == "overview":
        return "overview"
    if section in ("driver", "barrier", "engagement"):
        return f"headlines-{section}"
    return f"{section}-{pk}"


def _section_title(kind: str, update) -> str:
    if kind == "condition":
        return f"Condition {update.condition.label}: {update.condition.title}"
    if kind == "risk":
        return f"Risk {update.risk.number}"
    return f"Workstream: {update.workstream.name}"


# --- rated sections: conditions, risks, workstreams ------------------------------------------


def _rated_context(round, kind, update, **extra):
    row = section_row(round=round, kind=kind, update=update)
    row.urls = section_urls(round, kind, update.pk)
    for milestone in row.milestones:
        milestone_decorate(round, milestone)
    return {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "row": row,
        "title": _section_title(kind, update),
        **extra,
    }


def _rated_show(request, slug, fy, n, pk, kind):
    round = round_for_request(request, slug, fy, n)
    update = section_for_user(user=request.user, round=round, kind=kind, pk=pk, action=Action.VIEW)
    if update is None:
        raise Http404("No such section in this return.")
    if not request.htmx:
        return redirect(f"{round_urls(round)['round']}#{kind}-{pk}")
    return render(request, f"{RATED_TEMPLATE}#section-row", _rated_context(round, kind, update))


def _rated_edit(request, slug, fy, n, pk, kind):
    spec = RATED_SPECS[kind]
    round = round_for_request(request, slug, fy, n, Action.EDIT)
    update = section_for_user(user=request.user, round=round, kind=kind, pk=pk, action=Action.EDIT)
    if update is None:
        raise Http404("No such section in this return.")
    anchor = f"{kind}-{pk}"

    def row_response(**extra):
        context = _rated_context(round, kind, update, **extra)
        return render(request, f"{RATED_TEMPLATE}#section-row", context)

    if round.is_locked:
        return _locked_response(request, round, anchor, row_response)
    form_class = RiskUpdateForm if kind == "risk" else RatedUpdateForm
    conflict = None
    if request.method == "GET":
        initial = {name: getattr(update, name) for name in spec.fields}
        form = form_class(initial={**initial, "version": update.version}, auto_id=f"{anchor}-%s")
    else:
        form = form_class(request.POST, auto_id=f"{anchor}-%s")
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in spec.fields}
            try:
                SAVERS[kind](
                    update=update,
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                    **values,
                )
            except StaleEdit as stale:
                form, conflict = _conflict_form(form_class, request.POST, anchor, stale)
                labels = rag_labels(round.agreement.council_id)
                conflict.update(_theirs_rated(kind, stale.current, update.pk, labels))
            except ValidationError as error:
                service_errors_to_form(form, error)
            else:
                return _saved(request, round, anchor, row_response)
    if request.htmx and not conflict:
        focus_first(form)
    context = _rated_context(
        round, kind, update, form=form, conflict=conflict, inline=bool(request.htmx)
    )
    return render(request, _partial(request, RATED_TEMPLATE, "section-form"), context)


def _conflict_form(form_class, data, anchor, stale, **form_kwargs):
    """The user's own input, re-bound to the version now stored, so saving again reconciles."""
    rebound = data.copy()
    rebound["version"] = str(stale.current_version)
    form = form_class(rebound, auto_id=f"{anchor}-%s", **form_kwargs)
    form.is_valid()
    return form, {"message": stale.message, "current": stale.current}


def _theirs_rated(kind: str, current: dict, pk: int, labels: dict) -> dict:
    who, when = last_saved_by(section=kind, object_id=pk)
    return {
        "who": who,
        "when": when,
        "badge": rag_badge(current.get("rag"), labels),
        "narrative": current.get("narrative") or "",
        "impact": current.get("impact"),
        "likelihood": current.get("likelihood"),
    }


def _saved(request, round, anchor: str, row_response):
    if not request.htmx:
        messages.success(request, "Your changes were saved.")
        return redirect(f"{round_urls(round)['round']}#{anchor}")
    response = row_response(saved=True)
    # The completeness panel listens for this and reloads itself.
    return trigger_client_event(response, "round-changed")


@login_required
@require_GET
def condition_update_show(request, slug, fy, n, pk):
    """A condition's section as shown on the round page (where Cancel returns to)."""
    return _rated_show(request, slug, fy, n, pk, "condition")


@login_required
@require_http_methods(["GET", "POST"])
def condition_update_edit(request, slug, fy, n, pk):
    """Edit a condition's assurance level and progress update in place."""
    return _rated_edit(request, slug, fy, n, pk, "condition")


@login_required
@require_GET
def risk_update_show(request, slug, fy, n, pk):
    """A risk's section as shown on the round page."""
    return _rated_show(request, slug, fy, n, pk, "risk")


@login_required
@require_http_methods(["GET", "POST"])
def risk_update_edit(request, slug, fy, n, pk):
    """Edit a risk's assurance level, progress update, impact and likelihood in place."""
    return _rated_edit(request, slug, fy, n, pk, "risk")


@login_required
@require_GET
def workstream_update_show(request, slug, fy, n, pk):
    """A workstream's section as shown on the round page."""
    return _rated_show(request, slug, fy, n, pk, "workstream")


@login_required
@require_http_methods(["GET", "POST"])
def workstream_update_edit(request, slug, fy, n, pk):
    """Edit a workstream's RAG and narrative in place."""
    return _rated_edit(request, slug, fy, n, pk, "workstream")


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
        request, f"{MILESTONE_TEMPLATE}#milestone-row", _milestone_context(round, milestone)
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
        return _locked_response(request, round, anchor, row_response)
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
                form, conflict = _conflict_form(
                    MilestoneForm, request.POST, anchor, stale, **kwargs
                )
                who, when = last_saved_by(section="milestone", object_id=pk)
                conflict.update(who=who, when=when, fields=fields_for_display(stale.current))
            except ValidationError as error:
                service_errors_to_form(form, error)
            else:
                return _saved(request, round, anchor, row_response)
    if request.htmx and not conflict:
        focus_first(form)
    context = _milestone_context(
        round, milestone, form=form, conflict=conflict, inline=bool(request.htmx)
    )
    return render(request, _partial(request, MILESTONE_TEMPLATE, "milestone-form"), context)


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
    return render(request, f"{OVERVIEW_TEMPLATE}#overview-row", _overview_context(round, overview))


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
        return _locked_response(request, round, "overview", row_response)
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
                form, conflict = _conflict_form(OverviewForm, request.POST, "overview", stale)
                who, when = last_saved_by(section="overview", object_id=overview.pk)
                conflict.update(who=who, when=when, fields=fields_for_display(stale.current))
            except ValidationError as error:
                service_errors_to_form(form, error)
            else:
                return _saved(request, round, "overview", row_response)
    if request.htmx and not conflict:
        focus_first(form)
    context = _overview_context(
        round, overview, form=form, conflict=conflict, inline=bool(request.htmx)
    )
    return render(request, _partial(request, OVERVIEW_TEMPLATE, "overview-form"), context)


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
    context = _headlines_context(round, overview, kind)
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
        return _locked_response(request, round, anchor, row_response)
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
                return _saved(request, round, anchor, row_response)
    context = _headlines_context(
        round, overview, kind, form=form, conflict=conflict, inline=bool(request.htmx)
    )
    context["focus"] = bool(request.htmx)
    return render(request, _partial(request, HEADLINES_TEMPLATE, "headlines-form"), context)


__all__ = [
    "condition_update_edit",
    "condition_update_show",
    "headlines_edit",
    "headlines_show",
    "milestone_edit",
    "milestone_show",
    "overview_edit",
    "overview_show",
    "risk_update_edit",
    "risk_update_show",
    "round_changes_view",
    "round_detail",
    "round_status",
    "section_history_view",
    "workstream_update_edit",
    "workstream_update_show",
]
