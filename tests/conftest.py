"""Shared fixtures: persona users for the access checks every view test makes."""

import os
from pathlib import Path

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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole session, shared by every browser test.

    Playwright's sync API keeps an event loop running in this thread while it is open, so a
    second `sync_playwright()` in the same session fails: every browser test uses this one.
    """
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (make test does)")
    from playwright.sync_api import sync_playwright

    # The ORM calls test bodies make beside Playwright's loop are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and on PostgreSQL no stray session left at teardown.

    Threads of the live server and forked PDF renderers can leave a connection behind; dropping
    the test database would then fail with "is being accessed by other users".
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
