"""Issue 15.5 and 15.10: the home page says what is waiting for each role, and flags overdue
returns; the returns list flags them too."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from svmonitor.choices import RoundStatus
from svmonitor.roles import Role
from svmonitor.services import round_sign_off
from tests import factories as f
from tests.round_builders import programme, round_in

pytestmark = pytest.mark.django_db

# Three days after 2024-25 Update 1 was due (31 May 2024).
TODAY = dt.datetime(2024, 6, 3, 12, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _page(user, name="home", *args) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _member(council, role):
    user = f.UserFactory()
    f.MembershipFactory(user=user, council=council, role=role)
    return user


def _section(html: str, heading: str) -> str:
    """The page from a heading to the next h2."""
    start = html.index(heading)
    end = html.find("<h2", start)
    return html[start : end if end != -1 else None]


def test_an_officer_sees_the_draft_due_with_its_due_date_progress_and_overdue_flag():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    officer = _member(prog.agreement.council, Role.OFFICER)
    html = _page(officer)
    assert '<h1 class="govuk-heading-l">Your tasks</h1>' in html
    tasks = _section(html, "Returns to complete and send")
    assert f"{prog.agreement.council.name} 2024-25 Update 1 (May)" in tasks
    assert reverse("reports:round_detail", args=[prog.agreement.council.slug, "2024-25", 1]) in (
        tasks
    )
    assert "31 May 2024" in tasks
    assert '<strong class="govuk-tag govuk-tag--red app-overdue-tag">Overdue</strong>' in tasks
    assert "3 days overdue" in tasks
    assert "0 of 5 sections complete" in tasks
    assert round.status == RoundStatus.DRAFT


def test_a_draft_not_yet_due_says_how_many_days_are_left_without_the_overdue_flag():
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    with time_machine.travel(dt.datetime(2024, 5, 17, 12, tzinfo=ZoneInfo("Europe/London"))):
        html = _page(prog.officer)
    tasks = _section(html, "Returns to complete and send")
    assert "Due in 14 days" in tasks
    assert "Overdue" not in tasks


def test_a_user_with_one_council_sees_the_home_page_with_a_link_to_its_dashboard():
    council = f.AgreementFactory().council
    board = _member(council, Role.BOARD)
    client = Client()
    client.force_login(board)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("reports:council_dashboard", args=[council.slug]) in html
    # A board member has no task lists, only their council.
    assert "Returns to complete" not in html and "Waiting for your sign-off" not in html


def test_s151_and_dcs_see_a_return_waiting_for_their_sign_off_until_they_sign():
    prog = programme()
    round = round_in(RoundStatus.READY, prog)
    label = f"{prog.agreement.council.name} 2024-25 Update 1 (May)"
    for user in (prog.s151, prog.dcs):
        waiting = _section(_page(user), "Waiting for your sign-off")
        assert label in waiting
        assert "S151 officer and Director of children&#x27;s services" in waiting
    with time_machine.travel(TODAY, tick=True):
        round_sign_off(round=round, by=prog.s151, capacity="s151")
    assert label not in _section(_page(prog.s151), "Waiting for your sign-off")
    waiting = _section(_page(prog.dcs), "Waiting for your sign-off")
    assert label in waiting
    assert "Director of children&#x27;s services" in waiting


def test_a_draft_is_not_waiting_for_sign_off():
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    assert "No return is waiting for your sign-off." in _page(prog.s151)


def test_the_finance_lead_sees_returns_signed_off_and_not_yet_sent():
    prog = programme()
    round = round_in(RoundStatus.SIGNED_OFF, prog)
    finance = _member(prog.agreement.council, Role.FINANCE)
    to_send = _section(_page(finance), "Signed off, not yet recorded as sent")
    assert f"{prog.agreement.council.name} {round.label}" in to_send
    assert "3 days overdue" in to_send


def test_the_finance_lead_no_longer_sees_a_return_once_sent():
    prog = programme()
    round_in(RoundStatus.SUBMITTED, prog)
    finance = _member(prog.agreement.council, Role.FINANCE)
    assert "No signed-off return is waiting to be sent." in _page(finance)


def test_an_adviser_sees_the_latest_submissions_and_overdue_returns_of_their_councils_only():
    sent, late, elsewhere = programme(), programme(), programme()
    round_in(RoundStatus.SUBMITTED, sent)
    round_in(RoundStatus.DRAFT, late)
    round_in(RoundStatus.DRAFT, elsewhere)
    adviser = f.UserFactory()
    for prog in (sent, late):
        f.MembershipFactory(user=adviser, council=prog.agreement.council, role=Role.ADVISER)
    html = _page(adviser)
    submissions = _section(html, "Latest submissions")
    assert f"{sent.agreement.council.name} 2024-25 Update 1 (May)" in submissions
    assert "31 May 2024" in submissions
    overdue = _section(html, "Overdue returns")
    assert f"{late.agreement.council.name} 2024-25 Update 1 (May)" in overdue
    assert "3 days overdue" in overdue
    # The draft itself is the council's: the adviser is sent to its returns list.
    assert reverse("reports:round_list", args=[late.agreement.council.slug]) in overdue
    assert sent.agreement.council.name not in overdue
    assert elsewhere.agreement.council.name not in html


def test_another_councils_officer_sees_none_of_its_returns():
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    stranger = _member(f.AgreementFactory().council, Role.OFFICER)
    html = _page(stranger)
    assert prog.agreement.council.name not in html
    assert "No return is open" in html


def test_the_home_page_asks_anonymous_visitors_to_sign_in():
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_returns_list_flags_an_overdue_return_and_not_a_submitted_one():
    late, sent = programme(), programme()
    round_in(RoundStatus.DRAFT, late)
    round_in(RoundStatus.SUBMITTED, sent)
    html = _page(late.officer, "reports:round_list", late.agreement.council.slug)
    assert '<strong class="govuk-tag govuk-tag--red app-overdue-tag">Overdue</strong>' in html
    assert "3 days overdue" in html
    html = _page(sent.officer, "reports:round_list", sent.agreement.council.slug)
    assert "Overdue" not in html


def _tables_scroll_in_their_own_region(html: str) -> bool:
    """Every table sits directly in an .app-table-scroll box (on a 320 px screen the box
    scrolls, not the page: WCAG 1.4.10)."""
    tables = html.count("<table")
    boxed = len(re.findall(r'<div class="app-table-scroll"[^>]*> ?<table', html))
    return tables > 0 and boxed == tables


def test_the_home_page_council_list_and_account_page_tables_scroll_in_their_own_box():
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    officer = _member(prog.agreement.council, Role.OFFICER)
    sent = programme()
    round_in(RoundStatus.SUBMITTED, sent)
    adviser = _member(sent.agreement.council, Role.ADVISER)
    for user, page in (
        (officer, "home"),
        (adviser, "home"),
        (officer, "reports:council_list"),
        (officer, "account_detail"),
    ):
        assert _tables_scroll_in_their_own_region(_page(user, page)), (user, page)


def test_a_dsg_plan_council_is_listed_with_its_latest_plan_update_and_its_returns_and_plans():
    agreement = f.AgreementFactory(first_financial_year=2025, last_financial_year=2029)
    council = agreement.council
    council.return_kinds = ["dsg_plan"]
    council.save(update_fields=["return_kinds"])
    f.ReportingRoundFactory(
        agreement=agreement,
        return_kind="dsg_plan",
        financial_year=2025,
        update_number=2,
        status=RoundStatus.SUBMITTED,
        submitted_on=dt.date(2025, 12, 10),
    )
    board = _member(council, Role.BOARD)
    html = _page(board, "reports:council_list")
    assert "No rounds yet" not in html
    assert "2025-26 DSG plan, autumn term (December)" in html
    assert "Presented to the Schools Forum" in html and "Submitted to DfE" not in html
    assert "Returns and plans" in html and "Quarterly returns" not in html
    listed = _page(board, "reports:round_list", council.slug)
    assert "Presented to the Schools Forum" in listed and "Submitted to DfE" not in listed
    home = _page(board, "home")
    assert "returns and plans" in home and "quarterly returns" not in home
