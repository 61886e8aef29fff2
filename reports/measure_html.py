"""A key measure's block on the dashboard and its full-history page, as HTML built in Python.

The dashboard holds sixty of these. As a template partial (a `with`, a table of the latest
periods with a `for` and four lookups per cell, the chart's include with `json_script`, two
`date` filters and a `url` tag) they were most of the dashboard's rendering time; here each is
a few string joins. The output is the partial's, byte for byte: a heading (with the reading
where the name does not say it), the latest-periods table with `th` headers and its numbered
notes, the chart with its accessible name and its figures as a table (reports/figures_table.py,
which static/js/charts.js draws from), the link to the measure's full history when the page is
windowed, and the source. Every text from data is escaped.
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from reports.snapshot.types import KpiCell


@functools.lru_cache(maxsize=512)
def _date_text(day: dt.date, format_string: str, language: str) -> str:
    """The `date` filter's text (kept: sixty blocks show the same few dates)."""
    return date_filter(day, format_string)


def _date(day: dt.date, format_string: str) -> str:
    return _date_text(day, format_string, get_language())


def _cell(cell: KpiCell | None) -> str:
    """A latest-periods cell: the figure as displayed, and its footnote's number."""
    if cell is None:
        return "<td></td>"
    note = (
        f'<sup><span class="govuk-visually-hidden">note </span>{cell.footnote}</sup>'
        if cell.footnote
        else ""
    )
    return f"<td>{escape(cell.display)}{note}</td>"


def _latest_table(m, name: str) -> str:
    """The measure's last periods (newest first), its columns as the snapshot built them."""
    table = m.table
    actual = m.actual
    head = (
        '<th scope="col">Period</th>'
        f'<th scope="col">{escape(actual.name) if actual else ""}</th>'
        + "".join(f'<th scope="col">{escape(b.name)}</th>' for b in table[0].baselines)
        + ('<th scope="col">vs last year</th>' if m.has_last_year else "")
        + ('<th scope="col">vs statistical neighbour</th>' if m.has_stat_neighbour else "")
    )
    rows = []
    for row in table:
        cells = [f'<tr><th scope="row">{escape(row.period_label)}</th>']
        cells.append(_cell(row.actual))
        cells.extend(_cell(b) for b in row.baselines)
        if m.has_last_year:
            vs = row.vs_last_year
            cells.append(f"<td>{escape(vs.display) if vs else ''}</td>")
        if m.has_stat_neighbour:
            vs = row.vs_stat_neighbour
            cells.append(f"<td>{escape(vs.display) if vs else ''}</td>")
        cells.append("</tr>")
        rows.append("".join(cells))
    count = len(table)
    caption = "Latest period" if count == 1 else f"Last {count} periods"
    notes = ""
    if m.footnotes:
        notes = (
            '<ol class="govuk-list govuk-list--number govuk-body-s app-footnotes" '
            f'aria-label="Notes to the {name} table">'
            + "".join(f"<li>{escape(note)}</li>" for note in m.footnotes)
            + "</ol>"
        )
    return (
        '<div class="app-table-scroll" role="region" '
        f'aria-label="{name}: latest periods table" tabindex="0">\n'
        '<table class="govuk-table app-table app-figures">\n'
        '<caption class="govuk-table__caption govuk-table__caption--s">'
        f"{caption} ({escape(m.polarity_label.lower())})</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n"
        f"<tbody>{''.join(rows)}</tbody>\n"
        f"</table></div>\n{notes}\n"
    )


def _chart(chart) -> str:
    """components/chart.html: the chart's data for charts.js and its element, named."""
    return (
        f"\n{json_script(chart.figure, chart.id)}\n"
        f'<div class="app-chart" data-chart="{escape(chart.id)}" role="img" '
        f'aria-label="{escape(chart.label)}. The same figures are in the table.">'
        "</div>\n"
    )


def measure_block_html(
    mb, *, council_slug: str, round_key: str, as_at_label: str, window_from: dt.date | None
) -> SafeString:
    """The measure block `mb` (reports.selectors.MeasureBlock) as the page shows it at a round:
    `window_from` is the first month the dashboard shows (None on the full-history page)."""
    m = mb.measure
    name = escape(mb.name or m.name)
    heading = escape(m.name)
    if m.reading != "point" and m.reading_label.lower() not in m.name.lower():
        heading += f" ({escape(m.reading_label)})"
    parts = ['\n<div class="app-measure">\n', f'<h3 class="govuk-heading-m">{heading}</h3>\n']
    if m.table:
        since = f" from {_date(window_from, 'F Y')}" if window_from else ""
        parts += [
            _latest_table(m, name),
            _chart(mb.page_chart),
            '\n<details class="govuk-details app-series-details"><summary '
            'class="govuk-details__summary"><span class="govuk-details__summary-text">'
            f"Figures for {name}{since}</span></summary>\n"
            '<div class="govuk-details__text app-table-scroll" role="region" '
            f'aria-label="All figures for {name}" tabindex="0">{mb.figures}</div></details>\n\n',
        ]
    else:
        parts.append(
            f'<p class="govuk-body">No figures are recorded up to {escape(as_at_label)}.</p>\n\n'
        )
    if window_from:
        url = reverse("reports:council_measure", args=[council_slug, m.code])
        parts.append(
            f'<p class="govuk-body-s"><a class="govuk-link" href="{escape(url)}'
            f'?round={escape(round_key)}">Full history of {name}</a></p>'
        )
    parts.append("\n")
    source = escape(m.source_name)
    if m.source_refreshed:
        source += f", last refreshed {_date(m.source_refreshed, 'j F Y')}"
    if m.source_basis:
        source += f"; reflects {escape(m.source_basis)}"
    parts.append(f'<p class="govuk-body-s app-muted">Source: {source}.</p>\n</div>\n')
    return mark_safe("".join(parts))  # noqa: S308 - every text from data is escaped above
