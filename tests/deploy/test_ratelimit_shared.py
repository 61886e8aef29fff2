"""Rate limits count per deployment (issue 17.3): exports made through two app servers (two
sessions of one user, each its own client) count against one limit, held in the shared store
every server reads (the database cache outside DEBUG), not in one process's memory."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client

from svmonitor import ratelimit

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.deploy.urls_errors")]


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1_800_000_000.0}  # the start of a minute
    monkeypatch.setattr(ratelimit, "_now", lambda: now["t"])
    return now


def _server(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_exports_through_two_servers_count_against_one_limit(la_officer, settings, clock):
    settings.EXPORT_RATE_PER_MINUTE = 3
    server_a, server_b = _server(la_officer), _server(la_officer)

    assert server_a.get("/test-errors/export").status_code == 200
    assert server_b.get("/test-errors/export").status_code == 200
    assert server_a.get("/test-errors/export").status_code == 200
    # Each server's memory is gone: the count is only where every server reads it.
    caches["default"].clear()

    assert server_b.get("/test-errors/export").status_code == 429
    assert server_a.get("/test-errors/export").status_code == 429


def test_the_count_is_held_in_the_database_every_server_shares(la_officer, settings, clock):
    settings.EXPORT_RATE_PER_MINUTE = 3
    table = django_settings.CACHES["ratelimit"]["LOCATION"]
    assert django_settings.CACHES["ratelimit"]["BACKEND"].endswith("DatabaseCache")

    _server(la_officer).get("/test-errors/export")
    _server(la_officer).get("/test-errors/export")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {connection.ops.quote_name(table)}")  # noqa: S608
        keys = [row[0] for row in cursor.fetchall()]
    window = int(clock["t"] // ratelimit.WINDOW_SECONDS)
    assert keys == [f":1:ratelimit:export:{la_officer.pk}:{window}"]
    assert caches["ratelimit"].get(f"ratelimit:export:{la_officer.pk}:{window}") == 2
