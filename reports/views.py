"""Dashboard views: the council list, one council's dashboard, and the DfE portfolio."""

import uuid
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import HttpResponse
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import ExtendsNode
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from reports.selectors import (
    PORTFOLIO_SORTS,
    council_list_for_user,
    dashboard_page,
    portfolio_rows,
)
from reports.snapshot import (
    RoundInfo,
    round_key,
    round_key_parse,
    round_list_for_council,
    round_pick,
)
from reports.snapshot.record import round_record_compared
from svmonitor.access import council_for_user
from svmonitor.dataversion import request_data_version
from svmonitor.roles import Action

DASHBOARD = "reports/council_dashboard.html"
DASHBOARD_PAGE = "reports/council_dashboard_page.html"
BODY_CACHE = "dashboard"
# Where the page template puts the body; the cached bytes go in its place.
_BODY_MARK = mark_safe(f"<!--dashboard-body-{uuid.uuid4().hex}-->")  # noqa: S308 - a constant


@login_required
@require_GET
def council_list(request):
    """The councils the user may see."""
    return render(
        request, "reports/council_list.html", {"councils": council_list_for_user(user=request.user)}
    )


@dataclass(frozen=True)
class _Head:
    """What the page around the cached body reads of the snapshot: {{ snap.round.label }}."""

    round: RoundInfo


@dataclass(frozen=True)
class _RoundLink:
    """A round as the page around the body reads it (the council navigation's draft link)."""

    id: int
    fy: str
    update_number: int
    label: str
    status: str


@login_required
@require_GET
def council_dashboard(request, slug):
    """One council's dashboard at its latest round, or the round named by ?round=2024-25/3.

    The access check runs on every request. The content block, which holds nothing of the user
    (it is rendered without the request), is kept per council, round and council-data version
    (svmonitor.dataversion), so it is rebuilt only after the data changed.
    """
    council = council_for_user(request, slug, Action.VIEW)
    asked = request.GET.get("round", "").strip()
    wanted, version = _round_wanted(asked), request_data_version(request)
    key = f"body:{council.pk}:{wanted}:{version}" if wanted and version else None
    shown = caches[BODY_CACHE].get(key) if key else None
    if shown is None:
        round_info, rounds, body, error = _dashboard_body(council, asked)
        # Kept as UTF-8: a national-scale body is ~4 MB, and decoding and encoding it again on
        # every request would cost more than the rest of the page.
        shown = (round_info, rounds, body.encode())
        # A round the council does not have is answered but not kept: keys stay bounded.
        if key and not error:
            caches[BODY_CACHE].set(key, shown)
    round_info, rounds, body = shown
    context = {
        "council": council,
        "snap": _Head(round_info) if round_info else None,
        "rounds": rounds,
        "body": _BODY_MARK,
    }
    page = render_to_string(DASHBOARD_PAGE, context, request)
    head, tail = (part.encode() for part in page.split(_BODY_MARK))
    # Written as three chunks with their length given, so nothing joins (copies) the body.
    response = HttpResponse(head)
    response.write(body)
    response.write(tail)
    response["Content-Length"] = str(len(head) + len(body) + len(tail))
    return response


def _round_wanted(asked: str) -> str | None:
    """The cache's name for the round asked for: "latest", "2024-25/3", or None if malformed."""
    if not asked:
        return "latest"
    try:
        return round_key(*round_key_parse(asked))
    except ValueError:
        return None


def _dashboard_body(
    council, asked: str
) -> tuple[RoundInfo | None, tuple[_RoundLink, ...], str, str]:
    """Build the snapshot and render the content block: (round, rounds, HTML, round error)."""
    rounds = round_list_for_council(council=council)
    round_error = ""
    try:
        chosen = round_pick(rounds=rounds, key=asked or None)
    except ValueError as error:
        # A bad or unknown round shows the latest one, saying what was wrong with the choice.
        round_error = f"Round: {error}. Showing the latest round instead."
        chosen = round_pick(rounds=rounds)
    # A locked round shows its frozen record, and says so in one line if live data has moved
    # since (a live build, paid only when the body is rebuilt: the data version moves then).
    record, changes = round_record_compared(chosen) if chosen else (None, [])
    page = dashboard_page(record.snapshot) if record else None
    changed = bool(changes)
    context = {
        "council": council,
        "page": page,
        "snap": page.snapshot if page else None,
        "rounds": rounds,
        "round_error": round_error,
        "chosen_key": page.snapshot.round.key if page else "",
        "frozen_changed": changed,
        "frozen_at": record.frozen_at if record else None,
        "changes_url": _changes_url(chosen) if changed else "",
    }
    body = _render_block(DASHBOARD, "content", context)
    links = tuple(_RoundLink(r.pk, r.fy, r.update_number, r.label, r.status) for r in rounds)
    return (page.snapshot.round if page else None), links, body, round_error


def _changes_url(round) -> str:
    """The round's changes page, at the list of what moved since it was frozen."""
    args = [round.agreement.council.slug, round.fy, round.update_number]
    return reverse("reports:round_changes", args=args) + "#since-frozen"


def _render_block(template_name: str, block: str, context: dict) -> str:
    """One block of a template that extends another, rendered alone and without the request.

    Why: the dashboard's content block is nearly all of the page's cost and none of it depends
    on who asks; the page around it (the user's name, the CSRF token) is rendered afresh each
    time from reports/council_dashboard_page.html, which fills the block with this HTML.
    """
    template = get_template(template_name).template
    node = template.nodelist.get_nodes_by_type(ExtendsNode)[0].blocks[block]
    plain = Context(context)
    with plain.render_context.push_state(template), plain.bind_template(template):
        return node.nodelist.render(plain)


@login_required
@require_GET
def portfolio(request):
    """One row per council the user may see, at its latest submitted round; sortable."""
    sort = request.GET.get("sort", "name")
    if sort not in PORTFOLIO_SORTS:
        sort = "name"
    context = {"rows": portfolio_rows(user=request.user, sort=sort), "sort": sort}
    return render(request, "reports/portfolio.html", context)
