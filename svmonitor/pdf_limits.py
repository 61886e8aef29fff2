"""Render a PDF with WeasyPrint inside bounds: a few at a time, in a time limit, in a memory cap.

A WeasyPrint render is CPU-bound and its memory grows with the document, so one huge or hostile
report could stall a gunicorn worker or the whole machine. Each render runs in a forked child
process (cheap: WeasyPrint is already imported in the parent) with an address-space cap and the
lowest CPU priority, the parent waits at most PDF_TIMEOUT_SECONDS and kills the child if it
overruns, a process-wide semaphore lets at most PDF_MAX_CONCURRENT renders run at once per
worker process, and at most PDF_MACHINE_SLOTS (one per core) run at once on the machine,
across every worker process (an exclusive lock on one of that many files); callers wait up to
PDF_QUEUE_SECONDS in all for a slot.

The url_fetcher runs in the child: it must not use the database (the child shares the parent's
database sockets and never touches them).
"""

import contextlib
import fcntl
import logging
import multiprocessing
import os
import pickle
import resource
import tempfile
import threading
import time

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

DEFAULTS = {
    "PDF_MAX_CONCURRENT": 2,
    # Renders at once on this machine, across every gunicorn process (None: one per core), so
    # a quarter-end rush of exports cannot fill the machine with renders (three processes of
    # two each could run six on two cores).
    "PDF_MACHINE_SLOTS": None,
    # Where the machine-wide slots' lock files are (None: a folder in the system's temp dir).
    "PDF_SLOT_DIR": None,
    "PDF_TIMEOUT_SECONDS": 60,
    "PDF_MAX_MEMORY_MB": 512,
    "PDF_QUEUE_SECONDS": 30,
    # Renders are background work: at nice 19 they get the CPU the pages leave over, so a
    # quarter-end rush of exports slows the exports, not everybody's dashboard.
    "PDF_NICE": 19,
}


class PdfRenderError(Exception):
    """The PDF could not be produced; the message is fit to show to the person who asked."""


class PdfTimeoutError(PdfRenderError):
    """The render took longer than PDF_TIMEOUT_SECONDS and was stopped."""


class PdfMemoryError(PdfRenderError):
    """The render needed more memory than PDF_MAX_MEMORY_MB and was stopped."""


class PdfBusyError(PdfRenderError):
    """Every render slot stayed busy for PDF_QUEUE_SECONDS."""


def _setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _semaphore() -> threading.BoundedSemaphore:
    """The process-wide render slots, sized from PDF_MAX_CONCURRENT."""
    global _slots
    size = max(1, int(_setting("PDF_MAX_CONCURRENT")))
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


@receiver(setting_changed)
def _resize_slots(*, setting, **kwargs):
    global _slots
    if setting == "PDF_MAX_CONCURRENT":
        with _slots_lock:
            _slots = None


def _machine_slot_count() -> int:
    configured = _setting("PDF_MACHINE_SLOTS")
    if configured:
        return max(1, int(configured))
    return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _machine_slot(deadline: float):
    """Hold one of the machine's render slots (an exclusive lock on one of N files) until the
    block ends; raise PdfBusyError if none comes free by `deadline` (time.monotonic()).

    A lock held by a process that dies is released by the kernel with its file, so a slot is
    never left taken for ever."""
    folder = _setting("PDF_SLOT_DIR") or os.path.join(tempfile.gettempdir(), "svmonitor-pdf-slots")
    os.makedirs(folder, exist_ok=True)
    count = _machine_slot_count()
    while True:
        for number in range(count):
            handle = open(os.path.join(folder, f"slot-{number}.lock"), "a+b")  # noqa: SIM115
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if time.monotonic() >= deadline:
            raise PdfBusyError(
                "The service is busy producing other reports. Please try again in a minute."
            )
        time.sleep(0.05)


def _address_space_bytes() -> int:
    """This process's current virtual size: the child inherits it all at fork."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _child(conn, html, base_url, url_fetcher, kwargs, extra_bytes, nice):
    """Run in the forked child: cap memory, render, send ("ok", pdf) or ("error", kind, text)."""
    status = 0
    try:
        if nice:
            os.nice(nice)
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
    process.start()
    send.close()
    try:
        if not receive.poll(timeout):
            process.kill()
            raise PdfTimeoutError(
                f"The PDF took longer than {timeout:g} seconds to produce and was stopped."
            )
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
    """Render HTML to PDF bytes within the concurrency, time and memory limits.

    Raises PdfBusyError, PdfTimeoutError, PdfMemoryError or PdfRenderError (their common
    base), each with a message fit to show. weasyprint_kwargs go to HTML.write_pdf().
    """
    slots = _semaphore()
    queue_seconds = float(_setting("PDF_QUEUE_SECONDS"))
    deadline = time.monotonic() + queue_seconds
    if not slots.acquire(timeout=queue_seconds):
        raise PdfBusyError(
            "The service is busy producing other reports. Please try again in a minute."
        )
    try:
        with _machine_slot(deadline):
            return _render_in_child(html, base_url, url_fetcher, weasyprint_kwargs)
    finally:
        slots.release()
