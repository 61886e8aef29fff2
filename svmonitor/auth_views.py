"""Account views: sign in and out, password change, TOTP set-up and verification, my account."""

import datetime as dt
from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from svmonitor.access import needs_second_factor
from svmonitor.audit import audit_record
from svmonitor.forms import (
    TOKEN_INVALID,
    AccountPasswordChangeForm,
    SignInForm,
    TokenForm,
    sign_in_locked_message,
)
from svmonitor.models import Membership
from svmonitor.roles import ROLE_ACTIONS, Action
from svmonitor.services.account import account_settings_for
from svmonitor.sso import (
    SESSION_ID_TOKEN,
    SESSION_REFUSAL,
    provider_sign_out_url,
    refusal_message,
    second_factor_from_provider,
)

SIGN_IN_TEMPLATE = "registration/login.html"


class SignInView(auth_views.LoginView):
    """Sign in with username and password; Django's login() gives the session a new key."""

    form_class = SignInForm
    template_name = SIGN_IN_TEMPLATE
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_PASSWORDS:
            # The form is not shown; a POST made anyway is refused before any password check.
            audit_record(action="password_sign_in_refused", request=request)
            context = self.get_context_data(
                signin_error=PASSWORDS_OFF.format(provider=settings.OIDC_PROVIDER_NAME)
            )
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Single sign-on (issue 16.1): its button, the password form only where allowed, and
        # why the provider's sign-in was refused, once, after its callback.
        context["sso_enabled"] = settings.SSO_ENABLED
        context["sso_provider"] = settings.OIDC_PROVIDER_NAME
        context["passwords_off"] = not settings.LOCAL_PASSWORDS
        refusal = self.request.session.pop(SESSION_REFUSAL, None)
        if refusal:
            context["signin_error"] = refusal_message(refusal["reason"], refusal["email"])
        return context


PASSWORDS_OFF = "Passwords are switched off here. Sign in with {provider}."


def sign_in_locked_until(request, credentials=None) -> dt.datetime:
    """When this username+IP's lockout ends: the newest failure at which the recent failures
    reach the limit, plus the cool-off (django-axes counts failures newer than the cool-off)."""
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    ends = []
    handler = AxesProxyHandler.get_implementation()
    for attempts in handler.get_user_attempts(request, credentials):
        total = 0
        rows = attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        )
        for attempt_time, failures in rows:
            total += failures
            if total >= limit:
                ends.append(attempt_time + cool_off)
                break
    # None left: django-axes has just let the cool-off lapse (it deletes at the boundary).
    return max(ends, default=timezone.now())


def signin_throttled(request, original_response=None, credentials=None):
    """django-axes lockout response: the sign-in page saying the account is locked and when
    to try again, status 429. Unknown usernames are locked alike, so it reveals no username.

    A try during the lockout, right or wrong, does not move its end
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False).
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    # Unbound, with the username kept: a bound form would authenticate again when rendered.
    form = SignInForm(request, initial={"username": username})
    message = sign_in_locked_message(sign_in_locked_until(request, credentials))
    return render(request, SIGN_IN_TEMPLATE, {"form": form, "signin_error": message}, status=429)


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, so a link or image cannot sign anyone out)."""

    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        # Read before the session ends: a single sign-on also ends the provider's session.
        id_token = request.session.get(SESSION_ID_TOKEN)
        response = super().post(request, *args, **kwargs)
        if id_token and settings.SSO_ENABLED and settings.OIDC_OP_END_SESSION_ENDPOINT:
            return redirect(provider_sign_out_url(request, id_token))
        return response


class AccountPasswordChangeView(auth_views.PasswordChangeView):
    """Change password; the rules are AUTH_PASSWORD_VALIDATORS (OWASP ASVS 5.0)."""

    form_class = AccountPasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def dispatch(self, request, *args, **kwargs):
        if not settings.LOCAL_PASSWORDS:
            raise Http404("Passwords are switched off here.")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action="password_changed", request=self.request)
        return response


def _next_url(request) -> str:
    """Where to go after verification: the `next` parameter if it is ours, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _with_next(request, name: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': str(_next_url(request))})}"


def _qr_svg(data: str) -> str:
    # Drawn here as inline SVG: the secret never leaves the server in a request to anyone else.
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308 - our own SVG, no input


def _complete_second_factor(request, device, action: str):
    otp_login(request, device)
    # The session gains a privilege, so it gets a new key, as at sign-in.
    request.session.cycle_key()
    audit_record(action=action, request=request, obj=None, after={"device": device.name})


@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request):
    """Enrol an authenticator app: show the QR code and secret, confirm with a first code."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if user.is_verified():
            messages.info(request, "Your authenticator app is already set up.")
            return redirect("account_detail")
        return redirect(_with_next(request, "totp_verify"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            verified = locked.verify_token(form.cleaned_data["otp_token"])
            if verified:
                locked.confirmed = True
                locked.save(update_fields=["confirmed"])
        if verified:
            _complete_second_factor(request, locked, "totp_enrolled")
            messages.success(request, "Your authenticator app is set up.")
            return redirect(_next_url(request))
        audit_record(action="totp_failed", request=request)
        form.add_error("otp_token", TOKEN_INVALID)
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
        "next": _next_url(request),
    }
    return render(request, "accounts/totp_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def totp_verify(request):
    """Ask for the current code from the user's authenticator app."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(_with_next(request, "totp_setup"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Locked so two guesses at once cannot both slip past the device's throttle.
            locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            verified = locked.verify_token(form.cleaned_data["otp_token"])
        if verified:
            _complete_second_factor(request, locked, "totp_verified")
            return redirect(_next_url(request))
        audit_record(action="totp_failed", request=request)
        form.add_error("otp_token", TOKEN_INVALID)
    return render(request, "accounts/totp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_GET
def account_detail(request):
    """The user's own account: their roles per council and their second factor."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("council")
        .order_by("council__name", "role")
    )
    roles = [
        {
            "council": membership.council,
            "role": membership.get_role_display(),
            "actions": [
                Action(action).label
                for action in Action.values
                if action in ROLE_ACTIONS.get(membership.role, ())
            ],
        }
        for membership in memberships
    ]
    context = {
        "roles": roles,
        "needs_second_factor": needs_second_factor(request.user),
        "has_device": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
        "account_settings": account_settings_for(request.user),
        "passwords_off": not settings.LOCAL_PASSWORDS,
        "provider_mfa": second_factor_from_provider(request),
        "sso_provider": settings.OIDC_PROVIDER_NAME,
    }
    return render(request, "accounts/account_detail.html", context)
