"""Asking for the DfE report in a real browser: the job's page polls until the worker has
rendered it, then offers the file; without JavaScript a link checks again (issue 17)."""

import pytest

from tests.browser.conftest import axe_serious_violations
from tests.jobs import run_queued_tasks

pytestmark = pytest.mark.browser


def test_the_report_page_shows_progress_then_the_download(
    signed_in, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = signed_in(bypass_csp=True).new_page()
    page.goto(f"{live_server.url}/councils/wiltshire/rounds/2024-25/2/report.pdf")

    status = page.get_by_role("status")
    assert "Waiting to start" in status.inner_text()
    assert axe_serious_violations(page) == []
    run_queued_tasks()

    # htmx polls the live region; once the worker is done it offers the file.
    download = page.get_by_role("link", name="Download")
    download.wait_for(timeout=15_000)
    href = download.get_attribute("href")
    assert href.endswith("/result/")
    assert axe_serious_violations(page) == []
    response = page.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_without_javascript_a_link_checks_again(signed_in, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = signed_in(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/councils/wiltshire/rounds/2024-25/2/report.pdf")
    assert "Waiting to start" in page.get_by_role("status").inner_text()
    run_queued_tasks()

    page.get_by_role("link", name="Check again").click()

    assert page.get_by_role("link", name="Download").is_visible()
