"""The quarterly return in the browser: the round page, each section edited in place (htmx,
with a plain POST and redirect when JavaScript is off), history, and what changed."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from conditions.changes import (
    HISTORY_OBJECT_TYPES,
    last_saved_by,
    round_changes,
    section_history,
)
from conditions.forms import (
    RatedUpdateForm,
    ReopenForm,
    RiskUpdateForm,
    SignOffForm,
    SubmissionForm,
)
from conditions.selectors import (
    milestone_for_user,
    overview_for_user,
    rag_badge,
    rag_labels,
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
    edit_form_submit,
    locked_response,
    milestone_decorate,
    partial_template,
    round_for_request,
    round_urls,
    row_renderer,
    saved_response,
    section_urls,
    shown_response,
)
from risks.services import risk_update_save
from svmonitor.models import Headline
from svmonitor.roles import Action

RATED_TEMPLATE = "conditions/rated_section_edit.html"

SAVERS = {
    "condition": condition_update_save,
    "risk": risk_update_save,
    "workstream": workstream_update_save,
}


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
        **_lifecycle_forms(round, page.sign_offs),
        **extra,
    }
    return render(request, "conditions/round_detail.html", context, status=status)


def _lifecycle_forms(round, sign_offs) -> dict:
    return {
        "submission_form": SubmissionForm(round=round, auto_id="submit-%s"),
        "reopen_form": ReopenForm(auto_id="reopen-%s"),
        "sign_off_form": sign_off_form(sign_offs),
    }


def sign_off_form(sign_offs, data=None) -> SignOffForm:
    """The declaration for the capacity the user would sign in (their first still open)."""
    capacity = sign_offs.capacities_open[0] if sign_offs.capacities_open else None
    return SignOffForm(data, capacity=capacity, auto_id="sign-off-%s")


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
    sign_offs = sign_off_state(round=round, user=request.user)
    context = {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "gaps": round_gaps(round),
        "sign_offs": sign_offs,
        **_lifecycle_forms(round, sign_offs),
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
    return render(
        request, partial_template(request, "conditions/round_changes.html", "changes"), context
    )


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
    return render(
        request, partial_template(request, "conditions/section_history.html", "history"), context
    )


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


def _rated_section(request, round, kind: str, pk: int, action: str):
    update = section_for_user(user=request.user, round=round, kind=kind, pk=pk, action=action)
    if update is None:
        raise Http404("No such section in this return.")
    return update


def _rated_row(request, round, kind: str, update):
    context = partial(_rated_context, round, kind, update)
    return row_renderer(request, f"{RATED_TEMPLATE}#section-row", context)


# Conditions, risks and workstreams share these two views: the URL names the kind.


@login_required
@require_GET
def rated_section_show(request, slug, fy, n, pk, kind):
    """A condition's, risk's or workstream's section as the round page shows it (where Cancel
    returns to)."""
    round = round_for_request(request, slug, fy, n)
    update = _rated_section(request, round, kind, pk, Action.VIEW)
    return shown_response(request, round, f"{kind}-{pk}", _rated_row(request, round, kind, update))


@login_required
@require_http_methods(["GET", "POST"])
def rated_section_edit(request, slug, fy, n, pk, kind):
    """Edit a condition's or workstream's assurance level and progress update in place (a
    risk's impact and likelihood too)."""
    fields = RATED_SPECS[kind].fields
    round = round_for_request(request, slug, fy, n, Action.EDIT)
    update = _rated_section(request, round, kind, pk, Action.EDIT)
    anchor = f"{kind}-{pk}"
    row_response = _rated_row(request, round, kind, update)
    if round.is_locked:
        return locked_response(request, round, anchor, row_response)

    def save(data):
        values = {name: data[name] for name in fields}
        SAVERS[kind](update=update, expected_version=data["version"], by=request.user, **values)

    def theirs(stale):
        labels = rag_labels(round.agreement.council_id)
        return _theirs_rated(kind, stale.current, update.pk, labels)

    edit = edit_form_submit(
        request,
        RiskUpdateForm if kind == "risk" else RatedUpdateForm,
        anchor=anchor,
        initial=lambda: {
            **{name: getattr(update, name) for name in fields},
            "version": update.version,
        },
        save=save,
        theirs=theirs,
    )
    if edit.saved:
        return saved_response(request, round, anchor, row_response)
    context = _rated_context(
        round, kind, update, form=edit.form, conflict=edit.conflict, inline=bool(request.htmx)
    )
    return render(request, partial_template(request, RATED_TEMPLATE, "section-form"), context)


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
