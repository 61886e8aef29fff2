"""Request id, log context and cache headers for every response.

RequestContextMiddleware goes first in MIDDLEWARE so that even a redirect or an error made by
another middleware carries the request id. It:

* gives each request an id (a well-formed X-Request-ID from the proxy, else a new one), shown on
  error pages, returned as the X-Request-ID header and put on every log record;
* puts the signed-in user's id and the council slug of the URL on every log record (ids, not
  names or emails, so the logs hold no personal data beyond what the database already holds);
* marks every response to a signed-in user, and every download, `Cache-Control: no-store`, so
  a shared computer's browser cache or a proxy never keeps a council's figures;
* turns a PDF the renderer refused (busy, too slow, too big) into a clear 503 page.
"""

import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

_request_id = contextvars.ContextVar("request_id", default="-")
_user = contextvars.ContextVar("user", default="-")
_council = contextvars.ContextVar("council", default="-")

# A proxy's id is kept only if it is short and plain, so it cannot forge log lines.
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# URL keyword arguments that name a council.
COUNCIL_KWARGS = ("slug", "council_slug", "council")


def current_request_id() -> str:
    """The id of the request this thread is serving, or "-"."""
    return _request_id.get()


class RequestContextFilter(logging.Filter):
    """Add request_id, user and council to every log record (for the formatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.user = _user.get()
        record.council = _council.get()
        return True


@receiver(request_finished)
def _clear_context(**kwargs) -> None:
    # After the response is sent: a thread's next log lines must not name the last request.
    _request_id.set("-")
    _user.set("-")
    _council.set("-")


def _is_download(response) -> bool:
    return response.get("Content-Disposition", "").lower().startswith("attachment")


class RequestContextMiddleware:
    """Request id, log context, no-store for signed-in pages and downloads, PDF refusals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        _request_id.set(request_id)
        _user.set("-")
        _council.set("-")

        response = self.get_response(request)

        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        if _is_download(response) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Runs after every middleware's request phase, so request.user is known here.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _user.set(str(user.pk))
        for name in COUNCIL_KWARGS:
            value = view_kwargs.get(name)
            if isinstance(value, str):
                _council.set(value[:60])
                break
        return None

    def process_exception(self, request, exception):
        from svmonitor.pdf_limits import PdfRenderError

        if isinstance(exception, PdfRenderError):
            logging.getLogger(__name__).warning("pdf refused: %s", exception)
            response = render(request, "503.html", {"message": str(exception)}, status=503)
            response["Retry-After"] = "60"
            return response
        return None
