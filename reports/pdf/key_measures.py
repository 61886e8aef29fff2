"""The DfE report's key-measure tables, laid out as the council chooses
(LocalAuthority.kpi_table_layout, carried in the snapshot's CouncilInfo):

* "series": a table per measure, a row per series (plan, actual, same period last year) over
  the months of the financial year to date, and its chart (Wiltshire's report);
* "months": a grid per condition or area, a row per measure over the last N months
  (kpi_table_months), the compact table councils with many monthly KPIs print.

Either way a heading names only the series that have figures, a measure with no figure in the
window says so in words instead of an empty table and chart, and a measure's chart is drawn
only when the council keeps it (Measure.show_chart). Every chart's figures are in the table
above it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from metrics import variance as fmt
from metrics.models import Series
from metrics.periods import PeriodKind, period_label
from reports import charts
from reports.pdf.charts_svg import figure_data_uri
from reports.snapshot import KpiGroup, MeasureData, RoundSnapshot, SeriesLine
from reports.snapshot.measures import Footnotes, not_available_text
from svmonitor.choices import KpiTableLayout
from svmonitor.fy import fy_bounds, fy_of

CONDITION_CHART = 640
CONDITION_CHART_HEIGHT = 230
TABLE_MONTHS = 12
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# What a grid prints for a month without a figure (explained under the grid).
NO_FIGURE = "\u2013"  # an en dash
NOT_AVAILABLE_SHORT = "n/a"
MONTH = PeriodKind.MONTH
ROLLING = "12-month rolling average"
_KIND_WORDS = {
    Series.Kind.BASELINE: "plan",
    Series.Kind.ACTUAL: "actual",
    Series.Kind.LAST_YEAR: "the same period last year",
    Series.Kind.STAT_NEIGHBOUR: "statistical neighbours",
}


@dataclass(frozen=True)
class Figure:
    """A chart as an <img>: its SVG data URI and its alternative text."""

    uri: str
    alt: str
    caption: str


# A table's periods are (first day, kind) keys: a month, an academic or a financial year
# (metrics.periods), as the snapshot's points carry them.
Key = tuple[dt.date, str]


def month_label(day: dt.date) -> str:
    """A month as a column heading, e.g. "Nov '24"."""
    return f"{MONTHS[day.month - 1]} '{day:%y}"


def period_heading(key: Key) -> str:
    """A period as a column heading: "Nov '24", "2023-24 AY", "2023-24"."""
    period, kind = key
    return month_label(period) if kind == MONTH else period_label(period, kind)


def months_of(periods: Iterable[dt.date]) -> tuple[Key, ...]:
    """Months as keys."""
    return tuple((period, MONTH) for period in periods)


def window_text(keys: Iterable[Key]) -> str:
    """The periods a table covers in words: "November 2023 to November 2024", "April to
    December 2024", "November 2024", "2023-24 AY to 2024-25"; "" for none."""
    keys = sorted(keys)
    if not keys:
        return ""
    first, last = keys[0], keys[-1]
    if first[1] != MONTH or last[1] != MONTH:
        ends = [period_label(*first), period_label(*last)]
        return ends[0] if first == last else " to ".join(ends)
    first, last = first[0], last[0]
    if first == last:
        return f"{last:%B %Y}"
    start = f"{first:%B}" if first.year == last.year else f"{first:%B %Y}"
    return f"{start} to {last:%B %Y}"


def series_words(kinds: Iterable[str]) -> str:
    """The series a table shows, in words: "plan against actual and the same period last
    year", "actual figures", ... Only the kinds given are named."""
    kinds = set(kinds)
    parts = []
    if Series.Kind.BASELINE in kinds and Series.Kind.ACTUAL in kinds:
        parts.append("plan against actual")
    else:
        parts += [_KIND_WORDS[k] for k in (Series.Kind.BASELINE, Series.Kind.ACTUAL) if k in kinds]
    parts += [
        _KIND_WORDS[k] for k in (Series.Kind.LAST_YEAR, Series.Kind.STAT_NEIGHBOUR) if k in kinds
    ]
    if parts == ["actual"]:
        return "actual figures"
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def no_figures_text(keys: Iterable[Key]) -> str:
    """What a measure without a figure in the window prints instead of a table and chart."""
    window = window_text(keys)
    return f"No figures reported for {window}." if window else "No figures reported."


def months_back(end: dt.date, count: int) -> tuple[dt.date, ...]:
    """The `count` months up to and including `end`'s month, oldest first."""
    index = end.year * 12 + end.month - 1
    return tuple(dt.date((i) // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1))


def _title(measure: MeasureData) -> str:
    name, reading = measure.name, measure.reading_label
    if measure.reading == "point" or reading.lower() in name.lower():
        return name
    return f"{name} ({reading.lower()})"


def _key(point) -> Key:
    return (point.period, point.period_kind)


def _lines_in(measure: MeasureData, keys) -> list[SeriesLine]:
    """The measure's lines with a figure (or a figure not available) in one of the periods."""
    wanted = set(keys)
    return [line for line in measure.lines if any(_key(p) in wanted for p in line.points)]


def _rolling_in(measure: MeasureData, keys) -> dict[Key, object]:
    # The rolling average is of months.
    wanted = set(keys)
    return {(p.period, MONTH): p.value for p in measure.rolling if (p.period, MONTH) in wanted}


def measure_figure(measure: MeasureData, keys=None) -> Figure:
    """The measure's trend chart (over the periods `keys` if given), with alt text naming its
    lines and the periods it spans."""
    if keys is not None:
        wanted = set(keys)
        measure = dataclasses.replace(
            measure,
            lines=tuple(
                dataclasses.replace(line, points=tuple(p for p in line.points if _key(p) in wanted))
                for line in _lines_in(measure, keys)
            ),
            rolling=tuple(p for p in measure.rolling if (p.period, MONTH) in wanted),
        )
    names = ", ".join(line.name for line in measure.lines) or "no figures"
    # Monthly figures if it has any; else its years (as the chart draws them).
    monthly = any(p.is_month for line in measure.lines for p in line.points)
    points = sorted(_key(p) for line in measure.lines for p in line.points if p.is_month == monthly)
    span = f", {period_heading(points[0])} to {period_heading(points[-1])}" if points else ""
    alt = f"Line chart of {measure.name}: {names}{span}. The figures are in the table above."
    figure = charts.measure_trend_figure(measure)
    uri = figure_data_uri(figure, width=CONDITION_CHART, height=CONDITION_CHART_HEIGHT, title=alt)
    return Figure(uri, alt, measure.name)


# --- figures, their notes, and figures not available ------------------------------------


_SUPERSCRIPT = str.maketrans(
    "0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def _marked(display: str, footnote: int | None) -> str:
    # A figure with a note (or not available) points at its footnote under the table: "42¹".
    return display if footnote is None else f"{display}{str(footnote).translate(_SUPERSCRIPT)}"


def not_available_reason(point) -> str | None:
    """Why a figure is not available ("" when no reason is given), or None when it has a
    value (MeasureValue's not-available state, issue 13.4)."""
    if point is None or point.value is not None:
        return None
    return point.not_available or ""


def _grid_cell(point, unit: str, notes: Footnotes) -> str:
    if point is None:
        return NO_FIGURE
    reason = not_available_reason(point)
    if reason is not None:
        return _marked(NOT_AVAILABLE_SHORT, notes.number(not_available_text(reason)))
    return _marked(fmt.format_value(point.value, unit), notes.number(point.note))


def _series_cell(point, unit: str, notes: Footnotes) -> str:
    # A month without a figure reads "no data", as the dashboard's tables say it.
    if point is None:
        return fmt.format_value(None, unit)
    return _grid_cell(point, unit, notes)


def _all_not_available(measure: MeasureData, keys) -> str | None:
    """The words a measure prints instead of figures and chart when every figure it has in
    the periods is marked not available ("Not available: <reason>"); None otherwise."""
    wanted = set(keys)
    points = [p for line in measure.lines for p in line.points if _key(p) in wanted]
    reasons = [not_available_reason(p) for p in points]
    if not points or any(reason is None for reason in reasons):
        return None
    given = [reason for reason in dict.fromkeys(reasons) if reason]
    return not_available_text("; ".join(given)) + "."


# --- "series": plan, actual and same period last year, a table per measure -----------------


@dataclass(frozen=True)
class MeasureTable:
    """A key measure month by month: each line with figures (plan, actual, last year) a row."""

    periods: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    kinds: tuple[str, ...] = ()
    # The figures' notes and not-available reasons, numbered as the cells' marks.
    footnotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeasureBlock:
    """A key measure cited by a condition: its monthly table and its chart, or in words why
    there is neither."""

    measure: MeasureData
    table: MeasureTable
    figure: Figure | None
    missing: str = ""  # "No figures reported for April to October 2024." when there are none

    @property
    def title(self) -> str:
        """The measure's name, with how it is read unless the name says so already."""
        return _title(self.measure)

    @property
    def caption(self) -> str:
        """The table's caption, naming only the series it shows."""
        return f"{self.title}: {series_words(self.table.kinds)}"


def _series_periods(measure: MeasureData, *, financial_year: int, end: dt.date) -> list[Key]:
    # The actual's periods in the financial year (else its last six), as the DfE template,
    # each as the council wrote it (a month, or an academic or financial year); a measure
    # with no actual figures shows the periods of the year its other lines have figures for
    # (a plan's target later in the year, say), else the year's months to date.
    actual = measure.actual
    keys = [_key(p) for p in actual.points] if actual else []
    in_year = [k for k in keys if fy_of(k[0]) == financial_year]
    keys = (in_year if len(in_year) >= 2 else keys[-6:])[-TABLE_MONTHS:]
    if keys:
        return keys
    others = sorted(
        {
            _key(p)
            for line in measure.lines
            for p in line.points
            if fy_of(p.period) == financial_year
        }
    )
    if others:
        return others[-TABLE_MONTHS:]
    start = fy_bounds(financial_year)[0]
    end = min(end, fy_bounds(financial_year)[1])
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    return list(months_of(months_back(end, count)))


def measure_table(measure: MeasureData, keys: list[Key]) -> MeasureTable:
    """Every line with a figure in the periods as a row, then the rolling average and the
    actual against the first plan when both are there; each figure's note and each reason a
    figure is not available numbered under the table."""
    lines = _lines_in(measure, keys)
    notes = Footnotes()
    rows = [
        (line.name, tuple(_series_cell(line.point_at(*k), measure.unit, notes) for k in keys))
        for line in lines
    ]
    rolling = _rolling_in(measure, keys)
    if rolling:
        rows.append((ROLLING, tuple(fmt.format_value(rolling.get(k), measure.unit) for k in keys)))
    actual = next((line for line in lines if line.kind == Series.Kind.ACTUAL), None)
    plan = next((line for line in lines if line.kind == Series.Kind.BASELINE), None)
    if actual and plan:
        rows.append(
            (
                f"{actual.name} against {plan.name}",
                tuple(
                    fmt.format_difference(
                        None
                        if actual.at(*k) is None or plan.at(*k) is None
                        else actual.at(*k) - plan.at(*k),
                        measure.unit,
                    )
                    for k in keys
                ),
            )
        )
    return MeasureTable(
        tuple(period_heading(k) for k in keys),
        tuple(rows),
        tuple(dict.fromkeys(line.kind for line in lines)),
        tuple(notes.texts),
    )


def measure_block(measure: MeasureData, *, financial_year: int, end: dt.date) -> MeasureBlock:
    """One measure in the "series" layout."""
    keys = _series_periods(measure, financial_year=financial_year, end=end)
    missing = _all_not_available(measure, keys)
    table = measure_table(measure, [] if missing else keys)
    if missing or not table.rows:
        return MeasureBlock(measure, table, None, missing or no_figures_text(keys))
    figure = measure_figure(measure) if measure.show_chart else None
    return MeasureBlock(measure, table, figure)


# --- "months": a grid of the last N months, a row per measure --------------------------------


@dataclass(frozen=True)
class GridRow:
    """One row of a grid: a measure's series month by month, or words when it has none."""

    measure: MeasureData
    series: str  # the series' name ("" when the grid shows one series a measure)
    cells: tuple[str, ...]
    first: bool  # the measure's first row (it carries the measure's name)
    span: int  # how many rows the measure has
    # Words in place of the month cells: why there are no figures, or its figures for years.
    words: str = ""

    @property
    def title(self) -> str:
        """The measure's name, with how it is read unless the name says so already."""
        return _title(self.measure)


@dataclass(frozen=True)
class MeasureGrid:
    """A condition's or area's key measures: a row per measure (and series), a column per
    month of the window, then the charts the council keeps."""

    group: KpiGroup
    months: tuple[str, ...]
    window: str  # "November 2023 to November 2024"
    bodies: tuple[tuple[GridRow, ...], ...]  # a measure's rows each
    series_column: bool
    kinds: tuple[str, ...]
    charts: tuple[Figure, ...]
    sources: tuple[str, ...]  # "Council MI, refreshed 7 January 2025"
    # The figures' notes and not-available reasons, numbered as the cells' marks.
    footnotes: tuple[str, ...] = ()

    @property
    def caption(self) -> str:
        """What the grid shows, naming only the series present."""
        words = series_words(self.kinds) or "figures"
        return f"{self.group.heading}: {words}, {self.window}"

    @property
    def rows(self) -> tuple[GridRow, ...]:
        """Every row, in order."""
        return tuple(row for body in self.bodies for row in body)

    @property
    def measures(self) -> tuple[MeasureData, ...]:
        """The measures the grid lists."""
        return tuple(body[0].measure for body in self.bodies)

    @property
    def missing_span(self) -> int:
        """The columns a measure's "No figures reported" text spans."""
        return len(self.months) + (1 if self.series_column else 0)

    @property
    def has_gaps(self) -> bool:
        """Whether a month without a figure shows as NO_FIGURE (explained under the grid)."""
        return any(NO_FIGURE in row.cells for row in self.rows)


def _grid_rows(measure: MeasureData, keys, notes: Footnotes) -> list[tuple[str, str, tuple]]:
    """(series kind, series name, cells) for each line with a figure in the window's months."""
    rows = [
        (
            line.kind,
            line.name,
            tuple(_grid_cell(line.point_at(*k), measure.unit, notes) for k in keys),
        )
        for line in _lines_in(measure, keys)
    ]
    rolling = _rolling_in(measure, keys)
    if rolling:
        cells = tuple(
            NO_FIGURE if rolling.get(k) is None else fmt.format_value(rolling[k], measure.unit)
            for k in keys
        )
        rows.append(("rolling", ROLLING, cells))
    return rows


def _year_figures(measure: MeasureData, months: tuple[Key, ...], notes: Footnotes) -> str:
    """A measure's figures for academic or financial years overlapping the window, in words
    for a row of their own ("2023-24 AY: 120; 2024-25: 125¹"), since a year is no month."""
    first, last = months[0][0], months[-1][0]
    earliest = dt.date(first.year - 1, first.month, 1)  # a year starting up to 11 months before
    parts = []
    for line in measure.lines:
        points = [p for p in line.points if not p.is_month and earliest < p.period <= last]
        if not points:
            continue
        figures = "; ".join(
            f"{p.label}: {_grid_cell(p, measure.unit, notes)}" for p in sorted(points, key=_key)
        )
        parts.append(figures if line.kind == Series.Kind.ACTUAL else f"{line.name} {figures}")
    return "; ".join(parts)


def measure_grid(group: KpiGroup, measures, periods) -> MeasureGrid:
    """One group's grid over the months `periods`, its notes numbered under it. A measure's
    figures for years (academic or financial) follow its months in words."""
    keys = months_of(periods)
    notes = Footnotes()
    bodies = []
    figures = []
    missing = {m.code: _all_not_available(m, keys) for m in measures}
    by_measure = [(m, [] if missing[m.code] else _grid_rows(m, keys, notes)) for m in measures]
    years = {m.code: _year_figures(m, keys, notes) for m in measures}
    series_column = any(
        len(rows) > 1 or (rows and rows[0][0] != Series.Kind.ACTUAL) for _, rows in by_measure
    )
    kinds = {kind for _, rows in by_measure for kind, _, _ in rows if kind in _KIND_WORDS}
    for measure, rows in by_measure:
        body = [
            GridRow(measure, name if series_column else "", cells, i == 0, 0)
            for i, (_, name, cells) in enumerate(rows)
        ]
        if years[measure.code]:
            body.append(GridRow(measure, "", (), not body, 0, words=years[measure.code]))
        if not body:
            words = missing[measure.code] or no_figures_text(keys)
            body.append(GridRow(measure, "", (), True, 0, words=words))
        bodies.append(tuple(dataclasses.replace(row, span=len(body)) for row in body))
        if rows and measure.show_chart:
            figures.append(measure_figure(measure, keys))
    return MeasureGrid(
        group=group,
        months=tuple(period_heading(k) for k in keys),
        window=window_text(keys),
        bodies=tuple(bodies),
        series_column=series_column,
        kinds=tuple(k for k in _KIND_WORDS if k in kinds),
        charts=tuple(figures),
        sources=tuple(dict.fromkeys(_source_text(m) for m in measures)),
        footnotes=tuple(notes.texts),
    )


def _source_text(measure: MeasureData) -> str:
    if measure.source_refreshed:
        return f"{measure.source_name}, refreshed {measure.source_refreshed:%-d %B %Y}"
    return measure.source_name


def grid_end(snap: RoundSnapshot) -> dt.date:
    """The last month of every grid: the latest month with a reported figure (plans ahead
    are not reported figures), else the month the round's data is as at."""
    reported = [
        p.period
        for m in snap.measures
        for line in m.lines
        if line.kind != Series.Kind.BASELINE
        for p in line.points
        if p.is_month
    ]
    cutoff = snap.data_as_at or snap.round.due_date
    latest = max((p for p in reported if p <= cutoff), default=None)
    return latest or cutoff.replace(day=1)


def uses_grid(snap: RoundSnapshot) -> bool:
    """Whether the council tables its key measures as a grid of the last months."""
    return snap.council.kpi_table_layout == KpiTableLayout.MONTHS


def grid_periods(snap: RoundSnapshot) -> tuple[dt.date, ...]:
    """The months of every grid in the report."""
    return months_back(grid_end(snap), snap.council.kpi_table_months)


def series_end(snap: RoundSnapshot) -> dt.date:
    """The last month a "series" table of a measure without actual figures runs to."""
    return (snap.data_as_at or snap.round.due_date).replace(day=1)
