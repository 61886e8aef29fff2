"""Sections of a return beyond the rated ones, edited in place: milestones, the overview
(on-track answers, adviser request, overall assurance) and the headline lists."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from overview.forms import HeadlinesForm, OverviewForm
from overview.models import Headline
from overview.selectors import (
    headline_list,
    headline_texts,
    overview_for_user,
    previous_overview_for,
)
from overview.services import (
    OVERVIEW_FIELDS,
    headlines_fingerprint,
    headlines_save,
    round_overview_save,
)
from svmonitor.history import last_saved_by, theirs_fields
from svmonitor.roles import Action
from svmonitor.section_rows import rag_badge, rag_labels
from svmonitor.section_views import (
    edit_form_submit,
    history_url,
    locked_response,
    partial_template,
    round_for_request,
    round_urls,
    row_renderer,
    saved_response,
    section_urls,
    shown_response,
)

OVERVIEW_TEMPLATE = "overview/overview_edit.html"


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


def _overview_row(request, round, overview):
    context = partial(_overview_context, round, overview)
    return row_renderer(request, f"{OVERVIEW_TEMPLATE}#overview-row", context)


@login_required
@require_GET
def overview_show(request, slug, fy, n):
    """The overview as shown on the round page."""
    round = round_for_request(request, slug, fy, n)
    overview = _overview(request, round, Action.VIEW)
    return shown_response(request, round, "overview", _overview_row(request, round, overview))


@login_required
@require_http_methods(["GET", "POST"])
def overview_edit(request, slug, fy, n):
    """Edit the on-track answers, adviser request and overall assurance in place."""
    round = round_for_request(request, slug, fy, n, Action.EDIT)
    overview = _overview(request, round, Action.EDIT)
    row_response = _overview_row(request, round, overview)
    if round.is_locked:
        return locked_response(request, round, "overview", row_response)

    def save(data):
        values = {name: data[name] for name in OVERVIEW_FIELDS}
        round_overview_save(
            overview=overview, expected_version=data["version"], by=request.user, **values
        )

    edit = edit_form_submit(
        request,
        OverviewForm,
        anchor="overview",
        initial=lambda: {name: getattr(overview, name) for name in (*OVERVIEW_FIELDS, "version")},
        save=save,
        theirs=lambda stale: theirs_fields("overview", overview.pk, stale),
        council=round.agreement.council,
    )
    if edit.saved:
        return saved_response(request, round, "overview", row_response)
    context = _overview_context(
        round, overview, form=edit.form, conflict=edit.conflict, inline=bool(request.htmx)
    )
    return render(request, partial_template(request, OVERVIEW_TEMPLATE, "overview-form"), context)


HEADLINES_TEMPLATE = "overview/headlines_edit.html"


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


def _headlines_row(request, round, overview, kind):
    context = partial(_headlines_context, round, overview, kind)
    return row_renderer(request, f"{HEADLINES_TEMPLATE}#headlines-row", context)


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
    return shown_response(
        request, round, f"headlines-{kind}", _headlines_row(request, round, overview, kind)
    )


@login_required
@require_http_methods(["GET", "POST"])
def headlines_edit(request, slug, fy, n, kind):
    """Edit one list of headlines (at most three) in place."""
    round = round_for_request(request, slug, fy, n, Action.EDIT)
    overview = _overview(request, round, Action.EDIT)
    kind = _kind(kind)
    anchor = f"headlines-{kind}"
    row_response = _headlines_row(request, round, overview, kind)
    if round.is_locked:
        return locked_response(request, round, anchor, row_response)

    def initial():
        texts = headline_texts(overview=overview, kind=kind)
        return {"texts": texts, "seen": headlines_fingerprint(texts)}

    def save(data):
        headlines_save(
            overview=overview, kind=kind, texts=data["texts"], seen=data["seen"], by=request.user
        )

    def theirs(stale):
        who, when = last_saved_by(section=kind, object_id=overview.pk)
        return {"texts": stale.current["texts"], "who": who, "when": when}

    edit = edit_form_submit(
        request,
        HeadlinesForm,
        anchor=anchor,
        initial=initial,
        save=save,
        theirs=theirs,
        version_field="seen",
    )
    if edit.saved:
        return saved_response(request, round, anchor, row_response)
    context = _headlines_context(
        round,
        overview,
        kind,
        form=edit.form,
        conflict=edit.conflict,
        inline=bool(request.htmx),
        # The boxes are drawn by the template, which puts autofocus on the first.
        focus=bool(request.htmx),
    )
    return render(request, partial_template(request, HEADLINES_TEMPLATE, "headlines-form"), context)
