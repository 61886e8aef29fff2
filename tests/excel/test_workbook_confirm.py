"""Confirm checks what the preview showed: a row someone saved after the preview is refused,
row by row, with their value beside the workbook's, and nothing is written."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conditions.models import ConditionUpdate
from conditions.services import condition_update_save
from metrics.models import MeasureValue, Series
from metrics.services import measure_value_save
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests.excel.builders import build_council_data, headers, workbook_bytes
from tests.factories import MembershipFactory
from tests.jobs import finish
from workbook import format as fmt

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APRIL = dt.date(2024, 4, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def colleague(council):
    return MembershipFactory(council=council, role=Role.OFFICER, user__username="colleague").user


def _preview(client, council, sheets):
    response = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": SimpleUploadedFile("book.xlsx", workbook_bytes(sheets), content_type=XLSX)},
    )
    assert response.context["token"], response.content.decode()
    return response.context["token"]


def _confirm(client, council, token):
    """Confirm, let the worker run the import job, and read the job's page."""
    queued = client.post(
        reverse("workbook:workbook_confirm", args=[council.slug]), {"token": token}
    )
    return finish(client, queued)


def _sheets():
    return {
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, "2024-25", 2, "3.1", "Amber", "Ours: recovery plan agreed"],
        ],
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["ehcps", APRIL, "actual", 4321, ""],
        ],
    }


def test_a_section_saved_after_the_preview_is_refused_with_both_values(
    client, council, la_officer, colleague
):
    data = build_council_data(council)
    client.force_login(la_officer)
    token = _preview(client, council, _sheets())
    update = ConditionUpdate.objects.get(round=data["draft"], condition__label="3.1")
    condition_update_save(
        update=update,
        expected_version=update.version,
        rag="green",
        narrative="Theirs: done already",
        by=colleague,
    )

    response = _confirm(client, council, token)

    html = response.content.decode()
    assert "Workbook imported" not in html
    assert "Saved since your preview" in html
    result = response.context["result"]
    assert [(e.sheet, e.row) for e in result.errors] == [("Condition updates", 2)]
    assert result.errors[0].reason.startswith("colleague saved this after your preview")
    shown = {(c.field, c.stored, c.workbook, c.saved_by) for c in result.conflicts}
    assert (
        "Progress update",
        "Theirs: done already",
        "Ours: recovery plan agreed",
        "colleague",
    ) in (shown)
    assert ("Assurance level", "Green", "Amber", "colleague") in shown
    assert "Theirs: done already" in html and "Ours: recovery plan agreed" in html
    # Nothing was written: the colleague's save stands, and the figure was not imported either.
    update.refresh_from_db()
    assert (update.rag, update.narrative, update.version) == ("green", "Theirs: done already", 2)
    assert (
        MeasureValue.objects.get(measure=data["ehcp"], period=APRIL, series__slug="actual").value
        != 4321
    )
    assert not AuditEvent.objects.filter(via__startswith="via workbook").exists()


def test_a_figure_saved_after_the_preview_is_refused_with_both_values(
    client, council, la_officer, colleague
):
    data = build_council_data(council)
    client.force_login(la_officer)
    token = _preview(client, council, _sheets())
    actual = Series.objects.get(council=council, slug="actual")
    measure_value_save(measure=data["ehcp"], period=APRIL, series=actual, value=5555, by=colleague)

    response = _confirm(client, council, token)

    result = response.context["result"]
    assert [(e.sheet, e.row, e.column.split()[0]) for e in result.errors] == [
        ("Measure values", 2, "D")
    ]
    assert {(c.field, c.stored, c.workbook) for c in result.conflicts} == {
        ("Value", "5555", "4321")
    }
    assert MeasureValue.objects.get(measure=data["ehcp"], period=APRIL, series=actual).value == 5555
    assert ConditionUpdate.objects.get(round=data["draft"], condition__label="3.1").version == 1


def test_rows_nobody_touched_since_the_preview_are_imported(client, council, la_officer):
    data = build_council_data(council)
    client.force_login(la_officer)
    token = _preview(client, council, _sheets())

    response = _confirm(client, council, token)

    assert b"Workbook imported" in response.content
    update = ConditionUpdate.objects.get(round=data["draft"], condition__label="3.1")
    assert update.narrative == "Ours: recovery plan agreed" and update.version == 2
    # Written through the round page's service, under the preview's version, with history.
    event = AuditEvent.objects.get(action="condition_update.save", object_id=str(update.pk))
    assert (event.via, event.user) == ("via workbook book.xlsx", la_officer)
