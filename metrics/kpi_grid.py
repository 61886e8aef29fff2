"""Reads for the monthly KPI grid: a council's measures by month, in one chosen series."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import CharField, ExpressionWrapper, F
from django.db.models.functions import Cast

from metrics.models import DataSource, Measure, MeasureValue, Series
from metrics.periods import PeriodKind, figure_typed
from metrics.variance import GBP, GBP_M, PERCENT, WEEKS, format_value
from svmonitor.fy import fy_of
from svmonitor.models import ReportingRound

GRID_MONTHS = 12
# The months the grid may show for a council with no agreement yet (the import's year range).
NO_AGREEMENT_SPAN = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_OR_NOT_AVAILABLE = " Or n/a if there is no figure, with the reason after a colon."
UNIT_HINTS = {
    Measure.Unit.PERCENT: "A percentage from 0 to 100." + _OR_NOT_AVAILABLE,
    Measure.Unit.COUNT: "A whole number, 0 or more." + _OR_NOT_AVAILABLE,
    Measure.Unit.GBP: "Pounds, to the penny." + _OR_NOT_AVAILABLE,
    Measure.Unit.GBP_M: "Millions of pounds, to 4 decimal places." + _OR_NOT_AVAILABLE,
    Measure.Unit.WEEKS: "A number of weeks, 0 or more." + _OR_NOT_AVAILABLE,
}
# The chooser's order of kinds: actual first, then baselines, last year, then the rest.
SERIES_KIND_RANK = {Series.Kind.ACTUAL: 0, Series.Kind.BASELINE: 1, Series.Kind.LAST_YEAR: 2}


def month_add(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_parse(text: str | None) -> dt.date | None:
    """A "YYYY-MM" month as its first day, or None if it is not a real month."""
    match = _PERIOD.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < dt.MINYEAR:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def month_key(day: dt.date) -> str:
    """A month as URLs and forms write it, "2024-04" (four-digit year: strftime drops zeros)."""
    return f"{day.year:04d}-{day.month:02d}"


def grid_default_start(today: dt.date) -> dt.date:
    """April of the financial year the latest complete month falls in."""
    last_month = month_add(today, -1)
    return dt.date(fy_of(last_month), 4, 1)


def kpi_start_check(start: dt.date, span) -> str | None:
    """Why the grid cannot open on `start`: its twelve months must overlap the agreement's years
    (any month from 2000 to 2100 when the council has no agreement yet)."""
    first, last = span or NO_AGREEMENT_SPAN
    if start > last or month_add(start, GRID_MONTHS - 1) < first:
        return (
            f"Choose a first month from {first:%B %Y} to {last:%B %Y}, the agreement's years; "
            "showing the latest figures instead."
        )
    return None


def kpi_default_start(*, council, series: Series, today: dt.date, span=None) -> dt.date:
    """The first month the grid opens on: the twelve months up to the month the council's
    latest return has figures to (where the next figures are typed), else up to the series'
    latest figure inside the agreement's years, else the financial year of the server's
    clock."""
    latest_round = (
        ReportingRound.objects.safety_valve()
        .filter(agreement__council=council, data_as_at__isnull=False)
        .order_by("-financial_year", "-update_number")
        .values_list("data_as_at", flat=True)
        .first()
    )
    if latest_round is not None:
        return month_add(latest_round, -(GRID_MONTHS - 1))
    figures = MeasureValue.objects.filter(measure__council=council, series=series)
    figures = figures.filter(period__range=span or NO_AGREEMENT_SPAN)
    latest_figure = figures.order_by("-period").values_list("period", flat=True).first()
    if latest_figure is not None:
        return month_add(latest_figure, -(GRID_MONTHS - 1))
    return grid_default_start(today)


def series_option_label(series: Series) -> str:
    """How a series is named in the chooser: "Actual", "SV forecast (baseline)"."""
    kind = series.get_kind_display()
    if series.name.strip().casefold() == kind.casefold():
        return series.name
    return f"{series.name} ({kind.lower()})"


@dataclass(frozen=True)
class GridMeasure:
    """What the grid shows of a measure (read as values: sixty model instances were a fifth of
    the page's time)."""

    pk: int
    name: str
    unit: str
    unit_label: str
    source: str

    def get_unit_display(self) -> str:
        """The unit as Measure.get_unit_display words it."""
        return self.unit_label


@dataclass
class KpiCell:
    """One measure's figure for one month in the chosen series (or why it is not available)."""

    measure: Measure
    period: dt.date
    value: Decimal | None
    not_available: str = ""

    @property
    def key(self) -> str:
        """The month as it appears in URLs and forms: "2024-04"."""
        return month_key(self.period)

    @property
    def anchor(self) -> str:
        """The cell's element id."""
        return f"kpi-{self.measure.pk}-{self.key}"

    @property
    def display(self) -> str:
        """The figure formatted for its unit, "n/a" when marked not available, or empty."""
        if self.value is None:
            return "n/a" if self.not_available else ""
        return format_value(self.value, self.measure.unit)

    @property
    def raw(self) -> str:
        """The figure as the input box shows it ("n/a: reason" when not available); also the
        base its edit form carries, so a save over someone else's newer figure is refused."""
        return figure_typed(self.value, self.not_available)


@dataclass
class KpiRow:
    """One measure across the grid's months: its figures by month ("2024-04-01", the ISO date
    a month's figure is stored at), each `(raw, reason, display)`: the figure as the database
    returned it (`convert` makes it the Decimal the ORM would have), why it is not available,
    and the figure as KpiCell.display words it."""

    measure: GridMeasure
    months: list[dt.date]
    figures: dict[str, tuple[object, str, str]]
    convert: Callable[[object], Decimal | None] = lambda raw: raw

    @property
    def cells(self) -> list[KpiCell]:
        """One cell a month (the page builds its markup from `figures` directly)."""
        cells = []
        for month in self.months:
            raw, reason, _ = self.figures.get(month.isoformat(), (None, "", ""))
            cells.append(KpiCell(self.measure, month, self.convert(raw), reason))
        return cells

    @property
    def unit_hint(self) -> str:
        """What a valid figure for this measure looks like."""
        return UNIT_HINTS.get(self.measure.unit, "")


@dataclass
class KpiGrid:
    """The grid page: the series shown, its months, one row per measure, and the sources."""

    series: Series
    series_options: list[Series]
    months: list[dt.date]
    rows: list[KpiRow]
    sources: list[DataSource]
    left_out: str = ""
    # Whether any figure of the series is outside the agreement's years (None: not asked, as
    # for a council with no agreement): what figures_left_out would otherwise probe first.
    outside_span: bool | None = None

    @property
    def start_key(self) -> str:
        """The first month as "YYYY-MM"."""
        return month_key(self.months[0])

    @property
    def earlier_key(self) -> str:
        """The first month of the twelve before."""
        return month_key(month_add(self.months[0], -GRID_MONTHS))

    @property
    def later_key(self) -> str:
        """The first month of the twelve after."""
        return month_key(month_add(self.months[0], GRID_MONTHS))


def kpi_series_options(*, council) -> list[Series]:
    """The council's series, actual first, then baselines, last year, ... (`council` as
    svmonitor.access.council_for_user gave it: the user may view it, so every series)."""
    options = list(Series.objects.filter(council=council).order_by("order", "name"))
    # By kind in Python (a stable sort keeps the database's order and name within a kind).
    options.sort(key=lambda option: SERIES_KIND_RANK.get(option.kind, 3))
    for option in options:
        option.option_label = series_option_label(option)
    return options


def kpi_sources(*, council) -> list[DataSource]:
    """The council's data sources with when each was last refreshed."""
    return list(DataSource.objects.filter(council=council).order_by("name"))


# Why plain SQL for the measures: a flat SELECT the database answers in ~0.1 ms, where the
# queryset with its two Exists probes cost ~1 ms to build and compile, a tenth of the grid
# (bench/run.py's kpi_grid line). The figures' query stays a queryset (its converters).
_MEASURES = """
    SELECT m.id, m.name, m.unit, d.name{probes}
    FROM metrics_measure m
    LEFT JOIN metrics_datasource d ON d.id = m.data_source_id
    WHERE m.council_id = %s
    ORDER BY m."order", m.name, m.id
"""
_OUTSIDE_SPAN = """,
    EXISTS (SELECT 1 FROM metrics_measurevalue v
            WHERE v.measure_id = m.id AND v.series_id = %s AND v.period < %s),
    EXISTS (SELECT 1 FROM metrics_measurevalue v
            WHERE v.measure_id = m.id AND v.series_id = %s AND v.period > %s)"""


def kpi_grid_build(
    *, council, series: Series, start: dt.date, options: list[Series], span
) -> KpiGrid:
    """The grid of the council's measures over twelve months from `start` (three queries).

    `council` as svmonitor.access.council_for_user gave it (the user may view it, so every
    measure). Figures outside `span`, the agreement's years, are not shown (see
    figures_left_out).
    """
    months = [month_add(start, i) for i in range(GRID_MONTHS)]
    first, end = months[0], month_add(start, GRID_MONTHS)
    if span is None:
        end = first  # no agreement: no month may hold a figure (figures_left_out names any)
    else:
        first, end = max(first, span[0]), min(end, month_add(span[1], 1))
    labels = dict(Measure.Unit.choices)
    probes, params = "", [council.pk]
    if span is not None:
        # With each measure, whether the series has a figure of it before or after the
        # agreement's years (each an index probe), for the note on figures left out.
        probes, params = _OUTSIDE_SPAN, [series.pk, span[0], series.pk, span[1], council.pk]
    measures, outside_span = [], None if span is None else False
    with connections[MeasureValue.objects.db].cursor() as cursor:
        cursor.execute(_MEASURES.format(probes=probes), params)
        measure_rows = cursor.fetchall()
    for pk, name, unit, source, *outside in measure_rows:
        measures.append(GridMeasure(pk, name, unit, labels.get(unit, unit), source or ""))
        if any(outside):
            outside_span = True
    figures: dict[int, dict[str, tuple[object, str, str]]] = {m.pk: {} for m in measures}
    units = {m.pk: m.unit for m in measures}
    queryset = MeasureValue.objects.filter(
        # By the council's measure ids (a subquery), so the (measure, series, period) index
        # finds each measure's twelve months instead of scanning every figure of the series.
        measure__in=Measure.objects.filter(council=council).values("pk"),
        series=series,
        period_kind=PeriodKind.MONTH,
        period__gte=first,
        period__lt=end,
    )
    # Read as the database holds them (the month as its ISO text, the figure unconverted),
    # then converted and formatted here with each unit's formatter made once: the ORM's
    # converters and format_value over 720 figures were most of what was left of the time.
    display_of, convert = _figure_reader(connections[queryset.db])
    for measure_id, period, raw, reason in queryset.annotate(
        month_iso=Cast("period", CharField()),
        raw_value=ExpressionWrapper(F("value"), output_field=CharField()),
    ).values_list("measure_id", "month_iso", "raw_value", "not_available_reason"):
        if measure_id in figures:
            if raw is None:
                display = "n/a" if reason else ""
            else:
                display = display_of(raw, units[measure_id])
            figures[measure_id][period if type(period) is str else period.isoformat()] = (
                raw,
                reason,
                display,
            )
    rows = [KpiRow(m, months, figures[m.pk], convert) for m in measures]
    return KpiGrid(
        series=series,
        series_options=options,
        months=months,
        rows=rows,
        sources=kpi_sources(council=council),
        outside_span=outside_span,
    )


def unit_formatter(unit: str) -> Callable[[Decimal], str]:
    """format_value for one unit, its places, signs and rounding worked out once (the grid
    formats 720 figures a page; tests/metrics check it words every figure as format_value)."""
    prefix = "£" if unit in (GBP, GBP_M) else ""
    suffix = {PERCENT: "%", GBP_M: "m", WEEKS: " weeks"}.get(unit, "")
    places = {PERCENT: 2, GBP_M: 2, WEEKS: 1, GBP: 0}.get(unit)
    step = Decimal(1).scaleb(-(places or 0))
    whole, tenth = Decimal(1), Decimal("0.1")

    def formatted(value: Decimal) -> str:
        sign = "-" if value < 0 else ""
        value = abs(value)
        if places is None:  # a count: whole, or to one place (a rolling average)
            if value == value.to_integral_value():
                return f"{sign}{prefix}{value.quantize(whole, ROUND_HALF_UP):,.0f}{suffix}"
            return f"{sign}{prefix}{value.quantize(tenth, ROUND_HALF_UP):,.1f}{suffix}"
        return f"{sign}{prefix}{value.quantize(step, ROUND_HALF_UP):,.{places}f}{suffix}"

    return formatted


def unit_int_formatter(unit: str) -> Callable[[int], str]:
    """format_value for one unit of a whole number (as SQLite returns a whole figure), without
    making it a Decimal: a whole number has no places to round, so format_value's text is its
    digits grouped by thousands, then the unit's zero places ("12.00%")."""
    prefix = "£" if unit in (GBP, GBP_M) else ""
    places = {PERCENT: 2, GBP_M: 2, WEEKS: 1}.get(unit, 0)
    unit_text = {PERCENT: "%", GBP_M: "m", WEEKS: " weeks"}.get(unit, "")
    suffix = ("." + "0" * places if places else "") + unit_text

    def formatted(value: int) -> str:
        if value < 0:
            return f"-{prefix}{-value:,}{suffix}"
        return f"{prefix}{value:,}{suffix}"

    return formatted


# A whole number SQLite returns is the ORM's figure exactly (its converter makes a 15-digit
# Decimal of it, then 4 places within 18 digits) when it has at most 14 digits.
_EXACT_WHOLE = 10**14


def _figure_reader(connection):
    """`(read, convert)`: `read(raw, unit)` is the text format_value gives the figure the
    database returned as `raw` (unconverted), and `convert(raw)` the Decimal the ORM would have
    made of it (the backend's own converters for MeasureValue.value, applied here), or None."""
    column = MeasureValue._meta.get_field("value").get_col(MeasureValue._meta.db_table)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    formatters: dict[str, Callable[[Decimal], str]] = {}
    int_formatters: dict[str, Callable[[int], str]] = {}

    def convert(raw) -> Decimal | None:
        value = raw
        for converter in converters:
            value = converter(value, column, connection)
        return value

    def read(raw, unit: str) -> str:
        if type(raw) is int and -_EXACT_WHOLE < raw < _EXACT_WHOLE:
            formatter = int_formatters.get(unit)
            if formatter is None:
                formatter = int_formatters[unit] = unit_int_formatter(unit)
            return formatter(raw)
        value = convert(raw)
        if value is None:
            return ""
        formatter = formatters.get(unit)
        if formatter is None:
            formatter = formatters[unit] = unit_formatter(unit)
        return formatter(value)

    return read, convert


def kpi_cell_get(*, measure: Measure, series: Series, period: dt.date) -> KpiCell:
    """One cell as stored now."""
    stored = (
        MeasureValue.objects.filter(
            measure=measure, series=series, period=period, period_kind=PeriodKind.MONTH
        )
        .values_list("value", "not_available_reason")
        .first()
    )
    return KpiCell(measure, period, *(stored or (None, "")))
