"""Lockout after repeated failed sign-ins (issue 16.5): the page says the account is locked and
from when to try again; a try during the lockout does not extend it. Through the real sign-in
view and django-axes' records in the database, with the clock moved by time-machine."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse

from svmonitor.forms import govuk_time
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
LONDON = zoneinfo.ZoneInfo("Europe/London")
# 2:10:30pm on a winter's day in London (GMT, so UTC too).
START = dt.datetime(2026, 12, 7, 14, 10, 30, tzinfo=LONDON)


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def _lock(client, username="alice", limit=3):
    responses = [sign_in(client, username, "wrong-password-guess") for _ in range(limit)]
    return responses[-1]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_failure_that_locks_says_the_account_is_locked_and_when_to_try_again():
    UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        response = _lock(Client())
    html = response.content.decode()
    assert response.status_code == 429
    # Locked at 2:10:30pm for 15 minutes: sign-in works again from 2:25:30pm, so 2:26pm.
    assert "This account is locked because of 3 failed sign-in attempts." in html
    assert "You can try again from 2:26pm." in html
    # The username typed is kept in the form; the password is not.
    assert 'value="alice"' in html
    assert "wrong-password-guess" not in html


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_right_password_during_the_lockout_is_refused_with_the_same_time():
    UserFactory(username="alice")
    client = Client()
    with time_machine.travel(START, tick=False):
        _lock(client)
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "You can try again from 2:26pm." in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_tries_during_the_lockout_do_not_extend_it():
    UserFactory(username="alice")
    client = Client()
    with time_machine.travel(START, tick=False):
        _lock(client)
    # Wrong guesses at 2:20:30pm and 2:24:30pm, inside the 15 minutes: each still says 2:26pm.
    for minutes in (10, 14):
        with time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False):
            response = sign_in(client, "alice", "another-wrong-guess")
        assert response.status_code == 429
        assert "You can try again from 2:26pm." in response.content.decode()
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 3
    # At the time the page gave, the right password signs in.
    with time_machine.travel(dt.datetime(2026, 12, 7, 14, 26, tzinfo=LONDON), tick=False):
        response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_known_and_unknown_usernames_get_the_same_lockout_page():
    UserFactory(username="alice")
    pages = []
    for username in ("alice", "nobody-here"):
        with time_machine.travel(START, tick=False):
            response = _lock(Client(), username)
        html = response.content.decode()
        start = html.index('<div class="govuk-error-summary"')
        pages.append((response.status_code, html[start : html.index("</div>", start)]))
    assert pages[0] == pages[1]


def test_a_lockout_past_midnight_gives_the_date():
    assert govuk_time(dt.datetime(2026, 12, 8, 0, 5, tzinfo=LONDON)) != "12:05am"
    with time_machine.travel(dt.datetime(2026, 12, 7, 23, 55, tzinfo=LONDON), tick=False):
        assert govuk_time(dt.datetime(2026, 12, 8, 0, 5, tzinfo=LONDON)) == (
            "12:05am on 8 December 2026"
        )
        assert govuk_time(dt.datetime(2026, 12, 7, 12, 0, tzinfo=LONDON)) == "midday"
        assert govuk_time(dt.datetime(2026, 12, 7, 23, 58, tzinfo=LONDON)) == "11:58pm"
