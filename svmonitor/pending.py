"""Words kept across an ended session (issue 15.11).

A form posted after its author's session has ended (the 30-minute idle limit, the 12-hour
limit, a deleted session) is not thrown away and not saved: its fields (without the CSRF token
or any password) are kept server-side as a `PendingSubmission` for a few hours, bound to the
user the browser last signed in as (a signed cookie set on every signed-in response), and the
user is sent to sign in with `next` naming the form's page and a random token. Signed in again
as that user, the page shows the form filled in with what they typed and a notification banner
saying it was not saved; the real save then goes through the view and its service as ever
(role check, optimistic lock, history). Another user signing in with the token gets nothing.

A CSRF failure on a same-origin POST (a page whose token went stale when the user signed in
again in another tab) is kept the same way. A browser that never signed in keeps nothing.

Views bind their form to `restored_data(request)` on GET (`edit_form_submit` does it for every
section form); a POST-only view whose form lives on another page says where with
`@form_shown_at("app:url_name")` (same URL arguments).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html

from svmonitor.models import PendingSubmission
from svmonitor.return_kinds import return_kind

RESTORE_PARAM = "restore"
AUTHOR_COOKIE = "svmonitor_author"
_AUTHOR_SALT = "svmonitor.pending.author"
# How long a browser remembers who last signed in on it (refreshed on every signed-in page).
AUTHOR_MAX_AGE = 30 * 24 * 60 * 60
# Kept for as long as a signed-in session can last at most.
PENDING_AGE = timedelta(hours=12)
# What one submission and one user may keep: enough for a KPI month or a finance grid.
PENDING_MAX_BYTES = 256 * 1024
PENDING_PER_USER = 20

# Never kept: the CSRF token, where to go next, and anything secret.
_SKIPPED = {"csrfmiddlewaretoken", "next", "otp_token"}
# Sign-in and account pages have nothing worth keeping; the admin signs in its own way.
_EXEMPT = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "totp_setup",
    "totp_verify",
    "healthz",
}

KEPT_MESSAGE = (
    "You were signed out, so your changes have not been saved yet. Sign in to check them and "
    "save them again."
)
NOT_KEPT_MESSAGE = "You were signed out, so nothing was saved. Sign in to carry on."
RESTORED_BANNER = (
    "Your changes were not saved because you were signed out. Check them and save again."
)


@dataclass(frozen=True)
class Restored:
    """Kept fields claimed by their author on the page that shows the form again."""

    url_name: str
    data: QueryDict


def form_shown_at(url_name: str, *, keep: bool = True):
    """Mark a POST-only form view whose form is shown on another page (`url_name`, taking
    the same URL arguments): after sign-in the user is taken there. `keep=False` when its
    fields are nothing a person typed (a workbook's upload token). Put it outermost."""

    def decorator(view):
        view.pending_shown_at = url_name
        view.pending_keep = keep
        return view

    return decorator


def author_id(request) -> int | None:
    """The user this browser last signed in as, from its signed cookie (None if none)."""
    raw = request.COOKIES.get(AUTHOR_COOKIE)
    if not raw:
        return None
    try:
        return int(signing.loads(raw, salt=_AUTHOR_SALT, max_age=AUTHOR_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def author_cookie_refresh(request, response) -> None:
    """Remember on the browser who is signed in, so a form posted after the session ends can
    be kept for them alone. Set when it is missing or names someone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    if author_id(request) == user.pk and request.COOKIES.get(AUTHOR_COOKIE):
        return
    response.set_cookie(
        AUTHOR_COOKIE,
        signing.dumps(user.pk, salt=_AUTHOR_SALT),
        max_age=AUTHOR_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def is_exempt(request) -> bool:
    """Whether a POST here is part of signing in or the admin, so nothing is kept."""
    match = request.resolver_match
    if match is None:
        return True
    return match.view_name in _EXEMPT or "admin" in match.namespaces


def _kept_fields(request) -> dict[str, list[str]]:
    return {
        name: request.POST.getlist(name)
        for name in request.POST
        if name not in _SKIPPED and "password" not in name.lower()
    }


def _shown_at(request, view_func, view_kwargs) -> str:
    name = getattr(view_func, "pending_shown_at", None)
    if name and view_kwargs.get("kind"):
        # The same view serves every kind of return; its page is named per kind.
        name = return_kind(view_kwargs["kind"]).url_name(name.split(":", 1)[1])
    if name:
        try:
            return reverse(name, kwargs=view_kwargs)
        except NoReverseMatch:
            return reverse("home")
    return request.path


def pending_purge(now=None) -> int:
    """Delete every kept submission past its expiry; the number deleted."""
    deleted, _ = PendingSubmission.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _keep(request, user_id: int, fields: dict, shown_at: str) -> PendingSubmission | None:
    if len(json.dumps(fields)) > PENDING_MAX_BYTES:
        return None
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        return None
    now = timezone.now()
    with transaction.atomic():
        pending_purge(now)
        # Keep the newest few per user; a flood of posts cannot fill the table.
        stale = PendingSubmission.objects.filter(user_id=user_id).order_by("-created_at", "-pk")
        old = list(stale.values_list("pk", flat=True)[PENDING_PER_USER - 1 :])
        if old:
            PendingSubmission.objects.filter(pk__in=old).delete()
        return PendingSubmission.objects.create(
            token=secrets.token_urlsafe(32),
            user_id=user_id,
            url_name=request.resolver_match.view_name[:200],
            posted_to=request.path[:500],
            shown_at=shown_at[:500],
            fields=fields,
            created_at=now,
            expires_at=now + PENDING_AGE,
        )


def pending_keep_response(request, view_func, view_kwargs, user_id: int | None) -> HttpResponse:
    """Keep a POST that cannot be saved now (no session, or a stale CSRF token) for `user_id`,
    and send the user to sign in (or, if signed in, straight back to the form)."""
    shown_at = _shown_at(request, view_func, view_kwargs)
    fields = _kept_fields(request) if getattr(view_func, "pending_keep", True) else {}
    kept = _keep(request, user_id, fields, shown_at) if (fields and user_id) else None
    target = f"{shown_at}?{RESTORE_PARAM}={kept.token}" if kept else shown_at
    signed_in = request.user.is_authenticated
    message = KEPT_MESSAGE if kept else NOT_KEPT_MESSAGE
    url = target if signed_in else redirect_to_login(target).url
    if request.headers.get("HX-Request") == "true":
        # htmx navigates the whole page; the fragment is only for a client that does not.
        response = HttpResponse(
            format_html(
                '<p class="govuk-body" role="alert">{} <a class="govuk-link" href="{}">{}</a></p>',
                message,
                url,
                "Sign in" if not signed_in else "Show the form again",
            )
        )
        response["HX-Redirect"] = url
    else:
        response = redirect(url)
    if not signed_in:
        messages.info(request, message)
    return response


def pending_claim(request) -> None:
    """On a GET naming a kept submission, hand its fields to the view if the signed-in user is
    its author and this is the page it is shown on (`request.pending_restored`); it is then
    deleted, as the form in the browser holds the text again."""
    token = request.GET.get(RESTORE_PARAM)
    if not token or not request.user.is_authenticated:
        return
    with transaction.atomic():
        kept = PendingSubmission.objects.filter(
            token=token,
            user=request.user,
            shown_at=request.path,
            expires_at__gt=timezone.now(),
        ).first()
        if kept is None:
            return
        kept.delete()
    data = QueryDict(mutable=True)
    for name, values in kept.fields.items():
        data.setlist(name, [str(value) for value in values])
    data._mutable = False
    request.pending_restored = Restored(url_name=kept.url_name, data=data)


def restored_data(request, url_name: str | None = None) -> QueryDict | None:
    """The kept fields of a form posted to `url_name` (default: this view's), claimed on this
    request by their author; None when there are none. Bind the form to them on GET."""
    restored = getattr(request, "pending_restored", None)
    if restored is None:
        return None
    if url_name is None:
        match = request.resolver_match
        url_name = match.view_name if match is not None else ""
    return restored.data if restored.url_name == url_name else None


class PendingSubmissionMiddleware:
    """Keep a form posted without a session (see the module's docstring); hand kept fields
    back to their author; remember on the browser who is signed in.

    After CsrfViewMiddleware: its process_view runs first, so a forged cross-site POST is
    refused before anything is kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        author_cookie_refresh(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST":
            if not request.user.is_authenticated and not is_exempt(request):
                return pending_keep_response(request, view_func, view_kwargs, author_id(request))
        elif request.method == "GET" and RESTORE_PARAM in request.GET:
            pending_claim(request)
        return None
