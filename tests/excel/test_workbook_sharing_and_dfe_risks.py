"""The workbook's doors for issue 15.7 and 15.8: the Council sheet's "Share drafts with DfE
advisers" (the programme lead's choice, through its own service) and the Risk updates sheet's
"In DfE report"."""

import io

import openpyxl
import pytest

from risks.models import RiskUpdate
from svmonitor.models import AuditEvent, LocalAuthority
from svmonitor.roles import Role
from svmonitor.services import round_open_next
from tests import factories as f
from tests.excel.builders import headers, workbook_bytes
from workbook import format as fmt
from workbook.exporter import workbook_export
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db


def _lead(council):
    user = f.UserFactory(username="lead-sharing")
    f.MembershipFactory(user=user, council=council, role=Role.LEAD)
    return user


def _sheet_rows(council, sheet) -> list[dict]:
    book = openpyxl.load_workbook(io.BytesIO(workbook_export(council=council)), read_only=True)
    header, *rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    return [dict(zip(header, row, strict=False)) for row in rows]


def _import(tmp_path, council, sheets, by):
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    return workbook_import(file=path, council_slug=council.slug, by=by)


def test_the_programme_lead_shares_drafts_by_workbook_and_the_export_says_so(council, tmp_path):
    lead = _lead(council)
    cells = {
        "Name": council.name,
        "Slug": council.slug,
        "DfE LA number": council.dfe_la_number,
        "ONS code": council.ons_code,
        "Share drafts with DfE advisers": "Yes",
    }
    row = [cells.get(header) for header in headers(fmt.COUNCIL)]
    result = _import(tmp_path, council, {fmt.COUNCIL.name: [headers(fmt.COUNCIL), row]}, lead)
    assert result.applied, result.errors
    assert LocalAuthority.objects.get(pk=council.pk).drafts_shared_with_dfe
    event = AuditEvent.objects.get(action="council.drafts_sharing.save")
    assert event.user == lead and event.via.startswith("via workbook")
    council.refresh_from_db()
    assert _sheet_rows(council, fmt.COUNCIL.name)[0]["Share drafts with DfE advisers"] == "Yes"


def test_a_risk_left_out_of_the_dfe_report_by_workbook_and_exported(council, tmp_path):
    lead = _lead(council)
    agreement = f.AgreementFactory(council=council)
    f.RiskFactory(council=council, number=1)
    draft = round_open_next(agreement=agreement, financial_year=2024, update_number=1, by=lead)
    update = RiskUpdate.objects.get(round=draft)
    cells = {
        "Financial year": "2024-25",
        "Update": 1,
        "Risk": 1,
        "RAG": "Amber",
        "Progress update": "Kept to the board this quarter.",
        "Impact (1-5)": 4,
        "Likelihood (1-5)": 3,
        "In DfE report": "No",
    }
    sheet = fmt.RISK_UPDATES
    row = [cells.get(header) for header in headers(sheet)]
    result = _import(tmp_path, council, {sheet.name: [headers(sheet), row]}, lead)
    assert result.applied, result.errors
    update.refresh_from_db()
    assert update.in_dfe_report is False
    assert _sheet_rows(council, sheet.name)[0]["In DfE report"] == "No"
