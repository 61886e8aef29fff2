"""HTML for the DfE monitoring report and the board pack, and WeasyPrint to turn it into PDF/UA.

Both documents render a snapshot (reports/pdf/selectors.py says which one): the DfE report in
the layout of the DfE template (overview, detailed update per condition, RAG definitions, risk
register, High Needs Block forecast); the board pack as the dashboard (reports.selectors.
dashboard_page, the very page model the dashboard renders). Charts are the dashboard's plotly
figures drawn as SVG (charts_svg). WeasyPrint may read only static/ (fetcher.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from metrics import variance as fmt
from metrics.periods import PeriodKind, period_label
from reports import charts
from reports.pdf.charts_svg import figure_data_uri
from reports.pdf.fetcher import StaticOnlyFetcher, static_root
from reports.pdf.selectors import ReportSource, rating_for_code, risk_ratings_by_update
from reports.selectors import dashboard_page
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
from reports.snapshot.measures import Footnotes, figure_cell
from svmonitor.choices import DEFAULT_RAG_DEFINITIONS, RAG_RANK, Rag, YesNo
from svmonitor.fy import fy_of
from svmonitor.models import SignOff
from svmonitor.pdf_limits import render_pdf_bounded

# PDF/UA-1: tagged, with the title and language in the catalogue (WeasyPrint adds both).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
# Drawn at the width they are shown at, so 12-unit text prints at about 9 points.
WIDE_CHART = 940
CONDITION_CHART = 640
CONDITION_CHART_HEIGHT = 230
TABLE_MONTHS = 12
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Figure:
    """A chart as an <img>: its SVG data URI and its alternative text."""

    uri: str
    alt: str
    caption: str


@dataclass(frozen=True)
class MeasureTable:
    """A key measure month by month: each line (plan, actual, last year) as a row."""

    periods: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    # Each figure's note or reason it is not available, numbered from 1 (the cells' marks).
    footnotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeasureBlock:
    """A key measure cited by a condition: its monthly table and its chart."""

    measure: MeasureData
    table: MeasureTable
    figure: Figure

    @property
    def title(self) -> str:
        """The measure's name, with how it is read unless the name says so already."""
        name, reading = self.measure.name, self.measure.reading_label
        if self.measure.reading == "point" or reading.lower() in name.lower():
            return name
        return f"{name} ({reading.lower()})"


@dataclass(frozen=True)
class ConditionBlock:
    """A condition's row of the detailed update."""

    condition: ConditionRow
    ratings: tuple[tuple[str, Rating | None], ...]
    measures: tuple[MeasureBlock, ...]


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


def _month(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} '{day:%y}"


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _marked(display: str, footnote: int | None) -> str:
    # A figure with a note (or not available) points at its footnote under the table: "42¹".
    return display if footnote is None else f"{display}{str(footnote).translate(_SUPERSCRIPT)}"


def _period_heading(period: dt.date, kind: str) -> str:
    return _month(period) if kind == PeriodKind.MONTH else period_label(period, kind)


def measure_table(measure: MeasureData, *, financial_year: int) -> MeasureTable:
    """The months of the round's financial year (else the last six) for every line; each
    figure's note and each reason a figure is not available numbered under the table."""
    actual = measure.actual
    periods = [(p.period, p.period_kind) for p in actual.points] if actual else []
    in_year = [p for p in periods if fy_of(p[0]) == financial_year]
    periods = (in_year if len(in_year) >= 2 else periods[-6:])[-TABLE_MONTHS:]
    notes = Footnotes()
    rows = [
        (
            line.name,
            tuple(_marked(*figure_cell(line.point_at(*p), measure.unit, notes)) for p in periods),
        )
        for line in measure.lines
    ]
    if measure.rolling:
        rolling = {p.period: p.value for p in measure.rolling}
        rows.append(
            (
                "12-month rolling average",
                tuple(
                    fmt.format_value(
                        rolling.get(p[0]) if p[1] == PeriodKind.MONTH else None, measure.unit
                    )
                    for p in periods
                ),
            )
        )
    baselines = measure.baselines
    if actual and baselines:
        plan = baselines[0]
        rows.append(
            (
                f"{actual.name} against {plan.name}",
                tuple(
                    fmt.format_difference(
                        None
                        if actual.at(*p) is None or plan.at(*p) is None
                        else actual.at(*p) - plan.at(*p),
                        measure.unit,
                    )
                    for p in periods
                ),
            )
        )
    return MeasureTable(
        tuple(_period_heading(*p) for p in periods), tuple(rows), tuple(notes.texts)
    )


def _measure_figure(measure: MeasureData, *, width: int) -> Figure:
    names = ", ".join(line.name for line in measure.lines) or "no figures"
    monthly = any(p.is_month for line in measure.lines for p in line.points)
    points = sorted(
        (p.period, p.period_kind)
        for line in measure.lines
        for p in line.points
        if p.is_month == monthly
    )
    span = f", {_period_heading(*points[0])} to {_period_heading(*points[-1])}" if points else ""
    alt = f"Line chart of {measure.name}: {names}{span}. The figures are in the table above."
    figure = charts.measure_trend_figure(measure)
    uri = figure_data_uri(figure, width=width, height=CONDITION_CHART_HEIGHT, title=alt)
    return Figure(uri, alt, measure.name)


def _labelled(snapshot: RoundSnapshot, ratings) -> tuple[tuple[str, Rating | None], ...]:
    return tuple(zip(snapshot.update_labels, ratings, strict=True))


def report_context(source: ReportSource) -> dict:
    """Everything templates/reports/pdf/report.html shows, from one snapshot."""
    snap = source.snapshot

    def measure_block(measure: MeasureData) -> MeasureBlock:
        return MeasureBlock(
            measure,
            measure_table(measure, financial_year=snap.round.financial_year),
            _measure_figure(measure, width=CONDITION_CHART),
        )

    # Under each condition: the measures its update cites, then those attached to it when the
    # council groups its KPIs by condition. Every other measure with figures in the year is
    # listed once after the detailed update, under its programme area or "Other measures".
    groups = snap.measure_groups
    attached = {g.ref_id: g.measure_codes for g in groups if g.kind == kpi_groups.CONDITION}
    shown: set[str] = set()
    blocks = []
    for condition in snap.conditions:
        measures = []
        for code in dict.fromkeys((*condition.key_measure_codes, *attached.get(condition.id, ()))):
            measure = snap.measure(code)
            if measure is None:
                continue
            shown.add(code)
            measures.append(measure_block(measure))
        blocks.append(
            ConditionBlock(condition, _labelled(snap, condition.by_update), tuple(measures))
        )
    further = []
    for group in groups:
        if group.kind == kpi_groups.CONDITION:
            continue
        measures = [m for m in snap.group_measures(group) if m.code not in shown]
        shown.update(m.code for m in measures)
        if measures:
            further.append(GroupMeasures(group, tuple(measure_block(m) for m in measures)))
    if all(r.ratings_by_update for r in snap.risks):
        history = {r.id: r.ratings_by_update for r in snap.risks}
    else:
        # A payload frozen before the snapshot carried each risk's levels at Updates 1-3.
        history = risk_ratings_by_update(source=source)
    risks = tuple(RiskBlock(r, _labelled(snap, history[r.id])) for r in snap.risks)
    page = dashboard_page(snap)
    finance_alt = (
        page.finance_chart.label + ", in £ million. The figures are in the table below the chart."
    )
    return {
        **_common(source),
        "conditions": blocks,
        "further_measures": further,
        "risks": risks,
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

    return {
        **_common(source),
        "page": page,
        "workstream_figure": figure(page.workstream_chart),
        "heat_figure": figure(page.heat_chart, width=460),
        "finance_figure": figure(page.finance_chart),
        "payments_figure": figure(page.payments_chart),
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
