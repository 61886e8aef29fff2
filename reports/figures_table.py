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

from reports.snapshot import MeasureData

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ROLLING = "12-month rolling average"
_CENT = Decimal("0.01")


def figure_text(value: Decimal | None) -> str:
    """A figure as the `floatformat:"-2g"` filter shows it: 1,234 or 1,234.50; "" for none."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,}"


def figures_table(measure: MeasureData, caption: str, *, chart_id: str = "") -> SafeString:
    """The measure's lines and rolling average as one table, oldest month first.

    With `chart_id`, the table says it holds that chart's figures (`data-chart-figures`):
    static/js/charts.js draws the chart's lines from its columns, in order.
    """
    columns = [line.name for line in measure.lines]
    cells: dict = {}
    for index, line in enumerate(measure.lines):
        for point in line.points:
            text = figure_text(point.value)
            if point.note:
                text += f" ({escape(point.note)})"
            cells.setdefault(point.period, {})[index] = text
    if measure.rolling:
        columns.append(ROLLING)
        index = len(columns) - 1
        for point in measure.rolling:
            cells.setdefault(point.period, {})[index] = figure_text(point.value)
    width = range(len(columns))
    # The cells carry no classes: static/css/app.css styles them from .app-figures as GOV.UK
    # styles its table cells (a class on each of ~9,000 cells was a third of the page).
    rows = "".join(
        f'<tr><th scope="row">{MONTHS[period.month - 1]} {period.year}</th>'
        + "".join(f"<td>{row.get(i, '')}</td>" for i in width)
        + "</tr>"
        for period, row in sorted(cells.items())
    )
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in columns)
    return mark_safe(  # noqa: S308 - every text from data is escaped above
        '<table class="govuk-table app-table app-table--compact app-figures"'
        + (f' data-chart-figures="{escape(chart_id)}">' if chart_id else ">")
        + f'<caption class="govuk-table__caption govuk-table__caption--s">{escape(caption)}'
        f'</caption><thead><tr><th scope="col">Period</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
