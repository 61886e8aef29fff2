"""The portfolio's table rows, as HTML built in Python.

An adviser of every council sees forty rows; as a template loop (a `url` tag, a `date` filter,
six property lookups and a dozen `if`s per row) they were most of the page's rendering time.
The output is the loop's, byte for byte: the council linked to its dashboard at the round
shown, the round, the conditions' DfE levels (each word beside its colour), the deficit against
the cap, the monitoring tier and the date submitted; an "Overdue" tag under the council's name
and its overall RAG with the change since the previous submission (issue 15.10). Every text
from data is escaped.
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape
from urllib.parse import quote

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


@functools.lru_cache(maxsize=256)
def _date_text(day: dt.date, language: str) -> str:
    """The `date:"j M Y"` filter's text (kept: many councils submit on the same days)."""
    return date_format(day, "j M Y")


# A slug no council has (slugs are lowercase): replaced by each council's in the reversed URL,
# so the URL is reversed once per page instead of once per council.
_SLUG = "SLUG"


def _row_html(r, dashboard: str, language: str) -> str:
    href = escape(dashboard.replace(_SLUG, r.slug))
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
    submitted = escape(_date_text(r.submitted_on, language)) if r.submitted_on else ""
    overdue = (
        '<br><strong class="govuk-tag govuk-tag--red">Overdue</strong> '
        f'<span class="govuk-body-s">{escape(r.overdue)}</span>'
        if r.overdue
        else ""
    )
    if r.overall is not None:
        overall = (
            f'<strong class="app-rag {escape(r.overall.css)}">{escape(r.overall.word)}</strong>'
            f'<br><span class="govuk-body-s">{escape(r.overall_change)}</span>'
        )
    else:
        overall = '<span class="app-muted">None submitted</span>'
    return (
        '\n    <tr class="govuk-table__row">\n'
        f'      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{href}">'
        f"{escape(r.name)}</a>{overdue}</th>\n"
        f'      <td class="govuk-table__cell">{escape(r.round_label)}</td>\n'
        f'      <td class="govuk-table__cell">{overall}</td>\n'
        f'      <td class="govuk-table__cell">\n        {rags}\n      </td>\n'
        f'      <td class="govuk-table__cell">{deficit}{against}</td>\n'
        f'      <td class="govuk-table__cell">{escape(r.tier)}</td>\n'
        f'      <td class="govuk-table__cell">{submitted or "Not submitted"}</td>\n'
        "    </tr>\n    "
    )


def portfolio_rows_html(rows) -> SafeString:
    """The table body's rows for `rows` (reports.portfolio.PortfolioRow)."""
    dashboard = reverse("reports:council_dashboard", args=[_SLUG])
    language = get_language()
    return mark_safe(  # noqa: S308 - escaped in _row_html
        "".join([_row_html(r, dashboard, language) for r in rows])
    )
