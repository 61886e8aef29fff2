"""Issue 15.6: each user switches their e-mail reminders off (and on) on their account page,
through a service that records the change in history."""

import pytest
from django.test import Client
from django.urls import reverse

from svmonitor.models import AccountSettings, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_account_page_shows_reminders_on_until_the_user_switches_them_off():
    user = UserFactory()
    html = _client(user).get(reverse("account_detail")).content.decode()
    assert "E-mail reminders" in html
    assert 'id="email-reminders-on" name="email_reminders" type="radio" value="on" checked' in html


def test_switching_reminders_off_keeps_it_and_records_who_changed_what():
    user = UserFactory()
    client = _client(user)
    response = client.post(reverse("account_reminders"), {"email_reminders": "off"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_detail")
    assert AccountSettings.objects.get(user=user).email_reminders is False
    event = AuditEvent.objects.get(action="account.reminders")
    assert event.user == user
    assert (event.before, event.after) == ({"email_reminders": True}, {"email_reminders": False})
    html = client.get(reverse("account_detail")).content.decode()
    assert "E-mail reminders are off." in html
    assert 'value="off" checked' in html
    client.post(reverse("account_reminders"), {"email_reminders": "on"})
    assert AccountSettings.objects.get(user=user).email_reminders is True
    assert AuditEvent.objects.filter(action="account.reminders").count() == 2


def test_a_post_without_a_choice_changes_nothing():
    user = UserFactory()
    response = _client(user).post(reverse("account_reminders"), {"email_reminders": "maybe"})
    assert response.status_code == 302
    assert not AccountSettings.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="account.reminders").exists()


def test_the_setting_needs_a_signed_in_user():
    response = Client().post(reverse("account_reminders"), {"email_reminders": "off"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not AccountSettings.objects.exists()
