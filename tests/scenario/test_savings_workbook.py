"""Forecast savings by workstream in the programme workbook (issue 18.3): a Workstream savings
sheet read under the import's rules and written through the grid's service, and a read-only
Mitigation sheet worked out as the dashboard works it."""

import io
from decimal import Decimal

import openpyxl
import pytest

from conditions.models import WorkstreamSaving
from svmonitor.models import AuditEvent
from tests import factories as f
from tests.excel.builders import headers, site_admin, workbook_bytes
from tests.scenario.builders import M, mitigation_data
from workbook import format as fmt
from workbook.exporter import workbook_export
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db


def _sheet(data: bytes, name: str) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(workbook[name].iter_rows(values_only=True))
    finally:
        workbook.close()


def _savings():
    return sorted(
        (s.workstream.name, s.financial_year, s.saving)
        for s in WorkstreamSaving.objects.select_related("workstream")
    )


def test_the_export_carries_each_saving_and_the_mitigation_by_year(agreement):
    mitigation_data(agreement)
    data = workbook_export(council=agreement.council)
    savings = _sheet(data, "Workstream savings")
    assert savings[0] == ("Programme area", "Workstream", "Financial year", "Expected saving (£)")
    assert savings[1] == (1, "Family hubs", "2024-25", 6000000)
    mitigation = _sheet(data, "Mitigation")
    rows_2025 = [row[1:] for row in mitigation if row[0] == "2025-26"]
    assert rows_2025 == [
        ("Unmitigated forecast", -50000000),
        ("Saving: Family hubs", 8000000),
        ("Saving: Resource bases", 4000000),
        ("Not attributed to a workstream", 3000000),
        ("Mitigated forecast (latest)", -35000000),
    ]
    assert ("2023-24", "Actual (outturn)", -38000000) in mitigation


def test_savings_round_trip_through_the_workbook_with_history(agreement, tmp_path):
    mitigation_data(agreement)
    before = _savings()
    first = workbook_export(council=agreement.council)
    WorkstreamSaving.objects.all().delete()
    path = tmp_path / "export.xlsx"
    path.write_bytes(first)
    result = workbook_import(file=path, council_slug=agreement.council.slug, by=site_admin())
    assert result.errors == []
    assert _savings() == before
    created = AuditEvent.objects.filter(action="workstream_saving.create")
    assert created.count() == 5 and all(e.via.startswith("via workbook") for e in created)
    second = workbook_export(council=agreement.council)
    for sheet in ("Workstream savings", "Mitigation", "Finance"):
        assert _sheet(first, sheet) == _sheet(second, sheet)
    # Importing it again changes nothing.
    path.write_bytes(second)
    again = workbook_import(file=path, council_slug=agreement.council.slug, by=site_admin())
    assert again.errors == [] and again.totals["created"] == again.totals["changed"] == 0


def _import(agreement, tmp_path, rows):
    path = tmp_path / "savings.xlsx"
    path.write_bytes(
        workbook_bytes({fmt.WORKSTREAM_SAVINGS.name: [headers(fmt.WORKSTREAM_SAVINGS), *rows]})
    )
    result = workbook_import(file=path, council_slug=agreement.council.slug, by=site_admin())
    return {(e.sheet, e.row, e.column.split(" ")[0]): e.reason for e in result.errors}


def test_a_bad_savings_row_names_its_row_and_column_and_nothing_is_written(agreement, tmp_path):
    area = f.ProgrammeAreaFactory(council=agreement.council, number=1)
    f.WorkstreamFactory(area=area, name="Family hubs")
    good = [1, "Family hubs", "2024-25", 1000000]
    # Cells that cannot be read: found before anything is written.
    where = _import(
        agreement,
        tmp_path,
        [good, [1, "Family hubs", "2025-26", "lots"], [1, "No such", "2025-26", 5]],
    )
    assert where[("Workstream savings", 3, "D")] == "must be a number, not 'lots'"
    assert where[("Workstream savings", 4, "B")] == "no workstream 'No such' in area 1"
    # Rows the service refuses (the grid's rules): the whole import is rolled back.
    where = _import(
        agreement,
        tmp_path,
        [good, [1, "Family hubs", "2060-61", 5], [1, "Family hubs", "2026-27", -5]],
    )
    assert where[("Workstream savings", 3, "C")] == "Choose a year from 2023-24 to 2038-39."
    assert "positive amount" in where[("Workstream savings", 4, "D")]
    assert not WorkstreamSaving.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="workstream_saving").exists()


def test_the_blank_template_explains_the_savings_sheet():
    from workbook.template import workbook_template

    data = workbook_template()
    rows = _sheet(data, "Workstream savings")
    assert rows[0] == tuple(headers(fmt.WORKSTREAM_SAVINGS))
    assert Decimal(str(rows[1][3])) == Decimal(1500000)
    assert M  # the shared builder's unit
