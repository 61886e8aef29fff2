"""TOTP second factor for roles that sign off or administer, when REQUIRE_TOTP is on."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from svmonitor.forms import TOKEN_INVALID
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _totp_required(settings):
    settings.REQUIRE_TOTP = True


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def member(role: str, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, role=role)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.S151, Role.DCS])
def test_officers_who_sign_off_are_sent_to_set_up_first(role):
    client = signed_in(member(role, "signer"))
    response = client.get(reverse("account_detail"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("totp_setup"))
    assert "next=" in response["Location"]


def test_site_administrators_need_a_second_factor_too():
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = signed_in(admin).get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("totp_setup"))


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEAD, Role.BOARD, Role.ADVISER])
def test_other_roles_are_not_asked(role):
    assert signed_in(member(role, "reader")).get(reverse("account_detail")).status_code == 200


@override_settings(REQUIRE_TOTP=False)
def test_nobody_is_asked_when_the_setting_is_off():
    assert signed_in(member(Role.S151, "signer")).get(reverse("account_detail")).status_code == 200


def test_set_up_shows_an_inline_qr_code_and_confirms_with_a_code():
    user = member(Role.S151, "signer")
    client = signed_in(user)
    page = client.get(reverse("totp_setup"), {"next": reverse("account_detail")})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "otpauth://" not in html  # drawn here, secret not in a URL
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        reverse("totp_setup"), {"otp_token": code(device), "next": reverse("account_detail")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_detail")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("account_detail")).status_code == 200
    assert AuditEvent.objects.filter(action="totp_enrolled", user=user).exists()


def test_a_wrong_code_is_refused_with_a_message_and_audited():
    user = member(Role.DCS, "signer")
    client = signed_in(user)
    client.get(reverse("totp_setup"))
    response = client.post(reverse("totp_setup"), {"otp_token": "000000"})
    assert response.status_code == 200
    assert TOKEN_INVALID in response.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert AuditEvent.objects.filter(action="totp_failed", user=user).exists()
    assert client.get(reverse("account_detail")).status_code == 302


def test_an_enrolled_user_verifies_at_each_sign_in_and_gets_a_new_session_key():
    user = member(Role.S151, "signer")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = signed_in(user)
    response = client.get(reverse("account_detail"))
    assert response["Location"].startswith(reverse("totp_verify"))
    key_before = client.session.session_key
    response = client.post(
        reverse("totp_verify"), {"otp_token": code(device), "next": reverse("account_detail")}
    )
    assert response["Location"] == reverse("account_detail")
    assert client.session.session_key != key_before
    assert client.get(reverse("account_detail")).status_code == 200


def test_verification_refuses_a_wrong_code():
    user = member(Role.S151, "signer")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = signed_in(user)
    response = client.post(reverse("totp_verify"), {"otp_token": "12345"})
    assert TOKEN_INVALID in response.content.decode()
    assert client.get(reverse("account_detail")).status_code == 302


def test_an_unsafe_next_is_ignored():
    user = member(Role.S151, "signer")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = signed_in(user).post(
        reverse("totp_verify"), {"otp_token": code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_an_htmx_request_is_told_to_navigate_to_verification():
    user = member(Role.S151, "signer")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = signed_in(user).get(reverse("account_detail"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("totp_verify"))


def test_sign_out_stays_reachable_before_verification():
    client = signed_in(member(Role.S151, "signer"))
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session
