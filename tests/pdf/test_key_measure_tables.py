"""Issue 13.5: the DfE report's key-measure tables follow the council's data.

A council chooses the layout (LocalAuthority.kpi_table_layout): plan, actual and the same period
last year per measure, or a grid of its last N months (kpi_table_months) per condition or area;
headings name only the series with figures; a measure with no figures in the window says so in
words instead of an empty table and chart; Measure.show_chart turns a measure's chart off; a
council of the issue's shape gets a report within 1.5 times its own report's 18 pages.
"""

import datetime as dt
import io
import re
import sys
from decimal import Decimal

import pytest
from django.db import transaction
from pypdf import PdfReader

from metrics.models import Measure, MeasureValue, Series
from metrics.periods import PeriodKind
from reports.freeze import payload_sha256
from reports.models import RoundSnapshot as FrozenSnapshot
from reports.pdf.render import pdf_from_html, report_context, report_html
from reports.pdf.selectors import report_source_for_round
from reports.snapshot import round_snapshot_build, snapshot_as_dict
from svmonitor.choices import KpiGrouping, KpiTableLayout, RoundStatus
from svmonitor.models import LocalAuthority
from tests.factories import (
    AgreementConditionFactory,
    AgreementFactory,
    ConditionUpdateFactory,
    DataSourceFactory,
    LocalAuthorityFactory,
    MeasureFactory,
    MeasureValueFactory,
    ReportingRoundFactory,
    SeriesFactory,
)
from tests.pdf.conftest import pdf_text
from tests.pdf.shape import CONDITIONS, MONTHLY, build_shaped_council

pytestmark = pytest.mark.django_db

# The council's own Update 3 report runs to 18 pages; the issue allows 1.5 times that.
COUNCILS_OWN_PAGES = 18
PAGE_LIMIT = COUNCILS_OWN_PAGES * 3 // 2
GRID_MONTHS = [
    "Nov '23",
    "Dec '23",
    *(f"{m} '24" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep")),
    "Oct '24",
    "Nov '24",
]
FY_MONTHS = [dt.date(2024, m, 1) for m in range(4, 11)]


@pytest.fixture(scope="module")
def shaped(django_db_setup, django_db_blocker):
    """The issue's council in the grid layout, four charts kept: its context and its PDF."""
    with django_db_blocker.unblock(), transaction.atomic():
        latest = build_shaped_council(layout=KpiTableLayout.MONTHS, charts=4)
        source = report_source_for_round(round=latest)
        context = report_context(source)
        pdf = pdf_from_html(report_html(source), bounded=False)
        transaction.set_rollback(True)
    return context, pdf


def test_a_council_of_the_issues_shape_gets_a_report_within_one_and_a_half_times_its_own(
    shaped,
):
    _, pdf = shaped
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    # The figure for the lead's note (pytest -s shows it).
    print(
        f"\nDfE report of the issue-13 council shape: {pages} pages "
        f"(council's own: {COUNCILS_OWN_PAGES}; limit {PAGE_LIMIT})",
        file=sys.stderr,
    )
    assert pages <= PAGE_LIMIT
    text = pdf_text(pdf)
    # Nothing was dropped to get there: every monthly KPI and every condition prints.
    for i in range(1, MONTHLY + 1):
        assert f"KPI {i}:" in text
    for i in range(1, CONDITIONS + 1):
        assert f"Condition {i}: Condition {i} of the agreement" in text
    assert "KEY MEASURES" in text


def test_the_grid_has_a_row_per_measure_and_a_column_per_month_of_the_window(shaped):
    context, pdf = shaped
    grids = context["measure_grids"]
    # One grid per condition, in the conditions' order, holding every measure once.
    assert [g.group.label for g in grids] == [str(i) for i in range(1, CONDITIONS + 1)]
    codes = [m.code for g in grids for m in g.measures]
    assert len(codes) == len(set(codes)) == MONTHLY + 3
    for grid in grids:
        assert list(grid.months) == GRID_MONTHS
        assert grid.window == "November 2023 to November 2024"
        # Only actuals were reported: no series column, and the caption says so.
        assert not grid.series_column
        assert grid.caption.endswith("actual figures, November 2023 to November 2024")
        assert "plan" not in grid.caption
    text = pdf_text(pdf)
    assert " ".join(GRID_MONTHS) in text
    assert "plan against actual" not in text


def test_charts_print_only_for_measures_the_council_keeps_them_for(shaped):
    context, _ = shaped
    charted = [f.caption for g in context["measure_grids"] for f in g.charts]
    kept = [context["snap"].measure(f"kpi-{i}").name for i in range(1, 5)]
    assert sorted(charted) == sorted(kept)
    for grid in context["measure_grids"]:
        for figure in grid.charts:
            assert figure.alt.startswith(f"Line chart of {figure.caption}: Actual, Nov '23")
            assert figure.alt.endswith("The figures are in the table above.")


def test_the_grid_is_an_accessible_table():
    latest = build_shaped_council(charts=1)
    html = report_html(report_source_for_round(round=latest))
    section = html[html.index('id="key-measures"') :]
    section = section[: section.index("</section>")]
    assert section.count('<th scope="col" class="num">') == 13 * CONDITIONS
    assert section.count('<th scope="row" class="kpi-grid__name">') == MONTHLY + 3
    assert section.count("<caption>") == CONDITIONS
    # The one chart kept has its alt text; the grid above it holds its figures.
    (alt,) = re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', section)
    assert alt.startswith("Line chart of KPI 1:")
    # Each condition's row of the detailed update links to its grid.
    assert html.count('class="page-ref" href="#kpis-condition-') == CONDITIONS


def test_a_council_chooses_how_many_months_its_grid_runs_to():
    latest = build_shaped_council(months=6, charts=0)
    grids = report_context(report_source_for_round(round=latest))["measure_grids"]
    assert list(grids[0].months) == GRID_MONTHS[-6:]
    assert grids[0].window == "June to November 2024"
    assert not any(g.charts for g in grids)


# --- the plan / actual / same period last year layout -------------------------------------


def _council(layout=KpiTableLayout.SERIES):
    council = LocalAuthorityFactory(kpi_grouping=KpiGrouping.CONDITIONS, kpi_table_layout=layout)
    agreement = AgreementFactory(council=council)
    rnd = ReportingRoundFactory(
        agreement=agreement,
        financial_year=2024,
        update_number=3,
        due_date=dt.date(2024, 11, 30),
        data_as_at=dt.date(2024, 10, 1),
    )
    condition = AgreementConditionFactory(agreement=agreement, label="1", title="Reduce demand")
    ConditionUpdateFactory(round=rnd, condition=condition, narrative="On plan.")
    source = DataSourceFactory(council=council, name="Council MI")
    series = {
        kind: SeriesFactory(council=council, kind=kind, name=name, slug=kind)
        for kind, name in (
            (Series.Kind.ACTUAL, "Actual"),
            (Series.Kind.BASELINE, "SV plan"),
            (Series.Kind.LAST_YEAR, "Last year"),
        )
    }
    return council, rnd, condition, source, series


def _measure(council, condition, source, name, values, **fields):
    """A measure attached to the condition, with {series: value} for every month of FY_MONTHS."""
    measure = MeasureFactory(council=council, name=name, data_source=source, **fields)
    measure.conditions.set([condition])
    for series, value in values.items():
        for period in FY_MONTHS:
            MeasureValueFactory(measure=measure, series=series, period=period, value=value)
    return measure


def _blocks(rnd):
    (block,) = report_context(report_source_for_round(round=rnd))["conditions"]
    return {mb.measure.name: mb for mb in block.measures}


def test_headings_name_only_the_series_with_figures():
    council, rnd, condition, source, series = _council()
    actual, plan, last_year = (series[k] for k in ("actual", "baseline", "last_year"))
    _measure(council, condition, source, "Actuals only", {actual: Decimal(40)})
    _measure(
        council,
        condition,
        source,
        "All three",
        {actual: Decimal(40), plan: Decimal(38), last_year: Decimal(35)},
    )
    _measure(council, condition, source, "Against last year", {actual: 5, last_year: 4})
    blocks = _blocks(rnd)
    assert blocks["Actuals only"].caption == "Actuals only: actual figures"
    assert [name for name, _ in blocks["Actuals only"].table.rows] == ["Actual"]
    # Wiltshire's measures, with all three, keep their heading.
    assert blocks["All three"].caption == (
        "All three: plan against actual and the same period last year"
    )
    assert {name for name, _ in blocks["All three"].table.rows} == {
        "Actual",
        "SV plan",
        "Last year",
        "Actual against SV plan",
    }
    assert blocks["Against last year"].caption == (
        "Against last year: actual and the same period last year"
    )
    text = pdf_text(pdf_from_html(report_html(report_source_for_round(round=rnd)), bounded=False))
    assert "Actuals only: actual figures" in text
    assert "Actuals only: plan against actual" not in text


def test_a_measure_without_figures_in_the_window_says_so_instead_of_an_empty_chart():
    council, rnd, condition, source, series = _council()
    _measure(council, condition, source, "Reported", {series["actual"]: Decimal(7)})
    silent = MeasureFactory(council=council, name="Never reported", data_source=source)
    # Cited by the condition's update, but no figure was ever recorded.
    condition.updates.get(round=rnd).key_measures.add(silent)
    block = _blocks(rnd)["Never reported"]
    assert block.figure is None
    assert block.missing == "No figures reported for April to October 2024."
    html = report_html(report_source_for_round(round=rnd))
    assert "<strong>Never reported:</strong> No figures reported for April to October 2024." in (
        html
    )
    assert 'alt="Line chart of Never reported' not in html
    assert 'alt="Line chart of Reported' in html


def test_a_measure_without_figures_in_the_grid_says_so_in_its_row():
    council, rnd, condition, source, series = _council(KpiTableLayout.MONTHS)
    _measure(council, condition, source, "Reported", {series["actual"]: Decimal(7)})
    silent = MeasureFactory(council=council, name="Never reported", data_source=source)
    condition.updates.get(round=rnd).key_measures.add(silent)
    (grid,) = report_context(report_source_for_round(round=rnd))["measure_grids"]
    row = next(r for r in grid.rows if r.measure.name == "Never reported")
    # The grid ends at the latest month reported (October) and runs 13 months back.
    assert row.words == "No figures reported for October 2023 to October 2024."
    assert [f.caption for f in grid.charts] == ["Reported"]


def test_a_council_turns_a_measures_chart_off_and_keeps_its_table():
    council, rnd, condition, source, series = _council()
    _measure(council, condition, source, "Charted", {series["actual"]: Decimal(7)})
    _measure(council, condition, source, "Tabled", {series["actual"]: Decimal(9)}, show_chart=False)
    blocks = _blocks(rnd)
    assert blocks["Charted"].figure is not None
    assert blocks["Tabled"].figure is None and blocks["Tabled"].table.rows
    html = report_html(report_source_for_round(round=rnd))
    assert 'alt="Line chart of Charted' in html
    assert 'alt="Line chart of Tabled' not in html
    assert "<caption>Tabled: actual figures</caption>" in html


# --- the frozen record ---------------------------------------------------------------------


def _freeze(rnd, payload):
    FrozenSnapshot.objects.create(
        round=rnd, created_by=None, payload=payload, sha256=payload_sha256(payload)
    )
    type(rnd).objects.filter(pk=rnd.pk).update(
        status=RoundStatus.SUBMITTED, submitted_on=dt.date(2024, 11, 30)
    )
    rnd.refresh_from_db()
    return report_source_for_round(round=rnd)


def test_a_frozen_return_keeps_the_layout_and_charts_it_was_signed_with():
    council, rnd, condition, source, series = _council(KpiTableLayout.MONTHS)
    LocalAuthority.objects.filter(pk=council.pk).update(kpi_table_months=6)
    _measure(council, condition, source, "Tabled", {series["actual"]: Decimal(9)}, show_chart=False)
    payload = snapshot_as_dict(round_snapshot_build(rnd))
    assert payload["council"]["kpi_table_layout"] == "months"
    assert payload["council"]["kpi_table_months"] == 6
    assert payload["measures"][0]["show_chart"] is False
    _freeze(rnd, payload)
    # The council changes its mind after the freeze: the frozen report does not.
    LocalAuthority.objects.filter(pk=council.pk).update(kpi_table_layout=KpiTableLayout.SERIES)
    Measure.objects.filter(council=council).update(show_chart=True)
    (grid,) = report_context(report_source_for_round(round=rnd))["measure_grids"]
    assert grid.window == "May to October 2024" and not grid.charts


def test_a_payload_frozen_before_the_layout_was_recorded_prints_as_it_did():
    council, rnd, condition, source, series = _council(KpiTableLayout.MONTHS)
    _measure(council, condition, source, "Charted", {series["actual"]: Decimal(7)})
    payload = snapshot_as_dict(round_snapshot_build(rnd))
    for key in ("kpi_table_layout", "kpi_table_months"):
        del payload["council"][key]
    for measure in payload["measures"]:
        del measure["show_chart"]
    source_ = _freeze(rnd, payload)
    assert source_.snapshot.council.kpi_table_layout == KpiTableLayout.SERIES
    context = report_context(source_)
    assert context["measure_grids"] == []
    (block,) = context["conditions"]
    (mb,) = block.measures
    assert mb.figure is not None and mb.caption == "Charted: actual figures"


def test_a_measure_with_only_a_plan_ahead_shows_the_plan_rather_than_nothing():
    council, rnd, condition, source, series = _council()
    target = MeasureFactory(council=council, name="New places", data_source=source)
    target.conditions.set([condition])
    MeasureValueFactory(
        measure=target, series=series["baseline"], period=dt.date(2025, 1, 1), value=156
    )
    block = _blocks(rnd)["New places"]
    assert block.caption == "New places: plan"
    assert block.table.periods == ("Jan '25",)
    assert block.table.rows == (("SV plan", ("156",)),)
    assert block.figure is not None and not block.missing


def test_value_notes_are_numbered_under_the_grid(shaped):
    context, pdf = shaped
    first = context["measure_grids"][0]
    assert first.footnotes == ("provisional",)
    (noted,) = [row for row in first.rows if row.measure.code == "kpi-1"]
    assert noted.cells[-1].endswith("\u00b9") and not noted.cells[-2].endswith("\u00b9")
    assert "provisional" in pdf_text(pdf)


def test_figures_not_available_print_as_n_a_and_a_measure_with_none_else_says_so():
    council, rnd, condition, source, series = _council(KpiTableLayout.MONTHS)
    partly = _measure(council, condition, source, "Partly missing", {series["actual"]: 7})
    gone = _measure(council, condition, source, "All missing", {series["actual"]: 8})
    MeasureValue.objects.filter(measure=partly, period=FY_MONTHS[-1]).update(
        value=None, not_available_reason="Data not yet published"
    )
    MeasureValue.objects.filter(measure=gone).update(
        value=None, not_available_reason="Survey discontinued"
    )
    (grid,) = report_context(report_source_for_round(round=rnd))["measure_grids"]
    row = next(r for r in grid.rows if r.measure.name == "Partly missing")
    assert row.cells[-1] == "n/a\u00b9" and row.cells[-2] == "7"
    assert grid.footnotes == ("Not available: Data not yet published",)
    missing = next(r for r in grid.rows if r.measure.name == "All missing")
    assert missing.words == "Not available: Survey discontinued."
    assert [f.caption for f in grid.charts] == ["Partly missing"]
    html = report_html(report_source_for_round(round=rnd))
    assert "<li>Not available: Data not yet published</li>" in html
    assert 'alt="Line chart of All missing' not in html


def test_a_measure_all_not_available_says_so_in_the_plan_actual_layout_too():
    council, rnd, condition, source, series = _council()
    gone = _measure(council, condition, source, "All missing", {series["actual"]: 8})
    MeasureValue.objects.filter(measure=gone).update(
        value=None, not_available_reason="Survey discontinued"
    )
    block = _blocks(rnd)["All missing"]
    assert block.figure is None
    assert block.missing == "Not available: Survey discontinued."


def test_annual_figures_follow_a_measures_months_in_the_grid_as_years():
    council, rnd, condition, source, series = _council(KpiTableLayout.MONTHS)
    annual = MeasureFactory(
        council=council, name="Ofsted outcomes", data_source=source, frequency="annual"
    )
    annual.conditions.set([condition])
    for period, kind, value in (
        (dt.date(2023, 9, 1), PeriodKind.ACADEMIC_YEAR, 61),
        (dt.date(2024, 4, 1), PeriodKind.FINANCIAL_YEAR, 64),
    ):
        MeasureValueFactory(
            measure=annual, series=series["actual"], period=period, period_kind=kind, value=value
        )
    _measure(council, condition, source, "Monthly", {series["actual"]: 7})
    (grid,) = report_context(report_source_for_round(round=rnd))["measure_grids"]
    (row,) = [r for r in grid.rows if r.measure.name == "Ofsted outcomes"]
    assert row.words == "2023-24 AY: 61; 2024-25: 64"
    assert not row.cells


def test_a_grid_names_its_series_only_when_a_measure_has_more_than_actuals():
    council, rnd, condition, source, series = _council(KpiTableLayout.MONTHS)
    _measure(council, condition, source, "Actuals only", {series["actual"]: 7})
    _measure(
        council, condition, source, "Against plan", {series["actual"]: 9, series["baseline"]: 8}
    )
    (grid,) = report_context(report_source_for_round(round=rnd))["measure_grids"]
    assert grid.series_column
    assert grid.caption == (
        "Condition 1: Reduce demand: plan against actual, October 2023 to October 2024"
    )
    assert [(r.title, r.series, r.span) for r in grid.rows] == [
        ("Actuals only", "Actual", 1),
        ("Against plan", "Actual", 2),
        ("Against plan", "SV plan", 2),
    ]
    html = report_html(report_source_for_round(round=rnd))
    assert '<th scope="col">Series</th>' in html
    assert '<th scope="rowgroup" rowspan="2" class="kpi-grid__name">Against plan</th>' in html
