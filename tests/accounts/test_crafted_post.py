"""Fields a form does not offer (council, status, version, sign-off, created-by) cannot be set.

An authorised editor (a user with every role at council A) fetches every page, and posts every
form on it with its own values plus the protected fields it does not offer, set to values no
real request would carry. The generic junk POST goes to every URL too. Afterwards no row may hold
a crafted value, and council B's rows must be exactly as they were.
"""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import models, transaction
from django.urls import Resolver404, resolve, reverse

from svmonitor.choices import RoundStatus
from svmonitor.models import ReportingRound
from svmonitor.roles import Action
from tests.accounts.graph import build_council, council_state, scoped_models
from tests.accounts.urlwalk import app_urls, client_as, post_data, post_forms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Export/upload limits would answer 429 after a few requests and leave pages unchecked."""
    settings.EXPORT_RATE_PER_MINUTE = 0
    settings.UPLOAD_RATE_PER_MINUTE = 0


CRAFTED_VERSION = 987654
CRAFTED_HASH = "f" * 64
CRAFTED_DATE = dt.date(2001, 2, 3)
SKIP = {"logout", "password_change"}


@contextmanager
def isolated():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def setting(db):
    a, b = build_council("A"), build_council("B")
    crafted_user = UserFactory(username="crafted-user")
    return a, b, crafted_user


def crafted_fields(b, crafted_user) -> dict[str, str]:
    """Protected fields, pointing at council B or a user who never made a request."""
    return {
        "council": str(b.council.pk),
        "council_id": str(b.council.pk),
        "agreement": str(b.objects["agreement"].pk),
        "round": str(b.round.pk),
        "round_id": str(b.round.pk),
        "status": RoundStatus.SUBMITTED,
        "version": str(CRAFTED_VERSION),
        "signed_by": str(crafted_user.pk),
        "created_by": str(crafted_user.pk),
        "updated_by": str(crafted_user.pk),
        "ready_by": str(crafted_user.pk),
        "submitted_recorded_by": str(crafted_user.pk),
        "signed_at": CRAFTED_DATE.isoformat(),
        "submitted_on": CRAFTED_DATE.isoformat(),
        "snapshot_sha256": CRAFTED_HASH,
        "sha256": CRAFTED_HASH,
    }


def crafted_values_stored(crafted_user) -> list[str]:
    """Every place a crafted value landed in the database."""
    found = []
    for model in scoped_models():
        manager = model._default_manager
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is type(crafted_user):
                hit = manager.filter(**{field.name: crafted_user})
            elif field.name == "version":
                hit = manager.filter(version=CRAFTED_VERSION)
            elif field.name in ("snapshot_sha256", "sha256"):
                hit = manager.filter(**{field.name: CRAFTED_HASH})
            elif isinstance(field, models.DateTimeField):
                hit = manager.filter(**{f"{field.name}__date": CRAFTED_DATE})
            elif isinstance(field, models.DateField):
                hit = manager.filter(**{field.name: CRAFTED_DATE})
            else:
                continue
            if hit.exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def _submits(url: str) -> bool:
    """Whether the URL's view legitimately records a submission."""
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return False
    return getattr(match.func, "required_action", None) == Action.SUBMIT


def test_crafted_fields_are_ignored_everywhere(setting):
    a, b, crafted_user = setting
    crafted = crafted_fields(b, crafted_user)
    b_before = council_state(b.council)
    submitted_before = set(
        ReportingRound.objects.filter(status=RoundStatus.SUBMITTED).values_list("pk", flat=True)
    )
    problems, forms_posted = [], 0
    urls = [(route, url) for route, url, _names in app_urls(a) if route.name not in SKIP]
    for route, url in urls:
        client = client_as(a.everything)
        targets = [(url, post_data(url, {"narrative": "edited", "rag": "red"}))]
        page = None
        if not route.is_download:
            with isolated():
                try:
                    page = client.get(url)
                except Exception as exc:  # noqa: BLE001 - report every failing URL together
                    problems.append(f"GET {url} raised {type(exc).__name__}: {exc}")
                    continue
        if page is not None and page.status_code == 200 and "html" in page.get("Content-Type", ""):
            targets += [
                (form.action, form.fields) for form in post_forms(page.content.decode(), url)
            ]
        for target, offered in targets:
            if target in {reverse(name) for name in SKIP}:
                continue
            data = {**{k: v for k, v in crafted.items() if k not in offered}, **offered}
            forms_posted += 1
            with isolated():
                client.force_login(a.everything)
                try:
                    client.post(target, data=data)
                except Exception as exc:  # noqa: BLE001 - report every failing URL together
                    problems.append(f"POST {target} raised {type(exc).__name__}: {exc}")
                    continue
                landed = crafted_values_stored(crafted_user)
                if landed:
                    problems.append(f"POST {target} stored crafted values in {landed}")
                if council_state(b.council) != b_before:
                    problems.append(f"POST {target} changed council B's data")
                submitted = set(
                    ReportingRound.objects.filter(status=RoundStatus.SUBMITTED).values_list(
                        "pk", flat=True
                    )
                )
                if submitted != submitted_before and not _submits(target):
                    problems.append(f"POST {target} set a round's status from the request")
    assert not problems, "\n".join(problems)
    assert forms_posted >= len(urls)


def test_the_detector_finds_a_crafted_value(setting):
    a, _, crafted_user = setting
    assert crafted_values_stored(crafted_user) == []
    ReportingRound.objects.filter(pk=a.round.pk).update(
        version=CRAFTED_VERSION, ready_by=crafted_user, submitted_on=CRAFTED_DATE
    )
    assert set(crafted_values_stored(crafted_user)) == {
        "svmonitor.ReportingRound.version",
        "svmonitor.ReportingRound.ready_by",
        "svmonitor.ReportingRound.submitted_on",
    }
