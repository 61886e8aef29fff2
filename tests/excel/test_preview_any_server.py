"""A workbook previewed on one app server is confirmed on another (issue 17.3): the upload and
its stamps are kept in the database, not in one server's files, memory or session."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from metrics.models import MeasureValue
from svmonitor.models import ImportPreview, LocalAuthority
from svmonitor.roles import Role
from tests.excel.builders import build_council_data, headers, minimal_sheets, workbook_bytes
from tests.factories import MembershipFactory, UserFactory
from tests.jobs import finish
from workbook import format as fmt

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
pytestmark = pytest.mark.django_db


def _book(value=4321):
    sheets = {
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["ehcps", "2024-04-01", "actual", value, ""],
        ]
    }
    return SimpleUploadedFile("book.xlsx", workbook_bytes(sheets), content_type=XLSX)


def _server(user) -> Client:
    """A browser session on an app server: its own session, signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def _confirmed(client, response):
    """What the person sees: a queued import's job page once the worker ran it, else the page."""
    return finish(client, response) if response.status_code == 303 else response


def _move_to_another_server(settings, tmp_path, name):
    """What one server kept for itself is gone: its media folder and its process memory."""
    settings.MEDIA_ROOT = tmp_path / name
    for alias in settings.CACHES:
        caches[alias].clear()


def test_a_preview_made_on_one_server_is_confirmed_from_another_session_on_another(
    council, la_officer, settings, tmp_path
):
    build_council_data(council)
    settings.MEDIA_ROOT = tmp_path / "server-a"
    preview = _server(la_officer).post(
        reverse("workbook:workbook_upload", args=[council.slug]), {"workbook": _book()}
    )
    token = preview.context["token"]
    assert token and ImportPreview.objects.filter(token=token, user=la_officer).exists()

    _move_to_another_server(settings, tmp_path, "server-b")
    server_b = _server(la_officer)
    confirm = _confirmed(
        server_b,
        server_b.post(reverse("workbook:workbook_confirm", args=[council.slug]), {"token": token}),
    )

    assert b"Workbook imported" in confirm.content
    assert MeasureValue.objects.filter(measure__council=council, value=4321).count() == 1
    assert not ImportPreview.objects.exists()
    assert not (tmp_path / "server-a" / "imports").exists()


def test_a_preview_is_imported_once_however_many_servers_confirm_it(
    council, la_officer, settings, tmp_path
):
    build_council_data(council)
    token = (
        _server(la_officer)
        .post(reverse("workbook:workbook_upload", args=[council.slug]), {"workbook": _book()})
        .context["token"]
    )
    url = reverse("workbook:workbook_confirm", args=[council.slug])

    server_a, server_b = _server(la_officer), _server(la_officer)
    first = _confirmed(server_a, server_a.post(url, {"token": token}))
    second = _confirmed(server_b, server_b.post(url, {"token": token}))

    assert b"Workbook imported" in first.content
    assert b"expired or was changed" in second.content
    assert MeasureValue.objects.filter(measure__council=council, value=4321).count() == 1


def test_a_colleague_cannot_confirm_someone_elses_preview(council, la_officer):
    build_council_data(council)
    colleague = MembershipFactory(council=council, role=Role.OFFICER, user__username="col").user
    token = (
        _server(la_officer)
        .post(reverse("workbook:workbook_upload", args=[council.slug]), {"workbook": _book()})
        .context["token"]
    )

    refused = _server(colleague).post(
        reverse("workbook:workbook_confirm", args=[council.slug]), {"token": token}
    )

    assert b"expired or was changed" in refused.content
    assert not MeasureValue.objects.filter(value=4321).exists()
    # Still the officer's to confirm.
    assert ImportPreview.objects.filter(token=token, user=la_officer).exists()


def test_a_preview_for_one_council_is_not_confirmed_for_another(council, other_council):
    build_council_data(council)
    officer = MembershipFactory(council=council, role=Role.OFFICER, user__username="both").user
    MembershipFactory(council=other_council, role=Role.OFFICER, user=officer)
    token = (
        _server(officer)
        .post(reverse("workbook:workbook_upload", args=[council.slug]), {"workbook": _book()})
        .context["token"]
    )

    refused = _server(officer).post(
        reverse("workbook:workbook_confirm", args=[other_council.slug]), {"token": token}
    )

    assert b"expired or was changed" in refused.content
    assert not MeasureValue.objects.filter(value=4321).exists()


def test_a_preview_older_than_a_day_is_not_confirmed(council, la_officer):
    build_council_data(council)
    token = (
        _server(la_officer)
        .post(reverse("workbook:workbook_upload", args=[council.slug]), {"workbook": _book()})
        .context["token"]
    )
    ImportPreview.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))

    server_b = _server(la_officer)
    refused = _confirmed(
        server_b,
        server_b.post(reverse("workbook:workbook_confirm", args=[council.slug]), {"token": token}),
    )

    assert b"expired or was changed" in refused.content
    assert not MeasureValue.objects.filter(value=4321).exists()


def test_a_new_council_previewed_on_one_server_is_created_from_another(settings, tmp_path):
    admin = UserFactory(username="setup-admin", is_staff=True, is_superuser=True)
    settings.MEDIA_ROOT = tmp_path / "server-a"
    book = SimpleUploadedFile(
        "fenmoor.xlsx",
        workbook_bytes(minimal_sheets("Fenmoor Council", "fenmoor")),
        content_type=XLSX,
    )
    token = (
        _server(admin).post(reverse("workbook:council_setup"), {"workbook": book}).context["token"]
    )
    assert token, "the preview offered nothing to confirm"

    _move_to_another_server(settings, tmp_path, "server-b")
    server_b = _server(admin)
    confirm = _confirmed(
        server_b, server_b.post(reverse("workbook:council_setup_confirm"), {"token": token})
    )

    assert b"Council created" in confirm.content
    assert LocalAuthority.objects.filter(slug="fenmoor").exists()
