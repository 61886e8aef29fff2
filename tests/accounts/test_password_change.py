"""Password rules as OWASP ASVS 5.0: 12+ characters, common ones refused, no composition rules."""

import pytest
from django.test import Client
from django.urls import reverse

from svmonitor.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD = "correct-horse-battery"


@pytest.fixture
def user():
    return UserFactory(username="alice")


@pytest.fixture
def client(user):
    client = Client()
    client.force_login(user)
    return client


def change(client, new: str):
    data = {"old_password": OLD, "new_password1": new, "new_password2": new}
    return client.post(reverse("password_change"), data)


def test_the_form_allows_paste_and_password_managers(client):
    html = client.get(reverse("password_change")).content.decode()
    assert html.count('autocomplete="new-password"') == 2
    assert "onpaste" not in html
    assert 'autocomplete="off"' not in html


def test_an_11_character_password_is_refused(client, user):
    response = change(client, "abcdefghijk")
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_a_common_password_is_refused(client, user):
    response = change(client, "password1234")
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_a_long_passphrase_of_plain_words_is_accepted(client, user):
    response = change(client, "walrus meadow lantern pickle")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("walrus meadow lantern pickle")
    assert AuditEvent.objects.filter(action="password_changed", user=user).exists()
    # Django keeps this session signed in after its own password change.
    assert client.get(reverse("account_detail")).status_code == 200


def test_errors_are_summarised_and_linked_to_the_field(client):
    html = change(client, "short").content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_new_password2"' in html
    assert 'id_new_password2_error" id="id_new_password2"' in html  # aria-describedby
    assert '<p id="id_new_password2_error" class="govuk-error-message">' in html
