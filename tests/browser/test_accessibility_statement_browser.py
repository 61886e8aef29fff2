"""The accessibility statement and the sign-in page in a real headless Chromium: axe-core finds
no serious problem, and the statement is reached from the sign-in page's footer by keyboard."""

import pytest

from tests.browser.conftest import axe_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_axe_finds_no_serious_problem_on_the_statement_or_the_sign_in_page(chromium, live_server):
    # axe is injected as an inline script, so only its context bypasses the CSP.
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        for path in ("/accessibility/", "/accounts/login/"):
            assert page.goto(live_server.url + path).status == 200, path
            assert axe_serious_violations(page) == [], path
    finally:
        context.close()


def test_the_footer_link_is_reached_from_the_sign_in_page_with_the_keyboard(chromium, live_server):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == (
                "Accessibility statement"
            ):
                break
        else:
            pytest.fail("Tab never reached the footer's Accessibility statement link")
        page.keyboard.press("Enter")
        page.wait_for_url("**/accessibility/")
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == "Accessibility statement for svmonitor"
    finally:
        context.close()
