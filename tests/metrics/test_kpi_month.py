"""KPI entry by month (issue 15.4): one page holds a month's actual for every measure beside its
forecast and the same month last year, in the council's grouping; every box is checked, every
error listed in one summary, and nothing is saved unless every box is valid."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from metrics.models import DataSource, MeasureValue
from metrics.month_entry import MonthFigure, MonthRefused, measure_values_save_month
from svmonitor.choices import KpiGrouping
from svmonitor.models import AuditEvent
from tests import factories as f
from tests.round_page.conftest import client_for

pytestmark = pytest.mark.django_db
OCT = dt.date(2024, 10, 1)


@pytest.fixture
def kpis(council):
    """Three measures (count, percent, £m) of a council grouped by conditions, an actual, a
    forecast and a last-year series, with some figures for October 2024 and a year before."""
    council.kpi_grouping = KpiGrouping.CONDITIONS
    council.save()
    agreement = council.agreements.get()
    first = f.AgreementConditionFactory(agreement=agreement, label="1", order=1, title="Spend")
    second = f.AgreementConditionFactory(agreement=agreement, label="2", order=2, title="Plans")
    actual = f.SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
    forecast = f.SeriesFactory(council=council, kind="baseline", name="SV forecast", slug="sv")
    f.SeriesFactory(council=council, kind="last_year", name="Last year", slug="last-year")
    plans = f.MeasureFactory(council=council, name="EHCPs maintained", unit="count", order=1)
    share = f.MeasureFactory(council=council, name="Share in INMSS", unit="percent", order=2)
    spend = f.MeasureFactory(council=council, name="HNB overspend", unit="gbp_m", order=3)
    plans.conditions.add(second)
    share.conditions.add(second)
    spend.conditions.add(first)
    f.MeasureValueFactory(measure=plans, series=actual, period=OCT, value=6357)
    f.MeasureValueFactory(measure=plans, series=forecast, period=OCT, value=5707)
    f.MeasureValueFactory(measure=plans, series=actual, period=dt.date(2023, 10, 1), value=5900)
    return {"plans": plans, "share": share, "spend": spend, "actual": actual}


def _url(council, month="2024-10"):
    return reverse("metrics:kpi_month", args=[council.slug, month])


def _form(html: str) -> dict:
    """The month form's fields as the browser would post them."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def test_the_page_lists_every_measure_in_the_councils_grouping_with_forecast_and_last_year(
    council, kpis, la_officer
):
    html = client_for(la_officer).get(_url(council)).content.decode()
    assert "Key measures, October 2024" in html
    # Conditions in the agreement's order: 1 (spend), then 2 (plans, share).
    order = [
        html.index(text)
        for text in (
            "Condition 1: Spend",
            "HNB overspend",
            "Condition 2: Plans",
            "EHCPs maintained",
            "Share in INMSS",
        )
    ]
    assert order == sorted(order)
    row = html[html.index(f'for="month-{kpis["plans"].pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'value="6357"' in row  # the stored actual, as typed
    assert "5,707" in row  # the forecast for the month
    assert "5,900" in row  # the same month last year (the actual a year before)


def test_a_pasted_column_saves_every_figure_with_one_history_entry_each(council, kpis, la_officer):
    client = client_for(la_officer)
    fields = _form(client.get(_url(council)).content.decode())
    fields.update(
        {
            f"value-{kpis['spend'].pk}": "43.2",
            f"value-{kpis['plans'].pk}": "6,400",
            f"value-{kpis['share'].pk}": "n/a: SEN2 not yet published",
        }
    )
    response = client.post(_url(council), fields, follow=True)
    assert "October 2024: 3 figures saved." in response.content.decode()
    stored = {
        v.measure_id: (v.value, v.not_available_reason)
        for v in MeasureValue.objects.filter(series=kpis["actual"], period=OCT)
    }
    assert stored == {
        kpis["spend"].pk: (Decimal("43.2"), ""),
        kpis["plans"].pk: (Decimal("6400"), ""),
        kpis["share"].pk: (None, "SEN2 not yet published"),
    }
    events = AuditEvent.objects.filter(action="measure_value.save")
    assert events.count() == 3
    assert DataSource.objects.get(pk=kpis["plans"].data_source_id).last_refreshed is not None


def test_every_bad_box_is_listed_in_one_summary_and_nothing_is_saved(council, kpis, la_officer):
    client = client_for(la_officer)
    fields = _form(client.get(_url(council)).content.decode())
    fields.update(
        {
            f"value-{kpis['spend'].pk}": "12",  # valid, but must not be saved alone
            f"value-{kpis['plans'].pk}": "lots",
            f"value-{kpis['share'].pk}": "140%",
        }
    )
    response = client.post(_url(council), fields)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "<title>Error: " in html
    start = html.index('class="govuk-error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert f'href="#month-{kpis["plans"].pk}"' in summary
    assert f'href="#month-{kpis["share"].pk}"' in summary
    assert "A percentage must be between 0 and 100." in summary
    # What was typed stays in the boxes.
    assert 'value="lots"' in html and 'value="140%"' in html
    assert MeasureValue.objects.filter(series=kpis["actual"], period=OCT).count() == 1
    assert not AuditEvent.objects.filter(action="measure_value.save").exists()


def test_a_figure_saved_by_someone_else_since_the_page_opened_is_refused(council, kpis, la_officer):
    client = client_for(la_officer)
    fields = _form(client.get(_url(council)).content.decode())
    MeasureValue.objects.filter(measure=kpis["plans"], period=OCT, series=kpis["actual"]).update(
        value=6500
    )
    fields[f"value-{kpis['plans'].pk}"] = "6400"
    fields[f"value-{kpis['spend'].pk}"] = "40"
    html = unescape(client.post(_url(council), fields).content.decode())
    assert "someone else saved this figure after you opened the page" in html
    assert "Saved now: 6,500. Yours: 6,400" in html
    assert not MeasureValue.objects.filter(measure=kpis["spend"]).exists()
    # The box now stands on their figure: saving again replaces it knowingly.
    again = _form(html)
    assert again[f"base-{kpis['plans'].pk}"] == "6500"
    client.post(_url(council), again)
    assert (
        MeasureValue.objects.get(measure=kpis["plans"], period=OCT, series=kpis["actual"]).value
        == 6400
    )


def test_unchanged_boxes_write_nothing(council, kpis, la_officer):
    client = client_for(la_officer)
    fields = _form(client.get(_url(council)).content.decode())
    response = client.post(_url(council), fields, follow=True)
    assert "0 figures saved" in response.content.decode()
    assert not AuditEvent.objects.filter(action="measure_value.save").exists()


def test_the_service_refuses_a_user_without_the_edit_right(council, kpis, board_member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        measure_values_save_month(
            council=council,
            period=OCT,
            series=kpis["actual"],
            by=board_member,
            figures=[MonthFigure(kpis["spend"], "1", "")],
        )


def test_the_service_refuses_a_month_outside_the_agreement(council, kpis, la_officer):
    with pytest.raises(MonthRefused) as refused:
        measure_values_save_month(
            council=council,
            period=dt.date(2031, 1, 1),
            series=kpis["actual"],
            by=la_officer,
            figures=[MonthFigure(kpis["spend"], "1", "")],
        )
    assert "outside the agreement's years" in refused.value.problems[kpis["spend"].pk]


def test_a_board_member_reads_the_month_and_cannot_post(council, kpis, board_member):
    client = client_for(board_member)
    html = client.get(_url(council)).content.decode()
    assert f'<form method="post" action="{_url(council)}"' not in html
    assert client.post(_url(council), {f"value-{kpis['plans'].pk}": "1"}).status_code == 403
    assert (
        MeasureValue.objects.get(measure=kpis["plans"], series=kpis["actual"], period=OCT).value
        == 6357
    )


def test_another_councils_officer_gets_404(council, kpis, other_la_officer):
    client = client_for(other_la_officer)
    assert client.get(_url(council)).status_code == 404
    assert client.post(_url(council), {}).status_code == 404


def test_the_latest_month_goes_to_the_month_of_the_latest_return(council, kpis, la_officer):
    f.ReportingRoundFactory(agreement=council.agreements.get(), data_as_at=OCT)
    response = client_for(la_officer).get(reverse("metrics:kpi_month_latest", args=[council.slug]))
    assert response["Location"] == _url(council)


def test_a_month_outside_the_agreement_shows_no_boxes(council, kpis, la_officer):
    html = client_for(la_officer).get(_url(council, "2040-01")).content.decode()
    assert "outside the agreement" in html and "data-month-box" not in html
