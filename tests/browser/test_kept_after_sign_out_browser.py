"""Issue 15.11 in a real Chromium: an in-place (htmx) save after the session ended keeps the
text through sign-in; the title says "Error:" while a swapped-in form shows errors; the GOV.UK
date input on the milestone form."""

import pytest
from django.contrib.sessions.models import Session

from conditions.models import ConditionUpdate
from svmonitor.pending import RESTORED_BANNER
from svmonitor.roles import Role
from svmonitor.services import round_open_next
from tests import factories as f
from tests.browser.conftest import axe_serious_violations, wait_until
from tests.round_builders import complete
from tests.round_page.conftest import add_programme, round_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
TYPED = "Fourteen children moved from independent schools to the new resource base in May."


@pytest.fixture
def scene(transactional_db):
    """A complete draft return whose programme lead signs in through the sign-in page."""
    agreement = f.AgreementFactory(council__name="Testshire", council__slug="testshire")
    add_programme(agreement)
    lead = f.UserFactory(username="browser-lead")
    f.MembershipFactory(user=lead, council=agreement.council, role=Role.LEAD)
    round = round_open_next(agreement=agreement, financial_year=2024, update_number=1, by=lead)
    complete(round, lead)
    update = ConditionUpdate.objects.filter(round=round).order_by("condition__order").first()
    return {"round": round, "lead": lead, "update": update}


@pytest.fixture
def browser_page(chromium, live_server, scene):
    """A function making a fresh browser page. CSP is enforced unless `axe` (axe-core is
    injected as an inline script, which the strict CSP refuses)."""
    contexts = []

    def make(axe: bool = False):
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=axe)
        contexts.append(context)
        page = context.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.problems = problems
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser_page):
    return browser_page()


@pytest.fixture
def axe_page(browser_page):
    return browser_page(axe=True)


def _sign_in(page):
    page.fill("#id_username", "browser-lead")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def _edit(page, anchor):
    page.locator(f"#{anchor} .govuk-summary-card__actions a", has_text="Edit").click()
    page.wait_for_selector(f"#{anchor} form")


def test_an_in_place_save_after_the_session_ended_keeps_the_text_through_sign_in(
    scene, page, live_server
):
    round_page = live_server.url + round_url(scene["round"])
    page.goto(round_page)
    _sign_in(page)
    assert page.url == round_page
    anchor = f"condition-{scene['update'].pk}"
    _edit(page, anchor)
    page.fill(f"#{anchor}-narrative", TYPED)
    # The session ends while the officer types (idle limit, server restart, sign-out elsewhere).
    Session.objects.all().delete()
    page.locator(f"#{anchor}").get_by_role("button", name="Save").click()

    # htmx is told to go to the sign-in page, which says the changes are not saved yet.
    page.wait_for_url("**/accounts/login/**")
    assert "your changes have not been saved yet" in page.locator("main").inner_text()
    _sign_in(page)

    # Back on the section's form, filled in as typed, with the banner; nothing saved yet.
    assert f"/conditions/{scene['update'].pk}/edit/" in page.url
    assert RESTORED_BANNER in page.locator(".govuk-notification-banner").inner_text()
    assert page.input_value(f"#{anchor}-narrative") == TYPED
    scene["update"].refresh_from_db()
    assert scene["update"].narrative != TYPED

    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    scene["update"].refresh_from_db()
    assert scene["update"].narrative == TYPED
    assert page.problems == []


def test_the_title_says_error_while_a_swapped_in_form_shows_errors(scene, page, live_server):
    page.goto(live_server.url + round_url(scene["round"]))
    _sign_in(page)
    title = page.title()
    assert not title.startswith("Error")
    anchor = f"condition-{scene['update'].pk}"
    _edit(page, anchor)
    page.locator(f"#{anchor} input[name=rag][value=red]").check()
    page.fill(f"#{anchor}-narrative", "")
    page.locator(f"#{anchor}").get_by_role("button", name="Save").click()
    page.locator(f"#{anchor}-narrative_error").wait_for()
    wait_until(page, "document.title.startsWith('Error: ')", 5)
    assert page.title() == "Error: " + title
    page.fill(f"#{anchor}-narrative", "Recovery plan agreed with the schools forum.")
    page.locator(f"#{anchor}").get_by_role("button", name="Save").click()
    page.locator(f"#{anchor} [role=status]", has_text="Saved.").wait_for()
    wait_until(page, "!document.title.startsWith('Error')", 5)
    assert page.title() == title
    assert page.problems == []


def test_the_milestone_form_uses_the_govuk_date_input(scene, axe_page, live_server):
    page = axe_page
    page.goto(live_server.url + round_url(scene["round"]))
    _sign_in(page)
    anchor = page.locator("tr[id^=milestone-]").first.get_attribute("id")
    page.locator(f"#{anchor} a", has_text="Edit").click()
    page.wait_for_selector(f"#{anchor} form")
    form = page.locator(f"#{anchor} form")
    assert form.locator("input[type=date]").count() == 0
    assert form.locator(".govuk-date-input input").count() == 6  # due and completed
    page.fill(f"#{anchor}-due_date_day", "31")
    page.fill(f"#{anchor}-due_date_month", "")
    form.get_by_role("button", name="Save").click()
    page.locator(f"#{anchor}-due_date_error").wait_for()
    assert "Due date must include a month" in page.locator(f"#{anchor}-due_date_error").inner_text()
    link = page.locator(".govuk-error-summary a", has_text="must include a month")
    assert link.get_attribute("href") == f"#{anchor}-due_date_month"
    assert axe_serious_violations(page) == []
    assert page.problems == []


def test_axe_finds_no_serious_problem_on_a_form_shown_again_after_sign_in(
    scene, axe_page, live_server
):
    page = axe_page
    round_page = live_server.url + round_url(scene["round"])
    page.goto(round_page)
    _sign_in(page)
    anchor = f"condition-{scene['update'].pk}"
    _edit(page, anchor)
    page.fill(f"#{anchor}-narrative", TYPED)
    Session.objects.all().delete()
    page.locator(f"#{anchor}").get_by_role("button", name="Save").click()
    page.wait_for_url("**/accounts/login/**")
    _sign_in(page)
    assert page.input_value(f"#{anchor}-narrative") == TYPED
    assert axe_serious_violations(page) == []
