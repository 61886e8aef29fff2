"""Two people keying the same KPI figure: the later save, made from an edit box opened before
the earlier one landed, is refused with the figure now stored, not silently standing over it."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from metrics.models import MeasureValue
from metrics.services import measure_value_save
from svmonitor.errors import StaleEdit
from svmonitor.models import AuditEvent, LocalAuthority
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.round_page.conftest import HTMX, client_for

pytestmark = pytest.mark.django_db
APRIL = dt.date(2024, 4, 1)


@pytest.fixture
def cell(council):
    """A count measure with an April figure of 6,357 in the council's actual series."""
    series = f.SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
    measure = f.MeasureFactory(council=council, unit="count", name="EHCPs maintained")
    f.MeasureValueFactory(measure=measure, series=series, period=APRIL, value=6357)
    return measure, series


@pytest.fixture
def second_officer(council):
    return _member(council, Role.OFFICER, "second-officer")


def _history():
    return list(
        AuditEvent.objects.filter(action="measure_value.save").values_list("pk", "before", "after")
    )


# --- the service ---------------------------------------------------------------------------


def test_a_save_on_a_base_no_longer_stored_is_refused_and_writes_nothing(cell, la_officer):
    measure, series = cell
    measure_value_save(
        measure=measure, period=APRIL, series=series, value="6400", base="6357", by=la_officer
    )
    history = _history()
    version = LocalAuthority.objects.get(pk=measure.council_id).data_version
    with pytest.raises(StaleEdit) as refused:
        measure_value_save(
            measure=measure, period=APRIL, series=series, value="6500", base="6357", by=la_officer
        )
    assert refused.value.current_version == "6400"
    message = refused.value.message
    assert "EHCPs maintained, April 2024" in message
    assert "Saved now: 6,400" in message and "Yours: 6,500" in message
    assert MeasureValue.objects.get(measure=measure).value == Decimal("6400")
    assert _history() == history  # a conflict is no change
    assert LocalAuthority.objects.get(pk=measure.council_id).data_version == version


def test_a_save_on_the_stored_base_goes_through(cell, la_officer):
    measure, series = cell
    measure_value_save(
        measure=measure, period=APRIL, series=series, value="6400", base="6357", by=la_officer
    )
    measure_value_save(
        measure=measure, period=APRIL, series=series, value="6500", base="6400", by=la_officer
    )
    assert MeasureValue.objects.get(measure=measure).value == Decimal("6500")


def test_creating_a_figure_someone_else_created_meanwhile_is_a_conflict(cell, la_officer):
    measure, series = cell
    may = dt.date(2024, 5, 1)
    measure_value_save(
        measure=measure, period=may, series=series, value="10", base="", by=la_officer
    )
    history = _history()
    with pytest.raises(StaleEdit) as refused:
        measure_value_save(
            measure=measure, period=may, series=series, value="12", base="", by=la_officer
        )
    assert "EHCPs maintained, May 2024" in refused.value.message
    assert MeasureValue.objects.get(measure=measure, period=may).value == Decimal("10")
    assert _history() == history


def test_a_figure_marked_not_available_or_cleared_meanwhile_is_a_conflict(cell, la_officer):
    measure, series = cell
    measure_value_save(
        measure=measure,
        period=APRIL,
        series=series,
        value=None,
        not_available="SEN2 not yet published",
        base="6357",
        by=la_officer,
    )
    with pytest.raises(StaleEdit) as refused:
        measure_value_save(
            measure=measure, period=APRIL, series=series, value="1", base="6357", by=la_officer
        )
    assert refused.value.current_version == "n/a: SEN2 not yet published"
    assert "Saved now: n/a (SEN2 not yet published)" in refused.value.message
    measure_value_save(
        measure=measure,
        period=APRIL,
        series=series,
        value=None,
        base="n/a: SEN2 not yet published",
        by=la_officer,
    )
    with pytest.raises(StaleEdit) as refused:
        measure_value_save(
            measure=measure, period=APRIL, series=series, value="1", base="6357", by=la_officer
        )
    assert refused.value.current_version == ""
    assert "Saved now: no figure" in refused.value.message
    assert not MeasureValue.objects.filter(measure=measure).exists()


def test_saving_the_figure_already_stored_is_not_a_conflict(cell, la_officer):
    # Both typed 6,400: nothing of the first save is lost by the second.
    measure, series = cell
    measure_value_save(
        measure=measure, period=APRIL, series=series, value="6400", base="6357", by=la_officer
    )
    measure_value_save(
        measure=measure, period=APRIL, series=series, value="6,400", base="6357", by=la_officer
    )
    assert MeasureValue.objects.get(measure=measure).value == Decimal("6400")


def test_the_workbook_door_without_a_base_overwrites_as_before(cell, la_officer):
    measure, series = cell
    measure_value_save(measure=measure, period=APRIL, series=series, value="1", by=la_officer)
    assert MeasureValue.objects.get(measure=measure).value == Decimal("1")


# --- the grid's cell, two officers through the test client ---------------------------------


def _cell_url(council):
    return reverse("metrics:kpi_cell", args=[council.slug])


def _open(client, council, measure, period="2024-04"):
    """GET the cell's edit box in place and return its fields as the browser would post them."""
    query = {"measure": measure.pk, "period": period, "series": "actual", "from": "2024-04"}
    html = client.get(_cell_url(council), query, **HTMX).content.decode()
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    return {name: unescape(value) for name, value in fields.items()}


def test_the_second_of_two_officers_saving_the_same_cell_meets_the_conflict(
    cell, council, la_officer, second_officer
):
    measure, _ = cell
    first, second = client_for(la_officer), client_for(second_officer)
    first_form, second_form = _open(first, council, measure), _open(second, council, measure)
    assert first_form["base"] == second_form["base"] == "6357"
    saved = first.post(_cell_url(council), {**first_form, "value": "6400"}, **HTMX)
    assert "kpi-changed" in saved.headers["HX-Trigger"]
    history = _history()

    response = second.post(_cell_url(council), {**second_form, "value": "6500"}, **HTMX)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "HX-Trigger" not in response.headers  # nothing changed, nothing to refresh
    assert MeasureValue.objects.get(measure=measure).value == Decimal("6400")
    assert _history() == history
    # The notice names the cell and shows both figures, in place, linked to the input.
    anchor = f"kpi-{measure.pk}-2024-04"
    assert f'<td class="govuk-table__cell" id="{anchor}">' in html
    assert (
        "EHCPs maintained, April 2024: someone else saved this figure after you opened it. "
        "Saved now: 6,400. Yours: 6,500, still in the box." in html
    )
    assert f'id="{anchor}-value_error" class="govuk-error-message"' in html
    assert f'aria-describedby="{anchor}-value_helptext {anchor}-value_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'name="value" type="text"' in html and 'value="6500"' in html  # what they typed
    assert 'name="base" value="6400"' in html  # the form now stands on the first officer's

    # Saving again, having seen the first officer's figure, replaces it knowingly.
    again = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    resaved = second.post(_cell_url(council), again, **HTMX)
    assert "kpi-changed" in resaved.headers["HX-Trigger"]
    assert MeasureValue.objects.get(measure=measure).value == Decimal("6500")


def test_without_javascript_the_conflict_is_a_page_with_an_error_summary(
    cell, council, la_officer, second_officer
):
    measure, _ = cell
    first, second = client_for(la_officer), client_for(second_officer)
    first_form, second_form = _open(first, council, measure), _open(second, council, measure)
    assert first.post(_cell_url(council), {**first_form, "value": "6400"}).status_code == 302
    response = second.post(_cell_url(council), {**second_form, "value": "n/a"})
    html = unescape(response.content.decode())
    assert response.status_code == 200 and "There is a problem" in html
    anchor = f"kpi-{measure.pk}-2024-04"
    assert f'<a href="#{anchor}-value">EHCPs maintained, April 2024: someone else saved' in html
    assert "Saved now: 6,400. Yours: n/a, still in the box." in html
    assert MeasureValue.objects.get(measure=measure).value == Decimal("6400")


def test_an_empty_cell_both_officers_opened_is_created_once(
    cell, council, la_officer, second_officer
):
    measure, _ = cell
    first, second = client_for(la_officer), client_for(second_officer)
    first_form = _open(first, council, measure, "2024-05")
    second_form = _open(second, council, measure, "2024-05")
    assert first_form["base"] == second_form["base"] == ""
    first.post(_cell_url(council), {**first_form, "value": "10"}, **HTMX)
    response = second.post(_cell_url(council), {**second_form, "value": "12"}, **HTMX)
    html = unescape(response.content.decode())
    assert "EHCPs maintained, May 2024: someone else saved this figure" in html
    assert "Saved now: 10. Yours: 12" in html
    assert MeasureValue.objects.get(measure=measure, period=dt.date(2024, 5, 1)).value == 10
