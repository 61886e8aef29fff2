"""Setting up a council in the browser: "Add a council", the blank template and its first upload."""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from conditions.models import AgreementCondition
from metrics.models import Measure
from svmonitor.choices import RoundStatus
from svmonitor.models import Agreement, AuditEvent, ImportPreview, LocalAuthority, ReportingRound
from svmonitor.roles import Role
from tests.excel.builders import build_council_data, minimal_sheets, site_admin, workbook_bytes
from tests.factories import MembershipFactory, UserFactory
from tests.jobs import finish
from workbook import format as fmt
from workbook.dsg_cyp import SHEETS as CYP_SHEETS
from workbook.dsg_finance import SHEET as DSG_FINANCE_SHEET
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SETUP = "workbook:council_setup"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(data: bytes, name="book.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def _template(client) -> bytes:
    response = client.get(reverse("workbook:council_setup_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return response.content


def _cells(data: bytes) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    finally:
        workbook.close()


def _filled(template: bytes, sheets: dict[str, list[list]]) -> bytes:
    """The downloaded template with rows typed under each sheet's example row."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    for name, rows in sheets.items():
        ws = workbook[name]
        for row in rows[1:]:  # rows[0] is the header, already in the template
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _member(council, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, council=council, role=role)
    return user


def test_only_a_site_administrator_sees_add_a_council(client, council, la_officer):
    adviser = _member(council, Role.ADVISER, "adviser")
    url = reverse("reports:council_list")
    link = reverse(SETUP).encode()

    client.force_login(site_admin())
    page = client.get(url)
    assert b"Add a council" in page.content and link in page.content

    for user in (la_officer, adviser):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        assert b"Add a council" not in page.content and link not in page.content


def test_anyone_else_is_refused_on_get_and_post_with_an_audit_record(client, council):
    lead = _member(council, Role.LEAD, "lead")
    adviser = _member(council, Role.ADVISER, "adviser")
    before = LocalAuthority.objects.count()
    book = workbook_bytes(minimal_sheets())
    for user in (lead, adviser):
        client.force_login(user)
        answers = [
            client.get(reverse(SETUP)).status_code,
            client.post(reverse(SETUP), {"workbook": _upload(book)}).status_code,
            client.get(reverse("workbook:council_setup_template")).status_code,
            client.post(reverse("workbook:council_setup_confirm"), {"token": "x"}).status_code,
        ]
        assert answers == [403, 403, 403, 403], user
        refusals = AuditEvent.objects.filter(action="permission_refused", user=user)
        assert refusals.count() == 4
        assert {event.after["method"] for event in refusals} == {"GET", "POST"}
    assert LocalAuthority.objects.count() == before
    assert not LocalAuthority.objects.filter(slug="new-council").exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse(SETUP))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_blank_template_holds_no_councils_data(client, council):
    call_command("load_demo", verbosity=0)
    build_council_data(council)
    client.force_login(site_admin())

    sheets = _cells(_template(client))

    councils = LocalAuthority.objects.all()
    forbidden = {c.name for c in councils} | {c.slug for c in councils}
    forbidden |= set(AgreementCondition.objects.values_list("title", flat=True))
    forbidden |= set(Measure.objects.values_list("name", flat=True))
    forbidden |= set(Measure.objects.values_list("code", flat=True))
    forbidden = {text.casefold() for text in forbidden if text}
    assert len(forbidden) > 50  # the demo councils and the factory one are all there
    leaks = []
    for title, rows in sheets.items():
        for number, row in enumerate(rows, start=1):
            for value in row:
                text = str(value).casefold() if value is not None else ""
                if text in forbidden or any(
                    len(f) >= 8 and f in text for f in forbidden if title != fmt.INSTRUCTIONS_SHEET
                ):
                    leaks.append((title, number, value))
    assert leaks == []


def test_the_template_has_instructions_and_one_marked_example_row_a_sheet(client):
    client.force_login(site_admin())

    sheets = _cells(_template(client))

    importable = [spec for spec in fmt.SHEETS if not spec.derived]
    assert list(sheets) == [
        fmt.INSTRUCTIONS_SHEET,
        fmt.ABOUT_SHEET,
        *(s.name for s in importable),
        DSG_FINANCE_SHEET,
        *CYP_SHEETS.values(),
    ]
    instructions = "\n".join(str(cell) for row in sheets[fmt.INSTRUCTIONS_SHEET] for cell in row)
    for words in (
        "Required to create a council",
        "EXAMPLE",
        "RAG",
        "2024-25",
        "Apr-24",
        "Status",
        f"format version {fmt.FORMAT_VERSION}",
    ):
        assert words in instructions, words
    for spec in importable:
        assert spec.name in instructions
        header, *rows = sheets[spec.name]
        assert list(header[: len(spec.columns)]) == [c.header for c in spec.columns]
        assert len(rows) == 1, spec.name
        assert str(rows[0][0]).startswith("EXAMPLE"), spec.name


def test_the_untouched_template_creates_nothing_and_says_examples_were_skipped(client):
    client.force_login(site_admin())
    before = LocalAuthority.objects.count()

    page = client.post(reverse(SETUP), {"workbook": _upload(_template(client))})

    assert page.status_code == 200
    assert b"Nothing to create" in page.content
    assert b"example rows skipped" in page.content
    assert page.context["token"] == ""
    # One a sheet, the DSG financial summary's example table and one for each CYP sheet's
    # (each table's rows noted together).
    assert page.context["preview"].examples_skipped == 1 + len(CYP_SHEETS) + len(
        [s for s in fmt.SHEETS if not s.derived]
    )
    assert LocalAuthority.objects.count() == before


def test_a_councils_own_upload_of_the_template_changes_nothing(client, council, la_officer):
    client.force_login(la_officer)
    template = client.get(reverse("workbook:workbook_template", args=[council.slug])).content

    page = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]), {"workbook": _upload(template)}
    )

    assert b"the workbook holds only example rows" in page.content
    assert b"example rows skipped" in page.content


def test_filling_the_minimal_sheets_creates_council_agreement_and_draft_round(client, settings):
    admin = site_admin()
    client.force_login(admin)
    book = _filled(_template(client), minimal_sheets(name="Fenmoor Council", slug="fenmoor"))

    preview = client.post(reverse(SETUP), {"workbook": _upload(book, "fenmoor.xlsx")})

    assert b"Check what the import will create" in preview.content
    assert b"example rows skipped" in preview.content
    assert not LocalAuthority.objects.filter(slug="fenmoor").exists()
    confirm = finish(
        client,
        client.post(reverse("workbook:council_setup_confirm"), {"token": preview.context["token"]}),
    )

    assert b"Council created" in confirm.content
    assert reverse("reports:council_dashboard", args=["fenmoor"]).encode() in confirm.content
    council = LocalAuthority.objects.get(slug="fenmoor", name="Fenmoor Council")
    agreement = Agreement.objects.get(council=council)
    assert agreement.date_signed == dt.date(2024, 3, 1)
    rnd = ReportingRound.objects.get(agreement=agreement)
    assert (rnd.financial_year, rnd.update_number, rnd.status) == (2024, 1, RoundStatus.DRAFT)
    assert not Measure.objects.filter(council=council, code="example-measure").exists()
    via = AuditEvent.objects.filter(council=council, via="via workbook fenmoor.xlsx", user=admin)
    assert {"council.create", "agreement.create"} <= set(via.values_list("action", flat=True))
    assert AuditEvent.objects.filter(action="workbook_import", council=council).exists()
    assert list((Path(settings.MEDIA_ROOT) / "imports").glob("*.xlsx")) == []
    assert not ImportPreview.objects.exists()


def test_a_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_written(client):
    client.force_login(site_admin())
    sheets = minimal_sheets(name="Fenmoor Council", slug="fenmoor")
    sheets[fmt.AGREEMENTS.name][1][0] = "the first of March"
    book = _filled(_template(client), sheets)

    page = client.post(reverse(SETUP), {"workbook": _upload(book)})

    assert b"nothing has been saved" in page.content
    errors = page.context["preview"].errors
    # Row 3: the example row is row 2. (Rows that name the refused agreement are listed after.)
    assert (errors[0].sheet, errors[0].row, errors[0].column) == (
        fmt.AGREEMENTS.name,
        3,
        "A 'Date signed'",
    )
    assert "must be a date" in errors[0].reason
    assert b"A &#x27;Date signed&#x27;" in page.content
    assert page.context["token"] == ""
    assert not LocalAuthority.objects.filter(slug="fenmoor").exists()


def test_a_slug_already_taken_is_refused_at_the_council_row(client, council):
    client.force_login(site_admin())
    book = workbook_bytes(minimal_sheets(name="Another name", slug=council.slug))

    page = client.post(reverse(SETUP), {"workbook": _upload(book)})

    errors = page.context["preview"].errors
    assert [(e.sheet, e.row, e.column) for e in errors] == [(fmt.COUNCIL.name, 2, "B 'Slug'")]
    assert "already exists" in errors[0].reason
    assert LocalAuthority.objects.get(pk=council.pk).name == council.name


def test_sheets_without_a_council_row_are_refused(db, tmp_path):
    sheets = minimal_sheets()
    del sheets[fmt.COUNCIL.name]
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(sheets))

    result = workbook_import(file=path, council_slug=None, create=True, by=site_admin())

    assert [(e.sheet, e.row) for e in result.errors] == [(fmt.COUNCIL.name, None)]
    assert not result.applied and LocalAuthority.objects.count() == 0


def test_the_slug_defaults_to_the_council_name(db, tmp_path):
    sheets = minimal_sheets(name="Fenmoor Borough Council", slug=None)
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(sheets))

    result = workbook_import(file=path, council_slug=None, create=True, by=site_admin())

    assert result.errors == [] and result.applied
    assert LocalAuthority.objects.filter(slug="fenmoor-borough-council").exists()


def test_uploads_are_rate_limited(client, settings):
    settings.UPLOAD_RATE_PER_MINUTE = 1
    client.force_login(site_admin())
    book = workbook_bytes(minimal_sheets())

    first = client.post(reverse(SETUP), {"workbook": _upload(book)})
    second = client.post(reverse(SETUP), {"workbook": _upload(book)})

    assert first.status_code == 200
    assert second.status_code == 429
