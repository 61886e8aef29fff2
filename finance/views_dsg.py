"""The DSG management plan's financial summary as a grid: one block and scenario at a time, a
column per financial year, a row per line, typed in the council's unit and kept in pounds; one
form, saved all or none with each figure's version checked (finance.services_dsg)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from finance.models import ForecastReview
from finance.models_dsg import DsgBlock, DsgScenario
from finance.selectors_dsg import dsg_grid_build
from finance.services import finance_forecast_confirm
from finance.services_dsg import DsgRefused, dsg_plan_grid_save
from svmonitor.access import council_action_required
from svmonitor.choices import RoundOrigin, RoundStatus
from svmonitor.models import ReportingRound
from svmonitor.roles import Action
from svmonitor.section_views import round_for_request
from svmonitor.sections import DSG_PLAN

TEMPLATE = "finance/dsg_plan_grid.html"


def dsg_grid_url(council, block: str, scenario: str) -> str:
    """The grid of one block and scenario."""
    url = reverse("finance:dsg_plan_grid", args=[council.slug])
    return f"{url}?{urlencode({'block': block, 'scenario': scenario})}"


@council_action_required(Action.EDIT_FINANCE)
@require_http_methods(["GET", "POST"])
def dsg_plan_grid(request, slug):
    """One block's figures of one scenario in one form; a POST saves them all or none."""
    council = request.council
    block = request.GET.get("block") or DsgBlock.HIGH_NEEDS
    scenario = request.GET.get("scenario") or DsgScenario.MITIGATED
    if block not in DsgBlock.values or scenario not in DsgScenario.values:
        raise Http404("No such block or scenario.")
    grid = dsg_grid_build(council=council, block=block, scenario=scenario)
    if grid.agreement is None:
        raise Http404("This council has no plan.")
    context = {"council": council, "errors": [], "draft": _plan_draft(council)}
    if request.method == "POST":
        cells, versions, posted = {}, {}, {"versions": {}}
        where = {}
        for row in grid.rows:
            for year, cell in zip(grid.years, row.cells, strict=True):
                posted[cell.name] = cells[(row.line_name, year)] = request.POST.get(cell.name, "")[
                    :40
                ]
                try:
                    versions[(row.line_name, year)] = int(request.POST.get(f"v-{cell.name}", "0"))
                except ValueError:
                    versions[(row.line_name, year)] = -1
                posted["versions"][cell.name] = versions[(row.line_name, year)]
                where[(row.line_name, year)] = cell.name
        new_name = request.POST.get("new-name", "").strip()[:200]
        posted["new-name"] = new_name
        new_typed = {}
        for year in grid.years:
            posted[f"new-y{year}"] = new_typed[year] = request.POST.get(f"new-y{year}", "")[:40]
        existing = {row.line_name.casefold() for row in grid.rows}
        if new_name and new_name.casefold() not in existing:
            for year, typed in new_typed.items():
                cells[(new_name, year)] = typed
                where[(new_name, year)] = f"new-y{year}"
        try:
            if not new_name and any(typed.strip() for typed in new_typed.values()):
                raise ValidationError("Name the new line, or clear its figures.")
            if new_name.casefold() in {row.line_name.casefold() for row in grid.rows}:
                raise ValidationError(
                    f"{grid.block_label} already has a line called {new_name}: type its "
                    "figures in its row."
                )
            changed = dsg_plan_grid_save(
                agreement=grid.agreement,
                block=block,
                scenario=scenario,
                cells=cells,
                versions=versions,
                unit=council.finance_entry_unit,
                by=request.user,
            )
        except DsgRefused as refused:
            for (_b, _s, name, year), version in refused.versions.items():
                if (name, year) in where:
                    posted["versions"][where[(name, year)]] = version
            grid = dsg_grid_build(council=council, block=block, scenario=scenario, posted=posted)
            context["errors"] = _errors_on(grid, refused.problems, where)
        except ValidationError as error:
            grid = dsg_grid_build(council=council, block=block, scenario=scenario, posted=posted)
            context["errors"] = [("", message) for message in error.messages]
        else:
            noun = "figure" if changed == 1 else "figures"
            messages.success(
                request, f"{grid.block_label}, {grid.scenario_label}: {changed} {noun} saved."
            )
            return redirect(dsg_grid_url(council, block, scenario))
    context.update(grid=grid, blocks=DsgBlock.choices, scenarios=DsgScenario.choices)
    return render(request, TEMPLATE, context)


def _errors_on(grid, problems: dict, where: dict) -> list[tuple[str, str]]:
    """Each refused box's message on the box, and all of them in the summary, in grid order."""
    cells = {cell.name: cell for row in [*grid.rows, grid.new_row] for cell in row.cells}
    summary = []
    for (_block, _scenario, name, year), message in problems.items():
        cell = cells.get(where.get((name, year), ""))
        if cell is not None:
            cell.error = message
            summary.append((cell.input_id, message))
        else:
            summary.append(("", message))
    return summary


def _plan_draft(council):
    """The council's draft DSG plan return, if it has one, with its financial summary's review."""
    draft = (
        ReportingRound.objects.dsg_plan()
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
@require_POST
def dsg_plan_confirm(request, slug, fy, n):
    """Confirm in one action that the financial summary is unchanged for a draft DSG plan
    return ("No change this term")."""
    round = round_for_request(request, slug, fy, n, Action.EDIT_FINANCE, kind=DSG_PLAN)
    try:
        finance_forecast_confirm(round=round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Financial summary confirmed unchanged for {round.label}.")
    block = request.POST.get("block")
    scenario = request.POST.get("scenario")
    if block not in DsgBlock.values or scenario not in DsgScenario.values:
        block, scenario = DsgBlock.HIGH_NEEDS, DsgScenario.MITIGATED
    return redirect(dsg_grid_url(request.council, block, scenario))
