"""Monthly KPI entry: the grid by series, cells edited in place, validation by unit."""

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from metrics.models import MeasureValue
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.round_page.conftest import HTMX, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpis(council):
    """An actual series and a baseline, and a measure of each unit with an April figure."""
    actual = f.SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
    baseline = f.SeriesFactory(council=council, name="SV forecast", slug="sv-forecast")
    measures = {
        unit: f.MeasureFactory(council=council, unit=unit, name=f"{unit} measure", order=n)
        for n, unit in enumerate(["count", "percent", "gbp", "gbp_m"])
    }
    f.MeasureValueFactory(
        measure=measures["count"], series=actual, period=dt.date(2024, 4, 1), value=6357
    )
    f.MeasureValueFactory(
        measure=measures["percent"], series=baseline, period=dt.date(2024, 4, 1), value=6.92
    )
    return {"actual": actual, "baseline": baseline, **measures}


def _grid(council, **query):
    url = reverse("metrics:kpi_grid", args=[council.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _cell(council):
    return reverse("metrics:kpi_cell", args=[council.slug])


def test_the_grid_shows_the_actual_series_by_default_with_unit_formats(kpis, council, la_officer):
    html = client_for(la_officer).get(_grid(council, **{"from": "2024-04"})).content.decode()
    assert "Actual: April 2024 to March 2025" in html
    assert "6,357" in html
    assert "6.92%" not in html  # that figure is in the baseline series
    assert "Add<span" in html  # empty cells are links to add a figure


def test_choosing_a_series_shows_its_figures(kpis, council, la_officer):
    html = (
        client_for(la_officer)
        .get(_grid(council, series="sv-forecast", **{"from": "2024-04"}))
        .content.decode()
    )
    assert "6.92%" in html and "6,357" not in html
    assert client_for(la_officer).get(_grid(council, series="nope")).status_code == 404


def test_a_board_member_sees_figures_without_edit_links(kpis, council, board_member):
    html = client_for(board_member).get(_grid(council, **{"from": "2024-04"})).content.decode()
    assert "6,357" in html and _cell(council) not in html


def test_another_councils_officer_gets_404(kpis, council, other_la_officer):
    client = client_for(other_la_officer)
    assert client.get(_grid(council)).status_code == 404
    data = {"measure": kpis["count"].pk, "period": "2024-04", "series": "actual", "value": "1"}
    assert client.post(_cell(council), data).status_code == 404
    assert MeasureValue.objects.get(measure=kpis["count"]).value == 6357


def test_a_bad_first_month_is_explained(kpis, council, la_officer):
    html = client_for(la_officer).get(_grid(council, **{"from": "2024-13"})).content.decode()
    assert "Choose the first month like 2024-04" in html


def test_the_cell_editor_is_a_fragment_for_htmx_and_a_page_otherwise(kpis, council, la_officer):
    client = client_for(la_officer)
    query = f"?measure={kpis['count'].pk}&period=2024-04&series=actual&from=2024-04"
    fragment = client.get(_cell(council) + query, **HTMX).content.decode()
    assert fragment.lstrip().startswith(
        f'<td class="govuk-table__cell" id="kpi-{kpis["count"].pk}-2024-04"'
    )
    assert 'value="6357"' in fragment and "autofocus" in fragment and "hx-post" in fragment
    page = client.get(_cell(council) + query).content.decode()
    assert "<html" in page and "hx-post" not in page
    shown = client.get(_cell(council) + query + "&show=1", **HTMX).content.decode()
    assert "6,357" in shown and "<form" not in shown


def test_saving_a_cell_returns_it_and_refreshes_the_sources_date(kpis, council, la_officer):
    measure = kpis["percent"]
    data = {"measure": measure.pk, "period": "2024-05", "series": "actual", "value": "5.75"}
    response = client_for(la_officer).post(_cell(council), data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "kpi-changed" in response.headers["HX-Trigger"]
    assert "5.75%" in html and "<form" not in html
    assert 'id="kpi-sources" hx-swap-oob="true"' in html
    assert f"refreshed {timezone.localdate():%-d %B %Y}" in html
    value = MeasureValue.objects.get(measure=measure, period=dt.date(2024, 5, 1))
    assert value.value == Decimal("5.75")
    measure.data_source.refresh_from_db()
    assert measure.data_source.last_refreshed == timezone.localdate()


@pytest.mark.parametrize(
    ("unit", "value", "message"),
    [
        ("percent", "150", "A percentage must be between 0 and 100."),
        ("count", "1.5", "A count must be a whole number, 0 or more."),
        ("count", "-1", "A count must be a whole number, 0 or more."),
        ("gbp", "10.005", "Enter pounds to the penny (at most 2 decimal places)."),
        ("gbp_m", "lots", "Enter a number, not 'lots'."),
    ],
)
def test_a_value_that_does_not_suit_the_unit_is_refused_naming_the_cell(
    kpis, council, la_officer, unit, value, message
):
    measure = kpis[unit]
    data = {"measure": measure.pk, "period": "2024-06", "series": "actual", "value": value}
    response = client_for(la_officer).post(_cell(council), data, **HTMX)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert f"{measure.name}, June 2024: {message}" in html
    assert f'value="{value}"' in html  # what was typed is kept
    assert not MeasureValue.objects.filter(measure=measure, period=dt.date(2024, 6, 1)).exists()
    measure.data_source.refresh_from_db()
    assert measure.data_source.last_refreshed is None


def test_without_javascript_a_cell_save_redirects_and_an_error_shows_a_page(
    kpis, council, la_officer
):
    client = client_for(la_officer)
    data = {"measure": kpis["count"].pk, "period": "2024-04", "series": "actual", "from": "2024-04"}
    response = client.post(_cell(council), {**data, "value": "6400", "base": "6357"})
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"?series=actual&from=2024-04#kpi-{kpis['count'].pk}-2024-04"
    )
    assert MeasureValue.objects.get(measure=kpis["count"]).value == 6400
    page = client.post(_cell(council), {**data, "value": "-3", "base": "6400"}).content.decode()
    assert "<html" in page and "There is a problem" in page


def test_an_empty_value_clears_the_cell(kpis, council, la_officer):
    data = {"measure": kpis["count"].pk, "period": "2024-04", "series": "actual", "value": ""}
    client_for(la_officer).post(_cell(council), {**data, "base": "6357"}, **HTMX)
    assert not MeasureValue.objects.filter(measure=kpis["count"]).exists()


def test_a_board_member_may_not_edit_a_cell(kpis, council, board_member):
    data = {"measure": kpis["count"].pk, "period": "2024-04", "series": "actual", "value": "1"}
    assert client_for(board_member).post(_cell(council), data).status_code == 403
    assert MeasureValue.objects.get(measure=kpis["count"]).value == 6357


def _council_with_measures(n: int):
    council = f.AgreementFactory().council
    series = f.SeriesFactory(council=council, kind="actual", slug="actual")
    for i in range(n):
        measure = f.MeasureFactory(council=council)
        f.MeasureValueFactory(measure=measure, series=series, period=dt.date(2024, 4 + i % 6, 1))
    return council, _member(council, Role.OFFICER, f"kpi-officer-{n}")


def test_the_grid_costs_the_same_queries_for_three_times_the_measures(django_assert_num_queries):
    small, small_officer = _council_with_measures(3)
    big, big_officer = _council_with_measures(9)
    small_client, big_client = client_for(small_officer), client_for(big_officer)
    small_client.get(_grid(small))
    big_client.get(_grid(big))
    with CaptureQueriesContext(connection) as small_queries:
        assert small_client.get(_grid(small, **{"from": "2024-04"})).status_code == 200
    with django_assert_num_queries(len(small_queries.captured_queries)):
        assert big_client.get(_grid(big, **{"from": "2024-04"})).status_code == 200


def test_the_grid_opens_on_the_twelve_months_up_to_the_latest_returns_data(
    kpis, council, la_officer
):
    f.ReportingRoundFactory(
        agreement=council.agreements.get(), financial_year=2025, data_as_at=dt.date(2025, 4, 1)
    )
    f.ReportingRoundFactory(
        agreement=council.agreements.get(),
        financial_year=2024,
        update_number=3,
        data_as_at=dt.date(2024, 10, 1),
    )
    html = client_for(la_officer).get(_grid(council)).content.decode()
    assert "Actual: May 2024 to April 2025" in html
    assert "6,357" not in html  # April 2024 is the month before the window


def test_without_rounds_the_grid_opens_on_the_year_up_to_the_latest_figure(
    kpis, council, la_officer
):
    f.MeasureValueFactory(
        measure=kpis["count"], series=kpis["actual"], period=dt.date(2024, 12, 1), value=6400
    )
    html = client_for(la_officer).get(_grid(council)).content.decode()
    assert "Actual: January 2024 to December 2024" in html
    assert "6,357" in html and "6,400" in html


def test_the_series_chooser_names_each_series_once(kpis, council, la_officer):
    f.SeriesFactory(council=council, kind="last_year", name="Same period last year", slug="ly")
    html = unescape(client_for(la_officer).get(_grid(council)).content.decode())
    assert ">Actual</option>" in html
    assert "Actual (Actual)" not in html
    assert ">SV forecast (baseline)</option>" in html
    assert ">Same period last year</option>" in html


def test_a_percentage_may_be_typed_with_its_sign(kpis, council, la_officer):
    data = {"measure": kpis["percent"].pk, "period": "2024-05", "series": "actual"}
    client_for(la_officer).post(_cell(council), {**data, "value": "14.5%"}, **HTMX)
    saved = MeasureValue.objects.get(measure=kpis["percent"], period=dt.date(2024, 5, 1))
    assert saved.value == Decimal("14.5")


def test_a_council_without_series_is_told_so_instead_of_a_404(council, la_officer):
    response = client_for(la_officer).get(_grid(council))
    assert response.status_code == 200
    assert "This council has no series of figures yet" in response.content.decode()
    assert client_for(la_officer).get(_grid(council, series="actual")).status_code == 404


def test_an_officer_marks_a_cell_not_available_with_a_reason_then_sees_it(
    kpis, council, la_officer
):
    measure = kpis["count"]
    client = client_for(la_officer)
    data = {
        "measure": measure.pk,
        "period": "2024-04",
        "series": "actual",
        "value": "n/a: SEN2 not yet published",
        "base": "6357",  # the figure the edit box was opened with
    }
    response = client.post(_cell(council), data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<form" not in html
    assert "n/a" in html and "SEN2 not yet published" in html
    stored = MeasureValue.objects.get(measure=measure, period=dt.date(2024, 4, 1))
    assert (stored.value, stored.not_available_reason) == (None, "SEN2 not yet published")
    # The edit box shows it as it can be typed again; the grid shows it too.
    address = {k: v for k, v in data.items() if k not in ("value", "base")}
    form = client.get(_cell(council), address, **HTMX)
    assert 'value="n/a: SEN2 not yet published"' in unescape(form.content.decode())
    grid = client.get(_grid(council, **{"from": "2024-04"})).content.decode()
    assert "SEN2 not yet published" in grid
    # A dash alone is the plain "Not available"; a number replaces the mark.
    client.post(_cell(council), {**data, "value": "-", "base": data["value"]}, **HTMX)
    stored.refresh_from_db()
    assert stored.not_available_reason == "Not available"
    client.post(_cell(council), {**data, "value": "6400", "base": "n/a"}, **HTMX)
    stored.refresh_from_db()
    assert (stored.value, stored.not_available_reason) == (6400, "")
