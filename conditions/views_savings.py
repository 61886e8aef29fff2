"""Forecast savings by workstream as one grid (issue 18.3): a row per workstream, a column per
financial year, typed in the council's unit (£000 or £m) and kept in pounds; one form, saved all
or none with each box's version checked (conditions.services.workstream_savings_save)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from conditions.selectors import savings_grid_build
from conditions.services import SavingsRefused, workstream_savings_save
from svmonitor.access import council_action_required
from svmonitor.fy import fy_label
from svmonitor.roles import Action
from svmonitor.section_views import next_url

TEMPLATE = "conditions/savings_grid.html"


@council_action_required(Action.EDIT_FINANCE)
@require_http_methods(["GET", "POST"])
def savings_grid(request, slug):
    """Every workstream's expected saving by year in one form; a POST saves all or none."""
    council = request.council
    grid = savings_grid_build(council=council)
    if grid.agreement is None:
        raise Http404("This council has no agreement.")
    context = {"council": council, "errors": []}
    if request.method == "POST":
        cells, versions, posted = {}, {}, {"versions": {}}
        for row in grid.rows:
            for cell in row.cells:
                key = (cell.workstream_id, cell.financial_year)
                posted[cell.name] = cells[key] = request.POST.get(cell.name, "")[:40]
                try:
                    versions[key] = int(request.POST.get(f"v-{cell.name}", "0"))
                except ValueError:
                    versions[key] = -1
                posted["versions"][cell.name] = versions[key]
        try:
            changed = workstream_savings_save(
                council=council,
                cells=cells,
                versions=versions,
                unit=council.finance_entry_unit,
                by=request.user,
            )
        except SavingsRefused as refused:
            for (workstream_id, year), version in refused.versions.items():
                posted["versions"][f"s{workstream_id}-{year}"] = version
            grid = savings_grid_build(council=council, posted=posted)
            _errors_on(grid, refused.problems, context)
        except ValidationError as error:
            grid = savings_grid_build(council=council, posted=posted)
            context["errors"] = [("", message) for message in error.messages]
        else:
            noun = "saving" if changed == 1 else "savings"
            messages.success(request, f"Forecast savings: {changed} {noun} changed.")
            # Opened from the DSG plan's workstream log (?next=), back there.
            return redirect(
                next_url(request) or reverse("conditions:savings_grid", args=[council.slug])
            )
    context["grid"] = grid
    return render(request, TEMPLATE, context)


def _errors_on(grid, problems: dict, context) -> None:
    """Each refused box's message on the box, and all of them in the summary, in grid order:
    the workstream (row) and the year (column) named in each."""
    summary = []
    for row in grid.rows:
        for cell in row.cells:
            message = problems.get((cell.workstream_id, cell.financial_year))
            if message:
                cell.error = f"{row.label}, {fy_label(cell.financial_year)}: {message}"
                summary.append((cell.input_id, cell.error))
    context["errors"] = summary
