"""A return submitted before svmonitor in a real Chromium: axe-core finds no serious problem
on its round page (notice, the council's sign-off table) or on the dashboard showing it."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.browser.conftest import axe_serious_violations
from tests.browser.test_round_page import _open, browser_as  # noqa: F401 (fixture)
from tests.imported_builders import joined_mid_agreement
from tests.round_page.conftest import round_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_axe_finds_no_serious_problem_on_an_imported_return_or_its_dashboard(
    transactional_db,
    tmp_path,
    browser_as,  # noqa: F811 (the imported fixture)
    live_server,
):
    agreement = f.AgreementFactory(council__name="Joinshire", council__slug="joinshire")
    lead, rounds, _ = joined_mid_agreement(agreement.council, tmp_path)
    context = browser_as(lead, bypass_csp=True)

    page, problems = _open(context, live_server.url + round_url(rounds[1]))
    assert "Imported from the council's records" in page.inner_text("#imported-notice")
    assert page.get_by_role("table", name="Sign-offs as recorded by the council").is_visible()
    assert axe_serious_violations(page) == []

    dashboard = reverse("reports:council_dashboard", args=["joinshire"]) + "?round=2024-25/2"
    page, problems = _open(context, live_server.url + dashboard)
    assert "submitted to DfE on 29 August 2024 before svmonitor" in page.inner_text(
        "#imported-notice"
    )
    assert axe_serious_violations(page) == []
    assert problems == []
