"""The DSG plan's workstream log (issue 19): each workstream's lead, dates, status and DSG line
saved through workstream_log_save; its savings are the same WorkstreamSaving rows the Safety
Valve finance chart reads; its task page and the fragment a DSG round freezes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conditions.models import Workstream
from conditions.services import workstream_log_save, workstream_savings_save
from svmonitor.errors import StaleEdit
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from svmonitor.sections import return_parts
from tests import factories as f

pytestmark = pytest.mark.django_db
DSG = "dsg_plan"
LOG = {
    "lead_role": "Head of SEND commissioning",
    "start_date": dt.date(2025, 9, 1),
    "end_date": dt.date(2027, 8, 31),
    "status": "on_track",
    "dsg_line": "Independent special schools",
}


def _part():
    return next(p for p in return_parts(DSG) if p.name == "dsg_workstreams")


@pytest.fixture
def area(council):
    return f.ProgrammeAreaFactory(council=council, number=3, name="Right support")


@pytest.fixture
def workstream(area):
    return f.WorkstreamFactory(area=area, name="More resource bases")


@pytest.fixture
def dsg_round(agreement):
    return f.ReportingRoundFactory(agreement=agreement, financial_year=2025, return_kind=DSG)


def test_a_log_entry_saves_with_its_version_checked_and_its_history(workstream, la_officer):
    saved = workstream_log_save(workstream=workstream, expected_version=1, by=la_officer, **LOG)
    assert (saved.status, saved.start_date, saved.version) == ("on_track", dt.date(2025, 9, 1), 2)
    event = AuditEvent.objects.get(action="workstream_log.save")
    assert event.before["status"] == "" and event.after["status"] == "on_track"
    assert event.after["start_date"] == "2025-09-01"
    assert event.council == workstream.area.council
    with pytest.raises(StaleEdit):
        workstream_log_save(
            workstream=workstream, expected_version=1, by=la_officer, status="complete"
        )
    assert Workstream.objects.get(pk=workstream.pk).status == "on_track"


def test_a_log_entry_ending_before_it_starts_or_with_an_unknown_status_is_refused(
    workstream, la_officer
):
    with pytest.raises(ValidationError) as refused:
        workstream_log_save(
            workstream=workstream,
            expected_version=1,
            by=la_officer,
            **{**LOG, "end_date": dt.date(2025, 1, 1), "status": "brilliant"},
        )
    assert set(refused.value.message_dict) == {"end_date", "status"}
    assert Workstream.objects.get(pk=workstream.pk).version == 1


def test_a_board_member_and_another_councils_officer_may_not_save_a_log_entry(
    workstream, board_member, other_la_officer
):
    for user in (board_member, other_la_officer):
        with pytest.raises(PermissionDenied):
            workstream_log_save(workstream=workstream, expected_version=1, by=user, **LOG)


def test_the_fragment_holds_the_log_and_the_same_savings_the_finance_grid_keeps(
    council, agreement, workstream, dsg_round, la_officer
):
    workstream_log_save(workstream=workstream, expected_version=1, by=la_officer, **LOG)
    other = f.WorkstreamFactory(area=workstream.area, name="Panels", order=2)
    workstream_log_save(
        workstream=other, expected_version=1, by=la_officer, status="at_risk", lead_role="Head"
    )
    finance = f.MembershipFactory(council=council, role=Role.FINANCE).user
    # The savings grid (the Safety Valve finance chart's table) is the one door for savings.
    workstream_savings_save(
        council=council,
        cells={(workstream.pk, 2025): "450", (workstream.pk, 2026): "900", (other.pk, 2025): "50"},
        versions={},
        unit="thousands",
        by=finance,
    )
    fragment = _part().snapshot(dsg_round)
    first = fragment["workstreams"][0]
    assert first["name"] == "More resource bases"
    assert (first["lead_role"], first["start_date"], first["end_date"]) == (
        "Head of SEND commissioning",
        "2025-09-01",
        "2027-08-31",
    )
    assert (first["status"], first["status_label"], first["dsg_line"]) == (
        "on_track",
        "On track",
        "Independent special schools",
    )
    assert first["savings"] == {"2025": "450000.00", "2026": "900000.00"}
    assert first["savings_total"] == "1350000.00"
    assert fragment["savings_totals"] == {"2025": "500000.00", "2026": "900000.00"}
    assert fragment["areas"] == [
        {"number": 3, "name": "Right support", "status": "at_risk", "status_label": "At risk"}
    ]
    assert fragment["years"][0] == agreement.first_financial_year
    # One table: a saving changed on the grid is the figure the plan freezes.
    workstream_savings_save(
        council=council,
        cells={(workstream.pk, 2025): "451", (workstream.pk, 2026): "900", (other.pk, 2025): "50"},
        versions={(workstream.pk, 2025): 1, (workstream.pk, 2026): 1, (other.pk, 2025): 1},
        unit="thousands",
        by=finance,
    )
    assert _part().snapshot(dsg_round)["workstreams"][0]["savings"]["2025"] == "451000.00"


def test_the_task_is_complete_when_every_workstream_has_a_lead_start_and_status(
    workstream, dsg_round, la_officer
):
    part = _part()
    assert part.tasks(dsg_round, False)[0].status == "not_started"
    assert [g.problem for g in part.completeness(dsg_round, False)] == [
        "status not given",
        "start date not given",
        "lead not given",
    ]
    workstream_log_save(workstream=workstream, expected_version=1, by=la_officer, **LOG)
    assert part.tasks(dsg_round, False)[0].status == "completed"
    assert part.completeness(dsg_round, False) == []
    assert part.progress([dsg_round], set()) == {dsg_round.pk: (1, 1)}


def test_the_task_pages_queries_do_not_grow_with_the_workstreams(area, dsg_round):
    f.WorkstreamSavingFactory(workstream=f.WorkstreamFactory(area=area), financial_year=2025)
    part = _part()
    with CaptureQueriesContext(connection) as few:
        part.task_summary(dsg_round, "dsg-workstreams")
        part.snapshot(dsg_round)
    for _ in range(8):
        f.WorkstreamSavingFactory(workstream=f.WorkstreamFactory(area=area), financial_year=2026)
    with CaptureQueriesContext(connection) as many:
        cards = part.task_summary(dsg_round, "dsg-workstreams")
        part.snapshot(dsg_round)
    assert len(cards) == 9
    assert len(many) == len(few)


def _edit_url(workstream):
    return reverse(
        "conditions:workstream_log_edit", args=[workstream.area.council.slug, workstream.pk]
    )


def test_an_officer_edits_a_log_entry_with_govuk_date_inputs(client, workstream, la_officer):
    client.force_login(la_officer)
    page = client.get(_edit_url(workstream))
    assert page.status_code == 200
    assert 'name="start_date_day"' in page.content.decode()
    saved = client.post(
        _edit_url(workstream),
        {
            "lead_role": "Head of SEND",
            "start_date_day": "1",
            "start_date_month": "9",
            "start_date_year": "2025",
            "status": "at_risk",
            "dsg_line": "Top-up funding",
            "version": "1",
            "next": "/councils/",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == "/councils/"
    workstream.refresh_from_db()
    assert (workstream.lead_role, workstream.status, workstream.start_date) == (
        "Head of SEND",
        "at_risk",
        dt.date(2025, 9, 1),
    )
    bad = client.post(
        _edit_url(workstream),
        {
            "start_date_day": "1",
            "start_date_month": "9",
            "start_date_year": "2025",
            "end_date_day": "1",
            "end_date_month": "9",
            "end_date_year": "2024",
            "version": "2",
        },
    )
    assert bad.status_code == 200
    assert "end date must be on or after" in bad.content.decode()


def test_a_log_entry_page_is_404_for_another_council_and_403_for_the_board(
    client, workstream, other_la_officer, board_member
):
    client.force_login(other_la_officer)
    assert client.get(_edit_url(workstream)).status_code == 404
    # Another council's workstream under the officer's own council's address: still a 404.
    mine = f.WorkstreamFactory(
        area=f.ProgrammeAreaFactory(council=other_la_officer.memberships.get().council)
    )
    url = reverse("conditions:workstream_log_edit", args=[mine.area.council.slug, workstream.pk])
    assert client.get(url).status_code == 404
    client.force_login(board_member)
    assert client.get(_edit_url(workstream)).status_code == 403


def test_a_log_entrys_history_page_shows_its_saves_and_is_404_for_another_council(
    client, workstream, dsg_round, la_officer, other_la_officer
):
    workstream_log_save(workstream=workstream, expected_version=1, by=la_officer, **LOG)
    council = workstream.area.council
    url = reverse(
        "reports:dsg_section_history",
        args=[council.slug, "2025-26", dsg_round.update_number, "workstream_log", workstream.pk],
    )
    client.force_login(la_officer)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "History of Workstream log: More resource bases" in html
    assert "Head of SEND commissioning" in html
    client.force_login(other_la_officer)
    assert client.get(url).status_code == 404


def test_the_logs_change_links_are_only_those_the_user_may_follow_and_name_each_field_once(
    client, workstream, dsg_round, la_officer
):
    finance = f.UserFactory(username="log-finance")
    f.MembershipFactory(user=finance, council=workstream.area.council, role=Role.FINANCE)
    council = workstream.area.council
    url = reverse(
        "reports:dsg_task_detail",
        args=[council.slug, "2025-26", dsg_round.update_number, "dsg-workstreams"],
    )
    savings = reverse("conditions:savings_grid", args=[council.slug])
    client.force_login(la_officer)
    html = client.get(url).content.decode()
    # The officer edits the log but not the savings (the finance grid refuses them: 403).
    assert client.get(savings).status_code == 403
    assert f'href="{savings}' not in html
    assert 'Change<span class="govuk-visually-hidden"> lead of More resource bases</span>' in html
    assert "of more resource bases of" not in html
    client.force_login(finance)
    html = client.get(url).content.decode()
    assert f'href="{savings}' in html
    assert 'Change<span class="govuk-visually-hidden"> lead of' not in html


def test_each_log_date_gives_one_example_not_two(client, workstream, la_officer):
    client.force_login(la_officer)
    html = client.get(_edit_url(workstream)).content.decode()
    assert 'class="govuk-hint">For example, 1 9 2025</div>' in html
    assert "When the workstream is due to finish. For example, 31 8 2027</div>" in html
    assert "For example, 31 3 2025" not in html
