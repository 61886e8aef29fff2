"""A real browser records no Content-Security-Policy violation on the dashboard or round page.

The strict policy (no inline script or style, no eval) is only worth having if the pages work
under it: plotly must draw its charts and htmx must run without the browser refusing anything.
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import (
    ConditionUpdateFactory,
    FinanceLineFactory,
    PaymentInstalmentFactory,
    RiskUpdateFactory,
    RoundOverviewFactory,
    WorkstreamUpdateFactory,
)

# Runs before any page script (injected by the browser, so the policy does not apply to it).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(chromium):
    # The session's one browser (tests/conftest.py): Playwright's sync API cannot be opened twice.
    return chromium


@pytest.fixture
def signed_in_page(browser, live_server):
    """A page whose context holds a signed-in superuser's session cookie."""
    overview = RoundOverviewFactory()
    round_ = overview.round
    agreement = round_.agreement
    ConditionUpdateFactory(round=round_)
    RiskUpdateFactory(round=round_)
    WorkstreamUpdateFactory(round=round_, workstream__area__council=agreement.council)
    FinanceLineFactory(agreement=agreement)
    PaymentInstalmentFactory(agreement=agreement)
    admin = get_user_model().objects.create_superuser("csp-admin", "a@example.org", "x" * 16)
    client = Client()
    client.force_login(admin)
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    yield page, round_, messages
    context.close()


def _visit(page, url, messages):
    response = page.goto(url, wait_until="networkidle")
    assert response.status == 200, f"{url} answered {response.status}"
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    violations = page.evaluate("window.__cspViolations")
    refused = [m for m in messages if "Content Security Policy" in m or "page error" in m]
    assert violations == [], violations
    assert refused == [], refused


def test_the_dashboard_runs_under_the_policy(signed_in_page, live_server):
    page, round_, messages = signed_in_page
    _visit(page, f"{live_server.url}/councils/{round_.agreement.council.slug}/", messages)
    charts = page.locator("[data-chart]").count()
    assert charts > 0, "the dashboard should hold at least one chart for this data"
    # plotly drew every chart (it fails without eval if the bundle needs it).
    page.wait_for_function(
        f"document.querySelectorAll('.app-chart--drawn').length === {charts}", timeout=10_000
    )
    assert page.evaluate("window.__cspViolations") == []


def test_the_round_page_runs_under_the_policy(signed_in_page, live_server):
    page, round_, messages = signed_in_page
    council = round_.agreement.council
    url = f"{live_server.url}/councils/{council.slug}/rounds/{round_.fy}/{round_.update_number}/"
    _visit(page, url, messages)


def test_the_recorder_does_see_a_violation(signed_in_page, live_server):
    """Guard for the two tests above: an inline script is refused and recorded."""
    page, round_, _ = signed_in_page
    page.goto(f"{live_server.url}/councils/{round_.agreement.council.slug}/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__inlineRan = true'; document.body.append(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0", timeout=5_000)
    assert page.evaluate("window.__inlineRan === undefined")
    assert "script-src" in page.evaluate("window.__cspViolations[0]")
