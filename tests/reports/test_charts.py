"""Plotly figure dicts: small, rounded, drawn from the snapshot, with no plotly template."""

import json

import pytest

from reports import charts
from reports.selectors import dashboard_page
from reports.snapshot import round_snapshot_build
from tests.reports.conftest import build_council

pytestmark = pytest.mark.django_db


def test_figures_are_small_json_without_a_template():
    page = dashboard_page(round_snapshot_build(build_council(scale=1)))
    figures = [
        page.workstream_chart,
        page.heat_chart,
        page.finance_chart,
        page.payments_chart,
        *(mb.chart for block in page.areas for mb in block.measures),
    ]
    for chart in figures:
        text = json.dumps(chart.figure)
        assert "template" not in chart.figure["layout"]
        assert len(text) < 6000, chart.id
        assert chart.label


def test_the_workstream_chart_stacks_counts_per_area():
    snap = round_snapshot_build(build_council(scale=1))
    figure = charts.workstream_status_figure(snap)
    assert figure["layout"]["barmode"] == "stack"
    total = sum(sum(trace["y"]) for trace in figure["data"])
    assert total == sum(len(a.workstreams) for a in snap.areas)
    # Legend entries are the council's words for each level.
    assert {t["name"] for t in figure["data"]} <= {d.label for d in snap.rag_definitions}


def test_the_heat_map_labels_each_cell_with_its_count():
    snap = round_snapshot_build(build_council(scale=1))
    trace = charts.risk_heat_map_figure(snap)["data"][0]
    assert trace["type"] == "heatmap"
    labelled = sum(int(n) for row in trace["text"] for n in row if n)
    assert labelled == len(snap.risks)


def test_trend_lines_are_rounded_and_include_the_rolling_average():
    snap = round_snapshot_build(build_council(scale=3))
    rolling_measure = next(m for m in snap.measures if m.reading == "rolling_12")
    figure = charts.measure_trend_figure(rolling_measure)
    names = [trace["name"] for trace in figure["data"]]
    assert names[0] == "Actual"
    assert "SV forecast" in names
    assert "12-month rolling average" in names
    # 18 months of figures give 7 full 12-month windows.
    assert len(rolling_measure.rolling) == 7
    for trace in figure["data"]:
        assert all(isinstance(y, float | int) for y in trace["y"] if y is not None)


def test_a_month_not_available_is_a_gap_and_a_year_only_measure_has_years_as_categories():
    import datetime as dt
    from decimal import Decimal

    from metrics.models import Measure, MeasureValue
    from tests.factories import MeasureFactory, MeasureValueFactory

    latest = build_council(scale=3)
    council = latest.agreement.council
    rolling = Measure.objects.get(council=council, reading="rolling_12")
    MeasureValue.objects.filter(
        measure=rolling, series__slug="actual", period=dt.date(2024, 11, 1)
    ).update(value=None, not_available_reason="Not available")
    annual = MeasureFactory(council=council, name="KS4 attainment", unit="percent")
    actual = rolling.values.get(period=dt.date(2024, 12, 1), series__slug="actual").series
    for year, value in ((2023, "41.5"), (2024, None)):
        MeasureValueFactory(
            measure=annual,
            series=actual,
            period=dt.date(year, 9, 1),
            period_kind="academic_year",
            value=None if value is None else Decimal(value),
            not_available_reason="" if value else "Not published",
        )
    snap = round_snapshot_build(latest)
    monthly = charts.measure_trend_figure(snap.measure(rolling.code))
    trace = monthly["data"][0]
    assert trace["y"][trace["x"].index("2024-11-01")] is None
    # A 12-month window with a month not available has no average; the earlier ones stay.
    averaged = [p.period for p in snap.measure(rolling.code).rolling]
    assert averaged and dt.date(2024, 11, 1) not in averaged
    yearly = charts.measure_trend_figure(snap.measure(annual.code))
    assert yearly["layout"]["xaxis"] == {"type": "category"}
    assert yearly["data"][0]["x"] == ["2023-24 AY", "2024-25 AY"]
    assert yearly["data"][0]["y"] == [41.5, None]
