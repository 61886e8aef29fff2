"""Upload with a preview then confirm; template and export downloads; who may do what."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics.models import MeasureValue
from svmonitor.models import ImportPreview, LocalAuthority
from tests.excel.builders import build_council_data, headers, minimal_sheets, workbook_bytes
from tests.factories import UserFactory
from tests.jobs import finish
from workbook import format as fmt
from workbook.dsg_cyp import SHEETS as CYP_SHEETS
from workbook.dsg_finance import SHEET as DSG_FINANCE_SHEET

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(data: bytes, name="book.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def _value_sheet(value=1234):
    return {
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["ehcps", "2024-04-01", "actual", value, ""],
        ]
    }


def _stored(settings) -> list[ImportPreview]:
    """The uploads kept between preview and confirm: in the database, none on disk."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    assert not (folder.exists() and list(folder.glob("*.xlsx")))
    return list(ImportPreview.objects.all())


def test_an_officer_previews_then_confirms_an_import(client, council, la_officer, settings):
    build_council_data(council)
    client.force_login(la_officer)
    url = reverse("workbook:workbook_upload", args=[council.slug])

    preview = client.post(url, {"workbook": _upload(workbook_bytes(_value_sheet()))})

    assert preview.status_code == 200
    assert b"Check what the import will do" in preview.content
    assert MeasureValue.objects.filter(value=1234).count() == 0
    assert len(_stored(settings)) == 1
    token = preview.context["token"]
    queued = client.post(
        reverse("workbook:workbook_confirm", args=[council.slug]), {"token": token}
    )
    # The import is a job: the confirm sends the person to its page; the worker runs it.
    assert queued.status_code == 303
    assert MeasureValue.objects.filter(value=1234).count() == 0
    confirm = finish(client, queued)
    assert confirm.status_code == 200
    assert b"Workbook imported" in confirm.content
    assert MeasureValue.objects.filter(value=1234).count() == 1
    assert _stored(settings) == []


def test_the_confirm_over_htmx_returns_only_the_result(client, council, la_officer):
    build_council_data(council)
    client.force_login(la_officer)
    preview = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": _upload(workbook_bytes(_value_sheet()))},
    )

    queued = client.post(
        reverse("workbook:workbook_confirm", args=[council.slug]),
        {"token": preview.context["token"]},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="import-area",
    )

    # The job's status region, polling, swapped in where the preview was.
    assert b"<html" not in queued.content
    assert b'id="job-status"' in queued.content and b'hx-trigger="every 2s"' in queued.content
    confirm = finish(client, queued, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="job-status")
    assert b"<html" not in confirm.content
    assert confirm.status_code == 286  # htmx stops polling
    assert b"Workbook imported" in confirm.content


def test_the_page_offers_a_progress_indicator_for_the_confirm(client, council, la_officer):
    build_council_data(council)
    client.force_login(la_officer)
    preview = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": _upload(workbook_bytes(_value_sheet()))},
    )
    assert b'hx-indicator="#import-progress"' in preview.content
    assert b'id="import-progress"' in preview.content


def test_a_file_changed_after_the_preview_is_not_imported(client, council, la_officer, settings):
    build_council_data(council)
    client.force_login(la_officer)
    preview = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": _upload(workbook_bytes(_value_sheet()))},
    )
    kept = _stored(settings)[0]
    kept.content = workbook_bytes(_value_sheet(9999))
    kept.save()

    confirm = finish(
        client,
        client.post(
            reverse("workbook:workbook_confirm", args=[council.slug]),
            {"token": preview.context["token"]},
        ),
    )

    assert b"expired or was changed" in confirm.content
    assert not MeasureValue.objects.filter(value__in=[1234, 9999]).exists()


def test_bad_cells_are_listed_and_nothing_can_be_confirmed(client, council, la_officer):
    build_council_data(council)
    client.force_login(la_officer)
    sheets = _value_sheet("lots")

    response = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": _upload(workbook_bytes(sheets))},
    )

    assert response.status_code == 200
    assert b"nothing has been saved" in response.content
    assert b"must be a number" in response.content
    assert b"/workbook/import/confirm/" not in response.content
    assert response.context["token"] == ""


def test_a_hostile_file_is_refused_with_a_message(client, council, la_officer, settings):
    client.force_login(la_officer)

    response = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": _upload(b"%PDF-1.7 not a workbook")},
    )

    assert response.status_code == 200
    assert b"not an Excel .xlsx workbook" in response.content
    assert _stored(settings) == []


def test_a_file_over_the_limit_is_refused(client, council, la_officer, settings):
    settings.WORKBOOK_MAX_BYTES = 100
    client.force_login(la_officer)

    response = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": _upload(workbook_bytes(_value_sheet()))},
    )

    assert b"the limit is" in response.content


def test_a_board_member_may_export_but_not_upload(client, council, board_member):
    client.force_login(board_member)

    assert client.get(reverse("workbook:workbook_upload", args=[council.slug])).status_code == 403
    export = client.get(reverse("workbook:workbook_export", args=[council.slug]))
    assert export.status_code == 200
    assert export["Content-Type"] == XLSX


def test_another_councils_officer_gets_404_everywhere(client, council, other_la_officer):
    client.force_login(other_la_officer)
    for name in ("workbook_upload", "workbook_export", "workbook_template"):
        assert client.get(reverse(f"workbook:{name}", args=[council.slug])).status_code == 404
    confirm = client.post(reverse("workbook:workbook_confirm", args=[council.slug]), {"token": "x"})
    assert confirm.status_code == 404


def test_an_officer_cannot_create_a_council_by_upload(client, la_officer):
    client.force_login(la_officer)
    response = client.get(reverse("workbook:workbook_upload", args=["new-council"]))
    assert response.status_code == 404


def test_a_site_administrator_creates_a_council_by_upload(client, db):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("workbook:workbook_upload", args=["new-council"])

    preview = client.post(url, {"workbook": _upload(workbook_bytes(minimal_sheets()))})
    assert b"will be created from the Council sheet" in preview.content
    finish(
        client,
        client.post(
            reverse("workbook:workbook_confirm", args=["new-council"]),
            {"token": preview.context["token"]},
        ),
    )

    assert LocalAuthority.objects.filter(slug="new-council", name="New Council").exists()


def test_the_template_has_every_sheet_and_no_council_row(client, council, la_officer):
    client.force_login(la_officer)

    response = client.get(reverse("workbook:workbook_template", args=[council.slug]))

    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    names = workbook.sheetnames
    council_rows = list(workbook[fmt.COUNCIL.name].iter_rows(values_only=True))
    workbook.close()
    assert names == [
        fmt.INSTRUCTIONS_SHEET,
        fmt.ABOUT_SHEET,
        *(s.name for s in fmt.SHEETS if not s.derived),
        DSG_FINANCE_SHEET,
        *CYP_SHEETS.values(),
    ]
    # Only the example row, which import skips: the template is the same for every council.
    assert len(council_rows) == 2 and council_rows[1][0].startswith(fmt.EXAMPLE_MARKER)
    assert council.name not in council_rows[1] and council.slug not in council_rows[1]


def test_a_plain_get_shows_the_upload_form(client, council, la_officer):
    client.force_login(la_officer)
    response = client.get(reverse("workbook:workbook_upload", args=[council.slug]))
    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert b"<html" in response.content


def test_an_upload_clears_previews_never_confirmed(client, council, la_officer, settings):
    import datetime as dt

    from django.utils import timezone

    build_council_data(council)
    abandoned = ImportPreview.objects.create(
        token="abandoned",
        user=la_officer,
        council_slug=council.slug,
        filename="old.xlsx",
        content=b"old",
        sha256="0" * 64,
        created_at=timezone.now() - dt.timedelta(hours=25),
    )
    client.force_login(la_officer)

    client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": _upload(workbook_bytes(_value_sheet()))},
    )

    assert not ImportPreview.objects.filter(pk=abandoned.pk).exists()
    assert ImportPreview.objects.count() == 1
