"""Access tests generated from the URLconf: a new URL is covered the moment it is mounted.

Each test walks every route, fills its kwargs from council A's objects (tests/accounts/urlwalk.py
fails loudly for a kwarg it cannot fill) and collects every failing URL into one message.
"""

from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from svmonitor.access import user_can
from svmonitor.models import AuditEvent, LocalAuthority, ReportingRound
from svmonitor.roles import Action, Role
from svmonitor.services.council import council_drafts_sharing_set
from tests.accounts.graph import build_council, council_state
from tests.accounts.urlwalk import (
    ANONYMOUS_ALLOWED,
    NothingToName,
    UnknownKwarg,
    admin_url,
    app_routes,
    app_urls,
    client_as,
    post_data,
    response_text,
    routes,
    url_for,
)
from tests.factories import UserFactory
from tests.jobs import download

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Export/upload limits would answer 429 after a few requests and leave pages unchecked."""
    settings.EXPORT_RATE_PER_MINUTE = 0
    settings.UPLOAD_RATE_PER_MINUTE = 0


# What a crafted POST carries: names a form might read, values no real form would send.
JUNK_POST = {
    "rag": "red",
    "narrative": "changed by a request that should have been refused",
    "title": "changed",
    "name": "changed",
    "value": "1",
    "status": "submitted",
    "confirm": "yes",
    "reason": "changed",
    "version": "1",
}
REDIRECT = {301, 302, 303, 307, 308}


@pytest.fixture
def council_a(db):
    return build_council("A")


@pytest.fixture
def council_b(db):
    return build_council("B")


@contextmanager
def isolated():
    """Run one request in a savepoint that is rolled back, so URLs cannot affect each other."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def call(client, method: str, url: str, **extra):
    """Make a request; a view that raises is reported as that URL's failure, not a crash."""
    try:
        return getattr(client, method)(url, **extra), None
    except Exception as exc:  # noqa: BLE001 - report every failing URL together
        return None, f"{method.upper()} {url} raised {type(exc).__name__}: {exc}"


def signed_in(user) -> Client:
    # With a data feed token for the user's councils: /api/ takes no session.
    return client_as(user, token=True)


def test_every_route_has_a_name_and_fillable_kwargs(council_a):
    problems = []
    for route in app_routes():
        try:
            url_for(route, council_a)
        except UnknownKwarg as exc:
            problems.append(str(exc))
        except NothingToName:
            continue  # a DSG plan task, while no DSG part is registered
    assert not problems, "\n".join(problems)


def test_anonymous_visitors_are_sent_to_sign_in(council_a):
    login_urls = (reverse("login"), reverse("admin:login"))
    state = council_state(council_a.council)
    problems = []
    for route in routes():
        if route.name in ANONYMOUS_ALLOWED:
            continue
        try:
            url = admin_url(route) if route.is_admin else url_for(route, council_a)[0]
        except (UnknownKwarg, NothingToName):
            continue  # reported by test_every_route_has_a_name_and_fillable_kwargs
        if url is None:
            continue
        # The admin guards every view with one wrapper, so GET is enough there.
        for method in ("get",) if route.is_admin else ("get", "post"):
            with isolated():
                response, error = call(client_as(None), method, url, data={})
            if error:
                problems.append(error)
            elif response.status_code in REDIRECT:
                if not response["Location"].startswith(login_urls):
                    problems.append(f"{method.upper()} {url} redirects to {response['Location']}")
            elif response.status_code not in (401, 403, 404, 405):
                problems.append(f"{method.upper()} {url} answered {response.status_code}")
    assert not problems, "\n".join(problems)
    assert council_state(council_a.council) == state


def test_the_anonymous_allowlist_names_real_routes():
    names = {route.name for route in routes()}
    assert names >= ANONYMOUS_ALLOWED


def test_another_councils_user_gets_404_and_changes_nothing(council_a, council_b):
    problems = []
    for _route, url, names_council in app_urls(council_a):
        if not names_council:
            continue
        # Positive control: A's own user does not get 404, so the URL was filled correctly
        # and B's 404 below means "refused", not "no such page". A method the view never
        # accepts (405 to A's own user too) says nothing about A, so 405 is fine for it.
        never_allowed = set()
        for method in ("get", "post"):
            with isolated():
                client = signed_in(council_a.everything)
                data = post_data(url, {}) if method == "post" else {}
                response, error = call(client, method, url, data=data)
            if error:
                problems.append(error)
            elif response.status_code == 404:
                problems.append(f"{method.upper()} {url} is 404 for A's own user: filled wrongly?")
            elif response.status_code == 405:
                never_allowed.add(method)
        before = council_state(council_a.council)
        for method in ("get", "post"):
            expected = {404, 405} if method in never_allowed else {404}
            for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
                with isolated():
                    client = signed_in(council_b.everything)
                    data = post_data(url, JUNK_POST) if method == "post" else JUNK_POST
                    response, error = call(client, method, url, data=data, **extra)
                    after = council_state(council_a.council)
                if error:
                    problems.append(error)
                elif response.status_code not in expected:
                    problems.append(
                        f"{method.upper()} {url} {extra} answered {response.status_code} "
                        "to another council's user"
                    )
                if after != before:
                    problems.append(f"{method.upper()} {url} changed council A's data")
    assert not problems, "\n".join(problems)


def test_a_user_with_no_role_sees_no_council(council_a, council_b):
    nobody = UserFactory(username="no-role")
    names = (council_a.council.name, council_b.council.name)
    problems = []
    for _route, url, names_council in app_urls(council_a):
        with isolated():
            response, error = call(signed_in(nobody), "get", url)
        if error:
            problems.append(error)
            continue
        # 405: a POST-only view refuses GET before it looks anything up.
        if names_council and response.status_code not in (404, 405):
            problems.append(f"GET {url} answered {response.status_code} to a user with no role")
        body = response.content.decode(errors="replace") if not response.streaming else ""
        if any(name in body for name in names):
            problems.append(f"GET {url} shows a council's name to a user with no role")
    assert not problems, "\n".join(problems)


# --- issue 15.7: a DfE adviser reads submitted returns only, unless the council shares drafts --

# What council A's unsubmitted returns say (Update 2 signed off, Update 3 a draft; see
# tests/accounts/graph.py), and its submitted Update 1's words, which an adviser may read.
UNSUBMITTED_WORDS = ("Overall A 2", "Overall A 3", "Progress A 2", "Progress A 3", "Risk A 3")
SUBMITTED_WORDS = "Progress A 1"


def _names_a_round(route) -> bool:
    return "fy" in route.kwargs


def test_an_adviser_gets_404_for_every_url_of_a_draft_return(council_a):
    adviser, board = council_a.users[Role.ADVISER], council_a.users[Role.BOARD]
    problems, checked = [], 0
    for route, url, _names in app_urls(council_a):
        if not _names_a_round(route):
            continue
        with isolated():
            # Positive control: a council role reads the draft, so the URL was filled right.
            control, error = call(signed_in(board), "get", url)
        if error:
            problems.append(error)
            continue
        if control.status_code in (403, 405):
            # An edit page or a lifecycle POST: refused to every reader, adviser or board
            # member, before the round is looked up (test_role_matrix checks those).
            continue
        if control.status_code == 404:
            problems.append(f"GET {url} is 404 for a board member: filled wrongly?")
            continue
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
            with isolated():
                response, error = call(signed_in(adviser), "get", url, **extra)
            checked += 1
            if error:
                problems.append(error)
            elif response.status_code != 404:
                problems.append(f"GET {url} {extra} answered {response.status_code} to an adviser")
    assert not problems, "\n".join(problems)
    assert checked >= 16  # the round page, its sections, history, changes, status and PDF


def test_an_adviser_sees_no_unsubmitted_return_on_the_councils_other_pages(council_a):
    adviser = council_a.users[Role.ADVISER]
    problems = []
    for route, url, _names in app_urls(council_a):
        if _names_a_round(route):
            continue
        with isolated():
            response, error = call(signed_in(adviser), "get", url)
        if error:
            problems.append(error)
            continue
        if response.status_code != 200:
            continue
        text = response_text(response)
        shown = [words for words in UNSUBMITTED_WORDS if words in text]
        if shown:
            problems.append(f"GET {url} shows an adviser an unsubmitted return: {shown}")
    assert not problems, "\n".join(problems)


def test_an_advisers_dashboard_round_list_and_export_show_the_latest_submitted_return(
    council_a,
):
    adviser = council_a.users[Role.ADVISER]
    slug = council_a.council.slug
    client = signed_in(adviser)
    dashboard = client.get(reverse("reports:council_dashboard", args=[slug]))
    assert dashboard.status_code == 200
    assert dashboard.context["chosen_key"] == "2024-25/1"
    assert [r.update_number for r in dashboard.context["rounds"]] == [1]
    # Naming a draft in the address shows the latest submitted one, never the draft.
    asked = client.get(reverse("reports:council_dashboard", args=[slug]) + "?round=2024-25/3")
    assert asked.context["chosen_key"] == "2024-25/1"
    listed = client.get(reverse("reports:round_list", args=[slug]))
    assert [r.update_number for r in listed.context["rounds"]] == [1]
    pack = download(client, reverse("reports:board_pack_pdf", args=[slug]))
    assert pack.status_code == 200
    text = response_text(client.get(reverse("workbook:workbook_export", args=[slug])))
    assert SUBMITTED_WORDS in text
    assert not [words for words in UNSUBMITTED_WORDS if words in text]
    # A council role still sees every return.
    board = signed_in(council_a.users[Role.BOARD])
    dashboard = board.get(reverse("reports:council_dashboard", args=[slug]))
    assert dashboard.context["chosen_key"] == "2024-25/3"


def test_a_council_that_shares_its_drafts_lets_its_advisers_read_them(council_a):
    council, adviser = council_a.council, council_a.users[Role.ADVISER]
    lead = council_a.users[Role.LEAD]
    assert not user_can(adviser, council, Action.VIEW_DRAFTS)
    url = reverse("reports:round_detail", args=[council.slug, "2024-25", 3])
    assert signed_in(adviser).get(url).status_code == 404

    response = signed_in(lead).post(
        reverse("reports:round_drafts_sharing", args=[council.slug]),
        {"drafts_shared_with_dfe": "yes"},
    )
    assert response.status_code == 302
    council.refresh_from_db()
    assert council.drafts_shared_with_dfe
    assert user_can(adviser, council, Action.VIEW_DRAFTS)
    assert ReportingRound.objects.for_user(adviser).filter(pk=council_a.round.pk).exists()
    page = signed_in(adviser).get(url)
    assert page.status_code == 200
    assert "Progress A 3" in page.content.decode()
    event = AuditEvent.objects.filter(action="council.drafts_sharing.save").get()
    assert (event.user, event.before, event.after) == (
        lead,
        {"drafts_shared_with_dfe": False},
        {"drafts_shared_with_dfe": True},
    )

    # And stops sharing them.
    council_drafts_sharing_set(council=council, shared=False, by=lead)
    assert signed_in(adviser).get(url).status_code == 404


def test_only_the_programme_lead_or_an_administrator_changes_draft_sharing(council_a):
    council = council_a.council
    url = reverse("reports:round_drafts_sharing", args=[council.slug])
    for role in (Role.OFFICER, Role.BOARD, Role.ADVISER, Role.S151):
        response = signed_in(council_a.users[role]).post(url, {"drafts_shared_with_dfe": "yes"})
        assert response.status_code == 403, role
    assert not LocalAuthority.objects.get(pk=council.pk).drafts_shared_with_dfe
    admin = UserFactory(username="site-admin-sharing", is_superuser=True, is_staff=True)
    council_drafts_sharing_set(council=council, shared=True, by=admin)
    assert LocalAuthority.objects.get(pk=council.pk).drafts_shared_with_dfe
