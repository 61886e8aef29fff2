"""Issue 16.1 below the browser: who a provider's claims sign in as, the local-password switch,
the callback's refusals, the provider's MFA as the second factor, sign-out through the provider,
and the settings read from the environment. tests/browser/test_sso_browser.py runs the whole
flow against a real provider."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from svmonitor.backends import DEMO_GROUP
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from svmonitor.sso import (
    AMBIGUOUS,
    NO_EMAIL,
    NOT_VERIFIED,
    SESSION_ID_TOKEN,
    SESSION_MFA_USER,
    UNKNOWN,
    match_user,
    reports_mfa,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
PROVIDER = "https://login.example.test/tenant"


@pytest.fixture
def sso(settings):
    """Single sign-on switched on (the provider is never reached in these tests)."""
    settings.SSO_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "client"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROVIDER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{PROVIDER}/token"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{PROVIDER}/keys"
    settings.OIDC_OP_ISSUER = PROVIDER
    settings.OIDC_OP_END_SESSION_ENDPOINT = f"{PROVIDER}/logout"
    settings.OIDC_PROVIDER_NAME = "Microsoft"
    return settings


@pytest.fixture
def passwords_off(sso):
    sso.LOCAL_PASSWORDS = False
    return sso


def claims(email="Jo.Bloggs@Council.example", verified=True, **extra):
    return {"email": email, "email_verified": verified, **extra}


# Matching rules, against the database.


def test_a_verified_email_matches_its_account_whatever_the_letter_case():
    user = UserFactory(username="jo", email="jo.bloggs@council.example")
    UserFactory(username="someone-else", email="someone@council.example")

    match = match_user(claims())

    assert match.user == user
    assert match.refusal is None


@pytest.mark.parametrize("verified", [False, None, "false", "yes"])
def test_an_email_the_provider_does_not_vouch_for_matches_nobody(verified):
    UserFactory(username="jo", email="jo.bloggs@council.example")

    match = match_user(claims(verified=verified))

    assert match.user is None
    assert match.refusal == NOT_VERIFIED


def test_entras_verified_domain_claim_and_a_string_true_count_as_verified():
    user = UserFactory(username="jo", email="jo.bloggs@council.example")
    entra = {"email": "jo.bloggs@council.example", "xms_edov": True}

    assert match_user(entra).user == user
    assert match_user(claims(verified="true")).user == user


def test_an_unknown_email_is_refused_and_no_account_is_made():
    before = get_user_model().objects.count()

    match = match_user(claims(email="new.starter@council.example"))

    assert (match.user, match.refusal) == (None, UNKNOWN)
    assert get_user_model().objects.count() == before


def test_an_inactive_account_is_not_matched():
    UserFactory(username="left", email="jo.bloggs@council.example", is_active=False)

    assert match_user(claims()).refusal == UNKNOWN


def test_two_active_accounts_with_one_email_are_refused_but_an_inactive_twin_is_ignored():
    active = UserFactory(username="jo", email="jo.bloggs@council.example")
    UserFactory(username="jo-old", email="JO.BLOGGS@council.example", is_active=False)
    assert match_user(claims()).user == active

    UserFactory(username="jo-two", email="Jo.Bloggs@council.example")
    assert match_user(claims()).refusal == AMBIGUOUS


def test_a_demo_account_is_not_matched_while_debug_is_off():
    demo = UserFactory(username="officer.demo", email="jo.bloggs@council.example")
    demo.groups.add(Group.objects.create(name=DEMO_GROUP))

    assert match_user(claims()).refusal == UNKNOWN


def test_claims_without_an_email_are_refused():
    assert match_user({"sub": "123", "email_verified": True}).refusal == NO_EMAIL


@pytest.mark.parametrize(
    ("amr", "mfa"),
    [
        (["pwd", "mfa"], True),
        (["ngcmfa"], True),
        ("mfa", True),
        (["pwd"], False),
        (["wiaormfa"], False),
        (None, False),
    ],
)
def test_only_a_multi_factor_method_in_amr_counts_as_mfa(amr, mfa):
    assert reports_mfa({"amr": amr} if amr is not None else {}) is mfa


# The local-password switch.


def test_with_passwords_off_the_sign_in_page_offers_only_single_sign_on(passwords_off):
    page = Client().get(reverse("login")).content.decode()

    assert "Sign in with Microsoft" in page
    assert reverse("sso_start") in page
    assert 'name="password"' not in page


def test_with_passwords_on_and_no_sso_the_sign_in_page_is_as_before():
    page = Client().get(reverse("login")).content.decode()

    assert 'name="password"' in page
    assert "Sign in with" not in page


def test_with_passwords_off_a_posted_password_is_refused_and_audited(passwords_off):
    UserFactory(username="jo")
    client = Client()

    response = client.post(reverse("login"), {"username": "jo", "password": PASSWORD})

    assert response.status_code == 403
    assert "Passwords are switched off here. Sign in with Microsoft." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="password_sign_in_refused").exists()


def test_with_passwords_off_a_superuser_cannot_use_the_admins_password_form(passwords_off):
    get_user_model().objects.create_superuser("root", "root@council.example", PASSWORD)
    client = Client()

    posted = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    shown = client.get(reverse("admin:index"), follow=True)

    assert posted.status_code == 302
    assert posted["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert shown.redirect_chain[-1][0].startswith(reverse("login"))
    assert 'name="password"' not in shown.content.decode()


def test_with_passwords_on_the_admins_sign_in_form_still_works():
    get_user_model().objects.create_superuser("root", "root@council.example", PASSWORD)
    client = Client()

    assert 'name="password"' in client.get(reverse("admin:login")).content.decode()
    client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})

    assert "_auth_user_id" in client.session


def test_the_password_backend_refuses_every_password_when_they_are_off(passwords_off):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    UserFactory(username="jo")

    assert authenticate(RequestFactory().post("/"), username="jo", password=PASSWORD) is None


def test_with_passwords_off_there_is_no_password_change(passwords_off):
    client = Client()
    client.force_login(UserFactory(username="jo"))

    assert client.get(reverse("password_change")).status_code == 404
    assert reverse("password_change") not in client.get(reverse("account_detail")).content.decode()


# The views, with and without single sign-on configured.


def test_the_single_sign_on_urls_do_not_exist_when_it_is_not_configured():
    client = Client()

    assert client.get(reverse("sso_start")).status_code == 404
    assert client.get(reverse("sso_callback"), {"code": "x", "state": "y"}).status_code == 404


def test_starting_single_sign_on_sends_the_browser_to_the_provider_with_pkce_and_nonce(sso):
    response = Client().get(reverse("sso_start"), {"next": "/councils/testshire/"})

    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{PROVIDER}/authorize"
    assert query["client_id"] == ["client"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"] and query["state"]
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/callback/"]


@pytest.mark.parametrize(
    "params",
    [{"code": "abc", "state": "never-started"}, {"error": "access_denied", "state": "x"}],
)
def test_a_callback_that_matches_no_started_sign_in_is_refused_with_a_message(sso, params):
    client = Client()

    response = client.get(reverse("sso_callback"), params, follow=True)

    assert response.redirect_chain[-1][0] == reverse("login")
    assert "Sign-in with Microsoft did not complete" in response.content.decode()
    event = AuditEvent.objects.get(action="sso_refused")
    assert event.after["reason"] == "provider_failed"


def test_a_signed_in_user_reloading_an_old_callback_stays_signed_in(sso):
    client = Client()
    client.force_login(UserFactory(username="jo"))

    response = client.get(reverse("sso_callback"), {"code": "used", "state": "used"})

    assert response["Location"] == reverse("home")
    assert "_auth_user_id" in client.session
    assert not AuditEvent.objects.filter(action="sso_refused").exists()


# The provider's MFA as the second factor.


def _s151(username="s151"):
    user = UserFactory(username=username)
    MembershipFactory(user=user, role=Role.S151)
    return user


def test_a_session_whose_provider_reported_mfa_passes_the_second_factor(settings):
    settings.REQUIRE_TOTP = True
    user = _s151()
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_MFA_USER] = user.pk
    session.save()

    assert client.get(reverse("home")).status_code == 200


def test_without_the_providers_mfa_the_second_factor_is_still_asked_for(settings):
    settings.REQUIRE_TOTP = True
    user = _s151()
    client = Client()
    client.force_login(user)
    session = client.session
    # Another user's flag (a session cannot carry it over) counts for nothing.
    session[SESSION_MFA_USER] = user.pk + 1000
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("totp_setup"))


def test_the_account_page_says_the_providers_mfa_stands_in_for_the_authenticator_app(sso):
    user = _s151()
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_MFA_USER] = user.pk
    session.save()

    page = client.get(reverse("account_detail")).content.decode()

    assert "you signed in with Microsoft using multi-factor authentication" in page


# Sign-out.


def test_signing_out_of_a_single_sign_on_session_ends_the_providers_session_too(sso):
    client = Client()
    client.force_login(UserFactory(username="jo"))
    session = client.session
    session[SESSION_ID_TOKEN] = "the.id.token"
    session.save()

    response = client.post(reverse("logout"))

    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{PROVIDER}/logout"
    assert query["id_token_hint"] == ["the.id.token"]
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert "_auth_user_id" not in client.session


def test_signing_out_of_a_password_session_goes_to_the_sign_in_page(sso):
    client = Client()
    client.force_login(UserFactory(username="jo"))

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")


# Settings from the environment.


def _settings_from(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    clean.update({"DEBUG": "True", **env})
    code = (
        "from svmonitor import settings as s;"
        "print(s.SSO_ENABLED, s.LOCAL_PASSWORDS, s.OIDC_OP_TOKEN_ENDPOINT,"
        " s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_single_sign_on_is_off_unless_configured_and_entra_needs_only_its_tenant():
    off = _settings_from({})
    assert off.stdout.split()[:2] == ["False", "True"], off.stderr

    entra = _settings_from(
        {
            "OIDC_ENTRA_TENANT_ID": "contoso-tenant",
            "OIDC_RP_CLIENT_ID": "app-id",
            "OIDC_RP_CLIENT_SECRET": "app-secret",
            "LOCAL_PASSWORDS": "False",
        }
    )
    assert entra.returncode == 0, entra.stderr
    words = entra.stdout.split()
    assert words[:3] == [
        "True",
        "False",
        "https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token",
    ]
    # Sign-out's form may go on to the provider's end-session page.
    assert "https://login.microsoftonline.com" in entra.stdout


def test_settings_refuse_half_a_configuration():
    no_endpoints = _settings_from({"OIDC_RP_CLIENT_ID": "app-id"})
    assert no_endpoints.returncode != 0
    assert "OIDC_RP_CLIENT_SECRET" in no_endpoints.stderr

    nobody_could_sign_in = _settings_from({"LOCAL_PASSWORDS": "False"})
    assert nobody_could_sign_in.returncode != 0
    assert "LOCAL_PASSWORDS=False needs single sign-on" in nobody_could_sign_in.stderr
