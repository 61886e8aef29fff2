"""Planning measure values from the long sheet and the wide grid (read in long form)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from metrics.models import MeasureValue, Series
from metrics.periods import NOT_AVAILABLE, PeriodKind, period_label
from metrics.services import FigureCell, measure_period_check, measure_period_span
from workbook import format as fmt
from workbook.plan import MAX_CHANGE_LINES, NEW_ROW, NEW_STAMP, ChangeLine, fingerprint, show


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

    def period_error(self, period, kind) -> str | None:
        return measure_period_check(self.agreements, period, kind)


def _key(measure, period, series, kind=PeriodKind.MONTH) -> str:
    return f"{measure.code} / {period_label(period, kind)} / {series.slug}"


def _shown(value, reason: str) -> str:
    # A figure as the preview prints it: the number, or not available and why.
    if value is None and reason:
        return NOT_AVAILABLE if reason == NOT_AVAILABLE else f"{NOT_AVAILABLE}: {reason}"
    return show(value)


UNKNOWN_MARKER = (
    "the note marker {marker!r} is not on the '{sheet}' sheet: add a row giving the marker and "
    "what it means"
)


def _value_notes(plan) -> dict[str, str]:
    """What each note marker means, from the Value notes sheet (a marker twice is refused)."""
    spec = fmt.VALUE_NOTES
    notes: dict[str, str] = {}
    first: dict[str, int] = {}
    for row in plan.rows(spec):
        marker, text = row.values.get("marker") or "", row.values.get("note") or ""
        if not marker or not plan.row_ok(spec, row):
            continue
        if marker in notes:
            plan.error(spec.name, row, "marker", f"duplicate: also row {first[marker]}")
            continue
        notes[marker], first[marker] = text, row.number
    return notes


def _figure_parts(figure_value, marker, not_available, note, notes):
    """(value, reason, note) for a figure as written, or a reason string when a marker has
    no meaning. `note` None keeps the stored note; a marker gives the note (or, for a figure
    not available, the reason) from the Value notes sheet."""
    meaning = None
    if marker:
        meaning = notes.get(marker)
        if meaning is None and not (note and not_available is None):
            return UNKNOWN_MARKER.format(marker=marker, sheet=fmt.VALUE_NOTES.name)
    if not_available is not None:
        reason = not_available or meaning or NOT_AVAILABLE
        return None, reason, note
    if meaning is not None and not note:
        note = meaning
    return figure_value, "", note


def plan_values(plan) -> ValuesPlan:
    """Compare every figure of both value sheets with the database; errors go to the plan."""
    result = ValuesPlan()
    if not plan.rows(fmt.VALUES_LONG) and not plan.read.grid_rows:
        _value_notes(plan)  # no figures: only the notes sheet's own problems to report
        return result
    council = plan.council
    existing = {}
    if council.pk is not None:
        measures = {m.pk: m for m in plan.measures.all() if m.pk}
        series = {s.pk: s for s in plan.series.all() if s.pk}
        rows = MeasureValue.objects.filter(measure__council=council).values_list(
            "pk",
            "measure_id",
            "period",
            "period_kind",
            "series_id",
            "value",
            "note",
            "not_available_reason",
        )
        for pk, measure_id, period, kind, series_id, value, note, reason in rows:
            key = (id(measures[measure_id]), period, kind, id(series[series_id]))
            existing[key] = (pk, value, note, reason)
    notes = _value_notes(plan)
    resolver = _Resolver(plan)
    seen: dict = {}
    add_change = plan.result.add_change
    changes = plan.result.changes
    add_cell, add_where = result.cells.append, result.where.append
    # Per workbook row: how its stored figures stood, and its change lines (for the confirm).
    stood: dict[tuple[str, int], list] = {}
    stamping = plan.stamping
    row_lines: dict[tuple[str, int], list] = {}
    row_column: dict[tuple[str, int], str] = {}

    def place(spec, summary, where, column, measure, period, kind, series, value, note, reason):
        """Plan one figure; returns an error reason or None. Called thousands of times."""
        ident = (id(measure), period, kind, id(series))
        count = len(seen)
        first = seen.setdefault(ident, where)
        if len(seen) == count:
            sheet, row = first
            return f"duplicate: the same measure, period and series as sheet '{sheet}' row {row}"
        if not span[0] <= period <= span[1]:
            return resolver.period_error(period, kind)
        found = existing.get(ident) if existing else None
        if found is None:
            summary.created += 1
            if stamping or len(changes) < MAX_CHANGE_LINES:
                lines = [ChangeLine(*where, _key(measure, period, series, kind), NEW_ROW, "", "")]
                add_change(lines[0])
            else:
                # Thousands of new figures: lines past the preview's limit are only counted.
                plan.result.changes_total += 1
        elif found[1] == value and found[3] == reason and (note is None or found[2] == note):
            summary.unchanged += 1
            return None
        else:
            summary.changed += 1
            key = _key(measure, period, series, kind)
            lines = []
            if found[1] != value or found[3] != reason:
                before, after = _shown(found[1], found[3]), _shown(value, reason)
                lines.append(ChangeLine(*where, key, "Value", before, after))
            if note is not None and found[2] != note:
                lines.append(ChangeLine(*where, key, "Note", show(found[2]), show(note)))
            for line in lines:
                add_change(line)
        # ValuesPlan.add, inline (thousands of figures).
        add_cell(
            FigureCell(
                measure, period, series, value, note, reason if value is None else None, kind
            )
        )
        add_where((*where, column))
        if stamping:
            stood.setdefault(where, []).append(
                (period.isoformat(), kind, series.slug, found[1:] if found else NEW_STAMP)
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
        figure, period = v["value"], v["period"]
        parts = _figure_parts(
            figure.value, figure.marker, figure.not_available, v.get("note"), notes
        )
        if isinstance(parts, str):
            plan.error(spec.name, row, "value", parts)
            continue
        problem = place(
            spec,
            summary,
            (spec.name, row.number),
            row.letters.get("value", ""),
            pair[0],
            period.start,
            period.kind,
            pair[1],
            parts[0],
            parts[2],
            parts[1],
        )
        if problem:
            plan.error(spec.name, row, "period", problem)
    spec, summary = fmt.GRID, plan.summary(fmt.GRID)
    pairs = {}
    for row in plan.read.grid_rows:
        pair = resolver.measure_and_series(spec, row)
        if pair is not None and plan.row_ok(spec, row):
            pairs[row.number] = (*pair, (spec.name, row.number))  # its figures share `where`
    for cell in plan.read.grid_cells:
        pair = pairs.get(cell.row)
        if pair is None:
            continue
        value, reason, note = cell.value, "", None
        if cell.marker or cell.not_available is not None:
            parts = _figure_parts(cell.value, cell.marker, cell.not_available, None, notes)
            if isinstance(parts, str):
                plan.error(spec.name, cell.row, cell.column, parts)
                continue
            value, reason, note = parts
        problem = place(
            spec,
            summary,
            pair[2],
            cell.column,
            pair[0],
            cell.period,
            cell.kind,
            pair[1],
            value,
            note,
            reason,
        )
        if problem:
            plan.error(spec.name, cell.row, cell.column, problem)
    for (sheet, number), parts in stood.items():
        stamp = NEW_STAMP if all(p[3] == NEW_STAMP for p in parts) else fingerprint(parts)
        plan.expect(sheet, number, row_column[(sheet, number)], stamp, row_lines[(sheet, number)])
    return result
