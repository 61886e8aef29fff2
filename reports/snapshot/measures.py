"""Key measures, their KPI tables and rolling averages, and the headline cards."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import math
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import F, FilteredRelation, IntegerField, Q, Value
from django.utils.dateparse import parse_date

from metrics import variance as fmt
from metrics.models import HeadlineCard, Measure, MeasureValue, Series
from metrics.periods import NOT_AVAILABLE, PeriodKind, year_start
from metrics.selectors import LEFT_OUT_SHOWN, left_out_label, left_out_text
from reports.snapshot.types import (
    KPI_TABLE_PERIODS,
    ROLLING_WINDOW,
    HeadlineFigure,
    KpiCell,
    KpiRow,
    MeasureData,
    Point,
    SeriesLine,
)
from svmonitor.fy import fy_bounds


def rolling_average(
    points: list[tuple[dt.date, Decimal]], window: int
) -> list[tuple[dt.date, Decimal]]:
    """The trailing mean over `window` months; a month is shown only once a full window exists.

    A missing month is a gap, not a shorter window: no average is shown until `window`
    consecutive months are recorded again. Plain Python (a month index per figure): pandas'
    resample and rolling cost about a millisecond a measure, most of a dashboard's build.
    """
    by_month: dict[int, list[float]] = {}
    for period, value in points:
        by_month.setdefault(period.year * 12 + period.month - 1, []).append(float(value))
    if not by_month:
        return []
    out = []
    run: list[float] = []
    for month in range(min(by_month), max(by_month) + 1):
        figures = by_month.get(month)
        if figures is None:
            run = []
            continue
        run.append(math.fsum(figures) / len(figures))
        if len(run) >= window:
            mean = math.fsum(run[-window:]) / window
            out.append((dt.date(month // 12, month % 12 + 1, 1), Decimal(str(round(mean, 4)))))
    return out


NOT_AVAILABLE_SHORT = "n/a"


class Footnotes:
    """A table's notes and not-available reasons, numbered from 1 in the order first met; the
    same text twice has one number."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def number(self, text: str) -> int | None:
        """The footnote number of a text (None for no text)."""
        if not text:
            return None
        if text not in self.texts:
            self.texts.append(text)
        return self.texts.index(text) + 1


def not_available_text(reason: str) -> str:
    """A not-available figure's footnote: "Not available", or "Not available: <reason>"."""
    if not reason or reason == NOT_AVAILABLE:
        return NOT_AVAILABLE
    return f"{NOT_AVAILABLE}: {reason}"


def figure_cell(point: Point | None, unit: str, notes: Footnotes) -> tuple[str, int | None]:
    """A figure as a table shows it, and its footnote number: its note, or why it is not
    available ("n/a" in the cell)."""
    if point is None:
        return fmt.format_value(None, unit), None
    if point.value is None:
        return NOT_AVAILABLE_SHORT, notes.number(not_available_text(point.not_available))
    return fmt.format_value(point.value, unit), notes.number(point.note)


def _kpi_table(lines, unit) -> tuple[tuple[KpiRow, ...], tuple[str, ...]]:
    actual = next((line for line in lines if line.kind == Series.Kind.ACTUAL), None)
    if actual is None:
        return (), ()
    baselines = [line for line in lines if line.kind == Series.Kind.BASELINE]
    last_year = next((line for line in lines if line.kind == Series.Kind.LAST_YEAR), None)
    neighbour = next((line for line in lines if line.kind == Series.Kind.STAT_NEIGHBOUR), None)
    notes = Footnotes()

    def diff(line, point):
        if line is None:
            return None
        other = line.at(point.period, point.period_kind)
        delta = None if other is None or point.value is None else point.value - other
        shown = "no data" if delta is None else fmt.format_difference(delta, unit)
        return KpiCell(line.name, delta, shown)

    def cell(name, point):
        display, footnote = figure_cell(point, unit, notes)
        return KpiCell(name, point.value if point else None, display, footnote)

    rows = []
    for point in reversed(actual.points[-KPI_TABLE_PERIODS:]):
        rows.append(
            KpiRow(
                period=point.period,
                actual=cell(actual.name, point),
                baselines=tuple(
                    cell(b.name, b.point_at(point.period, point.period_kind)) for b in baselines
                ),
                vs_last_year=diff(last_year, point),
                vs_stat_neighbour=diff(neighbour, point),
                period_kind=point.period_kind,
            )
        )
    return tuple(rows), tuple(notes.texts)


def window_start(financial_year: int) -> dt.date:
    """Where the dashboard's charts start: the financial year before the round's (1 April).

    The round's year and the year it is compared with, up to 24 months of figures; the full
    history of a measure is on its own page (reports/views.py council_measure).
    """
    return dt.date(financial_year - 1, 4, 1)


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def measure_windowed(measure: MeasureData, since: dt.date) -> MeasureData:
    """The measure with its lines and rolling average from `since` on (tables unchanged).

    A line's points are in period order, so a line (or rolling average) that starts in the
    window is kept as it is: most are, as only the figures within the window were loaded.
    """

    def starts_before(points) -> bool:
        return bool(points) and points[0].period < since

    if not any(starts_before(line.points) for line in measure.lines) and not starts_before(
        measure.rolling
    ):
        return measure
    lines = tuple(
        dataclasses.replace(line, points=tuple(p for p in line.points if p.period >= since))
        if starts_before(line.points)
        else line
        for line in measure.lines
    )
    rolling = tuple(p for p in measure.rolling if p.period >= since)
    return dataclasses.replace(measure, lines=lines, rolling=rolling)


# Django's SQLite backend reads a DecimalField as this Decimal of the float or integer SQLite
# holds (15 significant digits, quantised to the field's places); PostgreSQL's driver gives
# that Decimal itself (django.db.backends.sqlite3.operations.get_decimalfield_converter).
_VALUE_FIELD = MeasureValue._meta.get_field("value")
_FROM_FLOAT = decimal.Context(prec=15).create_decimal_from_float
_PLACES = Decimal(1).scaleb(-_VALUE_FIELD.decimal_places)


def figure_decimal(raw) -> Decimal | None:
    """A stored figure as the ORM reads it: the same Decimal, to the field's four places."""
    if raw is None or isinstance(raw, Decimal):
        return raw
    return _FROM_FLOAT(raw).quantize(_PLACES, context=_VALUE_FIELD.context)


def _figure_rows(council_id, cutoff, horizon, span, since, measure_ids=None):
    """The council's figures up to the horizon with their series, in the order lines are drawn:
    a tuple a figure (measure id, series slug, name and kind, period, value, note, period kind,
    not-available reason), each as the ORM's values_list gives it.

    One query, written out: at national scale (about 4,000 rows for the dashboard) the ORM's
    per-row converters were about a quarter of this read's CPU time, for the same dates and
    Decimals (figure_decimal).
    Actuals, last year and neighbours run to the round's month; baselines (plans and goals)
    run to the end of the financial year so the trajectory ahead is visible. With `since`
    (the dashboard's window), only figures from that month on, the twelve months before it
    that a rolling average reads, and any figure outside the agreement's years (rare; counted
    as left out, so the page still says so). With `measure_ids` (a dashboard page's scope),
    only those measures' figures.
    """
    q = connection.ops.quote_name
    where = [f"m.{q('council_id')} = %s"]
    params: list = [council_id]
    if measure_ids is not None:
        if not measure_ids:
            return []
        where.append(f"v.measure_id IN ({', '.join(['%s'] * len(measure_ids))})")
        params += sorted(measure_ids)
    if cutoff:
        where.append("(v.period <= %s OR (s.kind = %s AND v.period <= %s))")
        params += [cutoff, Series.Kind.BASELINE, horizon]
    else:
        where.append("v.period <= %s")
        params.append(horizon)
    # Names from the models' metadata; every value is a parameter.
    select = (
        "SELECT v.measure_id, s.slug, s.name, s.kind, v.period, v.value, v.note,"  # noqa: S608
        f" v.period_kind, v.not_available_reason, s.{q('order')}"
        f" FROM {q(MeasureValue._meta.db_table)} v"
        f" INNER JOIN {q(Measure._meta.db_table)} m ON v.measure_id = m.id"
        f" INNER JOIN {q(Series._meta.db_table)} s ON v.series_id = s.id WHERE "
    )
    if since:
        earliest = _months_before(since, ROLLING_WINDOW)
        window = [
            # A range on the period, so the database reads each measure's figures from its
            # (measure, period) index from that month on, not all nine years of them.
            "v.period >= %s",
            "(v.period >= %s OR (m.reading = %s AND s.kind = %s)"
            " OR v.period < %s OR v.period > %s)",
        ]
        window_params = [earliest, since, Measure.Reading.ROLLING_12, Series.Kind.ACTUAL]
        window_params += [span[0], span[1]]
        sql = (
            f"{select}{' AND '.join(where + window)}"
            # The figures before the agreement's years and before the window (to count them).
            f" UNION ALL {select}{' AND '.join([*where, 'v.period < %s', 'v.period < %s'])}"
        )
        params = params + window_params + params + [earliest, span[0]]
    else:
        sql = select + " AND ".join(where)
    # A year's figure after the figure of the month it starts in (kinds: month, then
    # financial_year, then academic_year), the same on every database: measure, series order,
    # series name, period, period kind (descending).
    sql += " ORDER BY 1, 10, 3, 5, 8 DESC"
    as_date = connection.ops.adapt_datefield_value
    params = [as_date(p) if isinstance(p, dt.date) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # SQLite's driver gives the dates already (Django registers its converter for "date").
    return [
        (
            measure_id,
            slug,
            name,
            kind,
            period if isinstance(period, dt.date) else parse_date(period),
            figure_decimal(value),
            note,
            period_kind,
            reason,
        )
        for measure_id, slug, name, kind, period, value, note, period_kind, reason, _ in rows
    ]


def figures_present(council_id, cutoff, horizon, span, since, financial_year):
    """What a dashboard page that reads only some measures' figures (reports.snapshot.scope)
    still needs to know of all of them, in one query: the ids of the measures with a figure
    in the financial year (groups.has_figures_in_year), and the latest period of an actual
    figure from `since` on (the month the data is as at, when the round records none).

    The same figures as _figure_rows reads: actuals (and every other kind) to the cutoff,
    baselines to the horizon, within the agreements' years. Each answer is an index seek per
    measure ((measure, period) and (measure, series, period)), not a scan of its figures.
    """
    q = connection.ops.quote_name
    values, series = q(MeasureValue._meta.db_table), q(Series._meta.db_table)
    start, end = fy_bounds(financial_year)
    start, end = max(start, span[0]), min(end, span[1], horizon)
    # Every kind of figure counts up to the cutoff; after it, only baselines (plans, goals).
    upto = min(end, cutoff) if cutoff else end
    latest_from, latest_to = max(since or span[0], span[0]), min(cutoff or horizon, span[1])
    sql = (
        # Names from the models' metadata; every value is a parameter.
        "SELECT m.id,"  # noqa: S608
        f" EXISTS(SELECT 1 FROM {values} v WHERE v.measure_id = m.id"
        " AND v.period >= %s AND v.period <= %s)"
        f" OR EXISTS(SELECT 1 FROM {values} v INNER JOIN {series} s ON v.series_id = s.id"
        " WHERE v.measure_id = m.id AND s.kind = %s AND v.period > %s AND v.period <= %s),"
        f" (SELECT MAX(v.period) FROM {values} v WHERE v.measure_id = m.id"
        f" AND v.series_id IN (SELECT s.id FROM {series} s WHERE s.{q('council_id')} = %s"
        " AND s.kind = %s) AND v.period >= %s AND v.period <= %s)"
        f" FROM {q(Measure._meta.db_table)} m WHERE m.{q('council_id')} = %s"
    )
    params = [start, upto, Series.Kind.BASELINE, upto, end]
    params += [council_id, Series.Kind.ACTUAL, latest_from, latest_to, council_id]
    as_date = connection.ops.adapt_datefield_value
    params = [as_date(p) if isinstance(p, dt.date) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    in_year = {measure_id for measure_id, present, _ in rows if present}
    periods = [
        latest if isinstance(latest, dt.date) else parse_date(latest)
        for _, _, latest in rows
        if latest is not None
    ]
    return in_year, max(periods, default=None)


_MEASURE_FIELDS = (
    "pk",
    "code",
    "name",
    "unit",
    "polarity",
    "frequency",
    "reading",
    "order",
    "show_chart",
    "stock_flow_role",
    "programme_area__number",
    "programme_area__id",
    "data_source__name",
    "data_source__last_refreshed",
    "data_source__basis",
)


def _measures(council_id, cutoff, horizon, round_id, span, since=None, wanted=None):
    """The council's measures, the codes each condition's update cites this round, the codes
    attached to each condition, and a note of figures left out.

    With `since`, only figures from that month on are kept (a rolling average still reads the
    twelve months before it): the dashboard's window, not a record of the round. With
    `wanted` (a dashboard page's scope: reports.snapshot.scope), only the figures of the
    measures it wants are read; the others are there without figures.
    """
    # Queries: measures with their data source, the conditions whose update in this round
    # cites them and the conditions they are attached to (a row per citation and attachment);
    # every value up to the horizon with its series.
    rows = Measure.objects.filter(council_id=council_id)
    if wanted is None:
        rows = rows.annotate(
            cited=FilteredRelation(
                "cited_by_condition_updates",
                condition=Q(cited_by_condition_updates__round_id=round_id),
            )
        )
        cited_column = "cited__condition_id"
    else:
        # A dashboard page does not list the measures each condition's update cites (the
        # return does): not read, as the citations multiply the rows about fivefold.
        cited_column = Value(None, output_field=IntegerField())
    rows = (
        rows.order_by(F("programme_area__number").asc(nulls_last=True), "order", "name", "pk")
        # Tuples: a measure cited by several conditions and attached to several is as many
        # rows (about a thousand at national scale); one dict a measure is made below.
        .values_list(*_MEASURE_FIELDS, cited_column, "conditions__pk")
    )
    by_pk: dict[int, dict] = {}
    citing = defaultdict(set)
    attached = defaultdict(set)
    attached_to_of = defaultdict(set)
    width = len(_MEASURE_FIELDS)
    for row in rows:
        if row[0] not in by_pk:
            by_pk[row[0]] = dict(zip(_MEASURE_FIELDS, row[:width], strict=True))
        measure = by_pk[row[0]]
        cited_by, attached_to = row[width], row[width + 1]
        if cited_by is not None:
            citing[cited_by].add((measure["order"], measure["code"]))
        if attached_to is not None:
            attached[attached_to].add(measure["code"])
            attached_to_of[row[0]].add(attached_to)
    measures = list(by_pk.values())
    # Each condition's key measures in the measures' own order.
    cited = {condition: [code for _, code in sorted(codes)] for condition, codes in citing.items()}
    read = (
        None
        if wanted is None
        else {m["pk"] for m in measures if wanted(m, attached_to_of[m["pk"]])}
    )
    values = _figure_rows(council_id, cutoff, horizon, span, since, read)
    grouped: dict[int, dict[str, list]] = defaultdict(dict)
    meta: dict[str, tuple[str, str]] = {}
    codes = {m["pk"]: m["code"] for m in measures}
    left_out = []
    for measure_id, slug, series_name, kind, period, value, note, period_kind, reason in values:
        if not span[0] <= period <= span[1]:
            left_out.append(left_out_label(codes[measure_id], period, slug))
            continue
        meta[slug] = (series_name, kind)
        grouped[measure_id].setdefault(slug, []).append(
            Point(period, value, note, period_kind, reason)
        )
    polarity_labels = dict(Measure.Polarity.choices)
    reading_labels = dict(Measure.Reading.choices)
    result = []
    for m in measures:
        if read is not None and m["pk"] not in read:
            # A measure a dashboard page does not show: there, without figures.
            result.append(_without_figures(m, polarity_labels, reading_labels))
            continue
        lines = tuple(
            SeriesLine(slug, meta[slug][0], meta[slug][1], tuple(points))
            for slug, points in grouped[m["pk"]].items()
        )
        # Actual first so tables and charts lead with it.
        lines = tuple(sorted(lines, key=lambda line: line.kind != Series.Kind.ACTUAL))
        actual = next((line for line in lines if line.kind == Series.Kind.ACTUAL), None)
        rolling = ()
        if m["reading"] == Measure.Reading.ROLLING_12 and actual:
            rolling = tuple(
                Point(period, value, "")
                for period, value in rolling_average(
                    [
                        (p.period, p.value)
                        for p in actual.points
                        if p.is_month and p.value is not None
                    ],
                    ROLLING_WINDOW,
                )
            )
        table, footnotes = _kpi_table(lines, m["unit"])
        result.append(
            MeasureData(
                **_measure_fields(m, polarity_labels, reading_labels),
                lines=lines,
                rolling=rolling,
                table=table,
                # A "vs" column shows only when some row of the table has a figure for it.
                has_last_year=any(
                    r.vs_last_year and r.vs_last_year.value is not None for r in table
                ),
                has_stat_neighbour=any(
                    r.vs_stat_neighbour and r.vs_stat_neighbour.value is not None for r in table
                ),
                footnotes=footnotes,
            )
        )
    if since:
        result = [measure_windowed(m, since) for m in result]
    note = left_out_text(len(left_out), left_out[:LEFT_OUT_SHOWN])
    return tuple(result), cited, attached, note


def _measure_fields(m: dict, polarity_labels, reading_labels) -> dict:
    """A measure's own fields as MeasureData takes them, its figures apart."""
    return {
        "id": m["pk"],
        "code": m["code"],
        "name": m["name"],
        "unit": m["unit"],
        "polarity": m["polarity"],
        "polarity_label": polarity_labels[m["polarity"]],
        "frequency": m["frequency"],
        "reading": m["reading"],
        "reading_label": reading_labels[m["reading"]],
        "source_name": m["data_source__name"],
        "source_refreshed": m["data_source__last_refreshed"],
        "source_basis": m["data_source__basis"],
        "area_number": m["programme_area__number"],
        "show_chart": m["show_chart"],
        "stock_flow_role": m["stock_flow_role"],
    }


def _without_figures(m: dict, polarity_labels, reading_labels) -> MeasureData:
    return MeasureData(
        **_measure_fields(m, polarity_labels, reading_labels),
        lines=(),
        rolling=(),
        table=(),
        has_last_year=False,
        has_stat_neighbour=False,
    )


def _card_pair(actual: SeriesLine | None, comparator: SeriesLine | None, financial_year):
    """What a headline card compares, like with like (issue 15.9): (period, its kind, the
    actual, the comparator), both for the same period.

    A comparator kept by financial year (a finance goal) is the round's year's, beside the
    actual for that year. Otherwise the latest period with an actual that the comparator also
    has a figure for (months first); with none in common, the latest actual and no comparator
    (never a figure from another period)."""
    if (
        comparator is not None
        and financial_year is not None
        and comparator.points
        and all(p.period_kind == PeriodKind.FINANCIAL_YEAR for p in comparator.points)
    ):
        period = year_start(financial_year, PeriodKind.FINANCIAL_YEAR)
        value = actual.at(period, PeriodKind.FINANCIAL_YEAR) if actual else None
        return (
            period,
            PeriodKind.FINANCIAL_YEAR,
            value,
            comparator.at(period, PeriodKind.FINANCIAL_YEAR),
        )
    # The latest figure there is (a month's, if the measure has monthly figures): a period
    # marked not available has none to show.
    given = [p for p in actual.points if p.value is not None] if actual else []
    given = [p for p in given if p.is_month] or given
    if comparator is not None:
        given = [p for p in given if comparator.at(p.period, p.period_kind) is not None] or given
    if not given:
        return None, PeriodKind.MONTH, None, None
    last = given[-1]
    compared = comparator.at(last.period, last.period_kind) if comparator else None
    return last.period, last.period_kind, last.value, compared


def headline_cards(council_id) -> list[dict]:
    """The council's headline cards with their comparator series (one query)."""
    return list(
        HeadlineCard.objects.filter(council_id=council_id)
        .order_by("order", "pk")
        .values(
            "title",
            "measure_id",
            "comparator__slug",
            "comparator__name",
            "comparator_label",
            "subject",
        )
    )


def _headlines(council_id, measures, financial_year=None, cards=None):
    if cards is None:
        cards = headline_cards(council_id)
    by_id = {m.id: m for m in measures}
    figures = []
    for card in cards:
        measure = by_id[card["measure_id"]]
        comparator = next((ln for ln in measure.lines if ln.slug == card["comparator__slug"]), None)
        period, kind, value, comp_value = _card_pair(measure.actual, comparator, financial_year)
        var = (
            fmt.variance_of(value, comp_value, measure.polarity)
            if value is not None and comp_value is not None
            else None
        )
        figures.append(
            HeadlineFigure(
                title=card["title"],
                measure_code=measure.code,
                unit=measure.unit,
                polarity=measure.polarity,
                period=period,
                period_kind=kind,
                value=value,
                comparator_label=card["comparator_label"] or card["comparator__name"],
                comparator_value=comp_value,
                difference=var.difference if var else None,
                percent=var.percent if var else None,
                direction=var.direction if var else None,
                source_name=measure.source_name,
                source_refreshed=measure.source_refreshed,
                source_basis=measure.source_basis,
                is_finance=measure.unit in (fmt.GBP, fmt.GBP_M),
                sentence=fmt.variance_sentence(
                    value=value,
                    comparator=comp_value,
                    unit=measure.unit,
                    polarity=measure.polarity,
                    comparator_label=card["comparator_label"] or card["comparator__name"],
                    subject=card["subject"],
                ),
            )
        )
    return tuple(figures)
