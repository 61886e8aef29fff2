"""Render a PDF with WeasyPrint inside bounds: in a time limit and a memory cap.

A WeasyPrint render is CPU-bound and its memory grows with the document, so one huge or hostile
report could stall its process or the whole machine. Renders run only as background jobs, in a
`db_worker` process (svmonitor/jobs.py; never in a web request or a threaded gunicorn worker):
the worker forks a child for each render (cheap: WeasyPrint is already imported) with an
address-space cap and the lowest CPU priority, waits at most PDF_TIMEOUT_SECONDS, reporting its
heartbeat meanwhile, and kills the child if it overruns. How many renders run at once across
the deployment is the job queue's RENDER_SLOTS, counted in the database (svmonitor.jobs).

The url_fetcher runs in the child: it must not use the database (the child shares the parent's
database sockets and never touches them).
"""

import contextlib
import logging
import multiprocessing
import os
import pickle
import resource
import threading
import time

from django.conf import settings

from svmonitor.jobs import job_heartbeat

logger = logging.getLogger(__name__)

DEFAULTS = {
    "PDF_TIMEOUT_SECONDS": 60,
    "PDF_MAX_MEMORY_MB": 512,
    # Renders are background work: at nice 19 they get the CPU the pages leave over, so a
    # quarter-end rush of exports slows the exports, not everybody's dashboard.
    "PDF_NICE": 19,
}

# How often the worker says it is alive while it waits for the child.
HEARTBEAT_SECONDS = 5


class PdfRenderError(Exception):
    """The PDF could not be produced; the message is fit to show to the person who asked."""


class PdfTimeoutError(PdfRenderError):
    """The render took longer than PDF_TIMEOUT_SECONDS and was stopped."""


class PdfMemoryError(PdfRenderError):
    """The render needed more memory than PDF_MAX_MEMORY_MB and was stopped."""


def _setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


def _address_space_bytes() -> int:
    """This process's current virtual size: the child inherits it all at fork."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _idle_class() -> None:
    """Put this process in Linux's idle scheduling class where there is one: a page's thread
    that wakes takes the CPU from it at once, where nice alone lets it wait its turn."""
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        # Not permitted everywhere (a container's seccomp profile): then nice alone, as before.
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _child(conn, html, base_url, url_fetcher, kwargs, extra_bytes, nice):
    """Run in the forked child: cap memory, render, send ("ok", pdf) or ("error", kind, text)."""
    status = 0
    try:
        if nice:
            os.nice(nice)
            _idle_class()
        # The cap is what the render may add on top of what was already mapped at fork.
        limit = _address_space_bytes() + extra_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        import weasyprint

        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
        pdf = document.write_pdf(**kwargs)
        conn.send_bytes(pickle.dumps(("ok", pdf)))
    except MemoryError:
        status = 1
        conn.send_bytes(pickle.dumps(("error", "memory", "")))
    except SystemError as exc:
        # Under the address-space cap a C library's failed allocation can surface as a NULL
        # return with no Python exception set, which CPython reports as this SystemError
        # (seen with WeasyPrint's C dependencies): it is the memory cap, not a renderer bug.
        status = 1
        kind = "memory" if "without exception set" in str(exc) else "SystemError"
        with contextlib.suppress(BaseException):
            conn.send_bytes(pickle.dumps(("error", kind, str(exc)[:500])))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent as text
        status = 1
        # If even this fails the parent sees the pipe close and reports it.
        with contextlib.suppress(BaseException):
            conn.send_bytes(pickle.dumps(("error", type(exc).__name__, str(exc)[:500])))
    finally:
        conn.close()
        # _exit, not exit: the child must not run the parent's atexit hooks or close the
        # database connections it inherited (that would close them for the parent too).
        os._exit(status)


_warm_lock = threading.Lock()
_warmed = False


def _warm_up() -> None:
    """Load WeasyPrint and fontconfig once in this process, before any child is forked."""
    global _warmed
    with _warm_lock:
        if _warmed:
            return
        # Every forked child then starts with WeasyPrint imported and fontconfig's caches valid,
        # so it never scans the font directories itself: a scan under the memory cap finds no
        # fonts, and fontconfig would write that empty result into the system's font cache.
        from weasyprint.text.fonts import FontConfiguration

        FontConfiguration()
        _warmed = True


def _render_in_child(html, base_url, url_fetcher, kwargs) -> bytes:
    timeout = float(_setting("PDF_TIMEOUT_SECONDS"))
    extra_bytes = int(_setting("PDF_MAX_MEMORY_MB")) * 1024 * 1024
    _warm_up()

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(send, html, base_url, url_fetcher, kwargs, extra_bytes, int(_setting("PDF_NICE"))),
        daemon=True,
    )
    started = time.monotonic()
    deadline = started + timeout
    process.start()
    send.close()
    try:
        while not receive.poll(min(HEARTBEAT_SECONDS, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                process.kill()
                raise PdfTimeoutError(
                    f"The PDF took longer than {timeout:g} seconds to produce and was stopped."
                )
            job_heartbeat("Producing the PDF.")
        try:
            outcome = pickle.loads(receive.recv_bytes())  # noqa: S301 - our own child's bytes
        except EOFError:
            outcome = None
    finally:
        receive.close()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
    elapsed = time.monotonic() - started
    if outcome is None:
        # Killed by a signal: most often malloc failing under the memory cap.
        raise PdfMemoryError(
            "The PDF renderer stopped unexpectedly (exit code "
            f"{process.exitcode}), most likely because the report needed more than "
            f"{_setting('PDF_MAX_MEMORY_MB')} MB of memory."
        )
    if outcome[0] == "ok":
        logger.info("pdf rendered in %.2fs, %d bytes", elapsed, len(outcome[1]))
        return outcome[1]
    _, kind, text = outcome
    if kind == "memory":
        raise PdfMemoryError(
            f"The report needed more than {_setting('PDF_MAX_MEMORY_MB')} MB of memory to "
            "produce and was stopped."
        )
    # The detail goes to the log, not to the person: it can name files and internals.
    logger.error("pdf render failed: %s: %s", kind, text)
    raise PdfRenderError("The PDF could not be produced because of an error in the renderer.")


def render_pdf_bounded(html: str, *, base_url: str, url_fetcher=None, **weasyprint_kwargs) -> bytes:
    """Render HTML to PDF bytes within the time and memory limits (in a background job).

    Raises PdfTimeoutError, PdfMemoryError or PdfRenderError (their common base), each with a
    message fit to show. weasyprint_kwargs go to HTML.write_pdf().
    """
    return _render_in_child(html, base_url, url_fetcher, weasyprint_kwargs)
