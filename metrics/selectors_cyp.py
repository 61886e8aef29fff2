"""Reads of the DSG plan's children and young people tables (placement x age group and placement x
primary need, by January census year) and of DfE's EHC plan figures beside a council's
statistical neighbours. Every read takes a fixed number of queries, however many years and
categories there are."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from metrics.models import (
    CypAgeGroup,
    CypFigure,
    CypNeed,
    CypPlacement,
    CypYear,
    Sen2Figure,
    StatisticalNeighbour,
)

AGE = "age"
NEED = "need"
TABLES = {AGE: "age group", NEED: "primary need"}
TABLE_TITLES = {AGE: "Placement by age group", NEED: "Placement by primary need"}
ILLUSTRATIVE_SOURCE = "Illustrative figures made up for the demo, not DfE's statistics"
SEN2_SOURCE = "DfE, Education, health and care plans (SEN2 collection)"


def census_label(year: int) -> str:
    """A census year as the tables head it: "January 2025"."""
    return f"January {year}"


def count_text(value: int | None) -> str:
    """A count as the tables show it (thousands grouped), or "" for none."""
    return "" if value is None else f"{value:,}"


@dataclass(frozen=True)
class CypLists:
    """DfE's placements, age groups and needs, in DfE's order."""

    placements: list
    age_groups: list
    needs: list

    def columns(self, table: str) -> list:
        return self.age_groups if table == AGE else self.needs


def cyp_lists() -> CypLists:
    """The three category lists (three queries)."""
    return CypLists(
        list(CypPlacement.objects.all()),
        list(CypAgeGroup.objects.all()),
        list(CypNeed.objects.all()),
    )


def cyp_figures(council, years=None) -> dict:
    """{(census_year, table, placement_id, column_id): (count, version)} of a council (one
    query), for the given census years or all of them."""
    rows = CypFigure.objects.filter(year__council_id=council.pk)
    if years is not None:
        rows = rows.filter(year__census_year__in=list(years))
    found = {}
    for year, placement, age, need, count, version in rows.values_list(
        "year__census_year", "placement_id", "age_group_id", "need_id", "count", "version"
    ):
        key = (year, AGE, placement, age) if age is not None else (year, NEED, placement, need)
        found[key] = (count, version)
    return found


def cyp_years(council) -> list[CypYear]:
    """The council's census years, oldest first (one query)."""
    return list(CypYear.objects.filter(council_id=council.pk).order_by("census_year"))


@dataclass
class CypCell:
    """One box of a grid: the figure stored or typed, its version, and any error."""

    name: str
    label: str
    placement_code: str
    column_code: str
    typed: str = ""
    version: int = 0
    error: str = ""

    @property
    def input_id(self) -> str:
        return f"cyp-{self.name}"


@dataclass
class CypRow:
    """One placement's row of a grid, with its total (computed, never typed)."""

    placement: object
    cells: list[CypCell]
    total: int | None = None


@dataclass
class CypTable:
    """One census year's table by age group or by need, with its totals."""

    census_year: int
    table: str
    columns: list
    rows: list[CypRow]
    column_totals: list
    total: int | None
    basis: str = CypYear.Basis.ACTUAL
    year_version: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return census_label(self.census_year)

    @property
    def title(self) -> str:
        return TABLE_TITLES[self.table]


def _sum(values) -> int | None:
    values = [v for v in values if v is not None]
    return sum(values) if values else None


def _mismatches(lists: CypLists, figures: dict, year: int) -> list[dict]:
    """Each placement (then the whole year) whose total by age differs from its total by need,
    where both tables have figures that year."""
    out = []
    have_age = any(k[0] == year and k[1] == AGE for k in figures)
    have_need = any(k[0] == year and k[1] == NEED for k in figures)
    if not (have_age and have_need):
        return out
    totals = {}
    for p in lists.placements:
        by_age = _sum(figures.get((year, AGE, p.pk, c.pk), (None,))[0] for c in lists.age_groups)
        by_need = _sum(figures.get((year, NEED, p.pk, c.pk), (None,))[0] for c in lists.needs)
        totals[p.pk] = (by_age or 0, by_need or 0)
        if (by_age or 0) != (by_need or 0):
            out.append(_mismatch(p.name, year, by_age or 0, by_need or 0))
    age_total = sum(a for a, _ in totals.values())
    need_total = sum(n for _, n in totals.values())
    if out and age_total != need_total:
        out.append(_mismatch("All placements", year, age_total, need_total))
    return out


def _mismatch(name: str, year: int, by_age: int, by_need: int) -> dict:
    gap = by_age - by_need
    more = f"{abs(gap):,} more by {'age' if gap > 0 else 'need'}"
    text = (
        f"{name}, {census_label(year)}: {by_age:,} by age group but {by_need:,} by primary "
        f"need ({more}). The two tables should count the same children and young people."
    )
    return {"placement": name, "by_age": by_age, "by_need": by_need, "text": text}


def cyp_table_build(
    *, council, census_year: int, table: str, lists: CypLists | None = None, posted=None
) -> CypTable:
    """One census year's grid (placement x age group, or x need) as stored, or as `posted`
    ({field name: typed text, "versions": {name: version}}) when a save was refused, with its
    totals and the by-age / by-need check (five queries with the lists, two without)."""
    lists = lists or cyp_lists()
    year_row = CypYear.objects.filter(council_id=council.pk, census_year=census_year).first()
    figures = cyp_figures(council, [census_year])
    columns = lists.columns(table)
    rows = []
    for p in lists.placements:
        cells = []
        for c in columns:
            count, version = figures.get((census_year, table, p.pk, c.pk), (None, 0))
            name = f"{p.code}__{c.code}"
            cell = CypCell(
                name=name,
                label=f"{p.name}, {c.name}, {census_label(census_year)}",
                placement_code=p.code,
                column_code=c.code,
                typed=count_text(count).replace(",", ""),
                version=version,
            )
            if posted is not None:
                cell.typed = posted.get(name, "")
                cell.version = posted.get("versions", {}).get(name, version)
            cells.append(cell)
        counts = [figures.get((census_year, table, p.pk, c.pk), (None,))[0] for c in columns]
        rows.append(CypRow(p, cells, _sum(counts)))
    column_totals = [
        _sum(figures.get((census_year, table, p.pk, c.pk), (None,))[0] for p in lists.placements)
        for c in columns
    ]
    return CypTable(
        census_year=census_year,
        table=table,
        columns=columns,
        rows=rows,
        column_totals=column_totals,
        total=_sum(column_totals),
        basis=year_row.basis if year_row else CypYear.Basis.ACTUAL,
        year_version=year_row.version if year_row else 0,
        mismatches=[m["text"] for m in _mismatches(lists, figures, census_year)],
    )


@dataclass
class CypOverview:
    """Every census year of a council's tables: each placement's total by age and by need."""

    years: list  # CypYear rows, oldest first
    rows: list  # (placement, [(by_age, by_need) per year])
    totals: list  # (by_age, by_need) per year
    mismatches: list[str]


def cyp_overview(*, council, lists: CypLists | None = None) -> CypOverview:
    """The all-years view (five queries with the lists, however many years)."""
    lists = lists or cyp_lists()
    years = cyp_years(council)
    figures = cyp_figures(council)
    rows, mismatches = [], []
    for p in lists.placements:
        per_year = []
        for y in years:
            per_year.append(
                (
                    _sum(
                        figures.get((y.census_year, AGE, p.pk, c.pk), (None,))[0]
                        for c in lists.age_groups
                    ),
                    _sum(
                        figures.get((y.census_year, NEED, p.pk, c.pk), (None,))[0]
                        for c in lists.needs
                    ),
                )
            )
        rows.append((p, per_year))
    totals = []
    for i, y in enumerate(years):
        totals.append((_sum(r[1][i][0] for r in rows), _sum(r[1][i][1] for r in rows)))
        mismatches += [m["text"] for m in _mismatches(lists, figures, y.census_year)]
    return CypOverview(years, rows, totals, mismatches)


def cyp_fragment(*, council) -> dict:
    """The part's data as the DSG plan's frozen record keeps it (the shape in
    docs/data-model.md, "CYP fragment"): every census year's two tables with totals and the
    by-age / by-need check, and the EHCP comparators (six queries)."""
    lists = cyp_lists()
    years = cyp_years(council)
    figures = cyp_figures(council)
    out_years = []
    for y in years:
        entry = {
            "census_year": y.census_year,
            "label": census_label(y.census_year),
            "basis": y.basis,
        }
        for table, key in ((AGE, "by_age"), (NEED, "by_need")):
            columns = lists.columns(table)
            rows = []
            for p in lists.placements:
                cells = [
                    figures.get((y.census_year, table, p.pk, c.pk), (None,))[0] for c in columns
                ]
                rows.append(
                    {"placement": p.code, "name": p.name, "cells": cells, "total": _sum(cells)}
                )
            column_totals = [_sum(r["cells"][i] for r in rows) for i in range(len(columns))]
            entry[key] = {
                "columns": [c.code for c in columns],
                "rows": rows,
                "column_totals": column_totals,
                "total": _sum(column_totals),
            }
        entry["mismatches"] = _mismatches(lists, figures, y.census_year)
        out_years.append(entry)
    return {
        "title": "Children and young people",
        "placements": [{"code": p.code, "name": p.name} for p in lists.placements],
        "age_groups": [{"code": c.code, "name": c.name} for c in lists.age_groups],
        "needs": [{"code": c.code, "name": c.name} for c in lists.needs],
        "years": out_years,
        "comparators": ehcp_comparators(council=council),
    }


# --- Comparators: DfE's published EHC plan figures -------------------------------------------


def _one_place(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(value.quantize(Decimal("0.1"), ROUND_HALF_UP))


def _rate(plans: int | None, population: int | None) -> Decimal | None:
    if plans is None or not population:
        return None
    return Decimal(plans) * 10_000 / Decimal(population)


def _growth(now: int | None, before: int | None) -> Decimal | None:
    if now is None or not before:
        return None
    return (Decimal(now) - before) * 100 / Decimal(before)


def ehcp_comparators(*, council) -> dict:
    """The council's EHC plans, rate per 10,000 aged 0 to 25 and growth on the year before,
    beside each statistical neighbour's, their median and England's, at the latest census year
    the council has figures for (one query). The shape is the CYP fragment's "comparators"."""
    wanted = Q(level=Sen2Figure.Level.ENGLAND) | Q(
        level=Sen2Figure.Level.LOCAL_AUTHORITY,
        area_code__in=StatisticalNeighbour.objects.filter(council_id=council.pk).values(
            "area_code"
        ),
    )
    # Matched by the ONS code where the council has one, else by its DfE LA number.
    own_code, own_number = council.ons_code, "" if council.ons_code else council.dfe_la_number
    if own_code:
        wanted |= Q(level=Sen2Figure.Level.LOCAL_AUTHORITY, area_code=own_code)
    elif own_number:
        wanted |= Q(level=Sen2Figure.Level.LOCAL_AUTHORITY, old_la_code=own_number)
    figures = list(
        Sen2Figure.objects.filter(wanted).values_list(
            "level",
            "area_code",
            "old_la_code",
            "name",
            "census_year",
            "ehc_plans",
            "new_plans",
            "population_0_25",
            "illustrative",
        )
    )
    areas: dict[str, dict] = {}
    illustrative = False
    for level, code, old, name, year, plans, new, population, made_up in figures:
        illustrative = illustrative or made_up
        if level == Sen2Figure.Level.ENGLAND:
            role = "england"
        elif (own_code and code == own_code) or (own_number and old == own_number):
            role = "council"
        else:
            role = "neighbour"
        area = areas.setdefault(code, {"role": role, "la_code": code, "name": name, "years": {}})
        area["years"][year] = (plans, new, population)
    own = [a for a in areas.values() if a["role"] == "council"]
    own_years = sorted(y for a in own for y, v in a["years"].items() if v[0] is not None)
    every_year = sorted({y for a in areas.values() for y in a["years"]})
    year = own_years[-1] if own_years else (every_year[-1] if every_year else None)
    empty = {
        "available": False,
        "illustrative": illustrative,
        "source": ILLUSTRATIVE_SOURCE if illustrative else SEN2_SOURCE,
        "year": year,
        "previous_year": year - 1 if year else None,
        "rows": [],
    }
    if year is None:
        return empty

    def row(area) -> dict:
        plans, new, population = area["years"].get(year, (None, None, None))
        before = area["years"].get(year - 1, (None, None, None))[0]
        return {
            "role": area["role"],
            "la_code": area["la_code"],
            "name": area["name"],
            "ehc_plans": plans,
            "new_plans": new,
            "rate_per_10k": _one_place(_rate(plans, population)),
            "growth_pct": _one_place(_growth(plans, before)),
        }

    neighbours = sorted(
        (row(a) for a in areas.values() if a["role"] == "neighbour"), key=lambda r: r["name"]
    )
    rows = [row(a) for a in own[:1]] + neighbours
    if neighbours:

        def median(key):
            values = [Decimal(r[key]) for r in neighbours if r[key] is not None]
            return _one_place(Decimal(statistics.median(values))) if values else None

        rows.append(
            {
                "role": "neighbour_median",
                "la_code": "",
                "name": "Statistical neighbours (median)",
                "ehc_plans": None,
                "new_plans": None,
                "rate_per_10k": median("rate_per_10k"),
                "growth_pct": median("growth_pct"),
            }
        )
    rows += [row(a) for a in areas.values() if a["role"] == "england"]
    source = ILLUSTRATIVE_SOURCE if illustrative else SEN2_SOURCE
    return {
        **empty,
        "available": bool(own),
        "source": f"{source}, {census_label(year)}",
        "rows": rows,
    }


def sen2_areas() -> list[tuple[str, str]]:
    """(ONS code, name) of every local authority in the loaded SEN2 figures, A to Z (one
    query): what a statistical neighbour may be chosen from."""
    names = dict(
        Sen2Figure.objects.filter(level=Sen2Figure.Level.LOCAL_AUTHORITY)
        .order_by("census_year")
        .values_list("area_code", "name")
    )  # the latest year's name of each code
    return sorted(names.items(), key=lambda pair: pair[1])


def statistical_neighbours_of(council) -> list[StatisticalNeighbour]:
    """The council's statistical neighbours, in its order (one query)."""
    return list(StatisticalNeighbour.objects.filter(council_id=council.pk))


def neighbours_fingerprint(neighbours) -> str:
    """The stored list as the page had it: a save over a list changed since is refused."""
    return ",".join(n.area_code for n in neighbours) or "none"


@dataclass
class CypColumnGrid:
    """One age group's (or need's) figures across every census year: a row per placement, a
    column per year, each year's total computed."""

    table: str
    column: object
    years: list  # census years, oldest first
    bases: dict  # census year -> basis label
    rows: list  # CypRow, cells one per year
    year_totals: list


def cyp_column_build(
    *, council, table: str, column, lists: CypLists, extra_year: int | None = None, posted=None
) -> CypColumnGrid:
    """The all-years grid of one age group or need (two queries): every census year the council
    has, and `extra_year` (a year being added)."""
    stored = cyp_years(council)
    bases = {y.census_year: y.get_basis_display() for y in stored}
    years = sorted(set(bases) | ({extra_year} if extra_year else set()))
    figures = cyp_figures(council)
    rows = []
    for p in lists.placements:
        cells = []
        for year in years:
            count, version = figures.get((year, table, p.pk, column.pk), (None, 0))
            name = f"{year}__{p.code}"
            cell = CypCell(
                name=name,
                label=f"{p.name}, {column.name}, {census_label(year)}",
                placement_code=p.code,
                column_code=str(year),
                typed="" if count is None else str(count),
                version=version,
            )
            if posted is not None:
                cell.typed = posted.get(name, "")
                cell.version = posted.get("versions", {}).get(name, version)
            cells.append(cell)
        rows.append(CypRow(p, cells, None))
    year_totals = [
        _sum(figures.get((year, table, p.pk, column.pk), (None,))[0] for p in lists.placements)
        for year in years
    ]
    return CypColumnGrid(table, column, years, bases, rows, year_totals)
