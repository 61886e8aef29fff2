"""`{% kpi_cell cell %}`: one figure of the KPI grid as its table cell, built in Python.

The grid holds sixty measures by twelve months; as an include of a template partial per cell
(a `url` tag twice, a `date` filter, a dozen lookups) those cells were most of the page's time.
The output is the partial's, byte for byte: a link that opens the cell's edit box in place (or
the figure alone for a reader), the not-available reason under it, and a "Saved" status after a
save. Every text from data is escaped.
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from metrics.kpi_grid import month_key
from metrics.periods import NOT_AVAILABLE

register = template.Library()
_NO_FIGURE = "\u2013"  # what a reader sees in a cell with no figure


@functools.lru_cache(maxsize=512)
def _month_text(period: dt.date, language: str) -> str:
    """The `date:"F Y"` filter's text (kept: a grid shows the same twelve months per row)."""
    return date_filter(period, "F Y")


@functools.lru_cache(maxsize=512)
def _month_heading(period: dt.date, language: str) -> str:
    """The `date:"M Y"` filter's text, escaped (kept: every grid heads the same months)."""
    return escape(date_filter(period, "M Y"))


def kpi_cell_html(
    cell, *, cell_url: str, series_slug: str, start_key: str, can_edit: bool, saved: bool
) -> SafeString:
    """The cell `cell` (a metrics.kpi_grid.KpiCell); `cell_url` is the council's cell URL."""
    display = cell.display
    anchor = escape(cell.anchor)
    if can_edit:
        month = _month_text(cell.period, get_language())
        href = (
            f"{escape(cell_url)}?measure={cell.measure.pk}&amp;period={escape(cell.key)}"
            f"&amp;series={escape(series_slug)}&amp;from={escape(start_key)}"
        )
        shown = escape(display) if display else "Add"
        change = ", change" if display else ""
        body = (
            f'<a class="govuk-link" href="{href}" hx-get="{href}" hx-target="#{anchor}" '
            f'hx-swap="outerHTML"{" autofocus" if saved else ""}>{shown}<span '
            f'class="govuk-visually-hidden">{change} {escape(cell.measure.name)}, {month}'
            "</span></a>"
        )
    else:
        body = escape(display) if display else "\u2013"
    reason = cell.not_available
    note = (
        f'<span class="govuk-body-s govuk-!-display-block govuk-!-margin-0">{escape(reason)}</span>'
        if reason and reason != NOT_AVAILABLE
        else ""
    )
    status = (
        '<span class="govuk-visually-hidden" role="status">Saved '
        f"{escape(cell.measure.name)}, {_month_text(cell.period, get_language())}.</span>"
        if saved
        else ""
    )
    return mark_safe(  # noqa: S308 - every text from data is escaped above
        f'\n<td class="govuk-table__cell govuk-table__cell--numeric" id="{anchor}">\n'
        f"  {body}\n  {note}\n  {status}\n</td>\n"
    )


def _row_html(row, months, *, cell_url, series_slug, start_key, can_edit) -> str:
    """A grid row (`row`: a metrics.kpi_grid.KpiRow) as `kpi_cell_html` builds each of its
    cells, without a KpiCell per figure; `months` are (ISO date, key, month text) triples.

    A figure's text (`display`) is not escaped: format_value makes it of digits, separators
    and its unit's signs, none of which HTML escapes; every text from data is.
    """
    measure = row.measure
    name = escape(measure.name)
    pk = measure.pk
    parts = [
        '\n    <tr class="govuk-table__row">\n      <th scope="row" class="govuk-table__header">'
        f'{name}<br><span class="govuk-body-s app-muted">{escape(measure.get_unit_display())}, '
        f"{escape(measure.source)}</span></th>\n      "
    ]
    opening = f'\n<td class="govuk-table__cell govuk-table__cell--numeric" id="kpi-{pk}-'
    figures = row.figures
    if can_edit:
        link = f"{escape(cell_url)}?measure={pk}&amp;period="
        tail = f"&amp;series={escape(series_slug)}&amp;from={escape(start_key)}"
    for iso, key, month in months:
        found = figures.get(iso)
        display, reason = (found[2], found[1]) if found is not None else ("", "")
        note = (
            '<span class="govuk-body-s govuk-!-display-block govuk-!-margin-0">'
            f"{escape(reason)}</span>"
            if reason and reason != NOT_AVAILABLE
            else ""
        )
        if can_edit:
            href = f"{link}{key}{tail}"
            change = ", change" if display else ""
            parts.append(
                f'{opening}{key}">\n  <a class="govuk-link" href="{href}" hx-get="{href}" '
                f'hx-target="#kpi-{pk}-{key}" hx-swap="outerHTML">{display or "Add"}<span '
                f'class="govuk-visually-hidden">{change} {name}, {month}</span></a>\n'
                f"  {note}\n  \n</td>\n"
            )
        else:
            parts.append(f'{opening}{key}">\n  {display or _NO_FIGURE}\n  {note}\n  \n</td>\n')
    parts.append("\n    </tr>\n    ")
    return "".join(parts)


@register.simple_tag(takes_context=True)
def kpi_rows(context, grid) -> SafeString:
    """The grid's rows (a row header and a `kpi_cell` per month each), built in Python: sixty
    measures by twelve months as template lookups were most of the page's time. The same
    markup as `kpi_cells` gives each cell, with every text from data escaped."""
    council = context["council"]
    language = get_language()
    months = [(m.isoformat(), month_key(m), _month_text(m, language)) for m in grid.months]
    options = {
        "cell_url": reverse("metrics:kpi_cell", args=[council.slug]),
        "series_slug": grid.series.slug,
        "start_key": grid.start_key,
        "can_edit": bool(context.get("can_edit")),
    }
    return mark_safe(  # noqa: S308 - every text from data is escaped in _row_html
        "".join([_row_html(row, months, **options) for row in grid.rows])
    )


@register.simple_tag
def kpi_month_headers(grid) -> SafeString:
    """The grid's column headers, one a month ("Apr 2024", the `date:"M Y"` filter's text),
    without a template loop."""
    language = get_language()
    return mark_safe(  # noqa: S308 - the month's text is escaped
        "".join(
            '<th scope="col" class="govuk-table__header govuk-table__header--numeric">'
            f"{_month_heading(month, language)}</th>"
            for month in grid.months
        )
    )


def _cells_html(context, cells) -> SafeString:
    council = context["council"]
    cache = context.render_context.setdefault("kpi_cell_url", {})
    if council.slug not in cache:
        cache[council.slug] = reverse("metrics:kpi_cell", args=[council.slug])
    options = {
        "cell_url": cache[council.slug],
        "series_slug": context["series"].slug,
        "start_key": str(context.get("start_key") or ""),
        "can_edit": bool(context.get("can_edit")),
        "saved": bool(context.get("saved")),
    }
    return mark_safe("".join([kpi_cell_html(cell, **options) for cell in cells]))  # noqa: S308


@register.simple_tag(takes_context=True)
def kpi_cell(context, cell) -> SafeString:
    """The cell at the grid's series and first month, for the page's user (`can_edit`), and
    saying it was saved when the context says so (`saved`)."""
    return _cells_html(context, [cell])


@register.simple_tag(takes_context=True)
def kpi_cells(context, cells) -> SafeString:
    """A row's cells, as `kpi_cell` builds each."""
    return _cells_html(context, cells)
