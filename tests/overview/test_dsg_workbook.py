"""The workbook's DSG text sheets (issue 19): "DSG texts", "DSG governance" and "Workstream log"
read through the overview's and conditions' services (history says via workbook), bad rows
named by sheet and row with nothing changed, and written back on export."""

import datetime as dt
import io

import openpyxl
import pytest

from conditions.models import Workstream
from overview.models import RoundGovernance, RoundNarrative
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from svmonitor.sections import return_parts
from tests import factories as f
from tests.excel.builders import headers, workbook_bytes
from workbook import format as fmt
from workbook.exporter import workbook_export
from workbook.importer import workbook_import
from workbook.template import workbook_template

pytestmark = pytest.mark.django_db
DSG = "dsg_plan"


def _row(spec, **by_key) -> list:
    return [by_key.get(column.key) for column in spec.columns]


@pytest.fixture
def setup(agreement):
    council = agreement.council
    lead = f.UserFactory(username="dsg-lead")
    f.MembershipFactory(user=lead, council=council, role=Role.LEAD)
    round = f.ReportingRoundFactory(
        agreement=agreement, financial_year=2025, update_number=1, return_kind=DSG
    )
    for part in return_parts(DSG):
        part.carry_forward(round, None, lead)
    area = f.ProgrammeAreaFactory(council=council, number=2, name="Support")
    workstream = f.WorkstreamFactory(area=area, name="Inclusion advisers")
    return council, lead, round, workstream


def _import(tmp_path, council, sheets, by):
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    return workbook_import(file=path, council_slug=council.slug, by=by)


def _sheets(**overrides):
    sheets = {
        fmt.DSG_TEXTS.name: [
            headers(fmt.DSG_TEXTS),
            _row(
                fmt.DSG_TEXTS,
                financial_year="2025-26",
                update_number=1,
                topic="financial_plan",
                text="Balanced by 2028-29.",
            ),
            _row(
                fmt.DSG_TEXTS,
                financial_year="2025-26",
                update_number=1,
                topic="parents_carers",
                text="Two workshops with the parent carer forum.",
            ),
        ],
        fmt.DSG_GOVERNANCE.name: [
            headers(fmt.DSG_GOVERNANCE),
            _row(
                fmt.DSG_GOVERNANCE,
                financial_year="2025-26",
                update_number=1,
                schools_forum_date=dt.date(2025, 6, 12),
                next_review_date=dt.date(2025, 10, 9),
            ),
        ],
        fmt.WORKSTREAM_LOG.name: [
            headers(fmt.WORKSTREAM_LOG),
            _row(
                fmt.WORKSTREAM_LOG,
                area=2,
                workstream="Inclusion advisers",
                lead_role="Head of inclusion",
                start_date=dt.date(2025, 9, 1),
                status="On track",
                dsg_line="Mainstream top-ups",
            ),
        ],
    }
    sheets.update(overrides)
    return sheets


def test_the_sheets_import_through_the_services_with_history(tmp_path, setup):
    council, lead, round, workstream = setup
    result = _import(tmp_path, council, _sheets(), lead)
    assert not result.errors, [str(e) for e in result.errors]
    assert result.applied
    texts = dict(RoundNarrative.objects.filter(round=round).values_list("topic__key", "text"))
    assert texts["financial_plan"] == "Balanced by 2028-29."
    assert texts["parents_carers"] == "Two workshops with the parent carer forum."
    governance = RoundGovernance.objects.get(round=round)
    assert (governance.schools_forum_date, governance.next_review_date) == (
        dt.date(2025, 6, 12),
        dt.date(2025, 10, 9),
    )
    workstream.refresh_from_db()
    assert (workstream.lead_role, workstream.status, workstream.dsg_line) == (
        "Head of inclusion",
        "on_track",
        "Mainstream top-ups",
    )
    vias = set(
        AuditEvent.objects.filter(
            action__in=["round_narrative.save", "round_governance.save", "workstream_log.save"]
        ).values_list("via", flat=True)
    )
    assert vias == {"via workbook book.xlsx"}
    # Imported again unchanged: nothing to write.
    again = _import(tmp_path, council, _sheets(), lead)
    assert not again.errors
    assert AuditEvent.objects.filter(action="round_narrative.save").count() == 2


def test_bad_rows_are_named_by_sheet_and_row_and_nothing_changes(tmp_path, setup):
    council, lead, round, workstream = setup
    sheets = _sheets()
    sheets[fmt.DSG_TEXTS.name].append(
        _row(fmt.DSG_TEXTS, financial_year="2025-26", update_number=1, topic="nonsense", text="x")
    )
    sheets[fmt.WORKSTREAM_LOG.name].append(
        _row(
            fmt.WORKSTREAM_LOG,
            area=2,
            workstream="Inclusion advisers",
            start_date=dt.date(2025, 9, 1),
            end_date=dt.date(2024, 1, 1),
        )
    )
    sheets[fmt.DSG_GOVERNANCE.name].append(
        _row(fmt.DSG_GOVERNANCE, financial_year="2025-26", update_number=3)
    )
    result = _import(tmp_path, council, sheets, lead)
    where = {(e.sheet, e.row) for e in result.errors}
    assert (fmt.DSG_TEXTS.name, 4) in where
    assert (fmt.DSG_GOVERNANCE.name, 3) in where
    assert (fmt.WORKSTREAM_LOG.name, 3) in where
    assert not result.applied
    assert not RoundNarrative.objects.filter(round=round).exclude(text="").exists()
    assert not RoundGovernance.objects.filter(
        round=round, schools_forum_date__isnull=False
    ).exists()
    assert Workstream.objects.get(pk=workstream.pk).version == 1


def test_a_service_refusal_is_reported_at_its_row(tmp_path, setup):
    council, lead, round, _workstream = setup
    sheets = _sheets()
    sheets[fmt.DSG_GOVERNANCE.name][1] = _row(
        fmt.DSG_GOVERNANCE,
        financial_year="2025-26",
        update_number=1,
        schools_forum_date=dt.date(2025, 6, 12),
        next_review_date=dt.date(2025, 1, 1),
    )
    result = _import(tmp_path, council, sheets, lead)
    assert [(e.sheet, e.row) for e in result.errors] == [(fmt.DSG_GOVERNANCE.name, 2)]
    assert not result.applied
    assert not RoundNarrative.objects.filter(round=round).exclude(text="").exists()


def test_the_export_writes_the_sheets_back(tmp_path, setup):
    council, lead, _round, _workstream = setup
    assert not _import(tmp_path, council, _sheets(), lead).errors
    book = openpyxl.load_workbook(io.BytesIO(workbook_export(council=council)), read_only=True)
    texts = list(book[fmt.DSG_TEXTS.name].iter_rows(values_only=True))
    log = list(book[fmt.WORKSTREAM_LOG.name].iter_rows(values_only=True))
    governance = list(book[fmt.DSG_GOVERNANCE.name].iter_rows(values_only=True))
    book.close()
    assert [row[3:] for row in texts[1:]] == [
        ("financial_plan", "Balanced by 2028-29."),
        ("parents_carers", "Two workshops with the parent carer forum."),
    ]
    assert log[1][:3] == (2, "Inclusion advisers", "Head of inclusion")
    assert log[1][5:] == ("On track", "Mainstream top-ups")
    assert governance[1][1:3] == ("2025-26", 1)
    # What was exported imports back with no change.
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook_export(council=council))
    again = workbook_import(file=path, council_slug=council.slug, by=lead, dry_run=True)
    assert not again.errors, [str(e) for e in again.errors]
    changed = {s.name: s.changed + s.created for s in again.sheets}
    assert changed.get(fmt.DSG_TEXTS.name, 0) == 0
    assert changed.get(fmt.WORKSTREAM_LOG.name, 0) == 0


def test_the_blank_template_has_the_sheets_with_an_example_row():
    book = openpyxl.load_workbook(io.BytesIO(workbook_template()), read_only=True)
    for spec in (fmt.DSG_TEXTS, fmt.DSG_GOVERNANCE, fmt.WORKSTREAM_LOG):
        rows = list(book[spec.name].iter_rows(values_only=True))
        assert list(rows[0]) == headers(spec)
        assert str(rows[1][0]).startswith("EXAMPLE")
    book.close()
