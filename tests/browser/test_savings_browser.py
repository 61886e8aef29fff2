"""Issue 18.3 in a real headless Chromium: the savings grid passes axe before and after a save
and with errors; the dashboard draws the mitigation chart as floating bars from its figures."""

import pytest

from conditions.models import WorkstreamSaving
from svmonitor.roles import Role
from tests.browser.conftest import axe_serious_violations, wait_until
from tests.browser.test_kpi_month_browser import _context, _open, wiltshire  # noqa: F401
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_savings_grid_passes_axe_before_and_after_a_save(chromium, live_server, wiltshire):  # noqa: F811
    finance = UserFactory(username="browser-finance-lead")
    MembershipFactory(user=finance, council=wiltshire, role=Role.FINANCE)
    context = _context(chromium, live_server, finance)
    page, problems = _open(context, f"{live_server.url}/councils/wiltshire/finance/savings/")
    assert "in £000" in page.content()
    assert axe_serious_violations(page) == []
    box = page.locator("input[name^='s'][name$='-2025']").first
    box.fill("750")
    with page.expect_navigation():
        page.click("button:has-text('Save savings')")
    assert "Forecast savings: 1 saving changed." in page.content()
    assert WorkstreamSaving.objects.filter(financial_year=2025, saving=750000).exists()
    assert axe_serious_violations(page) == []
    page.locator("input[name^='s'][name$='-2026']").first.fill("lots")
    with page.expect_navigation():
        page.click("button:has-text('Save savings')")
    assert page.title().startswith("Error: ")
    assert axe_serious_violations(page) == []
    assert problems == []
    context.close()


def test_the_dashboard_draws_the_mitigation_chart(chromium, live_server, wiltshire):  # noqa: F811
    board = UserFactory(username="browser-board")
    MembershipFactory(user=board, council=wiltshire, role=Role.BOARD)
    context = _context(chromium, live_server, board, bypass_csp=False)
    page, problems = _open(context, f"{live_server.url}/councils/wiltshire/?round=2024-25/3")
    wait_until(
        page, "!!document.querySelector(\"[data-chart='chart-mitigation'].app-chart--drawn\")"
    )
    chart = page.locator("[data-chart='chart-mitigation'] svg.main-svg")
    # Eight workstreams' savings and the part not attributed, as bars.
    assert chart.locator(".bars .point").count() >= 9
    assert page.get_by_text("Not attributed to a workstream").first.is_visible()
    assert problems == []
    context.close()
