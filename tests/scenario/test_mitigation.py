"""Mitigation that shows (issue 18.3): the workstreams' savings stacked from the unmitigated
forecast towards the mitigated one, with whatever they do not explain as its own line."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conditions.mitigation import NOT_ATTRIBUTED, mitigation_build
from reports import charts
from reports.mitigation import mitigation_block, snapshot_mitigation
from reports.snapshot import round_snapshot_build
from tests import factories as f
from tests.round_page.conftest import client_for
from tests.scenario.builders import M, mitigation_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(agreement):
    mitigation_data(agreement)
    return f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=3)


def test_savings_that_add_up_leave_nothing_unattributed_and_a_shortfall_is_its_own_line(round_):
    mitigation = snapshot_mitigation(round_snapshot_build(round_))
    by_year = {y.financial_year: y for y in mitigation.years}
    assert by_year[2024].savings_total == 10 * M
    assert by_year[2024].not_attributed == 0
    assert by_year[2025].savings_total == 12 * M
    assert by_year[2025].not_attributed == 3 * M  # -35 - (-50) = 15, of which 12 explained
    assert by_year[2023].not_attributed == 3 * M  # no savings at all that year
    assert mitigation.has_not_attributed


def test_bars_stack_from_the_unmitigated_forecast_in_area_and_workstream_order(round_):
    mitigation = snapshot_mitigation(round_snapshot_build(round_))
    # Area 1 before area 2; within area 1 by the workstream's order, not by when it was made.
    assert mitigation.workstreams == ("Family hubs", "Inclusion advisers", "Resource bases")
    year = next(y for y in mitigation.years if y.financial_year == 2025)
    stack = year.stack()
    assert [base for base, _height in stack] == [-50 * M, -42 * M, -42 * M, -38 * M]
    assert [height for _base, height in stack] == [8 * M, 0, 4 * M, 3 * M]
    top_base, top_height = stack[-1]
    assert top_base + top_height == year.mitigated == -35 * M


def test_the_chart_floats_each_saving_on_the_one_below_and_ends_with_the_unattributed(round_):
    figure = charts.mitigation_figure(snapshot_mitigation(round_snapshot_build(round_)))
    names = [trace["name"] for trace in figure["data"]]
    assert names == [
        "Saving: Family hubs",
        "Saving: Inclusion advisers",
        "Saving: Resource bases",
        NOT_ATTRIBUTED,
        "Unmitigated forecast",
        "Mitigated forecast (latest)",
        "Actual (outturn)",
    ]
    hubs, inclusion = figure["data"][0], figure["data"][1]
    assert hubs["x"] == ["2023-24", "2024-25", "2025-26"]
    assert hubs["base"] == [-42.0, -40.0, -50.0] and hubs["y"] == [None, 6.0, 8.0]
    assert inclusion["base"][1] == -34.0  # -40 + 6
    assert figure["data"][-1]["y"] == [-38.0, None, None]


def test_savings_that_exceed_the_gap_show_a_negative_remainder():
    mitigation = mitigation_build(
        forecasts={2024: (Decimal(-40), Decimal(-35), None)},
        workstreams=[("A", {2024: Decimal(7)})],
    )
    assert mitigation.years[0].not_attributed == -2
    assert mitigation.years[0].stack()[-1] == (Decimal(-33), Decimal(-2))


def test_no_unattributed_line_when_every_year_adds_up():
    mitigation = mitigation_build(
        forecasts={2024: (Decimal(-40), Decimal(-30), None)},
        workstreams=[("A", {2024: Decimal(6)}), ("B", {2024: Decimal(4)})],
    )
    assert not mitigation.has_not_attributed
    names = [t["name"] for t in charts.mitigation_figure(mitigation)["data"]]
    assert NOT_ATTRIBUTED not in names


def test_the_dashboard_shows_the_table_the_chart_is_drawn_from(round_, la_officer, council):
    html = (
        client_for(la_officer)
        .get(reverse("reports:council_dashboard", args=[council.slug]))
        .content.decode()
    )
    assert 'id="mitigation-caption"' in html and "<caption" in html
    table = html[
        html.index('id="mitigation-table"') : html.index(
            "</table>", html.index('id="mitigation-table"')
        )
    ]
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">2025-26</th>'
        in table
    )
    assert '<th scope="row" class="govuk-table__header">Saving: Family hubs</th>' in table
    assert (
        '<th scope="row" class="govuk-table__header">Not attributed to a workstream</th>' in table
    )
    assert "£3.00m" in table and "-£50.00m" in table and "-£38.00m" in table
    assert 'data-chart="chart-mitigation"' in html


def test_a_council_without_an_unmitigated_forecast_or_savings_shows_no_mitigation(agreement):
    f.FinanceLineFactory(agreement=agreement)
    rnd = f.ReportingRoundFactory(agreement=agreement)
    assert mitigation_block(round_snapshot_build(rnd)) is None


def test_the_pdf_renderer_floats_each_bar_on_its_base():
    from reports.pdf.charts_svg import _bar_geometry

    figure = charts.mitigation_figure(
        mitigation_build(
            forecasts={2024: (-40 * M, -30 * M, None)},
            workstreams=[("A", {2024: 6 * M}), ("B", {2024: 3 * M})],
        )
    )
    bars, _count, _mode = _bar_geometry(figure["data"], figure["layout"])
    assert [(base, top) for _i, _order, _x, base, top in bars] == [
        (-40.0, -34.0),
        (-34.0, -31.0),
        (-31.0, -30.0),
    ]
