"""The finance forecast as a year x line grid (issue 15.4): typed in the council's unit (£000 or
£m) and kept in pounds, one form saved all or none with each year's version checked, and the
forecast confirmed unchanged for a draft return in one action."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from finance.models import FinanceLine, ForecastReview
from finance.services import finance_line_save
from svmonitor.choices import FinanceEntryUnit, RoundStatus
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.round_page.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(council):
    return _member(council, Role.FINANCE, "finance-lead")


@pytest.fixture
def line(agreement):
    return f.FinanceLineFactory(
        agreement=agreement,
        financial_year=2024,
        scenario="latest",
        in_year_position=Decimal("-28210000"),
        cumulative_deficit=Decimal("80000000"),
    )


@pytest.fixture
def draft(agreement):
    return f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=3)


def _url(council, scenario="latest"):
    return reverse("finance:forecast_grid", args=[council.slug]) + f"?scenario={scenario}"


def _form(html: str) -> dict:
    fields = {}
    start = html.rindex("<form", 0, html.index('id="grid-caption"'))
    for tag in re.findall(r"<input[^>]*>", html[start:]):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def test_the_grid_shows_each_year_in_the_councils_unit(council, line, finance):
    html = client_for(finance).get(_url(council)).content.decode()
    assert "Latest forecast by financial year, in £000" in html
    assert "In-year position (£000)" in html
    assert 'name="y2024-in_year_position"' in html and 'value="-28210"' in html
    assert 'name="y2028-hnb_income"' in html  # every year of the agreement, 2023-24 to 2028-29
    council.finance_entry_unit = FinanceEntryUnit.MILLIONS
    council.save()
    html = client_for(finance).get(_url(council)).content.decode()
    assert "In-year position (£m)" in html and 'value="-28.21"' in html


def test_one_form_saves_every_year_in_pounds_with_history(council, line, finance):
    client = client_for(finance)
    fields = _form(client.get(_url(council)).content.decode())
    fields.update({"y2024-in_year_position": "-30,500.5", "y2025-cumulative_deficit": "95000"})
    response = client.post(_url(council), fields, follow=True)
    assert "Latest forecast: 2 years saved." in response.content.decode()
    line.refresh_from_db()
    assert (line.in_year_position, line.version) == (Decimal("-30500500.00"), 2)
    added = FinanceLine.objects.get(financial_year=2025, scenario="latest")
    assert added.cumulative_deficit == Decimal("95000000.00")
    assert AuditEvent.objects.filter(action="finance_line.save").count() == 1
    assert AuditEvent.objects.filter(action="finance_line.create").count() == 1


def test_every_bad_cell_is_listed_and_nothing_is_saved(council, line, finance):
    client = client_for(finance)
    fields = _form(client.get(_url(council)).content.decode())
    fields.update(
        {
            "y2023-hnb_income": "-5",
            "y2024-in_year_position": "lots",
            "y2025-cumulative_deficit": "95000",
        }
    )
    response = client.post(_url(council), fields)
    html = unescape(response.content.decode())
    assert "<title>Error: " in html
    assert 'href="#grid-y2023-hnb_income"' in html and 'href="#grid-y2024-in_year_position"' in html
    assert "2023-24: This amount cannot be negative." in html
    assert 'value="lots"' in html
    line.refresh_from_db()
    assert line.version == 1 and FinanceLine.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="finance_line").exists()


def test_a_year_saved_by_someone_else_since_the_grid_opened_is_refused(council, line, finance):
    client = client_for(finance)
    fields = _form(client.get(_url(council)).content.decode())
    finance_line_save(line=line, expected_version=1, by=finance, hnb_income="1")
    fields["y2024-in_year_position"] = "-1"
    fields["y2025-cumulative_deficit"] = "5"
    html = unescape(client.post(_url(council), fields).content.decode())
    assert "2024-25: someone else saved these figures after you opened the grid" in html
    assert not FinanceLine.objects.filter(financial_year=2025).exists()
    # The grid now stands on their version: saving again replaces their figures knowingly.
    again = _form(html)
    assert again["v2024"] == "2"
    client.post(_url(council), again)
    line.refresh_from_db()
    assert line.in_year_position == Decimal("-1000.00")


def test_only_the_finance_lead_opens_the_grid_and_other_councils_get_404(
    council, line, la_officer, other_la_officer
):
    assert client_for(la_officer).get(_url(council)).status_code == 403
    assert client_for(other_la_officer).get(_url(council)).status_code == 404


def test_a_save_marks_the_draft_returns_forecast_saved(council, line, finance, draft):
    client = client_for(finance)
    fields = _form(client.get(_url(council)).content.decode())
    fields["y2024-in_year_position"] = "-1"
    client.post(_url(council), fields)
    review = ForecastReview.objects.get(round=draft)
    assert (review.how, review.reviewed_by) == ("saved", finance)


def test_confirming_no_change_is_one_action_recorded_in_history(council, line, finance, draft):
    url = reverse("finance:forecast_confirm", args=[council.slug, draft.fy, draft.update_number])
    client = client_for(finance)
    assert "No change this quarter" in client.get(_url(council)).content.decode()
    response = client.post(url, follow=True)
    assert "Finance forecast confirmed unchanged for" in response.content.decode()
    assert ForecastReview.objects.get(round=draft).how == "confirmed"
    assert AuditEvent.objects.filter(action="finance_forecast.confirm").count() == 1


def test_a_return_past_draft_cannot_be_confirmed(council, line, finance, draft):
    draft.status = RoundStatus.READY
    draft.save()
    url = reverse("finance:forecast_confirm", args=[council.slug, draft.fy, draft.update_number])
    html = client_for(finance).post(url, follow=True).content.decode()
    assert "can no longer be edited" in html
    assert not ForecastReview.objects.exists()
