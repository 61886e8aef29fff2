"""HTML for the DfE monitoring report and the board pack, and WeasyPrint to turn it into PDF/UA.

Both documents render a snapshot (reports/pdf/selectors.py says which one): the DfE report in
the layout of the DfE template (overview, detailed update per condition, RAG definitions, risk
register, High Needs Block forecast); the board pack as the dashboard (reports.selectors.
dashboard_page, the very page model the dashboard renders). Charts are the dashboard's plotly
figures drawn as SVG (charts_svg). WeasyPrint may read only static/ (fetcher.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from reports.pdf.charts_svg import figure_data_uri
from reports.pdf.fetcher import StaticOnlyFetcher, static_root
from reports.pdf.key_measures import (
    NO_FIGURE,
    Figure,
    MeasureBlock,
    MeasureGrid,
    grid_periods,
    measure_block,
    measure_grid,
    series_end,
    uses_grid,
)
from reports.pdf.selectors import ReportSource, rating_for_code, risk_ratings_by_update
from reports.selectors import Chart, dashboard_page
from reports.snapshot import (
    AreaSection,
    ConditionRow,
    KpiGroup,
    MeasureData,
    Rating,
    RiskRow,
    RoundSnapshot,
)
from reports.snapshot import groups as kpi_groups
from reports.stock_flow import CHART_LABEL, PDF_TABLE, stock_flow_block, stock_flow_table
from svmonitor.choices import DEFAULT_RAG_DEFINITIONS, RAG_RANK, Rag, YesNo
from svmonitor.models import SignOff
from svmonitor.pdf_limits import render_pdf_bounded

# PDF/UA-1: tagged, with the title and language in the catalogue (WeasyPrint adds both).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
# Drawn at the width they are shown at, so 12-unit text prints at about 9 points.
WIDE_CHART = 940


@dataclass(frozen=True)
class ConditionBlock:
    """A condition's row of the detailed update."""

    condition: ConditionRow
    ratings: tuple[tuple[str, Rating | None], ...]
    measures: tuple[MeasureBlock, ...]  # the "series" layout: tables in the progress column
    grid: MeasureGrid | None = None  # the "months" layout: its grid under Key measures


@dataclass(frozen=True)
class RiskBlock:
    """A risk's row of the risk register, with its level at each update."""

    risk: RiskRow
    ratings: tuple[tuple[str, Rating | None], ...]


@dataclass(frozen=True)
class AreaFigures:
    """A programme area of the board pack, with each key measure and its chart."""

    area: AreaSection
    measures: tuple[tuple[MeasureData, Figure], ...]


@dataclass(frozen=True)
class GroupFigures:
    """A heading of the board pack's key measures (a condition, or other measures), each
    measure with its chart."""

    group: KpiGroup
    measures: tuple[tuple[MeasureData, Figure], ...]


@dataclass(frozen=True)
class GroupMeasures:
    """A heading of the DfE report's further key measures (a programme area, or other
    measures) with each measure's monthly table and chart."""

    group: KpiGroup
    measures: tuple[MeasureBlock, ...]


def _labelled(snapshot: RoundSnapshot, ratings) -> tuple[tuple[str, Rating | None], ...]:
    return tuple(zip(snapshot.update_labels, ratings, strict=True))


def report_context(source: ReportSource) -> dict:
    """Everything templates/reports/pdf/report.html shows, from one snapshot."""
    snap = source.snapshot

    grid = uses_grid(snap)
    periods = grid_periods(snap) if grid else ()
    end = series_end(snap)

    def block(measure: MeasureData) -> MeasureBlock:
        return measure_block(measure, financial_year=snap.round.financial_year, end=end)

    # Under each condition: the measures its update cites, then those attached to it when the
    # council groups its KPIs by condition. Every other measure with figures in the year is
    # listed once after the detailed update, under its programme area or "Other measures".
    # In the "months" layout each condition's measures are one grid under Key measures.
    groups = snap.measure_groups
    attached = {g.ref_id: g.measure_codes for g in groups if g.kind == kpi_groups.CONDITION}
    shown: set[str] = set()
    blocks = []
    grids = []
    for condition in snap.conditions:
        measures = []
        for code in dict.fromkeys((*condition.key_measure_codes, *attached.get(condition.id, ()))):
            measure = snap.measure(code)
            if measure is None:
                continue
            shown.add(code)
            measures.append(measure)
        ratings = _labelled(snap, condition.by_update)
        if grid and measures:
            group = kpi_groups.KpiGroup(
                kpi_groups.CONDITION,
                f"condition-{condition.id}",
                condition.id,
                condition.label,
                condition.title,
                tuple(m.code for m in measures),
            )
            grids.append(measure_grid(group, measures, periods))
            blocks.append(ConditionBlock(condition, ratings, (), grids[-1]))
        else:
            blocks.append(
                ConditionBlock(condition, ratings, () if grid else tuple(map(block, measures)))
            )
    further = []
    for group in groups:
        if group.kind == kpi_groups.CONDITION:
            continue
        measures = [m for m in snap.group_measures(group) if m.code not in shown]
        shown.update(m.code for m in measures)
        if measures and grid:
            grids.append(measure_grid(group, measures, periods))
        elif measures:
            further.append(GroupMeasures(group, tuple(map(block, measures))))
    if all(r.ratings_by_update for r in snap.risks):
        history = {r.id: r.ratings_by_update for r in snap.risks}
    else:
        # A payload frozen before the snapshot carried each risk's levels at Updates 1-3.
        history = risk_ratings_by_update(source=source)
    # Issue 15.8: the register prints the risks the council chose for DfE (by default those
    # with an update in the round); the rest stay on the board's dashboard and board pack.
    risks = tuple(
        RiskBlock(r, _labelled(snap, history[r.id])) for r in snap.risks if r.in_dfe_report
    )
    page = dashboard_page(snap)
    finance_alt = (
        page.finance_chart.label + ", in £ million. The figures are in the table below the chart."
    )
    return {
        **_common(source),
        "conditions": blocks,
        "further_measures": further,
        "measure_grids": grids,
        "no_figure": NO_FIGURE,
        "risks": risks,
        "risks_left_out": len(snap.risks) - len(risks),
        "headlines_by_kind": _headlines_by_kind(snap),
        "on_track": _on_track(snap),
        "adviser_support": dict(YesNo.choices).get(
            snap.overview.adviser_support_requested, NOT_ANSWERED
        ),
        "rag_definitions": _rag_definitions(snap),
        "finance_rows": page.finance_rows,
        "finance_figure": Figure(
            figure_data_uri(page.finance_chart.figure, width=WIDE_CHART, title=finance_alt),
            finance_alt,
            "High Needs Block forecast by financial year",
        ),
    }


NOT_ANSWERED = "Not answered"
ON_TRACK_QUESTIONS = (
    (
        "deficit_this_year",
        "To achieve the Safety Valve agreement's projected deficit in the current year?",
    ),
    ("zero_deficit", "To achieve a £0 DSG deficit by the end of the Safety Valve agreement?"),
    ("capital_project", "Is your LA's Safety Valve capital project on track?"),
)


def _on_track(snap: RoundSnapshot) -> list[tuple[str, str, str]]:
    answers = dict(YesNo.choices)
    rows = []
    for name, question in ON_TRACK_QUESTIONS:
        answer = getattr(snap.overview, f"{name}_on_track")
        commentary = getattr(snap.overview, f"{name}_commentary")
        rows.append((question, answers.get(answer, NOT_ANSWERED), commentary))
    return rows


def _rag_definitions(snap: RoundSnapshot) -> list[dict]:
    """The council's RAG words and definitions, else DfE's four levels; best first."""
    if snap.rag_definitions:
        pairs = [(d.level, d.definition) for d in snap.rag_definitions]
    else:
        pairs = [
            (level, DEFAULT_RAG_DEFINITIONS[level])
            for level in (Rag.BLUE, Rag.GREEN, Rag.AMBER, Rag.RED)
        ]
    pairs.sort(key=lambda pair: RAG_RANK.get(pair[0], 99))
    return [
        {"rating": rating_for_code(snap, level), "definition": definition}
        for level, definition in pairs
    ]


def _headlines_by_kind(snap: RoundSnapshot):
    kinds = [
        ("driver", "This quarter, the biggest drivers of positive change have been"),
        ("barrier", "This quarter, the biggest barriers to implementing the plan have been"),
        ("engagement", "This quarter, the best examples of stakeholder engagement have been"),
    ]
    return [
        (question, [h.text for h in snap.overview.headlines if h.kind == kind])
        for kind, question in kinds
    ]


def board_pack_context(source: ReportSource) -> dict:
    """Everything templates/reports/pdf/board_pack.html shows: the dashboard's page model."""
    page = dashboard_page(source.snapshot)

    def figure(chart, width=WIDE_CHART):
        alt = f"{chart.label}. The figures are in the table beside the chart."
        return Figure(figure_data_uri(chart.figure, width=width, title=alt), alt, chart.label)

    stock_flow = stock_flow_block(source.snapshot, chart_id="")
    return {
        **_common(source),
        "page": page,
        "stock_flow": stock_flow,
        "stock_flow_table": (
            stock_flow_table(stock_flow.flow, css=PDF_TABLE) if stock_flow else ""
        ),
        "stock_flow_figure": (
            figure(Chart("", stock_flow.figure, CHART_LABEL)) if stock_flow else None
        ),
        "workstream_figure": figure(page.workstream_chart),
        "heat_figure": figure(page.heat_chart, width=460),
        "finance_figure": figure(page.finance_chart),
        "payments_figure": figure(page.payments_chart),
        "mitigation_figure": figure(page.mitigation.chart) if page.mitigation else None,
        "areas": [
            AreaFigures(block.area, tuple((mb.measure, figure(mb.chart)) for mb in block.measures))
            for block in page.areas
        ],
        "condition_groups": [
            GroupFigures(
                block.group, tuple((mb.measure, figure(mb.chart)) for mb in block.measures)
            )
            for block in page.condition_groups
        ],
        "other_measures": (
            GroupFigures(
                page.other_measures.group,
                tuple((mb.measure, figure(mb.chart)) for mb in page.other_measures.measures),
            )
            if page.other_measures
            else None
        ),
    }


def _common(source: ReportSource) -> dict:
    snap = source.snapshot
    return {
        "snap": snap,
        "source": source,
        "is_draft": source.is_draft,
        "rendered_at": timezone.localtime(),
        "running_title": f"{snap.council.name}: {snap.round.label}",
        "sign_off_rows": [
            (label, next((s for s in snap.sign_offs if s.capacity == capacity), None))
            for capacity, label in SignOff.Capacity.choices
        ],
        # A return submitted before svmonitor: the council's record of its sign-offs.
        "council_sign_off_rows": [
            (label, next((s for s in snap.round.council_sign_offs if s.capacity == capacity), None))
            for capacity, label in SignOff.Capacity.choices
        ],
    }


def report_html(source: ReportSource) -> str:
    """The DfE monitoring report as HTML."""
    return render_to_string("reports/pdf/report.html", report_context(source))


def board_pack_html(source: ReportSource) -> str:
    """The board pack as HTML."""
    return render_to_string("reports/pdf/board_pack.html", board_pack_context(source))


def base_url() -> str:
    """Relative URLs in the PDF templates (css/, fonts/) resolve inside static/."""
    return static_root().as_uri() + "/"


def pdf_from_html(html: str, *, bounded: bool = True) -> bytes:
    """PDF/UA bytes: in a bounded child process for web requests, or in this process."""
    fetcher = StaticOnlyFetcher()
    if bounded:
        return render_pdf_bounded(html, base_url=base_url(), url_fetcher=fetcher, **PDF_OPTIONS)
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=base_url(), url_fetcher=fetcher)
    return document.write_pdf(**PDF_OPTIONS)
