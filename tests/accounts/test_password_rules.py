"""Local password rules (issue 16.5): repeats, sequences and passwords built from the user's or
their council's names are refused with a reason, at every door that sets a password."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from svmonitor import password_validators as rules
from svmonitor.roles import Role
from tests.factories import LocalAuthorityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD = "correct-horse-battery"  # tests.factories.UserFactory's password
GOOD = "walrus meadow lantern pickle"
WILTSHIRE = "the name of your council (Wiltshire Council)"


@pytest.fixture
def user():
    """An officer of Wiltshire Council, with a username and e-mail of their own."""
    person = UserFactory(
        username="jo.bloggs", email="jbloggs@example.org", first_name="Jo", last_name="Bloggs"
    )
    council = LocalAuthorityFactory(name="Wiltshire Council", slug="wiltshire")
    MembershipFactory(user=person, council=council, role=Role.OFFICER)
    return person


def _messages(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaaaa", rules.ONE_CHARACTER),
        ("passwordpassword", rules.REPEATED),
        ("walrus walrus walrus", rules.REPEATED),
        ("123456789012", rules.SEQUENCE),
        ("abcdefghijkl", rules.SEQUENCE),
        ("qwertyuiopasdf", rules.SEQUENCE),
        ("9876-5432-1098", rules.SEQUENCE),
        ("aabbaabbccdd", rules.SEQUENCE),
        ("xkxxkkxkxkkx", rules.FEW_CHARACTERS.format(count=2)),
    ],
)
def test_a_repeat_or_a_sequence_is_refused_with_its_reason(password, reason):
    assert reason in _messages(password)


@pytest.mark.parametrize(
    ("password", "source"),
    [
        ("jo.bloggs2025!", "your username"),
        ("JBLOGGS-123456", "your e-mail address"),
        ("Wiltshire2025!", "the name of your council (Wiltshire Council)"),
        ("W1ltsh1re Council 9", "the name of your council (Wiltshire Council)"),
        ("wiltshire123456789", "the name of your council (Wiltshire Council)"),
    ],
)
def test_a_password_built_from_the_users_or_councils_names_is_refused(user, password, source):
    assert rules.BUILT_FROM.format(source=source) in _messages(password, user)


def test_only_the_users_own_councils_names_count(user):
    other = UserFactory(username="sam.other")
    MembershipFactory(user=other, council=LocalAuthorityFactory(name="Northdale"), role=Role.BOARD)
    assert _messages("Wiltshire2025!", other) == []
    assert _messages("Northdale2025!", user) == []


@pytest.mark.parametrize(
    "password",
    [GOOD, "wiltshire walrus meadow lantern", "correct horse battery staple", "1234 walrus meadow"],
)
def test_a_passphrase_is_accepted_even_with_a_name_or_a_short_run_in_it(user, password):
    assert _messages(password, user) == []


def test_no_message_repeats_the_password(user):
    for password in ("passwordpassword", "Wiltshire2025!", "123456789012"):
        assert not any(password.lower() in text.lower() for text in _messages(password, user))


def test_the_rules_are_in_the_help_text_of_the_password_change_page(user):
    client = Client()
    client.force_login(user)
    html = client.get(reverse("password_change")).content.decode()
    assert "sequences such as 12345 or qwerty" in html
    assert "built from your username or your council's name" in html


def _change(client, new):
    data = {"old_password": OLD, "new_password1": new, "new_password2": new}
    return client.post(reverse("password_change"), data)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("passwordpassword", rules.REPEATED),
        ("123456789012", rules.SEQUENCE),
        ("Wiltshire2025!", rules.BUILT_FROM.format(source=WILTSHIRE)),
    ],
)
def test_the_password_change_page_refuses_and_says_why(user, password, reason):
    client = Client()
    client.force_login(user)
    response = _change(client, password)
    assert response.status_code == 200
    assert reason in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)
    assert _change(client, GOOD).status_code == 302


@pytest.fixture
def admin_client_signed_in():
    client = Client()
    client.force_login(UserFactory(username="site-admin", is_staff=True, is_superuser=True))
    return client


def test_the_admins_add_user_form_refuses_a_sequence(admin_client_signed_in):
    data = {
        "username": "new.person",
        "usable_password": "true",
        "password1": "123456789012",
        "password2": "123456789012",
    }
    response = admin_client_signed_in.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 200
    assert rules.SEQUENCE in response.content.decode()
    assert not get_user_model().objects.filter(username="new.person").exists()


def test_the_admins_set_password_form_refuses_the_users_council_name(admin_client_signed_in, user):
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    data = {"usable_password": "true", "password1": "Wiltshire2025!", "password2": "Wiltshire2025!"}
    response = admin_client_signed_in.post(url, data)
    assert response.status_code == 200
    assert rules.BUILT_FROM.format(source=WILTSHIRE) in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_the_changepassword_command_refuses_a_repeat(user, monkeypatch, capsys):
    # The terminal is the outside world: the command reads the password from it with getpass.
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "passwordpassword")
    with pytest.raises(CommandError):
        call_command("changepassword", "jo.bloggs")
    assert rules.REPEATED in capsys.readouterr().err
    user.refresh_from_db()
    assert user.check_password(OLD)
