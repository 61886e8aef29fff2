"""Error pages (handler400/403/404/500): generic wording, a request id, no internal detail."""

from django.http import HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.template import loader
from django.utils.html import escape
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import page_not_found, permission_denied

from svmonitor import pending


def _request_id(request) -> str:
    return getattr(request, "request_id", "") or "not available"


@requires_csrf_token
def bad_request(request, exception):
    """400: the request was malformed (e.g. a host name the site does not answer to)."""
    body = loader.render_to_string("400.html", {}, request)
    return HttpResponse(body, status=400)


@requires_csrf_token
def not_found(request, exception):
    """404: never say why (a missing object and another council's object look the same)."""
    return page_not_found(request, exception, template_name="404.html")


@requires_csrf_token
def forbidden(request, exception):
    """403: the role does not allow the action."""
    return permission_denied(request, exception, template_name="403.html")


def server_error(request):
    """500: standalone page with only the request id; it must render when little else works."""
    request_id = _request_id(request)
    try:
        # No RequestContext: context processors may touch the very thing that failed.
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:  # noqa: BLE001 - the error page must not itself fail
        body = (
            "<!doctype html><title>Sorry, there is a problem with the service</title>"
            "<h1>Sorry, there is a problem with the service</h1>"
            f"<p>Reference: {escape(request_id)}</p>"
        )
    return HttpResponseServerError(body)


def _same_origin(request) -> bool:
    """Whether the browser says the POST came from one of our own pages (a stale token, not a
    forged request): Sec-Fetch-Site, else the Origin header against this host."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return bool(origin) and origin == f"{request.scheme}://{request.get_host()}"


def csrf_failure(request, reason=""):
    """403 for a failed CSRF check: say the form expired; the reason goes to the log only.

    A same-origin form post whose token went stale (the user signed in again in another tab)
    is kept as after an ended session: the user sees the form again with what they typed.
    """
    match = getattr(request, "resolver_match", None)
    if (
        request.method == "POST"
        and match is not None
        and not pending.is_exempt(request)
        and _same_origin(request)
    ):
        user = request.user
        user_id = user.pk if user.is_authenticated else pending.author_id(request)
        return pending.pending_keep_response(request, match.func, match.kwargs, user_id)
    body = loader.render_to_string("403_csrf.html", {}, request)
    return HttpResponseForbidden(body)
