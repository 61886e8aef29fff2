"""Issue 18.1: EHCP stock and flow. A council marks which measures are the flows and the stock
(a role per measure); svmonitor reconciles them month by month (last month's closing stock +
plans issued - plans ceased against the recorded closing stock), shows the gap in plans and per
cent on the dashboard and in the board pack as a table and chart, and flags the return when the
gap passes the council's threshold. Every test builds its own data."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.models import Measure, Series
from metrics.services import measure_upsert
from reports.freeze import round_snapshot_freeze
from reports.pdf.render import board_pack_html
from reports.pdf.selectors import report_source_for_round
from reports.snapshot import round_snapshot_build, snapshot_as_dict
from reports.snapshot.hydrate import snapshot_from_dict
from reports.stock_flow import stock_flow_block
from svmonitor.choices import RoundStatus
from svmonitor.models import AuditEvent, ReportingRound
from svmonitor.roles import Role
from tests.factories import (
    AgreementFactory,
    DataSourceFactory,
    HeadlineCardFactory,
    MeasureFactory,
    MeasureValueFactory,
    MembershipFactory,
    ReportingRoundFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MONTHS = [dt.date(2024, m, 1) for m in range(4, 13)]  # April to December 2024
OPENING = 1000
ISSUED, CEASED = 30, 10  # +20 plans a month


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


class Council:
    """A council with a draft 2024-25 Update 3 (data to December 2024) and, when asked, its
    stock of EHCPs and the flows as measures with their roles, balanced month by month."""

    def __init__(self, *, roles=True, flows=True, threshold=None):
        agreement = AgreementFactory(first_financial_year=2023)
        self.council = council = agreement.council
        if threshold is not None:
            council.stock_flow_gap_percent = Decimal(threshold)
            council.save()
        self.round = ReportingRoundFactory(
            agreement=agreement,
            financial_year=2024,
            update_number=3,
            due_date=dt.date(2025, 1, 31),
            data_as_at=dt.date(2024, 12, 1),
            status=RoundStatus.DRAFT,
        )
        # The previous update, so the draft's months are September to December.
        ReportingRoundFactory(
            agreement=agreement,
            financial_year=2024,
            update_number=2,
            due_date=dt.date(2024, 10, 31),
            data_as_at=dt.date(2024, 8, 1),
            status=RoundStatus.SUBMITTED,
            submitted_on=dt.date(2024, 10, 31),
        )
        source = DataSourceFactory(council=council, name="SEN2 extract")
        self.actual = SeriesFactory(council=council, kind=Series.Kind.ACTUAL, slug="actual")

        def measure(code, name, role):
            return MeasureFactory(
                council=council,
                code=code,
                name=name,
                data_source=source,
                stock_flow_role=role if roles else "",
            )

        self.stock = measure("ehcps", "EHCPs in force", "stock")
        self.measures = {"stock": self.stock}
        if flows:
            self.measures["issued"] = measure("issued", "New EHCPs issued", "issued")
            self.measures["ceased"] = measure("ceased", "EHCPs ceased", "ceased")
            self.measures["requests"] = measure("requests", "EHCNA requests", "requests")
        self.values = {}
        for k, period in enumerate(MONTHS):
            self.set("stock", period, OPENING + 20 * k)
            if flows:
                self.set("issued", period, ISSUED)
                self.set("ceased", period, CEASED)
                self.set("requests", period, 55)
        self.officer = UserFactory()
        MembershipFactory(user=self.officer, council=council, role=Role.LEAD)

    def set(self, role, period, value, reason=""):
        """The actual figure of a role's measure for a month (None with a reason: n/a)."""
        key = (role, period)
        if key in self.values:
            self.values[key].delete()
        self.values[key] = MeasureValueFactory(
            measure=self.measures[role],
            series=self.actual,
            period=period,
            value=None if value is None else Decimal(value),
            not_available_reason=reason,
        )

    def drop(self, role, period):
        self.values.pop((role, period)).delete()

    def dashboard(self, client) -> str:
        client.force_login(self.officer)
        return _text(client.get(reverse("reports:council_dashboard", args=[self.council.slug])))

    def tasks(self, client) -> str:
        client.force_login(self.officer)
        url = reverse("reports:task_list", args=[self.council.slug, "2024-25", 3])
        return _text(client.get(url))

    def block(self):
        return stock_flow_block(round_snapshot_build(self.round))


def _row(html: str, month: str) -> str:
    """A month's cells in the stock and flow table (the key measures' tables have months too)."""
    table = re.search(r'<table class="[^"]*stock-flow"[^>]*>(.*?)</table>', html).group(1)
    found = re.search(rf'<tr><th scope="row">{month}</th>(.*?)</tr>', table)
    assert found, f"no row for {month}"
    return found.group(1)


def test_a_balanced_series_has_no_gap_in_any_month(client):
    built = Council()
    block = built.block()
    # April only opens the stock: May to December are reconciled.
    assert [m.month for m in block.flow.months] == MONTHS[1:]
    assert all(m.gap == 0 and m.gap_percent == 0 and not m.is_over for m in block.flow.months)
    assert block.flag == ""
    html = built.dashboard(client)
    assert '<h2 class="govuk-heading-l" id="stock-flow-heading">EHCP stock and flow</h2>' in html
    assert "No month reconciled has a gap over the council's threshold of 2%." in html
    # Opening 1,000 + 30 - 10 = 1,020 expected and recorded in May.
    assert _row(html, "May 2024") == (
        "<td>1,000</td><td>30</td><td>10</td><td>1,020</td><td>1,020</td>"
        "<td>0</td><td>0.0%</td><td>No</td><td>55</td>"
    )
    assert "Not computed" not in html


def test_the_dashboard_table_has_a_caption_and_headers_and_the_chart_is_drawn_from_it(client):
    html = Council().dashboard(client)
    table = re.search(
        r'<table class="[^"]*app-stock-flow" data-chart-figures="chart-stock-flow">'
        r"(.*?)</table>",
        html,
    )
    assert table
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--s">EHCPs in force '
        "reconciled with New EHCPs issued and EHCPs ceased, month by month"
    ) in table.group(1)
    for heading in (
        "Month",
        "Opening stock (last month&#x27;s closing)",
        "Plans issued",
        "Plans ceased",
        "Expected closing stock",
        "Recorded closing stock",
        "Gap (plans)",
        "Gap (% of expected)",
        "Gap over 2%",
        "Requests for assessment",
    ):
        assert f'<th scope="col">{heading}</th>' in table.group(1)
    # The chart holds only its lines' styles and the columns it draws from (charts.js).
    figure = json.loads(
        re.search(r'id="chart-stock-flow" type="application/json">([^<]+)<', html).group(1)
    )
    assert figure["from_table"] is True
    assert [trace["column"] for trace in figure["data"]] == [4, 5]
    assert all("x" not in trace and "y" not in trace for trace in figure["data"])
    assert 'data-chart="chart-stock-flow" role="img"' in html


def test_a_gap_over_the_threshold_is_flagged_on_the_dashboard_and_the_task_list(client):
    built = Council()
    # October should close at 1,120 (1,100 + 30 - 10); 1,150 is recorded: +30, +2.7%, and
    # the stock runs on from there (30 plans the flows do not account for).
    for month, stock in ((10, 1150), (11, 1170), (12, 1190)):
        built.set("stock", dt.date(2024, month, 1), stock)
    october = next(m for m in built.block().flow.months if m.month == dt.date(2024, 10, 1))
    assert (october.expected, october.gap, october.gap_percent) == (1120, 30, Decimal("2.7"))
    assert october.is_over
    html = built.dashboard(client)
    flag = (
        "Stock and flow check: EHCPs in force differ from last month&#x27;s + plans issued - "
        "plans ceased by more than 2% in Oct 2024 (+2.7%)"
    )
    assert flag in html
    assert 'class="govuk-warning-text"' in html
    row = _row(html, "Oct 2024")
    assert "<td>1,120</td><td>1,150</td><td>+30</td><td>+2.7%</td>" in row
    # The flag is text as well as colour.
    assert "Yes, over 2%</strong>" in row
    # November opens from the recorded 1,150: 1,170 expected and recorded.
    assert "<td>1,150</td><td>30</td><td>10</td><td>1,170</td><td>1,170</td><td>0</td>" in _row(
        html, "Nov 2024"
    )
    # The return's task for the quarter's key measures carries the flag.
    assert flag in built.tasks(client)


def test_a_gap_under_the_threshold_is_shown_but_not_flagged(client):
    built = Council()
    built.set("stock", dt.date(2024, 10, 1), 1130)  # +10 on 1,120: 0.9%
    html = built.dashboard(client)
    assert "<td>+10</td><td>+0.9%</td><td>No</td>" in _row(html, "Oct 2024")
    assert "Stock and flow check" not in html
    assert "Stock and flow check" not in built.tasks(client)


def test_the_threshold_is_the_councils_own(client):
    built = Council(threshold="0.5")
    built.set("stock", dt.date(2024, 10, 1), 1130)  # 0.9% passes 0.5%
    html = built.dashboard(client)
    assert "Yes, over 0.5%</strong>" in _row(html, "Oct 2024")
    assert "by more than 0.5% in Oct 2024 (+0.9%)" in html
    assert "by more than 0.5% in Oct 2024 (+0.9%)" in built.tasks(client)


def test_a_month_missing_a_figure_is_not_reconciled_and_says_which(client):
    built = Council()
    built.set("ceased", dt.date(2024, 8, 1), None, reason="SEN2 return late")
    built.drop("stock", dt.date(2024, 9, 1))
    flow = built.block().flow
    assert [m.month for m in flow.not_computed] == [
        dt.date(2024, 8, 1),
        dt.date(2024, 9, 1),
        dt.date(2024, 10, 1),
    ]
    html = built.dashboard(client)
    assert (
        '<td colspan="3">Not computed: plans ceased not available: SEN2 return late</td>'
        in _row(html, "Aug 2024")
    )
    assert "Not computed: no figure for EHCPs in force</td>" in _row(html, "Sep 2024")
    assert (
        "Not computed: no figure for EHCPs in force at the end of Sep 2024 (opening stock)"
        in _row(html, "Oct 2024")
    )
    assert "3 months are not reconciled because a figure is missing: Aug 2024, Sep 2024, " in html
    # A missing month is never flagged.
    assert "Stock and flow check" not in html
    assert "<td>0</td><td>0.0%</td><td>No</td>" in _row(html, "Nov 2024")


def test_a_council_without_roles_has_no_section_and_no_flag(client):
    built = Council(roles=False)
    built.set("stock", dt.date(2024, 10, 1), 1500)
    assert built.block() is None
    html = built.dashboard(client)
    assert "EHCP stock and flow" not in html
    assert "Stock and flow check" not in built.tasks(client)


def test_a_stock_without_flows_is_not_reconciled(client):
    built = Council(flows=False)
    assert built.block() is None
    assert "EHCP stock and flow" not in built.dashboard(client)


def test_the_board_pack_shows_the_table_and_its_chart():
    built = Council()
    built.set("stock", dt.date(2024, 10, 1), 1150)
    html = board_pack_html(report_source_for_round(round=built.round))
    assert '<h2 id="stock-flow">EHCP stock and flow</h2>' in html
    assert '<table class="grid figures stock-flow"><caption>EHCPs in force reconciled' in html
    assert '<th scope="col">Recorded closing stock</th>' in html
    assert "<td>+30</td><td>+2.7%</td>" in html
    assert "Warning: Stock and flow check" in html
    assert 'alt="Line chart of the expected and the recorded closing stock of EHCPs' in html


def test_a_frozen_payload_carries_the_roles_and_an_older_one_has_no_section():
    built = Council()
    payload = snapshot_as_dict(round_snapshot_build(built.round))
    assert {m["stock_flow_role"] for m in payload["measures"]} == {
        "stock",
        "issued",
        "ceased",
        "requests",
    }
    assert Decimal(payload["council"]["stock_flow_gap_percent"]) == 2
    assert stock_flow_block(snapshot_from_dict(payload)) is not None
    # A payload frozen before issue 18 has neither field: it loads, with no section.
    for measure in payload["measures"]:
        del measure["stock_flow_role"]
    del payload["council"]["stock_flow_gap_percent"]
    older = snapshot_from_dict(payload)
    assert older.council.stock_flow_gap_percent == Decimal("2.00")
    assert stock_flow_block(older) is None


def test_two_measures_cannot_hold_the_same_role():
    built = Council()
    with pytest.raises(ValidationError, match="already has this stock and flow role"):
        measure_upsert(
            council=built.council,
            measure=built.measures["issued"],
            by=built.officer,
            stock_flow_role="stock",
        )
    assert Measure.objects.get(pk=built.measures["issued"].pk).stock_flow_role == "issued"


def test_the_section_adds_no_query_to_the_dashboard(client):
    """The summary page reads its headline cards' figures in one query; the stock and flow
    measures' figures come in the same query (a council with no headline card and no other
    figure on its summary pays that one query for them)."""
    with_roles, without = Council(), Council(roles=False)
    for built in (with_roles, without):
        HeadlineCardFactory(
            council=built.council, measure=built.stock, comparator=built.actual, title="EHCPs"
        )

    def queries(built):
        client.force_login(built.officer)
        url = reverse("reports:council_dashboard", args=[built.council.slug])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries(with_roles)  # warm the session and caches alike
    queries(without)
    assert queries(with_roles) == queries(without)


def test_the_admin_sets_a_role_through_the_service_with_its_history():
    built = Council(roles=False)
    admin = Client()
    admin.force_login(UserFactory(username="flow-admin", is_staff=True, is_superuser=True))
    measure = built.measures["ceased"]
    response = admin.post(
        reverse("admin:metrics_measure_change", args=[measure.pk]),
        {
            "council": built.council.pk,
            "code": measure.code,
            "name": measure.name,
            "unit": "count",
            "polarity": "neutral",
            "data_source": measure.data_source_id,
            "frequency": "monthly",
            "reading": "point",
            "order": 0,
            "show_chart": "on",
            "stock_flow_role": "ceased",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Measure.objects.get(pk=measure.pk).stock_flow_role == "ceased"
    event = AuditEvent.objects.filter(action="measure.save").latest("pk")
    assert (event.after["stock_flow_role"], event.via) == ("ceased", "via admin")


def test_the_kpi_tasks_page_lists_the_check_for_each_month_of_the_return(client):
    built = Council()
    for month, stock in ((10, 1150), (11, 1170), (12, 1190)):
        built.set("stock", dt.date(2024, month, 1), stock)
    built.drop("issued", dt.date(2024, 12, 1))
    client.force_login(built.officer)
    url = reverse("reports:task_detail", args=[built.council.slug, "2024-25", 3, "kpis"])
    html = _text(client.get(url))
    assert '<h2 class="govuk-summary-card__title">EHCP stock and flow check</h2>' in html
    assert (
        "EHCPs in force: 1,150 recorded against 1,120 from last month&#x27;s + issued - ceased "
        "(+30 plans, +2.7%): over the 2% threshold"
    ) in html
    assert "EHCPs in force: 1,100 recorded against 1,100" in html  # September balances
    assert "Not reconciled: no figure for plans issued" in html  # December
    # Only the return's months (September to December), each with its month page.
    assert "August 2024 </dt>" not in html and "August 2024</dt>" not in html
    assert "September 2024</dt>" in html or "September 2024 </dt>" in html
    assert reverse("metrics:kpi_month", args=[built.council.slug, "2024-10"]) in html


def test_a_council_without_roles_has_no_check_on_the_kpi_tasks_page(client):
    built = Council(roles=False)
    client.force_login(built.officer)
    url = reverse("reports:task_detail", args=[built.council.slug, "2024-25", 3, "kpis"])
    html = _text(client.get(url))
    assert "Monthly key measures" in html
    assert "EHCP stock and flow check" not in html


def test_a_frozen_round_shows_the_check_as_frozen_not_as_live_data_moved_since(client):
    built = Council()
    built.set("stock", dt.date(2024, 10, 1), 1150)
    round_snapshot_freeze(round=built.round, by=built.officer)
    ReportingRound.objects.filter(pk=built.round.pk).update(status=RoundStatus.READY)
    # After freezing, the stock is corrected and the roles taken off: the frozen return stands.
    built.set("stock", dt.date(2024, 10, 1), 1120)
    Measure.objects.filter(council=built.council).update(stock_flow_role="")
    html = built.dashboard(client)
    assert "<td>1,120</td><td>1,150</td><td>+30</td><td>+2.7%</td>" in _row(html, "Oct 2024")
    assert "by more than 2% in Oct 2024 (+2.7%)" in html


def test_the_admin_offers_the_councils_threshold_and_the_measures_role():
    built = Council()
    admin = Client()
    admin.force_login(UserFactory(username="flow-admin-2", is_staff=True, is_superuser=True))
    page = admin.get(reverse("admin:svmonitor_localauthority_change", args=[built.council.pk]))
    assert 'name="stock_flow_gap_percent" value="2.0000"' in page.content.decode()
    page = admin.get(reverse("admin:metrics_measure_change", args=[built.stock.pk]))
    assert '<option value="stock" selected>EHCPs in force (stock)</option>' in page.content.decode()
