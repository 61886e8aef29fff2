"""A page that shows errors says "Error: " at the start of its <title> (issue 15.11), without
JavaScript: every form view in the URLconf is walked with invalid input."""

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.accounts.graph import build_council
from tests.accounts.urlwalk import app_urls, client_as, post_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"<title>(.*?)</title>", re.S)

# The form views the walk must reach with an error page: if one stops showing its errors (or
# the walk stops reaching it), this test says so instead of passing over it.
FORM_VIEWS = {
    "conditions:condition_update_edit",
    "conditions:workstream_update_edit",
    "conditions:milestone_edit",
    "risks:risk_update_edit",
    "overview:overview_edit",
    "overview:headlines_edit",
    "finance:finance_line_add",
    "finance:finance_line_edit",
    "metrics:kpi_cell",
    "reports:round_reopen",
    "reports:round_open",
}


def _title(html: str) -> str:
    found = TITLE.search(html)
    return found.group(1).strip() if found else ""


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.EXPORT_RATE_PER_MINUTE = 0
    settings.UPLOAD_RATE_PER_MINUTE = 0


def test_every_form_view_posted_invalid_input_has_a_title_starting_error(db):
    graph = build_council("A")
    client = client_as(graph.everything)
    shown, problems = set(), []
    for route, url, _ in app_urls(graph):
        if route.is_download or route.name in ("login", "logout"):
            continue  # (signing out would leave the rest of the walk signed out)
        # Invalid input: every field left empty (a form view's version, RAG, figure...).
        with transaction.atomic():
            response = client.post(url, post_data(url, {"value": "not a number"}))
            transaction.set_rollback(True)
        html = response.content.decode("utf-8", errors="replace")
        if response.status_code != 200 or "govuk-error-summary" not in html:
            continue
        shown.add(route.name)
        if not _title(html).startswith("Error: "):
            problems.append(f"{route.name}: {url} shows errors under the title {_title(html)!r}")
    assert not problems, "\n".join(problems)
    assert shown >= FORM_VIEWS, f"not reached with an error page: {FORM_VIEWS - shown}"


def test_the_same_pages_without_errors_have_no_error_prefix(db):
    graph = build_council("A")
    client = client_as(graph.everything)
    checked = 0
    for route, url, _ in app_urls(graph):
        if route.is_download or route.name not in FORM_VIEWS:
            continue
        response = client.get(url)
        if response.status_code != 200:
            continue
        checked += 1
        assert not _title(response.content.decode()).startswith("Error"), url
    assert checked >= 6


def test_the_lifecycle_forms_and_account_pages_with_errors_say_error(db):
    graph = build_council("A")
    client = client_as(graph.everything)
    user = UserFactory(username="alice")
    pages = []
    pages.append(Client().post(reverse("login"), {"username": "alice", "password": "wrong"}))
    own = Client()
    own.force_login(user)
    pages.append(own.post(reverse("password_change"), {"old_password": "wrong"}))
    submit = reverse(
        "reports:round_submit",
        args=[graph.council.slug, graph.round.fy, graph.round.update_number],
    )
    pages.append(client.post(submit, {"submitted_on_day": "31", "submitted_on_month": "2"}))
    for response in pages:
        html = response.content.decode()
        assert "govuk-error-summary" in html
        assert _title(html).startswith("Error: "), _title(html)
