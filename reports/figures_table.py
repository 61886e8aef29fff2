"""Every figure a key measure's chart draws, as one accessible table (the chart's data).

One row a month, one column a line (actual, each baseline, last year, neighbours, the rolling
average), with the period as the row header. Built as HTML here rather than in the template:
the dashboard holds sixty of these, and the template engine's per-cell cost (a `date` and a
`floatformat` filter on each of ~9,000 cells) was most of the page's time. The output reads as
the template's did: a `govuk-table` with a caption and `th` headers, periods as "Jan 2024",
figures to two decimal places where they have any, with thousands separated.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from metrics.periods import NOT_AVAILABLE, PeriodKind, period_label
from reports.snapshot import MeasureData

# As the snapshot orders a period's figures: the month, then a year that starts in it.
_KIND_ORDER = {PeriodKind.MONTH: 0, PeriodKind.FINANCIAL_YEAR: 1, PeriodKind.ACADEMIC_YEAR: 2}
ROLLING = "12-month rolling average"
_CENT = Decimal("0.01")


def figure_text(value: Decimal | None) -> str:
    """A figure as the `floatformat:"-2g"` filter shows it: 1,234 or 1,234.50; "" for none."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,}"


def _cell(point) -> str:
    """A figure as the dashboard's tables showed it: the number, "Not available[: reason]"
    for a figure the council marked so, and its note in brackets."""
    if point.value is None:
        reason = point.not_available
        text = NOT_AVAILABLE + (f": {escape(reason)}" if reason and reason != NOT_AVAILABLE else "")
    else:
        text = figure_text(point.value)
    return text + (f" ({escape(point.note)})" if point.note else "")


def figures_table(measure: MeasureData, caption: str, *, chart_id: str = "") -> SafeString:
    """The measure's lines and rolling average as one table, oldest period first.

    One row a period as the council writes it ("Apr 2024", "2023-24 AY", "2023-24"; a year's
    figure after its first month's). With `chart_id`, the table says it holds that chart's
    figures (`data-chart-figures`): static/js/charts.js draws the chart's lines from its
    columns, in order.
    """
    columns = [line.name for line in measure.lines]
    # A row per period and kind, its label worked out once per row (not once per figure).
    cells: dict = {}
    for index, line in enumerate(measure.lines):
        for point in line.points:
            kind = point.period_kind
            key = (point.period, _KIND_ORDER.get(kind, 9), kind)
            row = cells.get(key)
            if row is None:
                row = cells[key] = {}
            value = point.value
            row[index] = (
                figure_text(value) if value is not None and not point.note else _cell(point)
            )
    if measure.rolling:
        columns.append(ROLLING)
        index = len(columns) - 1
        month = (_KIND_ORDER[PeriodKind.MONTH], PeriodKind.MONTH)
        for point in measure.rolling:
            cells.setdefault((point.period, *month), {})[index] = figure_text(point.value)
    width = range(len(columns))
    # The cells carry no classes: static/css/app.css styles them from .app-figures as GOV.UK
    # styles its table cells (a class on each of ~9,000 cells was a third of the page).
    rows = "".join(
        f'<tr><th scope="row">{period_label(period, kind)}</th>'
        + "".join([f"<td>{row.get(i, '')}</td>" for i in width])
        + "</tr>"
        for (period, _, kind), row in sorted(cells.items())
    )
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in columns)
    return mark_safe(  # noqa: S308 - every text from data is escaped above
        '<table class="govuk-table app-table app-table--compact app-figures"'
        + (f' data-chart-figures="{escape(chart_id)}">' if chart_id else ">")
        + f'<caption class="govuk-table__caption govuk-table__caption--s">{escape(caption)}'
        f'</caption><thead><tr><th scope="col">Period</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
