"""Issue 16.1 end to end: single sign-on in a real Chromium against a real OpenID provider.

The provider is django-oauth-toolkit with OIDC on (tests/oidc_provider/), started once per
session as its own process on loopback, with its own SQLite file and an RSA key made here. The
browser signs in at the provider's own page; svmonitor exchanges the code over loopback, checks
the ID token against the provider's keys and matches the verified e-mail to an account.
"""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests import factories as f
from tests.browser.conftest import axe_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "svmonitor-test-client"
CLIENT_SECRET = "svmonitor-test-client-secret-0123456789"
PROVIDER_PASSWORD = "provider-password-1"
# The provider's people. svmonitor's accounts are made per test, in lower case.
PEOPLE = {
    "known": {"email": "Known.Person@Council.Example", "email_verified": True, "amr": ["pwd"]},
    "mfa": {"email": "mfa.person@council.example", "email_verified": True, "amr": ["pwd", "mfa"]},
    "stranger": {"email": "stranger@elsewhere.example", "email_verified": True},
}


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """The provider's base URL; one process for the whole session, killed at its end."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    config = {
        "db": str(folder / "provider.sqlite3"),
        "rsa_private_key": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "client": {
            "id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "redirect_uri": live_server.url + "/accounts/sso/callback/",
            "post_logout_redirect_uri": live_server.url + "/accounts/login/",
        },
        "people": {
            name: {**person, "password": PROVIDER_PASSWORD} for name, person in PEOPLE.items()
        },
    }
    config_file = folder / "config.json"
    config_file.write_text(json.dumps(config))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "TEST_DATABASE_URL")
    }
    env["OIDC_PROVIDER_CONFIG"] = str(config_file)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().split()
        if not line or line[0] != "READY":
            pytest.fail(f"The test OpenID provider did not start (exit {process.poll()})")
        yield f"http://127.0.0.1:{line[1]}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def sso(settings, oidc_provider):
    """svmonitor configured for the loopback provider, as the environment would configure it."""
    settings.SSO_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{oidc_provider}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{oidc_provider}/o/token/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{oidc_provider}/o/.well-known/jwks.json"
    settings.OIDC_OP_ISSUER = f"{oidc_provider}/o"
    settings.OIDC_OP_USER_ENDPOINT = ""
    settings.OIDC_OP_END_SESSION_ENDPOINT = f"{oidc_provider}/o/logout/"
    settings.OIDC_PROVIDER_NAME = "Test Provider"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(oidc_provider)
    settings.CONTENT_SECURITY_POLICY = policy
    return oidc_provider


@pytest.fixture
def page(chromium):
    """A fresh browser (no cookies at svmonitor or the provider), CSP enforced."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    yield page
    context.close()


def _member(username: str, email: str, role=None):
    user = f.UserFactory(username=username, email=email)
    council = None
    if role is not None:
        council = f.AgreementFactory(council__name="Testshire", council__slug="testshire").council
        f.MembershipFactory(user=user, council=council, role=role)
    return user, council


def _sign_in_at_provider(page, live_server, person: str, next_url: str = "") -> None:
    page.goto(live_server.url + reverse("login") + next_url)
    page.get_by_role("button", name="Sign in with Test Provider").click()
    page.wait_for_selector("#provider-username")
    page.fill("#provider-username", person)
    page.fill("#provider-password", PROVIDER_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("networkidle")


def test_a_known_user_signs_in_with_the_provider_and_lands_on_their_home_page(
    sso, page, live_server, settings
):
    # The e-mail matches whatever its letter case; the userinfo endpoint adds nothing harmful.
    settings.OIDC_OP_USER_ENDPOINT = f"{sso}/o/userinfo/"
    user, _council = _member("board-known", "known.person@council.example", Role.BOARD)

    _sign_in_at_provider(page, live_server, "known")

    assert page.url == live_server.url + reverse("home")
    assert page.get_by_role("link", name="Testshire").first.is_visible()
    assert page.problems == []
    event = AuditEvent.objects.get(action="sign_in", user=user)
    assert event.via == "via Test Provider"


def test_an_unknown_email_is_refused_on_the_sign_in_page_and_audited(sso, page, live_server):
    _sign_in_at_provider(page, live_server, "stranger")

    assert page.url == live_server.url + reverse("login")
    summary = page.locator(".govuk-error-summary")
    assert "There is no svmonitor account for stranger@elsewhere.example" in summary.inner_text()
    assert "cannot register yourself" in summary.inner_text()
    assert page.goto(live_server.url + reverse("home")).url.startswith(
        live_server.url + reverse("login")
    )
    refused = AuditEvent.objects.get(action="sso_refused")
    assert refused.username == "stranger@elsewhere.example"
    assert refused.after["reason"] == "unknown_email"
    assert not AuditEvent.objects.filter(action="sign_in").exists()


def test_a_user_without_a_role_signs_in_and_sees_no_council(sso, page, live_server):
    _member("no-role", "known.person@council.example")
    other = f.AgreementFactory(council__name="Otherborough", council__slug="otherborough")

    _sign_in_at_provider(page, live_server, "known")

    assert page.url == live_server.url + reverse("home")
    assert "Otherborough" not in page.content()
    dashboard = reverse("reports:council_dashboard", args=[other.council.slug])
    response = page.goto(live_server.url + dashboard)
    assert response.status == 404


def test_sign_out_ends_the_svmonitor_session_and_the_providers(sso, page, live_server):
    user, _council = _member("board-out", "known.person@council.example", Role.BOARD)
    _sign_in_at_provider(page, live_server, "known")
    assert page.url == live_server.url + reverse("home")

    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state("networkidle")

    # Through the provider's end-session endpoint and back to svmonitor's sign-in page.
    assert page.url == live_server.url + reverse("login")
    assert AuditEvent.objects.filter(action="sign_out", user=user).exists()
    assert page.goto(live_server.url + reverse("home")).url.startswith(
        live_server.url + reverse("login")
    )
    # The provider asks who you are again: its session ended too.
    page.get_by_role("button", name="Sign in with Test Provider").click()
    page.wait_for_selector("#provider-username")


def test_mfa_reported_by_the_provider_passes_the_second_factor_for_a_sign_off_role(
    sso, page, live_server, settings
):
    settings.REQUIRE_TOTP = True
    user, council = _member("s151-mfa", "mfa.person@council.example", Role.S151)
    dashboard = reverse("reports:council_dashboard", args=[council.slug])

    # Asked for a page first: the sign-in comes back to it, with no TOTP step on the way.
    _sign_in_at_provider(page, live_server, "mfa", next_url=f"?next={dashboard}")

    assert page.url == live_server.url + dashboard
    assert page.get_by_role("heading", name="Testshire").first.is_visible()
    assert AuditEvent.objects.get(action="sign_in", user=user).via == (
        "via Test Provider (multi-factor)"
    )
    response = page.goto(live_server.url + reverse("home"))
    assert response.url == live_server.url + reverse("home")


def test_without_mfa_in_amr_a_sign_off_role_still_sets_up_its_authenticator_app(
    sso, page, live_server, settings
):
    settings.REQUIRE_TOTP = True
    _member("s151-no-mfa", "known.person@council.example", Role.S151)

    _sign_in_at_provider(page, live_server, "known")

    assert page.url.startswith(live_server.url + reverse("totp_setup"))


def test_an_id_token_from_another_issuer_is_refused(sso, page, live_server, settings):
    settings.OIDC_OP_ISSUER = "https://login.example.test/someone-else"
    _member("board-issuer", "known.person@council.example", Role.BOARD)

    _sign_in_at_provider(page, live_server, "known")

    assert page.url == live_server.url + reverse("login")
    assert "Sign-in with Test Provider did not complete" in page.content()
    refused = AuditEvent.objects.get(action="sso_refused")
    assert "another issuer" in refused.after["detail"]
    assert not AuditEvent.objects.filter(action="sign_in").exists()


def test_axe_finds_no_serious_problem_on_the_sign_in_page_with_single_sign_on(
    sso, chromium, live_server, settings
):
    settings.LOCAL_PASSWORDS = False
    # axe is injected as an inline script, so only this context bypasses the CSP.
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + reverse("login"))
        assert page.get_by_role("button", name="Sign in with Test Provider").is_visible()
        assert page.locator("#id_password").count() == 0
        assert axe_serious_violations(page) == []
    finally:
        context.close()
