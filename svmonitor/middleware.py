"""Session and second-factor rules that apply to every request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import reverse
from django_otp import user_has_device

from svmonitor.access import request_needs_second_factor
from svmonitor.signals import SIGNED_IN_AT, current_request
from svmonitor.sso import second_factor_from_provider

SESSION_EXPIRED = "Your session has ended after 12 hours. Sign in again to carry on."


def _to_page(request, url: str) -> HttpResponse:
    """Redirect, preserving the page asked for; htmx requests get HX-Redirect instead."""
    # HtmxMiddleware runs after us, so read the header directly. A plain redirect would make
    # htmx swap the sign-in page into a fragment of the page the user was on.
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect_to_login(request.get_full_path(), url)


class AuditContextMiddleware:
    """Make the current request known to audit signal handlers (who changed a role)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class SessionLifetimeMiddleware:
    """End a signed-in session 12 hours after sign-in, however active it has been."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            now = time.time()
            if started is None:
                # A session from before this rule existed: its 12 hours start now.
                request.session[SIGNED_IN_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                if request.method == "POST":
                    # Signed out, the POST goes on: svmonitor.pending keeps what was typed
                    # and sends the user to sign in (or the sign-in view itself runs).
                    return self.get_response(request)
                messages.info(request, SESSION_EXPIRED)
                return _to_page(request, reverse(settings.LOGIN_URL))
        return self.get_response(request)


class SecondFactorMiddleware:
    """Send users who sign off or administer to TOTP set-up or verification before anything else.

    Applies only when settings.REQUIRE_TOTP is on (the default when DEBUG is off). A single
    sign-on whose ID token reported multi-factor authentication (`amr`) has passed it already.
    """

    exempt_names = (
        "login",
        "logout",
        "totp_setup",
        "totp_verify",
        "healthz",
        "accessibility_statement",
        "sso_start",
        "sso_callback",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_TOTP and self._must_verify(request):
            name = "totp_verify" if user_has_device(request.user) else "totp_setup"
            return _to_page(request, reverse(name))
        return self.get_response(request)

    def _must_verify(self, request) -> bool:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return False
        if second_factor_from_provider(request):
            return False
        if request.path.startswith(settings.STATIC_URL):
            return False
        if request.path in {reverse(name) for name in self.exempt_names}:
            return False
        return request_needs_second_factor(request)
