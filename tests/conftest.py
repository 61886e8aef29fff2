"""Shared fixtures: persona users for the access checks every view test makes."""

import pytest

from svmonitor.roles import Role
from tests.factories import AgreementFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _second_factor_off_by_default(settings):
    """TOTP is on in production settings; tests of other features sign in without it.

    tests/accounts/ turns it back on (settings.REQUIRE_TOTP = True) where it is the subject.
    """
    settings.REQUIRE_TOTP = False


@pytest.fixture
def agreement(db):
    """An agreement of a council the personas below belong to (or not)."""
    return AgreementFactory()


@pytest.fixture
def council(agreement):
    return agreement.council


@pytest.fixture
def other_council(db):
    return AgreementFactory().council


def _member(council, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, council=council, role=role)
    return user


@pytest.fixture
def la_officer(council):
    """A programme officer of `council`."""
    return _member(council, Role.OFFICER, "la-officer")


@pytest.fixture
def board_member(council):
    """A read-only board member of `council`."""
    return _member(council, Role.BOARD, "board-member")


@pytest.fixture
def other_la_officer(other_council):
    """An officer of another council, who must get 404 for `council`'s objects."""
    return _member(other_council, Role.OFFICER, "other-la-officer")
