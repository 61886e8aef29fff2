"""Authentication backends: sign-in throttling, the account backend that bars demo users, and
the OpenID Connect client used by single sign-on."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db.models import Exists, OuterRef
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

# The demo loader puts every demo user in this group; they may sign in only while DEBUG is on.
DEMO_GROUP = "demo-accounts"


class ThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no request (not a web sign-in)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Scripts and the test client's login() call authenticate() without a request; there
        # is no client to throttle, and axes would raise instead of answering "not me".
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _with_demo_flag(queryset):
    # One query tells us both the user and whether they are a demo account, so checking the
    # flag on every request costs nothing extra.
    demo_group = Group.objects.filter(name=DEMO_GROUP, user=OuterRef("pk"))
    return queryset.annotate(is_demo_account=Exists(demo_group))


class AccountBackend(ModelBackend):
    """Django's username/password backend, refusing demo accounts when DEBUG is off."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        # LOCAL_PASSWORDS=False: no password signs anyone in, on any form (the admin's too).
        if not settings.LOCAL_PASSWORDS:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    # ModelBackend.authenticate() and get_user() both ask user_can_authenticate(), so a demo
    # account is refused at sign-in and an existing session of one ends once DEBUG is off.
    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if settings.DEBUG:
            return True
        is_demo = getattr(user, "is_demo_account", None)
        if is_demo is None:
            is_demo = user.groups.filter(name=DEMO_GROUP).exists()
        return not is_demo

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = _with_demo_flag(user_model._default_manager).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class OpenIDConnectBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow: exchange the code, check the ID token, match the user.

    Not listed in AUTHENTICATION_BACKENDS: the callback view (svmonitor.sso_views) calls it
    itself and signs the user in with AccountBackend, so sessions are read back by the same
    demo-aware get_user as a password sign-in, and a refused single sign-on is never counted by
    django-axes as a wrong password. After authenticate(), `claims` holds the ID token's
    claims (with any the userinfo endpoint added) and `match` says who they matched or why not.
    """

    claims: dict | None = None
    id_token: str | None = None
    match = None

    def verify_token(self, token, **kwargs):
        """The library checks the signature and nonce; this adds the audience and issuer."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued to another client.")
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed from the userinfo endpoint where one is set.

        The ID token is signed and checked, so its claims win; `amr` is read from it alone.
        """
        claims = {}
        if settings.OIDC_OP_USER_ENDPOINT:
            claims.update(super().get_userinfo(access_token, id_token, payload))
            claims.pop("amr", None)
        claims.update(payload)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        from svmonitor.sso import match_user

        self.claims = self.get_userinfo(access_token, id_token, payload)
        self.id_token = id_token
        self.match = match_user(self.claims)
        # Never created here: accounts are set up by a site administrator.
        return self.match.user
