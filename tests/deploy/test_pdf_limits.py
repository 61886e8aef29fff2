"""The bounded PDF renderer: output, time limit, memory cap, concurrency, and the 503 page."""

import fcntl
import io
import subprocess
import sys
import threading
import time

import pytest
from pypdf import PdfReader

from svmonitor.pdf_limits import (
    PdfBusyError,
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


def test_it_runs_no_more_renders_at_once_than_allowed(settings):
    settings.PDF_MAX_CONCURRENT = 1
    settings.PDF_QUEUE_SECONDS = 0.2
    settings.PDF_TIMEOUT_SECONDS = 30
    first_started = threading.Event()
    results = {}

    def slow():
        first_started.set()
        try:
            results["first"] = render_pdf_bounded(f"<table>{ROWS[:20_000]}</table>", base_url="/")
        except PdfRenderError as exc:  # pragma: no cover - reported below
            results["first"] = exc

    worker = threading.Thread(target=slow)
    worker.start()
    first_started.wait()
    time.sleep(0.05)
    with pytest.raises(PdfBusyError, match="busy"):
        render_pdf_bounded("<p>second</p>", base_url="/")
    worker.join()
    assert isinstance(results["first"], bytes)
    # The slot is free again once the first render is done.
    assert render_pdf_bounded("<p>third</p>", base_url="/").startswith(b"%PDF-")


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


def _hold(path) -> object:
    """Take the lock on a slot file as another render would (another process's, in effect:
    flock locks belong to an open file, not to the process)."""
    handle = open(path, "a+b")  # noqa: SIM115 - closed by the caller
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def test_renders_on_the_machine_wait_for_a_free_slot_across_processes(settings, tmp_path):
    settings.PDF_SLOT_DIR = str(tmp_path)
    settings.PDF_MACHINE_SLOTS = 1
    settings.PDF_QUEUE_SECONDS = 0.3
    held = _hold(tmp_path / "slot-0.lock")
    started = time.monotonic()
    with pytest.raises(PdfBusyError, match="busy"):
        render_pdf_bounded("<p>waits</p>", base_url="/")
    assert time.monotonic() - started >= 0.3
    held.close()
    assert render_pdf_bounded("<p>free again</p>", base_url="/").startswith(b"%PDF-")


def test_a_second_slot_is_used_when_the_first_is_taken(settings, tmp_path):
    settings.PDF_SLOT_DIR = str(tmp_path)
    settings.PDF_MACHINE_SLOTS = 2
    settings.PDF_QUEUE_SECONDS = 0.3
    held = _hold(tmp_path / "slot-0.lock")
    try:
        assert render_pdf_bounded("<p>second slot</p>", base_url="/").startswith(b"%PDF-")
    finally:
        held.close()


def test_a_slot_held_by_a_process_that_died_is_free(settings, tmp_path):
    settings.PDF_SLOT_DIR = str(tmp_path)
    settings.PDF_MACHINE_SLOTS = 1
    settings.PDF_QUEUE_SECONDS = 5
    script = (
        "import fcntl, sys, time\n"
        "handle = open(sys.argv[1], 'a+b')\n"
        "fcntl.flock(handle, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen(  # noqa: S603 - this interpreter and our own script
        [sys.executable, "-c", script, str(tmp_path / "slot-0.lock")], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline().strip() == b"held"
        holder.kill()
        holder.wait()
        assert render_pdf_bounded("<p>after a crash</p>", base_url="/").startswith(b"%PDF-")
    finally:
        holder.kill()
        holder.stdout.close()
