"""Planning measure values from the long sheet and the wide grid (already reshaped by pandas)."""

from __future__ import annotations

from dataclasses import dataclass, field

from metrics.excel import format as fmt
from metrics.models import MeasureValue, Series
from svmonitor.fy import fy_bounds


@dataclass
class ValuesPlan:
    """New and changed measure values, kept as plain tuples until the write (thousands of rows)."""

    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)

    def write(self) -> None:
        """Insert and update the figures in bulk."""
        if self.new:
            MeasureValue.objects.bulk_create(
                [
                    MeasureValue(measure=m, period=p, series=s, value=v, note=n or "")
                    for m, p, s, v, n in self.new
                ],
                batch_size=500,
            )
        if self.changed:
            MeasureValue.objects.bulk_update(
                [MeasureValue(pk=pk, value=v, note=n) for pk, v, n in self.changed],
                ["value", "note"],
                batch_size=500,
            )


def _actual_series(plan):
    actual = [s for s in plan.series.all() if s.kind == Series.Kind.ACTUAL]
    if actual:
        return actual[0]
    # A council bringing only a grid gets its "actual" line made for it.
    created = Series(council=plan.council, kind=Series.Kind.ACTUAL, name="Actual", slug="actual")
    plan.series.by_key[("actual",)] = created
    plan.series.new.append(created)
    plan.summaries[fmt.SERIES.name].created += 1
    return created


class _Resolver:
    def __init__(self, plan):
        self.plan = plan
        agreements = plan.agreements.all()
        self.span = (
            (
                fy_bounds(min(a.first_financial_year for a in agreements))[0],
                fy_bounds(max(a.last_financial_year for a in agreements))[1],
            )
            if agreements
            else None
        )

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
        if self.span is None:
            return "no agreement: add one before its figures"
        if not self.span[0] <= period <= self.span[1]:
            return (
                f"{period:%b %Y} is outside the agreement "
                f"({self.span[0]:%b %Y} to {self.span[1]:%b %Y})"
            )
        return None


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

    def place(spec, summary, row_number, key_error, key, value, note):
        measure, period, series = key
        ident = (id(measure), period, id(series))
        if ident in seen:
            key_error(f"duplicate: the same measure, period and series as {seen[ident]}")
            return
        seen[ident] = f"sheet '{spec.name}' row {row_number}"
        problem = resolver.period_error(period)
        if problem:
            key_error(problem)
            return
        found = existing.get(ident)
        if found is None:
            result.new.append((measure, period, series, value, note))
            summary.created += 1
        elif found[1] == value and (note is None or found[2] == note):
            summary.unchanged += 1
        else:
            result.changed.append((found[0], value, found[2] if note is None else note))
            summary.changed += 1

    spec, summary = fmt.VALUES_LONG, plan.summary(fmt.VALUES_LONG)
    for row in plan.rows(spec):
        pair = resolver.measure_and_series(spec, row)
        if pair is None or not plan.row_ok(spec, row):
            continue
        period = row.values["period"]
        place(
            spec,
            summary,
            row.number,
            lambda reason, row=row: plan.error(spec.name, row, "period", reason),
            (pair[0], period, pair[1]),
            row.values["value"],
            row.values.get("note"),
        )
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
        place(
            spec,
            summary,
            cell.row,
            lambda reason, cell=cell: plan.error(spec.name, cell.row, cell.column, reason),
            (pair[0], cell.period, pair[1]),
            cell.value,
            None,
        )
    return result
