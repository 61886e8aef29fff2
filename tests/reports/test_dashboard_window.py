"""Issue 14: the dashboard shows the round's financial year and the year before; a measure's
full history is one link away; every chart keeps its figures as a table; pages show every
write at once (nothing is kept between requests)."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from finance.models import FinanceLine
from metrics.models import Measure, MeasureValue, Series
from metrics.services import measure_value_save
from reports.figures_table import figure_text
from reports.snapshot import round_snapshot_build
from reports.snapshot.measures import rolling_average
from svmonitor.access import refuse
from svmonitor.models import LocalAuthority
from svmonitor.roles import Role
from tests.dashboard_pages import dashboard_html
from tests.factories import MembershipFactory, RiskFactory, UserFactory
from tests.reports.conftest import build_council

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def long_council():
    """Sixty months of figures, January 2020 to December 2024; the round is 2024-25 Update 3."""
    return build_council(scale=10).agreement.council


@pytest.fixture
def officer(client, long_council):
    user = UserFactory(username="window-officer")
    MembershipFactory(user=user, council=long_council, role=Role.OFFICER)
    client.force_login(user)
    return user


def _dashboard(client, council, **params):
    """Every page of the dashboard (its summary and the pages it links to), as text."""
    query = ("?" + urlencode(params)) if params else ""
    return re.sub(r"\s+", " ", dashboard_html(client, council, query))


def _measure(council, reading="point"):
    return Measure.objects.filter(council=council, reading=reading).order_by("pk").first()


def test_the_dashboard_charts_run_from_the_financial_year_before_the_rounds(
    client, long_council, officer
):
    html = _dashboard(client, long_council)
    assert "from April 2023" in html
    # The charts' figures are their tables (charts.js draws from them): April 2023 on.
    trends = re.findall(r'id="chart-measure-[^"]+" type="application/json">([^<]+)<', html)
    assert trends and all('"from_table": true' in t and '"x"' not in t for t in trends)
    assert '<th scope="row">Apr 2023</th>' in html and ">Mar 2023</th>" not in html
    assert ">Jan 2021</th>" not in html


def test_a_measure_page_holds_every_figure_up_to_the_round(client, long_council, officer):
    measure = _measure(long_council)
    url = reverse("reports:council_measure", args=[long_council.slug, measure.code])
    assert f'href="{url}?round=2024-25/3"' in _dashboard(client, long_council)
    html = _text(client.get(url, {"round": "2024-25/3"}))
    assert f"{measure.name}: full history" in html
    assert '<th scope="row">Jan 2020</th>' in html and ">Dec 2024</th>" in html
    # The chart's data as a table, with a caption and headers.
    assert f"Figures in the chart of {measure.name}</caption>" in html
    assert '<thead><tr><th scope="col">Period</th><th scope="col">Actual</th>' in html


def test_a_measure_page_refuses_an_unknown_measure_and_an_outsider(client, long_council, officer):
    url = reverse("reports:council_measure", args=[long_council.slug, "no-such-code"])
    assert client.get(url).status_code == 404
    outsider = UserFactory(username="window-outsider")
    client.force_login(outsider)
    code = _measure(long_council).code
    url = reverse("reports:council_measure", args=[long_council.slug, code])
    assert client.get(url).status_code == 404


def test_the_windowed_build_keeps_the_rounds_tables_and_headlines(long_council):
    round = long_council.agreements.get().rounds.get(financial_year=2024, update_number=3)
    whole = round_snapshot_build(round)
    windowed = round_snapshot_build(round, since=dt.date(2023, 4, 1))
    assert [m.table for m in windowed.measures] == [m.table for m in whole.measures]
    assert windowed.headlines == whole.headlines
    for full, window in zip(whole.measures, windowed.measures, strict=True):
        assert window.rolling == tuple(p for p in full.rolling if p.period >= dt.date(2023, 4, 1))
        for a, b in zip(full.lines, window.lines, strict=True):
            assert b.points == tuple(p for p in a.points if p.period >= dt.date(2023, 4, 1))


def test_the_rolling_average_waits_for_twelve_consecutive_months():
    months = [dt.date(2023, m, 1) for m in range(1, 13)] + [dt.date(2024, m, 1) for m in (2, 3)]
    points = [(day, Decimal(i)) for i, day in enumerate(months)]
    averages = rolling_average(points, 12)
    # January to December 2023 make one window; January 2024 is missing, so the run restarts.
    assert averages == [(dt.date(2023, 12, 1), Decimal("5.5"))]


def test_a_trend_chart_on_the_page_names_the_table_holding_its_figures(long_council):
    from reports.selectors import dashboard_page

    round = long_council.agreements.get().rounds.get(financial_year=2024, update_number=3)
    page = dashboard_page(round_snapshot_build(round, since=dt.date(2023, 4, 1)))
    block = next(mb for g in page.areas for mb in g.measures)
    chart = block.page_chart
    assert chart.figure["from_table"] is True
    assert all("x" not in t and "y" not in t for t in chart.figure["data"])
    # One column a line, in the chart's order, after the period.
    assert f'data-chart-figures="{chart.id}"' in block.figures
    names = re.findall(r'<th scope="col">([^<]+)</th>', block.figures)[1:]
    assert names == [t["name"] for t in block.chart.figure["data"]]
    # The PDF's chart keeps its figures.
    assert block.chart.figure["data"][0]["x"]


def test_figures_read_as_the_template_filter_showed_them():
    assert figure_text(Decimal("1234")) == "1,234"
    assert figure_text(Decimal("1234.5")) == "1,234.50"
    assert figure_text(Decimal("0.125")) == "0.13"
    assert figure_text(Decimal("-7.00")) == "-7"
    assert figure_text(None) == ""


def test_no_page_cache_is_configured():
    assert "dashboard" not in settings.CACHES
    assert "svmonitor.dataversion" not in settings.INSTALLED_APPS


def test_every_write_shows_at_once_whatever_wrote_it(client, long_council, officer):
    measure = long_council.headline_cards.get().measure
    actual = Series.objects.get(council=long_council, kind=Series.Kind.ACTUAL)
    _dashboard(client, long_council)
    measure_value_save(
        measure=measure, period=dt.date(2024, 12, 1), series=actual, value="7123", by=officer
    )
    assert "7,123" in _dashboard(client, long_council)
    Measure.objects.filter(pk=measure.pk).update(name="Renamed by update()")
    assert "Renamed by update()" in _dashboard(client, long_council)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {MeasureValue._meta.db_table} SET value = %s "  # noqa: S608
            "WHERE measure_id = %s AND period = %s AND series_id = %s",
            [Decimal("4321"), measure.pk, dt.date(2024, 12, 1), actual.pk],
        )
    assert "4,321" in _dashboard(client, long_council)
    RiskFactory(council=long_council, title="There is a risk that a new risk appears", impact=5)
    assert "There is a risk that a new risk appears" in _dashboard(client, long_council)
    FinanceLine.objects.filter(agreement__council=long_council, scenario="latest").update(
        cumulative_deficit=Decimal("123450000")
    )
    assert "£123.45m" in _dashboard(client, long_council)


def _version(council) -> int:
    return LocalAuthority.objects.get(pk=council.pk).data_version


def test_a_service_write_moves_the_councils_data_version_and_a_refusal_does_not(
    rf, long_council, officer
):
    before = _version(long_council)
    measure = _measure(long_council)
    actual = Series.objects.get(council=long_council, kind=Series.Kind.ACTUAL)
    measure_value_save(
        measure=measure, period=dt.date(2024, 11, 1), series=actual, value="12", by=officer
    )
    assert _version(long_council) == before + 1
    other = build_council().agreement.council
    other_before = _version(other)
    request = rf.get("/")
    request.user = officer
    refuse(request, action="edit", council=long_council)
    assert _version(long_council) == before + 1
    assert _version(other) == other_before


def test_the_figures_table_shows_years_and_figures_not_available_as_the_template_did():
    import dataclasses

    from metrics.periods import PeriodKind
    from reports.figures_table import figures_table
    from reports.snapshot.types import Point, SeriesLine

    round = build_council().agreement.council.agreements.get().rounds.get(update_number=3)
    measure = round_snapshot_build(round).measures[0]
    points = (
        Point(dt.date(2023, 4, 1), Decimal("12"), ""),
        Point(dt.date(2023, 4, 1), Decimal("150.5"), "", PeriodKind.FINANCIAL_YEAR),
        Point(dt.date(2023, 5, 1), None, "", not_available="survey paused"),
        Point(dt.date(2023, 6, 1), Decimal("14"), "estimate <b>"),
    )
    line = SeriesLine("actual", "Actual", "actual", points)
    html = figures_table(dataclasses.replace(measure, lines=(line,), rolling=()), "Figures")
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td></tr>', html)
    assert rows == [
        ("Apr 2023", "12"),
        ("2023-24", "150.50"),
        ("May 2023", "Not available: survey paused"),
        ("Jun 2023", "14 (estimate &lt;b&gt;)"),
    ]
