"""A frozen round carries the mitigation (issue 18.3): the workstreams' savings and the actual
are in its payload, a payload frozen before them still loads, and the board pack shows the
chart and its table."""

import datetime as dt

import pytest
from django.urls import reverse

from conditions.models import WorkstreamSaving
from conditions.services import workstream_saving_upsert
from reports.freeze import payload_sha256
from reports.models import RoundSnapshot as FrozenSnapshot
from reports.pdf.render import board_pack_context, board_pack_html
from reports.pdf.selectors import report_source_for_round
from reports.snapshot import round_snapshot_build, snapshot_as_dict
from svmonitor.choices import RoundStatus
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.round_page.conftest import client_for
from tests.scenario.builders import mitigation_data

pytestmark = pytest.mark.django_db


def _freeze(rnd, payload):
    FrozenSnapshot.objects.create(
        round=rnd, created_by=None, payload=payload, sha256=payload_sha256(payload)
    )
    type(rnd).objects.filter(pk=rnd.pk).update(
        status=RoundStatus.SUBMITTED, submitted_on=dt.date(2024, 12, 11)
    )
    rnd.refresh_from_db()


@pytest.fixture
def round_(agreement):
    mitigation_data(agreement)
    return f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=3)


def _mitigation_table(client, council) -> str:
    html = client.get(reverse("reports:council_dashboard", args=[council.slug])).content.decode()
    if 'id="mitigation-table"' not in html:
        return ""
    start = html.index('id="mitigation-table"')
    return html[start : html.index("</table>", start)]


def test_the_payload_carries_the_savings_and_the_dashboard_reads_them_after_a_change(
    round_, council, la_officer
):
    payload = snapshot_as_dict(round_snapshot_build(round_))
    hubs = payload["workstream_savings"][0]
    assert hubs["name"] == "Family hubs"
    assert hubs["savings"] == [
        {"financial_year": 2024, "fy": "2024-25", "saving": "6000000.00"},
        {"financial_year": 2025, "fy": "2025-26", "saving": "8000000.00"},
    ]
    first_year = next(y for y in payload["finance"] if y["financial_year"] == 2023)
    assert first_year["actual"]["in_year_position"] == "-38000000.00"
    _freeze(round_, payload)
    finance = _member(council, Role.FINANCE, "finance-lead")
    workstream_saving_upsert(
        workstream=WorkstreamSaving.objects.get(financial_year=2024, saving=6000000).workstream,
        financial_year=2024,
        saving="9500000",
        by=finance,
    )
    table = _mitigation_table(client_for(la_officer), council)
    # The submitted return shows what was frozen: £6m, not the £9.5m saved since.
    assert "£6.00m" in table and "£9.50m" not in table
    changes = client_for(la_officer).get(
        reverse("reports:round_changes", args=[council.slug, "2024-25", 3])
    )
    text = changes.content.decode()
    assert "Forecast savings by workstream" in text and "Family hubs" in text


def test_a_payload_frozen_before_the_savings_still_renders_everywhere(round_, council, la_officer):
    payload = snapshot_as_dict(round_snapshot_build(round_))
    del payload["workstream_savings"]
    for year in payload["finance"]:
        del year["actual"]
    _freeze(round_, payload)
    source = report_source_for_round(round=round_)
    assert source.frozen is not None and source.snapshot.workstream_savings == ()
    table = _mitigation_table(client_for(la_officer), council)
    # The forecasts were frozen; the savings were not: all of the gap is not attributed.
    assert "Saving:" not in table and "Not attributed to a workstream" in table
    assert "Actual (outturn)" not in table
    html = (
        client_for(la_officer)
        .get(reverse("reports:council_dashboard", args=[council.slug]))
        .content.decode()
    )
    assert "have changed since" not in html
    assert "Mitigation by workstream" in board_pack_html(source)


def test_the_board_pack_has_the_chart_with_its_table(round_):
    source = report_source_for_round(round=round_)
    context = board_pack_context(source)
    assert context["mitigation_figure"].uri.startswith("data:image/svg+xml;base64,")
    html = board_pack_html(source)
    assert "<caption>In-year position by financial year: the unmitigated forecast" in html
    assert '<th scope="row">Saving: Inclusion advisers</th>' in html
    assert '<th scope="row">Not attributed to a workstream</th>' in html
    assert "-£50.00m" in html and "£3.00m" in html
