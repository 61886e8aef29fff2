"""404, 403, 500 and CSRF pages: generic wording, the request id, no internal detail."""

import io
import logging

import pytest
from django.conf import settings as django_settings
from django.test import Client

from svmonitor.middleware_security import RequestContextFilter
from tests.deploy.urls_errors import SECRET_DETAIL
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.deploy.urls_errors")]


def _assert_generic(response, status):
    assert response.status_code == status
    body = response.content.decode()
    request_id = response["X-Request-ID"]
    assert len(request_id) >= 8
    assert request_id in body, "the page must show the request id"
    for leak in (SECRET_DETAIL, "internal-detail", "Traceback", "models.py", "hunter2"):
        assert leak not in body
    return body


def test_404_is_generic_with_a_request_id(client):
    body = _assert_generic(client.get("/no/such/page/"), 404)
    assert "Page not found" in body
    # Django's technical 404 lists the URL patterns; the generic one must not.
    assert "healthz" not in body and "admin/" not in body


def test_404_for_a_missing_object_does_not_name_the_model(client, la_officer, other_council):
    client.force_login(la_officer)
    body = _assert_generic(client.get(f"/councils/{other_council.slug}/no-such-page"), 404)
    assert "LocalAuthority" not in body and "matches the given query" not in body


def test_403_is_generic_with_a_request_id(client, la_officer):
    client.force_login(la_officer)
    body = _assert_generic(client.get("/test-errors/forbidden"), 403)
    assert "You cannot do this" in body


def test_500_is_standalone_generic_with_a_request_id(la_officer, council):
    client = Client(raise_request_exception=False)
    client.force_login(la_officer)
    body = _assert_generic(client.get(f"/test-errors/councils/{council.slug}/boom"), 500)
    assert "Sorry, there is a problem with the service" in body
    # Standalone: nothing from base.html or a context processor.
    assert "{%" not in body and "<script" not in body


def test_csrf_failure_is_generic_with_a_request_id(la_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(la_officer)
    body = _assert_generic(client.post("/accounts/logout/"), 403)
    assert "Your form has expired" in body
    assert "CSRF cookie not set" not in body


def test_an_incoming_request_id_is_kept_only_when_well_formed(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-abc123def456"})
    assert kept["X-Request-ID"] == "proxy-abc123def456"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\nFAKE LOG LINE"})
    assert forged["X-Request-ID"] != "x\nFAKE LOG LINE"
    assert len(forged["X-Request-ID"]) == 32


def test_log_lines_carry_request_id_user_and_council(la_officer, council):
    """The configured formatter and filter put the request id, user id and council on a line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(
        logging.Formatter(django_settings.LOGGING["formatters"]["plain"]["format"])
    )
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client = Client(raise_request_exception=False)
        client.force_login(la_officer)
        response = client.get(f"/test-errors/councils/{council.slug}/boom")
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert response.status_code == 500
    assert f"request={response['X-Request-ID']}" in line
    assert f"user={la_officer.pk}" in line
    assert f"council={council.slug}" in line
    # The traceback goes to the log (for the support team), never to the page.
    assert "RuntimeError" in line


def test_the_configured_console_handler_uses_the_filter():
    config = django_settings.LOGGING
    assert "request_context" in config["handlers"]["console"]["filters"]
    for field in ("%(request_id)s", "%(user)s", "%(council)s"):
        assert field in config["formatters"]["plain"]["format"]


def test_log_context_is_cleared_after_the_request(client):
    client.get("/healthz")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "after", None, None)
    RequestContextFilter().filter(record)
    assert (record.request_id, record.user, record.council) == ("-", "-", "-")


def test_an_anonymous_user_is_logged_as_a_dash(client):
    UserFactory()  # a user exists, but nobody is signed in
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(
        logging.Formatter(django_settings.LOGGING["formatters"]["plain"]["format"])
    )
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no/such/page/")
    finally:
        logger.removeHandler(handler)
    assert "user=- " in stream.getvalue()
