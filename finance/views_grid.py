"""The finance forecast as one grid: a column per financial year, a row per line, typed in the
council's unit (£000 or £m, LocalAuthority.finance_entry_unit) and kept in pounds; one form,
saved all or none with each year's version checked. And the one action that confirms the
forecast unchanged for a draft return."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from finance.models import FinanceLine, ForecastReview
from finance.selectors import FINANCE_ROWS, forecast_grid_build
from finance.services import ForecastRefused, finance_forecast_confirm, finance_forecast_save
from svmonitor.access import council_action_required
from svmonitor.choices import RoundOrigin, RoundStatus
from svmonitor.fy import fy_label
from svmonitor.models import ReportingRound
from svmonitor.roles import Action
from svmonitor.section_views import round_for_request

TEMPLATE = "finance/forecast_grid.html"
FIELDS = [name for name, _label, _hint in FINANCE_ROWS] + ["reflects"]


def grid_url(council, scenario: str = FinanceLine.Scenario.LATEST) -> str:
    """The grid of one scenario."""
    url = reverse("finance:forecast_grid", args=[council.slug])
    return f"{url}?{urlencode({'scenario': scenario})}"


def _draft(council):
    """The council's draft return (kept in svmonitor), if it has one, with its review."""
    draft = (
        ReportingRound.objects.safety_valve()
        .filter(
            agreement__council=council,
            status=RoundStatus.DRAFT,
            origin=RoundOrigin.RECORDED_HERE,
        )
        .order_by("-financial_year", "-update_number")
        .first()
    )
    if draft is not None:
        draft.review = (
            ForecastReview.objects.filter(round=draft).select_related("reviewed_by").first()
        )
    return draft


@council_action_required(Action.EDIT_FINANCE)
@require_http_methods(["GET", "POST"])
def forecast_grid(request, slug):
    """Every year's figures of one scenario in one form; a POST saves them all or none."""
    council = request.council
    scenario = request.GET.get("scenario") or FinanceLine.Scenario.LATEST
    if scenario not in FinanceLine.Scenario.values:
        raise Http404("No such scenario.")
    grid = forecast_grid_build(council=council, scenario=scenario)
    if grid.agreement is None:
        raise Http404("This council has no agreement.")
    context = {"council": council, "errors": [], "draft": _draft(council)}
    if request.method == "POST":
        years, versions, posted = {}, {}, {"versions": {}}
        for year in grid.years:
            y = year.financial_year
            years[y] = {}
            for name in FIELDS:
                key = f"y{y}-{name}"
                posted[key] = request.POST.get(key, "")[:120]
                years[y][name] = posted[key]
            try:
                versions[y] = int(request.POST.get(f"v{y}", "0"))
            except ValueError:
                versions[y] = -1
            posted["versions"][y] = versions[y]
        try:
            changed = finance_forecast_save(
                agreement=grid.agreement,
                scenario=scenario,
                years=years,
                versions=versions,
                unit=council.finance_entry_unit,
                by=request.user,
            )
        except ForecastRefused as refused:
            posted["versions"].update(refused.versions)
            grid = forecast_grid_build(council=council, scenario=scenario, posted=posted)
            _errors_on(grid, refused.problems, context)
        except ValidationError as error:
            grid = forecast_grid_build(council=council, scenario=scenario, posted=posted)
            context["errors"] = [("", message) for message in error.messages]
        else:
            noun = "year" if changed == 1 else "years"
            messages.success(request, f"{grid.scenario_label}: {changed} {noun} saved.")
            return redirect(grid_url(council, scenario))
    context.update(grid=grid, scenarios=FinanceLine.Scenario.choices)
    return render(request, TEMPLATE, context)


def _errors_on(grid, problems: dict, context) -> None:
    """Each refused cell's message on its box, and all of them in the summary, in grid order."""
    by_year = {year.financial_year: year for year in grid.years}
    for (year, name), message in problems.items():
        if name is None and year in by_year:
            by_year[year].error = message
    cells = {cell.name: cell for row in grid.rows for cell in row.cells}
    for (year, name), message in problems.items():
        cell = cells.get(f"y{year}-{name}") if name else None
        if cell is not None:
            cell.error = f"{fy_label(year)}: {message}"
    summary = [(f"grid-year-{y.financial_year}", y.error) for y in grid.years if y.error]
    summary += [
        (cell.input_id, cell.error) for row in grid.rows for cell in row.cells if cell.error
    ]
    context["errors"] = summary


@council_action_required(Action.EDIT_FINANCE)
@require_POST
def forecast_confirm(request, slug, fy, n):
    """Confirm in one action that the forecast is unchanged for a draft return."""
    round = round_for_request(request, slug, fy, n, Action.EDIT_FINANCE)
    try:
        finance_forecast_confirm(round=round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Finance forecast confirmed unchanged for {round.label}.")
    scenario = request.POST.get("scenario")
    if scenario not in FinanceLine.Scenario.values:
        scenario = FinanceLine.Scenario.LATEST
    return redirect(grid_url(request.council, scenario))
