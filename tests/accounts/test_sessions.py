"""Sessions end after 30 minutes idle and 12 hours in all."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from svmonitor.middleware import SESSION_EXPIRED
from svmonitor.signals import SIGNED_IN_AT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_signed_in():
    client = Client()
    client.force_login(UserFactory(username="alice"))
    return client


def test_the_idle_limit_is_30_minutes_renewed_by_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ABSOLUTE_AGE == 12 * 60 * 60


def test_each_request_pushes_the_idle_expiry_on(client_signed_in):
    session = Session.objects.get(session_key=client_signed_in.session.session_key)
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + dt.timedelta(minutes=5)
    )
    assert client_signed_in.get(reverse("account_detail")).status_code == 200
    session.refresh_from_db()
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)


def test_a_session_idle_past_its_expiry_is_signed_out(client_signed_in):
    key = client_signed_in.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client_signed_in.get(reverse("account_detail"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _signed_in_ago(client, seconds: float) -> None:
    session = client.session
    session[SIGNED_IN_AT] = time.time() - seconds
    session.save()


def test_sign_in_starts_the_12_hour_clock():
    UserFactory(username="alice")
    client = Client()
    client.post(reverse("login"), {"username": "alice", "password": "correct-horse-battery"})
    assert abs(client.session[SIGNED_IN_AT] - time.time()) < 60


def test_a_session_still_active_after_12_hours_ends(client_signed_in):
    _signed_in_ago(client_signed_in, 12 * 60 * 60 + 1)
    response = client_signed_in.get(reverse("account_detail"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client_signed_in.session
    page = client_signed_in.get(response["Location"])
    assert SESSION_EXPIRED in page.content.decode()


def test_a_session_within_12_hours_carries_on(client_signed_in):
    _signed_in_ago(client_signed_in, 12 * 60 * 60 - 60)
    assert client_signed_in.get(reverse("account_detail")).status_code == 200


def test_an_htmx_request_after_12_hours_is_told_to_navigate(client_signed_in):
    _signed_in_ago(client_signed_in, 12 * 60 * 60 + 1)
    response = client_signed_in.get(reverse("account_detail"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))
