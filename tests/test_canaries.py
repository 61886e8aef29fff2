"""Canary strings planted in council B's every text field never reach council A's users.

Every CharField, TextField, SlugField, EmailField and JSONField of every row council B owns
(and its users' names) is overwritten with "CANARY-B-<field>". Then every URL is fetched as
council A's users, as a full page and as an htmx fragment and with B's ids in the query string,
and no response (HTML, JSON, PDF text, Excel cells, headers) may contain "canary-b".
"""

import pytest
from django.db import models, transaction

from svmonitor.models import AuditEvent, LocalAuthority
from svmonitor.roles import Role
from tests.accounts.graph import build_council, scoped_models
from tests.accounts.urlwalk import app_urls, client_as, response_text
from tests.jobs import download

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Export/upload limits would answer 429 after a few requests and leave pages unchecked."""
    settings.EXPORT_RATE_PER_MINUTE = 0
    settings.UPLOAD_RATE_PER_MINUTE = 0


CANARY = "canary-b"


def _canary_for(field: models.Field, pk) -> str | None:
    if field.choices:
        return None  # a check constraint holds choices to known values
    if isinstance(field, models.EmailField):
        return f"{CANARY}-{field.name}-{pk}@example.org"
    if isinstance(field, models.URLField):
        return f"https://example.org/{CANARY}-{field.name}-{pk}"
    if isinstance(field, models.SlugField):
        value = f"{CANARY}-{field.name.replace('_', '-')}-{pk}"
    elif isinstance(field, models.CharField | models.TextField):
        value = f"{CANARY.upper()}-{field.name}-{pk}"
    else:
        return None
    if field.max_length and len(value) > field.max_length:
        return None  # too short a column to hold a canary (e.g. a 3-digit LA number)
    return value


def _event_canaries(fields, n: int) -> dict:
    values = {}
    for field in fields:
        if isinstance(field, models.JSONField):
            values[field.name] = {"text": f"{CANARY.upper()}-{field.name}-event-{n}"}
        elif isinstance(field, models.GenericIPAddressField):
            continue
        elif (canary := _canary_for(field, n)) is not None:
            values[field.name] = canary
    return values


def plant_canaries(council) -> int:
    """Overwrite B's text columns with canaries; return how many values were planted."""
    planted = 0
    for model in scoped_models():
        fields = [
            field
            for field in model._meta.concrete_fields
            if not field.primary_key and not isinstance(field, models.GeneratedField)
        ]
        pks = list(model._default_manager.for_council(council.pk).values_list("pk", flat=True))
        if model is AuditEvent:
            # The audit table refuses UPDATE in the database: plant a new event instead, with a
            # canary in each of its text columns.
            values = _event_canaries(fields, len(pks) + 1)
            AuditEvent.objects.create(council=council, **values)
            planted += len(values)
            continue
        for pk in pks:
            values = {}
            for field in fields:
                if isinstance(field, models.JSONField):
                    values[field.name] = {"text": f"{CANARY.upper()}-{field.name}-{pk}"}
                elif (canary := _canary_for(field, pk)) is not None:
                    values[field.name] = canary
            if "not_available_reason" in values:
                # A figure has a value or the reason it has none (a check constraint): the
                # canary reason goes with no value, so it shows where reasons are printed.
                values["value"] = None
            if values:
                model._default_manager.filter(pk=pk).update(**values)
                planted += len(values)
    return planted


def _plant_user_canaries(graph) -> None:
    users = [*graph.users.values(), graph.everything]
    for user in users:
        user.first_name = f"{CANARY.upper()}-first-{user.pk}"
        user.last_name = f"{CANARY.upper()}-last-{user.pk}"
        user.email = f"{CANARY}-{user.pk}@example.org"
        user.username = f"{CANARY}-user-{user.pk}"
        user.save()


@pytest.fixture
def councils(db):
    a, b = build_council("A"), build_council("B")
    # B's events: sign-ins and edits in B's audit trail, with a canary in every text column.
    AuditEvent.objects.create(council=b.council, user=b.users[Role.LEAD], action="edit")
    assert plant_canaries(b.council) > 100
    _plant_user_canaries(b)
    b.council.refresh_from_db()
    return a, b


def _get(client, url: str, *, is_download: bool = False, **extra):
    with transaction.atomic():
        try:
            if is_download:
                # An export is rendered by a worker (issue 17): follow it to the file.
                return download(client, url, **extra), None
            return client.get(url, **extra), None
        except Exception as exc:  # noqa: BLE001 - report every failing URL together
            return None, f"GET {url} {extra} raised {type(exc).__name__}: {exc}"
        finally:
            transaction.set_rollback(True)


def _leaks(client, url: str, *, is_download: bool = False) -> list[str]:
    """Where B's canaries show on `url`: the page (an export's file), and its htmx fragment if
    it is HTML."""
    found = []
    response, error = _get(client, url, is_download=is_download)
    if error:
        return [error]
    responses = [({}, response)]
    if "html" in response.get("Content-Type", ""):
        fragment, error = _get(client, url, HTTP_HX_REQUEST="true")
        responses.append(({"HTTP_HX_REQUEST": "true"}, fragment))
        found += [error] if error else []
    for extra, each in responses:
        if each is not None and CANARY in response_text(each).lower():
            found.append(f"GET {url} {extra} shows council B's data ({each.status_code})")
    return found


def test_the_canaries_are_planted_in_every_kind_of_text(councils):
    _, b = councils
    b.objects["measure"].refresh_from_db()
    b.objects["condition_update"].refresh_from_db()
    assert b.objects["measure"].name.lower().startswith(CANARY)
    assert b.objects["condition_update"].narrative.lower().startswith(CANARY)
    assert b.council.name.lower().startswith(CANARY)


# Everything A's staff can see, and what an adviser (the cross-council role) sees.
@pytest.mark.parametrize("role", ["everything", Role.ADVISER])
def test_council_a_never_sees_council_b(councils, role):
    a, b = councils
    user = a.everything if role == "everything" else a.users[role]
    # A shares its drafts, so the adviser reads every page of A (the URLs name A's draft
    # return, which an adviser otherwise gets 404 for: issue 15.7) and all are checked.
    LocalAuthority.objects.filter(pk=a.council.pk).update(drafts_shared_with_dfe=True)
    # With a data feed token for A (its user's councils): the feed is walked too.
    client = client_as(user, token=True)
    # B's ids in the query string catch views that trust ?council= or ?round=.
    query = (
        f"?council={b.council.pk}&round={b.round.pk}&agreement={b.objects['agreement'].pk}"
        f"&measure={b.objects['measure'].pk}&risk={b.objects['risk'].pk}"
    )
    problems = []
    for route, url, _names in app_urls(a):
        # The blank set-up template is for site administrators only and carries no council's
        # data: a council's staff are refused it (tests/excel/test_council_setup.py).
        admin_only = route.name.startswith("workbook:council_setup")
        is_download = route.is_download and route.name != "logout" and not admin_only
        if is_download:
            # A download that is refused or fails has not been checked at all.
            response, error = _get(client, url, is_download=True)
            if error or response.status_code != 200:
                problems.append(f"GET {url} gave {error or response.status_code}, not the file")
        for target in (url, url + query):
            problems += _leaks(client, target, is_download=is_download)
            client.force_login(user)  # in case the URL signed us out
    assert not problems, "\n".join(problems)


def test_the_canary_check_would_catch_a_leak(councils):
    # The detector itself: B's own user sees B's canaries on B's pages.
    _, b = councils
    client = client_as(b.everything, token=True)
    pages = [url for route, url, names in app_urls(b) if names and route.name != "logout"]
    if pages:
        assert any(_leaks(client, url) for url in pages), (
            "B's own pages show none of B's canaries: is the check blind?"
        )
