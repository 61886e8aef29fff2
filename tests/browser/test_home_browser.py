"""The home page ("Your tasks"), the returns list with an overdue flag and the account page's
reminder setting in a real headless Chromium, checked with axe-core."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from svmonitor.choices import RoundStatus
from svmonitor.roles import Role
from tests import factories as f
from tests.browser.conftest import axe_serious_violations
from tests.round_builders import programme, round_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def user_with_every_list(transactional_db):
    """A user who is officer, S151 officer, finance lead and adviser of councils with an
    overdue draft, a return ready for sign-off and one signed off."""
    user = f.UserFactory(username="browser-everyone")
    for status in (RoundStatus.DRAFT, RoundStatus.READY, RoundStatus.SIGNED_OFF):
        prog = programme()
        round = round_in(status, prog)
        round.due_date = dt.date.today() - dt.timedelta(days=4)
        round.save(update_fields=["due_date"])
        for role in (Role.OFFICER, Role.S151, Role.FINANCE, Role.ADVISER):
            f.MembershipFactory(user=user, council=prog.agreement.council, role=role)
    return user


def test_axe_finds_no_serious_problem_on_the_home_page_returns_list_and_account_page(
    chromium, live_server, user_with_every_list
):
    client = Client()
    client.force_login(user_with_every_list, backend="svmonitor.backends.AccountBackend")
    # axe is injected as an inline script, so only its context bypasses the CSP.
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    council = user_with_every_list.memberships.order_by("pk").first().council
    try:
        page = context.new_page()
        for url in (
            reverse("home"),
            reverse("reports:round_list", args=[council.slug]),
            reverse("account_detail"),
        ):
            assert page.goto(live_server.url + url).status == 200, url
            assert axe_serious_violations(page) == [], url
        page.goto(live_server.url + reverse("home"))
        assert page.locator(".app-overdue-tag").count() >= 3
        assert page.get_by_role("heading", name="Waiting for your sign-off").is_visible()
    finally:
        context.close()


def test_at_320_px_the_home_page_council_list_and_account_page_do_not_scroll_sideways(
    chromium, live_server, user_with_every_list
):
    # A long address, as a council's often is: it wraps rather than widening the page.
    user_with_every_list.email = "programme.officer.send.transformation@westbridge-council.example"
    user_with_every_list.save(update_fields=["email"])
    client = Client()
    client.force_login(user_with_every_list, backend="svmonitor.backends.AccountBackend")
    context = chromium.new_context(viewport={"width": 320, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    try:
        page = context.new_page()
        for url in (reverse("home"), reverse("reports:council_list"), reverse("account_detail")):
            assert page.goto(live_server.url + url).status == 200, url
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (url, width)
    finally:
        context.close()
