"""The bounded PDF renderer: output, time limit, memory cap, and the 503 page.

How many renders run at once is the job queue's RENDER_SLOTS, counted in the database
(tests/queue/test_render_jobs.py)."""

import io
import os
import time

import pytest
from pypdf import PdfReader
from weasyprint.urls import URLFetcherResponse

from svmonitor.pdf_limits import (
    PdfMemoryError,
    PdfRenderError,
    PdfTimeoutError,
    render_pdf_bounded,
)

ROWS = "".join(f"<tr><td>{i}</td><td>row</td></tr>" for i in range(4000))
BIG_TABLE = f"<table>{ROWS}</table>"


def test_it_renders_a_pdf():
    pdf = render_pdf_bounded(
        "<html lang='en'><title>T</title><h1>Safety Valve</h1></html>", base_url="/"
    )
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_it_passes_weasyprint_options_through():
    pdf = render_pdf_bounded(
        "<html lang='en'><title>Tagged</title><p>x</p></html>",
        base_url="/",
        pdf_variant="pdf/ua-1",
    )
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in root


def test_it_stops_a_render_that_takes_too_long(settings):
    settings.PDF_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    with pytest.raises(PdfTimeoutError, match="longer than 1 seconds"):
        render_pdf_bounded(BIG_TABLE, base_url="/")
    assert time.monotonic() - started < 5


def test_it_stops_a_render_that_needs_too_much_memory(settings):
    settings.PDF_MAX_MEMORY_MB = 8
    with pytest.raises(PdfMemoryError, match="8 MB"):
        render_pdf_bounded(BIG_TABLE, base_url="/")


def test_a_failing_url_fetcher_is_a_clear_error_without_internals():
    def fetcher(url, timeout=10, ssl_context=None):
        raise RuntimeError("/srv/secret/path")

    with pytest.raises(PdfRenderError) as caught:
        render_pdf_bounded(
            "<link rel=stylesheet href='https://example.invalid/x.css'><p>x</p>",
            base_url="/",
            url_fetcher=fetcher,
        )
    # WeasyPrint logs and skips a stylesheet it cannot fetch, so this may render; if it
    # raised, the message must not carry the fetcher's internals.
    assert "/srv/secret" not in str(caught.value)


@pytest.mark.django_db
@pytest.mark.urls("tests.deploy.urls_errors")
def test_a_refused_render_is_a_clear_503_page(client, la_officer, settings):
    settings.PDF_TIMEOUT_SECONDS = 1
    client.force_login(la_officer)
    response = client.get("/test-errors/slow.pdf")
    assert response.status_code == 503
    body = response.content.decode()
    assert "The report could not be produced" in body
    assert "longer than 1 seconds" in body
    assert response["Retry-After"] == "60"
    assert response["X-Request-ID"] in body


def test_the_render_runs_at_background_priority(tmp_path, settings):
    """The child that renders is niced and, on Linux, in the idle scheduling class: a page's
    thread that wakes takes the CPU from it at once (docs/deploy.md section 14)."""
    settings.PDF_NICE = 19
    seen = tmp_path / "priority.txt"

    def fetcher(url, timeout=10, ssl_context=None):
        # Runs inside the render's child: what it finds is the child's priority.
        seen.write_text(f"{os.getpriority(os.PRIO_PROCESS, 0)} {os.sched_getscheduler(0)}")
        return URLFetcherResponse(url, b"p { color: black }", headers={"Content-Type": "text/css"})

    pdf = render_pdf_bounded(
        "<html lang='en'><title>T</title><link rel=stylesheet href='x.css'><p>x</p></html>",
        base_url="http://render.invalid/",
        url_fetcher=fetcher,
    )
    assert pdf.startswith(b"%PDF-")
    nice, policy = (int(part) for part in seen.read_text().split())
    assert nice == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 19)
    assert policy == os.SCHED_IDLE
