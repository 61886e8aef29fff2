"""The portfolio's table rows, as HTML built in Python.

An adviser of every council sees forty rows; as a template loop (a `url` tag, a `date` filter,
six property lookups and a dozen `if`s per row) they were most of the page's rendering time.
The output is the loop's, byte for byte: the council linked to its dashboard at the round
shown, the round, the conditions' DfE levels (each word beside its colour), the deficit against
the cap, the monitoring tier and the date submitted. Every text from data is escaped.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe


def _row_html(r) -> str:
    href = escape(reverse("reports:council_dashboard", args=[r.slug]))
    if r.round_key:
        # The `urlencode` filter's quoting ("/" kept).
        href += f"?round={escape(quote(r.round_key, safe='/'))}"
    if r.conditions:
        rags = (
            '\n        <ul class="app-condition-rags" role="list">\n          '
            f"{r.conditions_html}\n        </ul>\n        "
        )
    else:
        rags = '<span class="app-muted">None</span>'
    against = escape(r.against_cap)
    deficit = (
        f"{escape(r.deficit_display)} against {escape(r.cap_display)}<br>"
        if r.deficit is not None
        else ""
    )
    if r.is_over_cap:
        against = f'<strong class="app-over-cap">{against}</strong>'
    submitted = escape(date_format(r.submitted_on, "j M Y")) if r.submitted_on else ""
    return (
        '\n    <tr class="govuk-table__row">\n'
        f'      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{href}">'
        f"{escape(r.name)}</a></th>\n"
        f'      <td class="govuk-table__cell">{escape(r.round_label)}</td>\n'
        f'      <td class="govuk-table__cell">\n        {rags}\n      </td>\n'
        f'      <td class="govuk-table__cell">{deficit}{against}</td>\n'
        f'      <td class="govuk-table__cell">{escape(r.tier)}</td>\n'
        f'      <td class="govuk-table__cell">{submitted or "Not submitted"}</td>\n'
        "    </tr>\n    "
    )


def portfolio_rows_html(rows) -> SafeString:
    """The table body's rows for `rows` (reports.selectors.PortfolioRow)."""
    return mark_safe("".join([_row_html(r) for r in rows]))  # noqa: S308 - escaped above
