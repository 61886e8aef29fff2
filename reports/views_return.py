"""The return as one page, its status panel, what changed since the previous update, and each
section's history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from conditions.kinds import CONDITION, WORKSTREAM
from conditions.selectors import milestone_for_user
from overview.models import Headline
from overview.selectors import overview_for_user
from reports.changes import round_changes
from reports.forms import ReopenForm, SignOffForm, SubmissionForm
from reports.parts_page import parts_round_changes, render_parts_round
from reports.return_page import attach_urls, round_gaps, round_page_build, sign_off_state
from reports.round_page import round_page_as_recorded
from risks.kinds import RISK
from svmonitor.history import HISTORY_SECTIONS, section_history
from svmonitor.pending import restored_data
from svmonitor.roles import Action
from svmonitor.section_rows import section_for_user
from svmonitor.section_views import (
    partial_template,
    round_for_request,
    round_urls,
)
from svmonitor.sections import SAFETY_VALVE

RATED_KINDS = {kind.kind: kind for kind in (CONDITION, RISK, WORKSTREAM)}


def render_round(request, round, *, status: int = 200, **extra):
    """The full round page, optionally with a lifecycle form's errors."""
    if not round.is_safety_valve:
        # Another kind of return: its page is built from its registered parts.
        sign_offs = sign_off_state(round=round, user=request.user)
        forms = _lifecycle_forms(round, sign_offs, request)
        return render_parts_round(request, round, status=status, lifecycle_forms=forms, **extra)
    roles = getattr(request, "council_roles", None)
    page = round_page_build(round=round, user=request.user, roles=roles)
    # A locked return shows its frozen record (and says so if live data has moved since).
    frozen = round_page_as_recorded(page, with_changes="whether")
    nav = round_urls(round)
    attach_urls(page, round)
    context = {
        "page": page,
        "frozen": frozen,
        "round": round,
        "council": round.agreement.council,
        "nav": nav,
        "gaps": page.gaps,
        "sign_offs": page.sign_offs,
        **_lifecycle_forms(round, page.sign_offs, request),
        **extra,
    }
    return render(request, "reports/round_detail.html", context, status=status)


def _lifecycle_forms(round, sign_offs, request=None) -> dict:
    # A lifecycle form posted after the user's session ended comes back filled in, unsaved.
    kept = {}
    if request is not None and request.method == "GET":
        for name in ("round_submit", "round_reopen", "round_sign_off"):
            kept[name] = restored_data(request, f"reports:{name}")
    return {
        "submission_form": SubmissionForm(
            kept.get("round_submit"), round=round, auto_id="submit-%s"
        ),
        "reopen_form": ReopenForm(kept.get("round_reopen"), auto_id="reopen-%s"),
        "sign_off_form": sign_off_form(sign_offs, kept.get("round_sign_off")),
    }


def sign_off_form(sign_offs, data=None) -> SignOffForm:
    """The declaration for the capacity the user would sign in (their first still open)."""
    capacity = sign_offs.capacities_open[0] if sign_offs.capacities_open else None
    return SignOffForm(data, capacity=capacity, auto_id="sign-off-%s")


@login_required
@require_GET
def round_detail(request, slug, fy, n, kind=SAFETY_VALVE):
    """The return: overview, headlines, conditions, risks, workstreams and its lifecycle."""
    return render_round(request, round_for_request(request, slug, fy, n, kind=kind))


@login_required
@require_GET
def round_status(request, slug, fy, n, kind=SAFETY_VALVE):
    """The completeness and sign-off panel, refreshed after every section save."""
    round = round_for_request(request, slug, fy, n, kind=kind)
    sign_offs = sign_off_state(round=round, user=request.user)
    context = {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "gaps": round_gaps(round),
        "sign_offs": sign_offs,
        **_lifecycle_forms(round, sign_offs),
    }
    template = "reports/round_detail.html"
    if request.htmx:
        template += "#round-status"
    elif not round.is_safety_valve:
        return render_round(request, round)
    return render(request, template, context)


@login_required
@require_GET
def round_changes_view(request, slug, fy, n, kind=SAFETY_VALVE):
    """What changed in each section since the previous update, and, for a frozen return,
    what live data has changed since it was frozen."""
    round = round_for_request(request, slug, fy, n, kind=kind)
    if not round.is_safety_valve:
        return parts_round_changes(request, round)
    page = round_page_build(round=round, user=request.user)
    # Compared as frozen, with what live data has changed since listed first.
    frozen = round_page_as_recorded(page)
    context = {
        "round": round,
        "council": round.agreement.council,
        "page": page,
        "frozen": frozen,
        "groups": round_changes(page),
        "nav": round_urls(round),
    }
    return render(
        request, partial_template(request, "reports/round_changes.html", "changes"), context
    )


@login_required
@require_GET
def section_history_view(request, slug, fy, n, section, pk, kind=SAFETY_VALVE):
    """Every recorded change to one section of the return: who, when, before and after."""
    round = round_for_request(request, slug, fy, n, kind=kind)
    if section not in HISTORY_SECTIONS:
        raise Http404("No such section.")
    found_in = HISTORY_SECTIONS[section].found_in
    back = None
    if found_in is not None:
        # A DSG plan's text, governance or workstream log: the round read as the user may
        # (round_for_request), its section found within it, and the task page showing it.
        found = found_in(round, pk)
        title, back = found or (None, None)
    elif section in ("condition", "risk", "workstream"):
        kind = RATED_KINDS[section]
        found = section_for_user(
            user=request.user, round=round, kind=kind, pk=pk, action=Action.VIEW
        )
        title = found and kind.title(found)
    elif section == "milestone":
        found = milestone_for_user(user=request.user, round=round, pk=pk, action=Action.VIEW)
        title = found and f"Milestone: {found.title}"
        # Its history in this return is that of the round's record of it (none until saved).
        history_pk = found.round_record_pk if found is not None else None
    else:
        found = overview_for_user(user=request.user, round=round, action=Action.VIEW)
        found = found if found is not None and found.pk == pk else None
        title = "Overview" if section == "overview" else Headline.Kind(section).label
    if found is None:
        raise Http404("No such section in this return.")
    if section != "milestone":
        history_pk = pk
    context = {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "title": title,
        "back": back or f"{round_urls(round)['round']}#{_anchor_for(section, pk)}",
        "entries": (
            section_history(user=request.user, section=section, object_id=history_pk)
            if history_pk is not None
            else []
        ),
    }
    return render(
        request, partial_template(request, "reports/section_history.html", "history"), context
    )


def _anchor_for(section: str, pk: int) -> str:
    if section == "overview":
        return "overview"
    if section in ("driver", "barrier", "engagement"):
        return f"headlines-{section}"
    return f"{section}-{pk}"
