"""The round page in a real headless Chromium: edit a RAG, meet a rule, fix it, mark ready;
axe-core on the page and its error and conflict states; a keyboard-only edit; JavaScript off."""

import pytest
from django.test import Client

from conditions.models import ConditionUpdate
from conditions.services import condition_update_save
from svmonitor.roles import Role
from svmonitor.services import round_open_next
from tests import factories as f
from tests.browser.conftest import axe_serious_violations, wait_until
from tests.round_builders import complete
from tests.round_page.conftest import add_programme, round_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE_NEEDED = "needs a progress update"


@pytest.fixture
def scene(transactional_db):
    """A complete draft return of a council whose programme lead and officer use the browser."""
    agreement = f.AgreementFactory(council__name="Testshire", council__slug="testshire")
    add_programme(agreement)
    lead = f.UserFactory(username="browser-lead")
    officer = f.UserFactory(username="browser-officer")
    f.MembershipFactory(user=lead, council=agreement.council, role=Role.LEAD)
    f.MembershipFactory(user=officer, council=agreement.council, role=Role.OFFICER)
    round = round_open_next(agreement=agreement, financial_year=2024, update_number=1, by=lead)
    complete(round, lead)
    update = ConditionUpdate.objects.filter(round=round).order_by("condition__order").first()
    return {"round": round, "lead": lead, "officer": officer, "update": update}


@pytest.fixture
def browser_as(chromium, live_server):
    """A function making a browser context signed in as a user."""
    contexts = []

    def make(user, **options):
        client = Client()
        client.force_login(user, backend="svmonitor.backends.AccountBackend")
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, **options)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _open(context, url):
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    return page, problems


def _current_rag(section) -> str:
    """The level in the section's "This update" column."""
    return section.locator(".govuk-grid-column-one-half").nth(1).locator(".app-rag").inner_text()


def _edit(page, anchor):
    page.locator(f"#{anchor} .govuk-summary-card__actions a", has_text="Edit").click()
    page.wait_for_selector(f"#{anchor} form")


def test_edit_a_rag_meet_the_rule_fix_it_and_mark_ready(scene, browser_as, live_server):
    page, problems = _open(browser_as(scene["lead"]), live_server.url + round_url(scene["round"]))
    anchor = f"condition-{scene['update'].pk}"
    assert page.get_by_role("button", name="Mark ready for sign-off").is_visible()
    _edit(page, anchor)
    page.locator(f"#{anchor} input[name=rag][value=red]").check()
    page.fill(f"#{anchor}-narrative", "")
    page.locator(f"#{anchor}").get_by_role("button", name="Save").click()
    error = page.locator(f"#{anchor}-narrative_error")
    error.wait_for()
    assert NARRATIVE_NEEDED in error.inner_text()
    # The error summary takes focus, so a screen reader hears what to fix. GOV.UK Frontend
    # focuses it when its module initialises after the swap, a moment after the error shows.
    wait_until(page, "document.activeElement.classList.contains('govuk-error-summary')", 5)
    page.fill(f"#{anchor}-narrative", "Placements rose faster than planned; recovery plan agreed.")
    page.locator(f"#{anchor}").get_by_role("button", name="Save").click()
    page.locator(f"#{anchor} [role=status]", has_text="Saved.").wait_for()
    section = page.locator(f"#{anchor}")
    assert "Red" in _current_rag(section)
    assert "recovery plan agreed" in section.inner_text()
    # The completeness panel reloaded itself on the saved event and still offers mark-ready.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Mark ready for sign-off").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".govuk-tag", has_text="Ready for sign-off").is_visible()
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "The return is ready for sign-off" in banner
    scene["update"].refresh_from_db()
    assert scene["update"].rag == "red"
    assert problems == []  # CSP enforced: nothing refused, no script error


def test_axe_finds_no_serious_problem_on_the_page_its_errors_or_a_conflict(
    scene, browser_as, live_server
):
    # axe is injected as an inline script, so only its context bypasses the CSP.
    context = browser_as(scene["officer"], bypass_csp=True)
    page, _ = _open(context, live_server.url + round_url(scene["round"]))
    assert axe_serious_violations(page) == []

    anchor = f"condition-{scene['update'].pk}"
    _edit(page, anchor)
    page.locator(f"#{anchor} input[name=rag][value=amber]").check()
    page.fill(f"#{anchor}-narrative", "")
    page.locator(f"#{anchor}").get_by_role("button", name="Save").click()
    page.locator(f"#{anchor}-narrative_error").wait_for()
    assert axe_serious_violations(page) == []

    # Someone else saves while this form is open: the next save meets the conflict.
    update = ConditionUpdate.objects.get(pk=scene["update"].pk)
    condition_update_save(
        update=update,
        expected_version=update.version,
        rag="green",
        narrative="The lead's words.",
        by=scene["lead"],
    )
    page.fill(f"#{anchor}-narrative", "The officer's words.")
    page.locator(f"#{anchor}").get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Their saved version (by browser-lead").wait_for()
    assert "The lead's words." in page.locator(f"#{anchor}").inner_text()
    assert page.input_value(f"#{anchor}-narrative") == "The officer's words."
    assert axe_serious_violations(page) == []


def test_a_keyboard_only_journey_through_one_section(scene, browser_as, live_server):
    url = live_server.url + round_url(scene["round"])
    page, problems = _open(browser_as(scene["officer"]), url)
    anchor = f"condition-{scene['update'].pk}"
    on_edit_link = (
        f"document.activeElement.closest('#{anchor}') !== null"
        " && document.activeElement.textContent.trim().startsWith('Edit')"
    )
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate(on_edit_link):
            break
    else:
        pytest.fail("Tab never reached the section's Edit link")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{anchor}-rag_0")
    # Focus is on the level chosen now (radios: the arrow keys move the choice).
    wait_until(page, "document.activeElement.name === 'rag' && document.activeElement.checked")
    assert page.evaluate("document.activeElement.value") == "green"
    page.keyboard.press("ArrowDown")  # Green -> Amber/Green
    checked = page.locator(f"#{anchor} input[name=rag]:checked")
    assert checked.get_attribute("value") == "amber_green"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"{anchor}-narrative"
    page.keyboard.type("Recovery expected by the next update.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.locator(f"#{anchor} [role=status]", has_text="Saved.").wait_for()
    # Focus comes back to the section's Edit link, so the user carries on from where they were.
    wait_until(page, on_edit_link)
    assert "Amber/Green" in _current_rag(page.locator(f"#{anchor}"))
    assert problems == []


def test_without_javascript_the_same_form_posts_and_redirects(scene, browser_as, live_server):
    context = browser_as(scene["officer"], java_script_enabled=False)
    page, _ = _open(context, live_server.url + round_url(scene["round"]))
    anchor = f"condition-{scene['update'].pk}"
    page.locator(f"#{anchor} .govuk-summary-card__actions a", has_text="Edit").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Edit Condition")
    page.locator(f"#{anchor} input[name=rag][value=red]").check()
    page.fill(f"#{anchor}-narrative", "")
    page.get_by_role("button", name="Save").click()
    assert NARRATIVE_NEEDED in page.locator(".govuk-error-summary").inner_text()
    page.fill(f"#{anchor}-narrative", "Behind plan; mitigation agreed.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.url.endswith(round_url(scene["round"]) + f"#{anchor}")
    assert "Your changes were saved." in page.content()
    assert "Behind plan; mitigation agreed." in page.locator(f"#{anchor}").inner_text()
