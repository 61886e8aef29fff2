"""Per-user, per-minute limits on exports and uploads: a 429 page with a clear message."""

import pytest

from svmonitor import ratelimit
from svmonitor.ratelimit import rate_limited
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.deploy.urls_errors")]


@pytest.fixture
def limits(settings):
    settings.EXPORT_RATE_PER_MINUTE = 3
    settings.UPLOAD_RATE_PER_MINUTE = 2
    return settings


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock, set to the start of a minute and moved on by hand."""
    now = {"t": 1_800_000_000.0}  # a whole minute
    monkeypatch.setattr(ratelimit, "_now", lambda: now["t"])
    return now


def test_it_refuses_the_export_after_the_limit_with_a_clear_429(client, la_officer, limits, clock):
    client.force_login(la_officer)
    for _ in range(3):
        assert client.get("/test-errors/export").status_code == 200
    clock["t"] += 15
    refused = client.get("/test-errors/export")
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Too many requests" in body
    assert "PDF or Excel exports" in body and "limit of 3 a minute" in body
    assert "wait 45 seconds" in body
    assert refused["Retry-After"] == "45"
    assert refused["X-Request-ID"] in body


def test_the_limit_is_per_user(client, la_officer, limits, clock):
    client.force_login(la_officer)
    for _ in range(4):
        client.get("/test-errors/export")
    client.force_login(UserFactory(username="someone-else"))
    assert client.get("/test-errors/export").status_code == 200


def test_the_limit_is_per_kind(client, la_officer, limits, clock):
    client.force_login(la_officer)
    for _ in range(4):
        client.get("/test-errors/export")
    assert client.get("/test-errors/upload").status_code == 200
    assert client.get("/test-errors/upload").status_code == 200
    refused = client.get("/test-errors/upload")
    assert refused.status_code == 429
    assert "workbook uploads" in refused.content.decode()


def test_the_next_minute_allows_again(client, la_officer, limits, clock):
    client.force_login(la_officer)
    for _ in range(4):
        client.get("/test-errors/export")
    clock["t"] += 60
    assert client.get("/test-errors/export").status_code == 200


def test_anonymous_requests_go_to_sign_in_and_are_not_counted(client, limits, clock):
    for _ in range(5):
        response = client.get("/test-errors/export")
        assert response.status_code == 302


def test_zero_turns_the_limit_off(client, la_officer, settings, clock):
    settings.EXPORT_RATE_PER_MINUTE = 0
    client.force_login(la_officer)
    assert all(client.get("/test-errors/export").status_code == 200 for _ in range(20))


def test_an_unknown_kind_is_refused_at_import_time():
    with pytest.raises(ValueError, match="Unknown rate-limit kind"):
        rate_limited("exprot")


def test_counts_live_in_the_shared_database_cache(settings):
    # Every gunicorn worker must see one count per user: not a per-process memory cache.
    assert settings.CACHES["ratelimit"]["BACKEND"].endswith("DatabaseCache")


def test_a_missing_cache_table_lets_exports_through_and_says_so(
    client, la_officer, limits, clock, caplog
):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE svmonitor_ratelimit")
    client.force_login(la_officer)
    assert all(client.get("/test-errors/export").status_code == 200 for _ in range(5))
    assert "run manage.py createcachetable" in caplog.text
