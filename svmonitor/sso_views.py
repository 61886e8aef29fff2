"""Single sign-on views (issue 16.1): send the browser to the identity provider, and take it
back. Both answer 404 unless single sign-on is configured (settings.SSO_ENABLED)."""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import login, logout
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from svmonitor.audit import audit_via
from svmonitor.backends import OpenIDConnectBackend
from svmonitor.sso import (
    FAILED,
    SESSION_ID_TOKEN,
    SESSION_MFA_USER,
    SESSION_REFUSAL,
    record_refusal,
    reports_mfa,
)

logger = logging.getLogger(__name__)

# The session a single sign-on starts is read back by the password backend's demo-aware
# get_user (svmonitor.backends.OpenIDConnectBackend says why).
SESSION_BACKEND = "svmonitor.backends.AccountBackend"
# Where mozilla-django-oidc keeps each sign-in's state, nonce and PKCE verifier, and `next`.
STATES = "oidc_states"
NEXT = "oidc_login_next"


class SignInStartView(OIDCAuthenticationRequestView):
    """Redirect to the provider's sign-in with a fresh state, nonce and PKCE challenge."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not set up here.")
        return super().dispatch(request, *args, **kwargs)


def _refuse(request, reason: str, email: str = "", detail: str = ""):
    """Audit the refusal and show it on the sign-in page (the provider sign-in proved nothing
    about an svmonitor account, so whoever was signed in here is signed out)."""
    record_refusal(request, reason, email, detail)
    if request.user.is_authenticated:
        logout(request)
    request.session[SESSION_REFUSAL] = {"reason": reason, "email": email}
    return redirect(settings.LOGIN_URL)


@require_GET
def sign_in_callback(request):
    """The provider sends the browser back here with a code; sign in the matched account."""
    if not settings.SSO_ENABLED:
        raise Http404("Single sign-on is not set up here.")
    states = request.session.get(STATES) or {}
    state = request.GET.get("state", "")
    # Each state is used once: taken out of the session before anything else, even on error.
    entry = states.pop(state, None) if state else None
    if entry is not None:
        request.session[STATES] = states
    if entry is None and request.user.is_authenticated:
        # Signed in already (a reload or the Back button onto this address): nothing to do.
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    if request.GET.get("error") or entry is None or not request.GET.get("code"):
        detail = request.GET.get("error") or "no matching sign-in was started in this browser"
        return _refuse(request, FAILED, detail=detail)
    backend = OpenIDConnectBackend()
    try:
        user = backend.authenticate(
            request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
        )
    except (
        SuspiciousOperation,
        requests.RequestException,
        jwt.PyJWTError,
        ValueError,
        KeyError,
    ) as exc:
        logger.warning("Single sign-on failed: %s", exc)
        return _refuse(request, FAILED, detail=str(exc))
    match = backend.match
    if user is None:
        if match is None:
            return _refuse(request, FAILED, detail="no ID token")
        return _refuse(request, match.refusal, match.email)
    mfa = reports_mfa(backend.claims)
    next_url = request.session.pop(NEXT, None)
    with audit_via(f"via {settings.OIDC_PROVIDER_NAME}" + (" (multi-factor)" if mfa else "")):
        login(request, user, backend=SESSION_BACKEND)
    request.session[SESSION_ID_TOKEN] = backend.id_token
    if mfa:
        # Counts as the second factor (svmonitor.middleware.SecondFactorMiddleware).
        request.session[SESSION_MFA_USER] = user.pk
    else:
        request.session.pop(SESSION_MFA_USER, None)
    # `next` was checked as one of ours when the sign-in started (the library's get_next_url).
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
