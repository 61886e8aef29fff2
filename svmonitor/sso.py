"""Single sign-on rules (issue 16.1): who an identity provider's claims sign in as, and whether
the provider's sign-in counts as the second factor.

The provider proves who the person is; svmonitor decides whether they have an account. A person
is matched by a verified e-mail address (case-insensitive) to one active account that a site
administrator set up. Nobody registers themselves, and roles are granted in svmonitor only.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from svmonitor.audit import audit_record
from svmonitor.backends import AccountBackend

# Session keys: the ID token (for the provider's sign-out) and the user whose provider sign-in
# was multi-factor. Both go when the session ends (sign-out flushes it).
SESSION_ID_TOKEN = "sso_id_token"  # noqa: S105 - a session key's name, not a secret
SESSION_MFA_USER = "sso_mfa_user"
# Set by the callback view for the sign-in page to show after a refusal.
SESSION_REFUSAL = "sso_refusal"

UNKNOWN = "unknown_email"
NOT_VERIFIED = "email_not_verified"
NO_EMAIL = "no_email"
AMBIGUOUS = "ambiguous_email"
FAILED = "provider_failed"

REFUSALS = {
    UNKNOWN: (
        "There is no svmonitor account for {email}. You cannot register yourself: ask your "
        "site administrator to set up an account with this e-mail address."
    ),
    NOT_VERIFIED: (
        "{provider} did not confirm that {email} is your e-mail address, so svmonitor cannot "
        "match it to an account. Ask your site administrator."
    ),
    NO_EMAIL: (
        "{provider} did not send an e-mail address, so svmonitor cannot match you to an "
        "account. Ask your site administrator."
    ),
    AMBIGUOUS: (
        "More than one svmonitor account has the e-mail address {email}. Ask your site "
        "administrator to correct this."
    ),
    FAILED: (
        "Sign-in with {provider} did not complete. Try again, or ask your site administrator "
        "if it keeps happening."
    ),
}


@dataclass(frozen=True)
class Match:
    """The account a set of claims signs in as, or why none does."""

    user: object | None
    refusal: str | None
    email: str


def _is_true(value) -> bool:
    # Some providers send booleans as JSON strings.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def email_is_verified(claims: dict) -> bool:
    """The provider vouches for the address: `email_verified`, or Entra's `xms_edov` (the
    e-mail's domain is verified by the tenant that owns it)."""
    return _is_true(claims.get("email_verified")) or _is_true(claims.get("xms_edov"))


def match_user(claims: dict) -> Match:
    """The one active account whose e-mail is the verified `email` claim (any letter case)."""
    email = str(claims.get("email") or "").strip()
    if not email:
        return Match(None, NO_EMAIL, "")
    if not email_is_verified(claims):
        return Match(None, NOT_VERIFIED, email)
    candidates = [
        user
        for user in get_user_model()._default_manager.filter(email__iexact=email)
        # Active, and not a demo account while DEBUG is off: the password backend's rule.
        if AccountBackend().user_can_authenticate(user)
    ]
    if not candidates:
        return Match(None, UNKNOWN, email)
    if len(candidates) > 1:
        return Match(None, AMBIGUOUS, email)
    return Match(candidates[0], None, email)


def reports_mfa(claims: dict) -> bool:
    """Whether the ID token's `amr` names a multi-factor method (OIDC_MFA_AMR_VALUES)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return any(str(method) in settings.OIDC_MFA_AMR_VALUES for method in amr)


def refusal_message(reason: str, email: str) -> str:
    return REFUSALS.get(reason, REFUSALS[FAILED]).format(
        email=email or "your e-mail address", provider=settings.OIDC_PROVIDER_NAME
    )


def record_refusal(request, reason: str, email: str, detail: str = "") -> None:
    """Audit a refused single sign-on, with the address the provider gave (it may not exist)."""
    after = {"reason": reason, "email": email[:254]}
    if detail:
        after["detail"] = detail[:200]
    audit_record(action="sso_refused", username=email[:150], request=request, after=after)


def second_factor_from_provider(request) -> bool:
    """Whether this session's user signed in through a provider that reported MFA."""
    user = request.user
    return user.is_authenticated and request.session.get(SESSION_MFA_USER) == user.pk


def provider_sign_out_url(request, id_token: str) -> str:
    """The provider's end-session endpoint, asked to send the browser back to our sign-in page."""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse(settings.LOGIN_URL)),
        }
    )
    return f"{settings.OIDC_OP_END_SESSION_ENDPOINT}?{query}"
