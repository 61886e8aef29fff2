"""Dashboard views: the council list, one council's dashboard, and the DfE portfolio."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reports.selectors import (
    PORTFOLIO_SORTS,
    council_list_for_user,
    dashboard_page,
    portfolio_rows,
)
from reports.snapshot import round_list_for_council, round_pick, round_snapshot_build
from svmonitor.access import council_for_user
from svmonitor.roles import Action


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
    """One council's dashboard at its latest round, or the round named by ?round=2024-25/3."""
    council = council_for_user(request, slug, Action.VIEW)
    rounds = round_list_for_council(council=council)
    key = request.GET.get("round", "").strip()
    round_error = ""
    try:
        chosen = round_pick(rounds=rounds, key=key or None)
    except ValueError as error:
        # A bad or unknown round shows the latest one, saying what was wrong with the choice.
        round_error = f"Round: {error}. Showing the latest round instead."
        chosen = round_pick(rounds=rounds)
    page = dashboard_page(round_snapshot_build(chosen)) if chosen else None
    context = {
        "council": council,
        "page": page,
        "snap": page.snapshot if page else None,
        "rounds": rounds,
        "round_error": round_error,
        "chosen_key": page.snapshot.round.key if page else "",
    }
    return render(request, "reports/council_dashboard.html", context)


@login_required
@require_GET
def portfolio(request):
    """One row per council the user may see, at its latest submitted round; sortable."""
    sort = request.GET.get("sort", "name")
    if sort not in PORTFOLIO_SORTS:
        sort = "name"
    context = {"rows": portfolio_rows(user=request.user, sort=sort), "sort": sort}
    return render(request, "reports/portfolio.html", context)
