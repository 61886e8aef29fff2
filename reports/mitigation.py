"""Mitigation that shows (issue 18.3) on the dashboard and in the board pack: the unmitigated
forecast, each workstream's saving stacked towards the mitigated one, and the actual, as a
chart and as the table it is drawn from. Built once from the snapshot, with no query."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from conditions.mitigation import NOT_ATTRIBUTED, Mitigation, mitigation_build
from metrics import variance as fmt
from reports import charts
from reports.snapshot import FinanceFigures, RoundSnapshot
from svmonitor.fy import fy_label

MILLION = Decimal(1_000_000)
CHART_ID = "chart-mitigation"
CAPTION = (
    "In-year position by financial year: the unmitigated forecast, what each workstream is "
    "expected to save, and the mitigated (latest) forecast and actual (£m; a deficit is negative)"
)
LABEL = (
    "Bar chart of each workstream's expected saving, stacked from the unmitigated in-year "
    "forecast towards the mitigated forecast, with the actual, by financial year"
)


@dataclass(frozen=True)
class MitigationChart:
    """The chart, as components/chart.html and the PDF's figures take one (id, figure, label)."""

    id: str
    figure: dict
    label: str


@dataclass(frozen=True)
class MitigationRow:
    """A line of the table: its heading, a figure per year, and what kind of line it is
    (forecast, saving, not-attributed or actual), which the templates style by."""

    heading: str
    cells: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class MitigationBlock:
    """The mitigation table and chart of one snapshot."""

    years: tuple[str, ...]
    rows: tuple[MitigationRow, ...]
    chart: MitigationChart
    has_not_attributed: bool
    caption: str = CAPTION


def _in_year(figures: FinanceFigures | None):
    return figures.in_year_position if figures is not None else None


def snapshot_mitigation(snapshot: RoundSnapshot) -> Mitigation:
    """The snapshot's forecasts and workstream savings, worked into years."""
    forecasts = {
        y.financial_year: (_in_year(y.unmitigated), _in_year(y.latest), _in_year(y.actual))
        for y in snapshot.finance
    }
    workstreams = [
        (w.name, {f.financial_year: f.saving for f in w.savings})
        for w in snapshot.workstream_savings
    ]
    return mitigation_build(forecasts=forecasts, workstreams=workstreams)


def _m(value) -> str:
    return "" if value is None else fmt.format_value(value / MILLION, fmt.GBP_M)


def mitigation_block(snapshot: RoundSnapshot) -> MitigationBlock | None:
    """The table and chart, or None when the council keeps no unmitigated forecast and no
    workstream savings (nothing to show)."""
    mitigation = snapshot_mitigation(snapshot)
    if not mitigation.years:
        return None
    years = mitigation.years
    rows = [
        MitigationRow("Unmitigated forecast", tuple(_m(y.unmitigated) for y in years), "forecast")
    ]
    for index, name in enumerate(mitigation.workstreams):
        rows.append(
            MitigationRow(f"Saving: {name}", tuple(_m(y.savings[index]) for y in years), "saving")
        )
    if mitigation.has_not_attributed:
        rows.append(
            MitigationRow(NOT_ATTRIBUTED, tuple(_m(y.not_attributed) for y in years), "rest")
        )
    rows.append(
        MitigationRow(
            "Mitigated forecast (latest)", tuple(_m(y.mitigated) for y in years), "forecast"
        )
    )
    if any(y.actual is not None for y in years):
        rows.append(MitigationRow("Actual (outturn)", tuple(_m(y.actual) for y in years), "actual"))
    return MitigationBlock(
        years=tuple(fy_label(y.financial_year) for y in years),
        rows=tuple(rows),
        chart=MitigationChart(CHART_ID, charts.mitigation_figure(mitigation), LABEL),
        has_not_attributed=mitigation.has_not_attributed,
    )
