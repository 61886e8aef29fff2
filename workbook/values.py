"""Planning measure values from the long sheet and the wide grid (already reshaped by pandas)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from metrics.models import MeasureValue, Series
from metrics.services import FigureCell, measure_period_check, measure_period_span
from workbook import format as fmt
from workbook.plan import NEW_ROW, NEW_STAMP, ChangeLine, fingerprint, show


@dataclass
class ValuesPlan:
    """The figures to create or change, each with the sheet, row and column it was read from."""

    cells: list[FigureCell] = field(default_factory=list)
    where: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, cell: FigureCell, sheet: str, row: int, column: str) -> None:
        """Plan one figure."""
        self.cells.append(cell)
        self.where.append((sheet, row, column))


def _actual_series(plan):
    actual = [s for s in plan.series.all() if s.kind == Series.Kind.ACTUAL]
    if actual:
        return actual[0]
    # A council bringing only a grid gets its "actual" line made for it.
    values = {
        "council": plan.council,
        "kind": Series.Kind.ACTUAL,
        "name": "Actual",
        "slug": "actual",
    }
    created = Series(**values)
    plan.series.by_key[("actual",)] = created
    plan.series.plan_new(created, values, fmt.SERIES.name, None)
    plan.summaries[fmt.SERIES.name].created += 1
    return created


class _Resolver:
    def __init__(self, plan):
        self.plan = plan
        # The agreements as planned (the workbook may add one): the services' own rule.
        self.agreements = plan.agreements.all()
        self.span = measure_period_span(self.agreements)

    def measure_and_series(self, spec, row):
        plan = self.plan
        code, slug = row.values.get("measure"), row.values.get("series") or ""
        if not code:
            return None
        measure = plan.measures.by_key.get((code,))
        if measure is None:
            plan.error(spec.name, row, "measure", f"unknown measure {code!r}: add it to Measures")
        series = plan.series.by_key.get((slug,)) if slug else _actual_series(plan)
        if series is None:
            plan.error(spec.name, row, "series", f"unknown series {slug!r}: add it to Series")
        if measure is None or series is None:
            return None
        source = row.values.get("data_source")
        if source and measure.data_source.name != source:
            plan.error(
                spec.name,
                row,
                "data_source",
                f"measure {code} comes from {measure.data_source.name!r}, not {source!r}",
            )
        return measure, series

    def period_error(self, period) -> str | None:
        return measure_period_check(self.agreements, period)


def _key(measure, period, series) -> str:
    return f"{measure.code} / {period:%b %Y} / {series.slug}"


def plan_values(plan) -> ValuesPlan:
    """Compare every figure of both value sheets with the database; errors go to the plan."""
    result = ValuesPlan()
    council = plan.council
    existing = {}
    if council.pk is not None:
        measures = {m.pk: m for m in plan.measures.all() if m.pk}
        series = {s.pk: s for s in plan.series.all() if s.pk}
        rows = MeasureValue.objects.filter(measure__council=council).values_list(
            "pk", "measure_id", "period", "series_id", "value", "note"
        )
        for pk, measure_id, period, series_id, value, note in rows:
            key = (id(measures[measure_id]), period, id(series[series_id]))
            existing[key] = (pk, value, note)
    resolver = _Resolver(plan)
    seen: dict = {}
    add_change = plan.result.add_change
    # Per workbook row: how its stored figures stood, and its change lines (for the confirm).
    stood: dict[tuple[str, int], list] = {}
    stamping = plan.stamping
    row_lines: dict[tuple[str, int], list] = {}
    row_column: dict[tuple[str, int], str] = {}

    def place(spec, summary, where, column, measure, period, series, value, note):
        """Plan one figure; returns an error reason or None. Called thousands of times."""
        ident = (id(measure), period, id(series))
        if ident in seen:
            sheet, row = seen[ident]
            return f"duplicate: the same measure, period and series as sheet '{sheet}' row {row}"
        seen[ident] = where
        if not span[0] <= period <= span[1]:
            return resolver.period_error(period)
        found = existing.get(ident)
        if found is None:
            summary.created += 1
            if stamping:
                lines = [ChangeLine(*where, _key(measure, period, series), NEW_ROW, "", "")]
                add_change(lines[0])
            else:
                # Thousands of new figures: lines past the preview's limit are never built.
                add_change(
                    make=lambda: ChangeLine(*where, _key(measure, period, series), NEW_ROW, "", "")
                )
        elif found[1] == value and (note is None or found[2] == note):
            summary.unchanged += 1
            return None
        else:
            summary.changed += 1
            key = _key(measure, period, series)
            lines = []
            if found[1] != value:
                lines.append(ChangeLine(*where, key, "Value", show(found[1]), show(value)))
            if note is not None and found[2] != note:
                lines.append(ChangeLine(*where, key, "Note", show(found[2]), show(note)))
            for line in lines:
                add_change(line)
        result.add(FigureCell(measure, period, series, value, note), *where, column)
        if stamping:
            stood.setdefault(where, []).append(
                (period.isoformat(), series.slug, found[1:] if found else NEW_STAMP)
            )
            row_lines.setdefault(where, []).extend(lines)
            row_column.setdefault(where, column)
        return None

    span = resolver.span or (dt.date.max, dt.date.min)  # no agreement: every period fails
    spec, summary = fmt.VALUES_LONG, plan.summary(fmt.VALUES_LONG)
    for row in plan.rows(spec):
        pair = resolver.measure_and_series(spec, row)
        if pair is None or not plan.row_ok(spec, row):
            continue
        v = row.values
        problem = place(
            spec,
            summary,
            (spec.name, row.number),
            row.letters.get("value", ""),
            pair[0],
            v["period"],
            pair[1],
            v["value"],
            v.get("note"),
        )
        if problem:
            plan.error(spec.name, row, "period", problem)
    spec, summary = fmt.GRID, plan.summary(fmt.GRID)
    pairs = {}
    for row in plan.read.grid_rows:
        pair = resolver.measure_and_series(spec, row)
        if pair is not None and plan.row_ok(spec, row):
            pairs[row.number] = pair
    for cell in plan.read.grid_cells:
        pair = pairs.get(cell.row)
        if pair is None:
            continue
        problem = place(
            spec,
            summary,
            (spec.name, cell.row),
            cell.column,
            pair[0],
            cell.period,
            pair[1],
            cell.value,
            None,
        )
        if problem:
            plan.error(spec.name, cell.row, cell.column, problem)
    for (sheet, number), parts in stood.items():
        stamp = NEW_STAMP if all(p[2] == NEW_STAMP for p in parts) else fingerprint(parts)
        plan.expect(sheet, number, row_column[(sheet, number)], stamp, row_lines[(sheet, number)])
    return result
