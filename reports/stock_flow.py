"""The EHCP stock and flow section of the dashboard and the board pack (issue 18.1).

Worked out from the round's record (the snapshot the dashboard and board pack already read, live
for a draft or frozen for a locked round): the measures carry their stock and flow role, the
council its threshold, so this reads nothing from the database. The section is one table (a
caption, `th` headers, a row a month: opening stock, plans issued, plans ceased, expected and
recorded closing stock, the gap in plans and per cent, whether it passes the threshold) and a
chart whose lines static/js/charts.js draws from two of that table's columns. Its HTML is built
once here, as reports/measure_html.py builds a key measure's, not by a template per row.

Months run from the month after the dashboard's window opens (`window_start`: that month only
opens the stock), the same months as the key measures, to the latest figure. A council without
a stock, plans issued and plans ceased gets no section.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from html import escape

from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe

from metrics.kpi_grid import month_add
from metrics.models import Series
from metrics.periods import PeriodKind
from metrics.stock_flow import (
    CONTEXT,
    RECONCILED,
    Figure,
    StockFlow,
    percent_text,
    stock_flow_flag_text,
    stock_flow_reconcile,
    threshold_text,
)
from reports import charts
from reports.figures_table import figure_text
from reports.snapshot import RoundSnapshot
from reports.snapshot.measures import window_start

CHART_ID = "chart-stock-flow"
CHART_LABEL = "Line chart of the expected and the recorded closing stock of EHCPs each month"
# The table's columns (after the month): the chart draws its lines from the fourth and fifth.
EXPECTED_COLUMN, RECORDED_COLUMN = 4, 5


@dataclasses.dataclass(frozen=True)
class StockFlowBlock:
    """The section as the dashboard and board pack show it: the reconciliation, its flag, its
    table and chart (HTML built once), and the chart's full figure for the PDF."""

    flow: StockFlow
    flag: str
    table: SafeString
    html: SafeString
    figure: dict


def stock_flow_of(snapshot: RoundSnapshot, *, since: dt.date | None = None) -> StockFlow | None:
    """The round's stock reconciled with its flows from the month after `since` (default: the
    dashboard's window), or None when the council has not marked the three measures."""
    since = since or window_start(snapshot.round.financial_year)
    figures: dict[str, dict[dt.date, Figure]] = {}
    names: dict[str, str] = {}
    for measure in snapshot.measures:
        role = measure.stock_flow_role
        if role not in RECONCILED and role not in CONTEXT:
            continue
        names[role] = measure.name
        actual = next((ln for ln in measure.lines if ln.kind == Series.Kind.ACTUAL), None)
        points = actual.points if actual else ()
        figures[role] = {
            p.period: Figure(p.value, p.not_available)
            for p in points
            if p.period_kind == PeriodKind.MONTH and p.period >= since
        }
    return stock_flow_reconcile(
        figures=figures,
        names=names,
        threshold=snapshot.council.stock_flow_gap_percent,
        first=month_add(since, 1),
    )


def _number(value) -> str:
    return figure_text(value) if value is not None else ""


def _signed(value) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + figure_text(value)


PAGE_TABLE = "govuk-table app-table app-table--compact app-figures app-stock-flow"
PDF_TABLE = "grid figures stock-flow"


def stock_flow_table(flow: StockFlow, *, chart_id: str = "", css: str = PAGE_TABLE) -> SafeString:
    """The reconciliation as one accessible table; with `chart_id`, the table that chart's
    lines are drawn from (static/js/charts.js reads its columns)."""
    caption_css = (
        ' class="govuk-table__caption govuk-table__caption--s"' if css == PAGE_TABLE else ""
    )
    limit = threshold_text(flow.threshold)
    heads = [
        "Month",
        "Opening stock (last month's closing)",
        "Plans issued",
        "Plans ceased",
        "Expected closing stock",
        "Recorded closing stock",
        "Gap (plans)",
        "Gap (% of expected)",
        f"Gap over {limit}",
    ]
    if flow.has_requests:
        heads.append("Requests for assessment")
    if flow.has_agreed:
        heads.append("Assessments agreed")
    rows = []
    for m in flow.months:
        cells = [
            f'<tr><th scope="row">{m.month:%b %Y}</th>',
            f"<td>{_number(m.opening)}</td>",
            f"<td>{_number(m.issued)}</td>",
            f"<td>{_number(m.ceased)}</td>",
            f"<td>{_number(m.expected)}</td>",
            f"<td>{_number(m.closing)}</td>",
        ]
        if m.is_computed:
            over = (
                f'<strong class="govuk-tag govuk-tag--red app-stock-flow__over">Yes, over '
                f"{limit}</strong>"
                if m.is_over
                else "No"
            )
            cells += [
                f"<td>{_signed(m.gap)}</td>",
                f"<td>{percent_text(m.gap_percent)}</td>",
                f"<td>{over}</td>",
            ]
        else:
            cells.append(f'<td colspan="3">Not computed: {escape(m.missing_text)}</td>')
        if flow.has_requests:
            cells.append(f"<td>{_number(m.requests)}</td>")
        if flow.has_agreed:
            cells.append(f"<td>{_number(m.agreed)}</td>")
        cells.append("</tr>")
        rows.append("".join(cells))
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    caption = (
        f"{escape(flow.names['stock'])} reconciled with {escape(flow.names['issued'])} and "
        f"{escape(flow.names['ceased'])}, month by month: opening stock + issued - ceased "
        f"against the recorded closing stock (a gap over {limit} either way is flagged)"
    )
    return mark_safe(  # noqa: S308 - every text from data is escaped above
        f'<table class="{css}"'
        + (f' data-chart-figures="{escape(chart_id)}">' if chart_id else ">")
        + f"<caption{caption_css}>{caption}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def stock_flow_figure(flow: StockFlow, *, figures: bool = True) -> dict:
    """The expected closing stock (dashed) against the recorded one, a line each. With
    `figures=False`, the lines' styles and the table columns they are drawn from (the page's
    chart: static/js/charts.js reads the points from the table)."""
    lines = (
        ("Expected closing stock", "expected", EXPECTED_COLUMN, {"dash": "dash", "width": 2}),
        ("Recorded closing stock", "closing", RECORDED_COLUMN, {"width": 3}),
    )
    colours = (charts.LINE_COLOURS[0], charts.ACTUAL_COLOUR)
    data = []
    for (name, field, column, style), colour in zip(lines, colours, strict=True):
        trace = {"mode": "lines+markers", "column": column}
        if figures:
            shown = [m for m in flow.months if getattr(m, field) is not None]
            trace = {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": [m.month.isoformat() for m in shown],
                "y": [float(getattr(m, field)) for m in shown],
            }
        trace["line"] = {"color": colour, **style}
        trace["marker"] = {"color": colour, "size": 6}
        data.append(trace)
    months = len(flow.months)
    dtick = "M1" if months <= 8 else "M3" if months <= 24 else "M12"
    layout = {
        "height": 300,
        "xaxis": {"type": "date", "tickformat": "%b %Y", "dtick": dtick},
        "yaxis": {"title": {"text": "EHCPs"}, "separatethousands": True},
    }
    if not figures:
        # What differs from every trend chart; charts.js adds the rest (as for key measures).
        return {"data": data, "layout": layout, "from_table": True}
    return {"data": data, "layout": charts.chart_layout(**layout)}


def _summary(flow: StockFlow, flag: str) -> str:
    parts = []
    if flag:
        parts.append(
            '<div class="govuk-warning-text"><span class="govuk-warning-text__icon" '
            'aria-hidden="true">!</span><strong class="govuk-warning-text__text">'
            f'<span class="govuk-visually-hidden">Warning</span> {escape(flag)}</strong></div>'
        )
    elif flow.months and len(flow.not_computed) < len(flow.months):
        parts.append(
            '<p class="govuk-body">No month reconciled has a gap over the council\'s threshold '
            f"of {threshold_text(flow.threshold)}.</p>"
        )
    missing = flow.not_computed
    if missing:
        listed = ", ".join(f"{m.month:%b %Y}" for m in missing)
        noun = "month is" if len(missing) == 1 else "months are"
        parts.append(
            f'<p class="govuk-body">{len(missing)} {noun} not reconciled because a figure is '
            f"missing: {listed} (the table says which).</p>"
        )
    return "".join(parts)


def stock_flow_block(
    snapshot: RoundSnapshot, *, since: dt.date | None = None, chart_id: str = CHART_ID
) -> StockFlowBlock | None:
    """The section, or None when the council has not marked a stock, plans issued and plans
    ceased (no reconciliation, no section). Reads nothing from the database."""
    flow = stock_flow_of(snapshot, since=since)
    if flow is None:
        return None
    flag = stock_flow_flag_text(flow)
    table = stock_flow_table(flow, chart_id=chart_id) if flow.months else mark_safe("")
    parts = [
        '\n<section class="app-section" aria-labelledby="stock-flow-heading">\n'
        '<h2 class="govuk-heading-l" id="stock-flow-heading">EHCP stock and flow</h2>\n'
    ]
    if not flow.months:
        parts.append(
            '<p class="govuk-body">No figures for the stock of EHCPs or its flows are recorded '
            "for these months.</p>\n"
        )
    else:
        parts.append(_summary(flow, flag))
        page_figure = stock_flow_figure(flow, figures=False)
        parts.append(
            f"\n{json_script(page_figure, chart_id)}\n"
            f'<div class="app-chart" data-chart="{escape(chart_id)}" role="img" '
            f'aria-label="{escape(CHART_LABEL)}. The same figures are in the table."></div>\n'
            '<div class="app-table-scroll" role="region" aria-label="EHCP stock and flow '
            f'table" tabindex="0">{table}</div>\n'
        )
    parts.append("</section>\n")
    return StockFlowBlock(
        flow=flow,
        flag=flag,
        table=table,
        html=mark_safe("".join(parts)),  # noqa: S308 - every text from data is escaped
        figure=stock_flow_figure(flow),
    )
