"""The DSG plan's children and young people tables in the browser (every census year, then one
year's grid by age group or by need, saved all or none with each box's version checked), the
EHCP comparators from DfE's published figures, and the council's statistical neighbours."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from metrics.models import CypYear
from metrics.selectors_cyp import (
    AGE,
    NEED,
    TABLES,
    census_label,
    cyp_column_build,
    cyp_lists,
    cyp_overview,
    cyp_table_build,
    ehcp_comparators,
    neighbours_fingerprint,
    sen2_areas,
    statistical_neighbours_of,
)
from metrics.services_cyp import (
    BASIS_KEY,
    FIRST_CENSUS,
    LAST_CENSUS,
    CypRefused,
    cyp_column_save,
    cyp_table_save,
    statistical_neighbours_set,
)
from svmonitor.access import council_for_user
from svmonitor.roles import Action


@login_required
@require_GET
def cyp_tables(request, slug):
    """Every census year of the council's CYP tables: each placement's total by age group and
    by primary need, the check between them, and a way into each year's grids."""
    council = council_for_user(request, slug, Action.VIEW)
    lists = cyp_lists()
    overview = cyp_overview(council=council, lists=lists)
    errors = []
    asked = request.GET.get("year", "").strip()
    if asked:
        if asked.isdigit() and FIRST_CENSUS <= int(asked) <= LAST_CENSUS:
            return redirect(reverse("metrics:cyp_grid", args=[council.slug, int(asked), AGE]))
        errors.append(("cyp-year", f"Enter a census year from {FIRST_CENSUS} to {LAST_CENSUS}."))
    context = {
        "council": council,
        "overview": overview,
        "age_groups": lists.age_groups,
        "needs": lists.needs,
        "errors": errors,
        "asked": asked,
        "can_edit": Action.EDIT in request.council_actions,
        "next_year": (overview.years[-1].census_year + 1) if overview.years else "",
    }
    return render(request, "metrics/cyp_tables.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cyp_grid(request, slug, year, table):
    """One census year's table by age group or by primary need; a POST saves it all or none."""
    action = Action.EDIT if request.method == "POST" else Action.VIEW
    council = council_for_user(request, slug, action)
    year = int(year)
    if table not in TABLES or not FIRST_CENSUS <= year <= LAST_CENSUS:
        raise Http404("No such table.")
    lists = cyp_lists()
    context = {
        "council": council,
        "errors": [],
        "can_edit": Action.EDIT in request.council_actions,
        "other_table": NEED if table == AGE else AGE,
        "table_label": TABLES[table],
        "other_label": TABLES[NEED if table == AGE else AGE],
        "year_label": census_label(year),
        "previous_year": year - 1 if year > FIRST_CENSUS else None,
        "next_year": year + 1 if year < LAST_CENSUS else None,
        "bases": CypYear.Basis.choices,
    }
    if request.method == "POST":
        grid = cyp_table_build(council=council, census_year=year, table=table, lists=lists)
        cells, versions, posted = {}, {}, {"versions": {}}
        for row in grid.rows:
            for cell in row.cells:
                key = (cell.placement_code, cell.column_code)
                posted[cell.name] = cells[key] = request.POST.get(cell.name, "")[:40]
                try:
                    versions[key] = int(request.POST.get(f"v-{cell.name}", "0"))
                except ValueError:
                    versions[key] = -1
                posted["versions"][cell.name] = versions[key]
        basis = request.POST.get("basis") or None
        try:
            year_version = int(request.POST.get("year_version", "0"))
        except ValueError:
            year_version = -1
        try:
            changed = cyp_table_save(
                council=council,
                census_year=year,
                table=table,
                cells=cells,
                versions=versions,
                basis=basis,
                year_version=year_version,
                by=request.user,
                lists=lists,
            )
        except CypRefused as refused:
            for (placement, column), version in refused.versions.items():
                posted["versions"][f"{placement}__{column}"] = version
            grid = cyp_table_build(
                council=council, census_year=year, table=table, lists=lists, posted=posted
            )
            _errors_on(grid, refused.problems, context)
            if BASIS_KEY in refused.versions:
                grid.year_version = refused.versions[BASIS_KEY]
            grid.basis = basis or grid.basis
        except ValidationError as error:
            grid = cyp_table_build(
                council=council, census_year=year, table=table, lists=lists, posted=posted
            )
            context["errors"] = [("", message) for message in error.messages]
        else:
            noun = "figure" if changed == 1 else "figures"
            messages.success(
                request,
                f"{TABLES[table].capitalize()} table, {census_label(year)}: {changed} {noun} "
                "changed.",
            )
            return redirect(reverse("metrics:cyp_grid", args=[council.slug, year, table]))
    else:
        grid = cyp_table_build(council=council, census_year=year, table=table, lists=lists)
    context["grid"] = grid
    return render(request, "metrics/cyp_grid.html", context)


def _errors_on(grid, problems: dict, context) -> None:
    """Each refused box's message on the box, and all of them in the summary, in grid order."""
    summary = []
    if BASIS_KEY in problems:
        summary.append(("cyp-basis", problems[BASIS_KEY]))
    for row in grid.rows:
        for cell in row.cells:
            message = problems.get((cell.placement_code, cell.column_code))
            if message:
                cell.error = message
                summary.append((cell.input_id, message))
    known = {(c.placement_code, c.column_code) for r in grid.rows for c in r.cells}
    summary += [("", m) for k, m in problems.items() if k not in known and k != BASIS_KEY]
    context["errors"] = summary


@login_required
@require_GET
def ehcp_comparators_view(request, slug):
    """The council's EHC plans, rate and growth beside its statistical neighbours' and
    England's (DfE's published figures): a page of its own, and the dashboard summary's section
    (fetched by the summary after it loads, so the summary itself reads nothing more)."""
    council = council_for_user(request, slug, Action.VIEW)
    context = {
        "council": council,
        "comparators": ehcp_comparators(council=council),
        "can_choose": Action.SUBMIT in request.council_actions,
    }
    if request.htmx:
        return render(request, "metrics/ehcp_comparators.html#comparators", context)
    return render(request, "metrics/ehcp_comparators.html", {**context, "standalone": True})


@login_required
@require_http_methods(["GET", "POST"])
def statistical_neighbours(request, slug):
    """The council's statistical neighbours: shown to everyone at the council, changed by the
    programme lead (one local authority a line, by name or ONS code)."""
    action = Action.SUBMIT if request.method == "POST" else Action.VIEW
    council = council_for_user(request, slug, action)
    stored = statistical_neighbours_of(council)
    errors, typed = [], "\n".join(n.name for n in stored)
    expected = neighbours_fingerprint(stored)
    if request.method == "POST":
        typed = request.POST.get("neighbours", "")[:5000]
        try:
            statistical_neighbours_set(
                council=council,
                entries=typed.splitlines(),
                by=request.user,
                expected=request.POST.get("expected", ""),
            )
        except ValidationError as error:
            errors = [("neighbours", message) for message in error.messages]
            if any(getattr(e, "code", None) == "stale" for e in error.error_list):
                stored = statistical_neighbours_of(council)
                typed = "\n".join(n.name for n in stored)
                expected = neighbours_fingerprint(stored)
        else:
            messages.success(request, "Statistical neighbours saved.")
            return redirect(reverse("metrics:statistical_neighbours", args=[council.slug]))
    context = {
        "council": council,
        "neighbours": stored,
        "typed": typed,
        "expected": expected,
        "errors": errors,
        "areas": sen2_areas(),
        "can_choose": Action.SUBMIT in request.council_actions,
    }
    return render(request, "metrics/statistical_neighbours.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cyp_column(request, slug, table, column):
    """One age group's (or need's) figures for every census year, as DfE's template lays them
    out (placements down, years across); ?add=2030 adds a year; a POST saves all or none."""
    action = Action.EDIT if request.method == "POST" else Action.VIEW
    council = council_for_user(request, slug, action)
    if table not in TABLES:
        raise Http404("No such table.")
    lists = cyp_lists()
    category = next((c for c in lists.columns(table) if c.code == column), None)
    if category is None:
        raise Http404("No such age group or need.")
    errors = []
    added = (request.POST.get("add") or request.GET.get("add") or "").strip()
    extra = None
    if added:
        if added.isdigit() and FIRST_CENSUS <= int(added) <= LAST_CENSUS:
            extra = int(added)
        else:
            errors.append(("cyp-add", f"Enter a census year from {FIRST_CENSUS} to {LAST_CENSUS}."))
    grid = cyp_column_build(
        council=council, table=table, column=category, lists=lists, extra_year=extra
    )
    if request.method == "POST" and not errors:
        cells, versions, posted = {}, {}, {"versions": {}}
        for row in grid.rows:
            for cell in row.cells:
                key = (int(cell.column_code), cell.placement_code)
                posted[cell.name] = cells[key] = request.POST.get(cell.name, "")[:40]
                try:
                    versions[key] = int(request.POST.get(f"v-{cell.name}", "0"))
                except ValueError:
                    versions[key] = -1
                posted["versions"][cell.name] = versions[key]
        try:
            changed = cyp_column_save(
                council=council,
                table=table,
                column_code=category.code,
                cells=cells,
                versions=versions,
                by=request.user,
            )
        except CypRefused as refused:
            for (year, placement), version in refused.versions.items():
                posted["versions"][f"{year}__{placement}"] = version
            grid = cyp_column_build(
                council=council,
                table=table,
                column=category,
                lists=lists,
                extra_year=extra,
                posted=posted,
            )
            for row in grid.rows:
                for cell in row.cells:
                    message = refused.problems.get((int(cell.column_code), cell.placement_code))
                    if message:
                        cell.error = message
                        errors.append((cell.input_id, message))
        except ValidationError as error:
            errors = [("", message) for message in error.messages]
        else:
            noun = "figure" if changed == 1 else "figures"
            messages.success(request, f"{category.name}, every year: {changed} {noun} changed.")
            return redirect(reverse("metrics:cyp_column", args=[council.slug, table, column]))
    context = {
        "council": council,
        "grid": grid,
        "errors": errors,
        "added": added,
        "table_label": TABLES[table],
        "columns": lists.columns(table),
        "can_edit": Action.EDIT in request.council_actions,
    }
    return render(request, "metrics/cyp_column.html", context)
