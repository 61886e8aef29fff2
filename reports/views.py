"""Dashboard views: the council list, one council's dashboard, and the DfE portfolio."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from reports.plan_panel import plan_panel
from reports.portfolio import PORTFOLIO_SORTS, portfolio_rows
from reports.portfolio_html import portfolio_rows_html
from reports.selectors import council_list_for_user, dashboard_page, measure_block
from reports.snapshot import round_list_for_council, round_pick
from reports.snapshot.build import round_building_extras
from reports.snapshot.measures import window_start
from reports.snapshot.record import round_record, round_record_changed
from reports.snapshot.scope import SUMMARY, MeasureScope
from reports.stock_flow import stock_flow_block
from svmonitor.access import council_for_user
from svmonitor.roles import Action

DASHBOARD = "reports/council_dashboard.html"
DASHBOARD_PART = "reports/council_dashboard_part.html"


@login_required
@require_GET
def council_list(request):
    """The councils the user may see."""
    return render(
        request, "reports/council_list.html", {"councils": council_list_for_user(user=request.user)}
    )


@login_required
@require_GET
def council_dashboard(request, slug):
    """One council's dashboard at its latest round, or the round named by ?round=2024-25/3: the
    summary page (overall RAG, headline figures, conditions, workstreams, risks, finance), with
    a page for each condition's key measures, programme area and other measures
    (council_dashboard_part), as the board's Power BI report had.

    Nothing is kept between requests: every view reads the data as it is, and only the figures
    the page shows (reports.snapshot.scope). A locked round says in one line whether live data
    moved since it was frozen (round_record_changed: a live build only after the council's
    data changed).
    """
    return _dashboard(request, slug, SUMMARY)


@login_required
@require_GET
def council_dashboard_part(request, slug, part):
    """One page of a council's dashboard after its summary: a condition's key measures
    ("condition-<id>"), a programme area with its workstreams and key measures ("area-<id>"),
    or other measures ("other"). The charts and their tables run from the financial year
    before the round's (reports.snapshot.measures.window_start); each measure's full history
    is one link away (council_measure)."""
    if part == SUMMARY:
        raise Http404("No such page of the dashboard.")
    return _dashboard(request, slug, part)


def _dashboard(request, slug, part: str):
    council = council_for_user(request, slug, Action.VIEW)
    asked = request.GET.get("round", "").strip()
    rounds, chosen, round_error = _round_chosen(request, council, asked)
    if chosen is None and part != SUMMARY:
        raise Http404("This council has no reporting rounds yet.")
    since = window_start(chosen.financial_year) if chosen else None
    record = round_record(chosen, since=since, scope=MeasureScope(part)) if chosen else None
    page = dashboard_page(record.snapshot, "" if part == SUMMARY else part) if record else None
    if part != SUMMARY and page.current is None:
        raise Http404("No such page of the dashboard for this round.")
    changed = round_record_changed(record) if record else False
    links = _dashboard_links(council, page, part) if page else []
    at = next((i for i, link in enumerate(links) if link.current), 0)
    context = {
        "council": council,
        "page": page,
        "dashboard_links": links,
        "dashboard_previous": links[at - 1] if at > 0 else None,
        "dashboard_next": links[at + 1] if at + 1 < len(links) else None,
        "part_heading": links[at].heading if links else "",
        "snap": page.snapshot if page else None,
        "rounds": rounds,
        "round_error": round_error,
        "chosen_key": page.snapshot.round.key if page else "",
        "window_from": since,
        "frozen_changed": changed,
        "frozen_at": record.frozen_at if record else None,
        "changes_url": _changes_url(chosen) if changed else "",
        # Issue 18.1: the summary's EHCP stock and flow section, from the record (no query).
        "stock_flow": stock_flow_block(record.snapshot) if record and part == SUMMARY else None,
        # Issue 19: the council's DSG plan as last presented (none for a council without one).
        "plan": plan_panel(council, request.council_actions) if part == SUMMARY else None,
    }
    return render(request, DASHBOARD if part == SUMMARY else DASHBOARD_PART, context)


@dataclass(frozen=True)
class DashboardLink:
    """A link to one page of the dashboard, at the round shown."""

    url: str
    heading: str
    current: bool


def _dashboard_links(council, page, part: str) -> list[DashboardLink]:
    """The summary, then each page after it, each at the round shown (?round=)."""
    query = "?" + urlencode({"round": page.snapshot.round.key}, safe="/")
    summary = reverse("reports:council_dashboard", args=[council.slug]) + query
    links = [DashboardLink(summary, "Summary", part == SUMMARY)]
    for p in page.parts:
        url = reverse("reports:council_dashboard_part", args=[council.slug, p.slug]) + query
        links.append(DashboardLink(url, p.heading, p.slug == part))
    return links


def _round_chosen(request, council, asked: str):
    """The council's rounds the user may read, the one asked for (else the latest), and what
    was wrong with it. A DfE adviser's latest is the latest submitted (issue 15.7)."""
    rounds = round_list_for_council(council=council, actions=request.council_actions)
    try:
        chosen, message = round_pick(rounds=rounds, key=asked or None), ""
    except ValueError as error:
        # A bad or unknown round shows the latest one, saying what was wrong with the choice.
        message = f"Round: {error}. Showing the latest round instead."
        chosen = round_pick(rounds=rounds)
    # What the snapshot reads of the round, for this one round only (one short query).
    return rounds, round_building_extras(chosen) if chosen else None, message


@login_required
@require_GET
def council_measure(request, slug, code):
    """One key measure's full history at a round (?round=2024-25/3, else the latest): its
    chart and every figure as tables, as the dashboard shows its window."""
    council = council_for_user(request, slug, Action.VIEW)
    rounds, chosen, round_error = _round_chosen(
        request, council, request.GET.get("round", "").strip()
    )
    if chosen is None:
        raise Http404("This council has no reporting rounds yet.")
    snapshot = round_record(chosen).snapshot
    measure = next((m for m in snapshot.measures if m.code == code), None)
    if measure is None:
        raise Http404("No such key measure in this round.")
    block = measure_block(measure)
    context = {
        "council": council,
        "snap": snapshot,
        "mb": block,
        "rounds": rounds,
        "round_error": round_error,
        "dashboard_url": reverse("reports:council_dashboard", args=[council.slug])
        + f"?round={snapshot.round.key}",
    }
    return render(request, "reports/measure.html", context)


def _changes_url(round) -> str:
    """The round's changes page, at the list of what moved since it was frozen."""
    args = [round.agreement.council.slug, round.fy, round.update_number]
    return reverse("reports:round_changes", args=args) + "#since-frozen"


@login_required
@require_GET
def portfolio(request):
    """One row per council the user may see, at its latest submitted round; sortable."""
    sort = request.GET.get("sort", "name")
    if sort not in PORTFOLIO_SORTS:
        sort = "name"
    rows = portfolio_rows(user=request.user, sort=sort)
    context = {"rows": rows, "rows_html": portfolio_rows_html(rows), "sort": sort}
    return render(request, "reports/portfolio.html", context)
