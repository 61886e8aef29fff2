"""Add a council in a real browser: from the council list to the new council, accessible."""

import io

import openpyxl
import pytest
from django.test import Client

from svmonitor.models import LocalAuthority
from tests.browser.conftest import axe_serious_violations
from tests.excel.builders import minimal_sheets
from tests.factories import UserFactory
from tests.jobs import run_queued_tasks
from workbook.template import workbook_template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _filled_template(path) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_template()))
    for name, rows in minimal_sheets(name="Fenmoor Council", slug="fenmoor").items():
        for row in rows[1:]:
            workbook[name].append(row)
    workbook.save(path)


def test_a_site_administrator_adds_a_council_from_the_council_list(
    chromium, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = UserFactory(username="browser-admin", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin, backend="svmonitor.backends.AccountBackend")
    # axe is injected as a script, which the strict CSP would refuse; only this run bypasses it.
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    book = tmp_path / "fenmoor.xlsx"
    _filled_template(book)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/councils/")
        assert axe_serious_violations(page) == []
        page.get_by_role("button", name="Add a council").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Add a council").is_visible()
        assert axe_serious_violations(page) == []

        page.set_input_files("input[type=file]", str(book))
        page.get_by_role("button", name="Check the workbook").click()
        page.wait_for_load_state()
        assert page.get_by_text("Check what the import will create").is_visible()
        assert axe_serious_violations(page) == []

        page.get_by_role("button", name="Create the council").click()
        # The import is a job: its status region replaces the preview and polls.
        page.locator("#job-status").wait_for()
        assert page.get_by_role("status").inner_text().startswith("Waiting to start")
        run_queued_tasks()
        page.get_by_text("Council created").wait_for()
        assert axe_serious_violations(page) == []
    finally:
        context.close()
    assert LocalAuthority.objects.filter(slug="fenmoor", name="Fenmoor Council").exists()
