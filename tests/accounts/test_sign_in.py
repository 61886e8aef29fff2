"""Sign in and out: session key rotation, one failure message, throttling, demo accounts."""

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from svmonitor.backends import DEMO_GROUP
from svmonitor.forms import sign_in_failed_message
from svmonitor.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _error_text(response) -> str:
    # The error summary above the heading (the form below holds a CSRF token that differs).
    html = response.content.decode()
    start = html.index('<div class="govuk-error-summary"')
    return html[start : html.index('<h1 class="govuk-heading-l">', start)]


def test_the_sign_in_page_is_public_and_allows_paste():
    response = Client().get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in html
    assert "onpaste" not in html
    assert 'autocomplete="off"' not in html


def test_it_signs_in_and_gives_the_session_a_new_key():
    user = UserFactory(username="alice")
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    key_before = client.session.session_key
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session.session_key != key_before
    assert int(client.session["_auth_user_id"]) == user.pk


def test_unknown_and_known_users_get_the_same_message():
    UserFactory(username="alice")
    wrong_password = sign_in(Client(), "alice", "not-the-password")
    unknown_user = sign_in(Client(), "nobody-here", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert _error_text(wrong_password) == _error_text(unknown_user)
    assert sign_in_failed_message() in _error_text(wrong_password)


def test_an_inactive_user_gets_the_same_message():
    UserFactory(username="gone", is_active=False)
    client = Client()
    response = sign_in(client, "gone")
    assert sign_in_failed_message() in _error_text(response)
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_are_throttled_alike_for_known_and_unknown_users():
    UserFactory(username="alice")
    responses = {}
    with time_machine.travel(timezone.now(), tick=False):
        for username in ("alice", "nobody-here"):
            client = Client()
            for _ in range(3):
                sign_in(client, username, "wrong-password-guess")
            # Locked: even the right password is refused now, with the same page as an unknown
            # username gets, so the lockout says nothing about which usernames exist.
            responses[username] = sign_in(client, username, PASSWORD)
            assert "_auth_user_id" not in client.session
    known, unknown = responses["alice"], responses["nobody-here"]
    assert known.status_code == unknown.status_code == 429
    assert _error_text(known) == _error_text(unknown)
    assert "This account is locked because of 3 failed sign-in attempts." in _error_text(known)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_throttling_is_per_username_and_address():
    UserFactory(username="alice")
    UserFactory(username="bob")
    client = Client()
    for _ in range(3):
        sign_in(client, "alice", "wrong-password-guess")
    assert sign_in(client, "bob").status_code == 302
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), "alice").status_code == 302


def test_sign_ins_and_failures_are_audited():
    user = UserFactory(username="alice")
    sign_in(Client(), "alice")
    sign_in(Client(), "alice", "wrong-password")
    sign_in(Client(), "nobody-here", "wrong-password")
    assert AuditEvent.objects.filter(action="sign_in", user=user).count() == 1
    failures = AuditEvent.objects.filter(action="sign_in_failed").order_by("pk")
    assert [event.username for event in failures] == ["alice", "nobody-here"]
    assert all(event.user is None and event.ip_address == "127.0.0.1" for event in failures)


def test_sign_out_is_post_only_and_audited():
    user = UserFactory(username="alice")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sign_out", user=user).exists()


def _demo_user():
    user = UserFactory(username="demo-lead")
    user.groups.add(Group.objects.create(name=DEMO_GROUP))
    return user


def test_demo_accounts_cannot_sign_in_when_debug_is_off():
    _demo_user()
    response = sign_in(Client(), "demo-lead")
    assert response.status_code == 200
    assert sign_in_failed_message() in _error_text(response)


@override_settings(DEBUG=True)
def test_demo_accounts_can_sign_in_when_debug_is_on():
    _demo_user()
    assert sign_in(Client(), "demo-lead").status_code == 302


def test_a_demo_session_ends_when_debug_is_off():
    client = Client()
    client.force_login(_demo_user())
    response = client.get(reverse("account_detail"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    with override_settings(DEBUG=True):
        assert client.get(reverse("account_detail")).status_code == 200


def test_a_signed_in_user_visiting_sign_in_goes_home():
    client = Client()
    client.force_login(UserFactory())
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
