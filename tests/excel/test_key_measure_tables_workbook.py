"""The workbook's doors to issue 13.5's settings: the Council sheet's "Key-measure tables" and
"Months in the grid" (a site administrator's, through council_save like the admin) and the
Measures sheet's "Chart in DfE report" (through measure_upsert like the admin); written back on
export, kept when blank, refused with the cell named when wrong."""

import io

import openpyxl
import pytest

from metrics.models import Measure
from svmonitor.choices import KpiTableLayout
from svmonitor.models import AuditEvent, LocalAuthority
from tests.excel.builders import headers, site_admin, workbook_bytes
from tests.factories import AgreementFactory, DataSourceFactory, MeasureFactory
from workbook import format as fmt
from workbook.exporter import workbook_export
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db


def _row(spec, **by_header) -> list:
    return [by_header.get(column.header) for column in spec.columns]


def _import(tmp_path, council, sheets, by):
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    return workbook_import(file=path, council_slug=council.slug, by=by)


def _council_sheet(council, **cells):
    row = _row(fmt.COUNCIL, Name=council.name, Slug=council.slug, **{"Key risk score": 15}, **cells)
    return {fmt.COUNCIL.name: [headers(fmt.COUNCIL), row]}


def _exported(council, sheet) -> list[dict]:
    book = openpyxl.load_workbook(io.BytesIO(workbook_export(council=council)), read_only=True)
    header, *rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    return [dict(zip(header, row, strict=False)) for row in rows]


def test_a_new_council_prints_plan_actual_and_last_year_as_before(council):
    assert council.kpi_table_layout == KpiTableLayout.SERIES
    assert council.kpi_table_months == 13


def test_a_site_administrator_chooses_a_13_month_grid_by_workbook_with_its_history(
    council, tmp_path
):
    sheets = _council_sheet(
        council, **{"Key-measure tables": "Grid of the last months", "Months in the grid": 13}
    )
    result = _import(tmp_path, council, sheets, site_admin())
    assert result.applied, result.errors
    council.refresh_from_db()
    assert (council.kpi_table_layout, council.kpi_table_months) == (KpiTableLayout.MONTHS, 13)
    event = AuditEvent.objects.filter(action="council.save").latest("pk")
    assert event.after["kpi_table_layout"] == KpiTableLayout.MONTHS
    assert event.via.startswith("via workbook")


def test_the_export_writes_the_layout_and_blank_cells_keep_it(council, tmp_path):
    LocalAuthority.objects.filter(pk=council.pk).update(
        kpi_table_layout=KpiTableLayout.MONTHS, kpi_table_months=7
    )
    council.refresh_from_db()
    (row,) = _exported(council, fmt.COUNCIL.name)
    assert row["Key-measure tables"] == "Grid of the last months"
    assert row["Months in the grid"] == 7
    result = _import(tmp_path, council, _council_sheet(council), site_admin())
    assert result.applied, result.errors
    council.refresh_from_db()
    assert (council.kpi_table_layout, council.kpi_table_months) == (KpiTableLayout.MONTHS, 7)


def test_a_grid_of_more_than_24_months_is_refused_naming_the_cell(council, tmp_path):
    sheets = _council_sheet(council, **{"Months in the grid": 36})
    result = _import(tmp_path, council, sheets, site_admin())
    assert not result.applied
    (error,) = result.errors
    assert (error.sheet, error.row) == ("Council", 2)
    assert error.column.startswith("H")
    assert "24" in error.reason
    assert LocalAuthority.objects.get(pk=council.pk).kpi_table_months == 13


def test_the_measures_sheet_turns_a_chart_off_and_the_export_says_so(council, tmp_path):
    AgreementFactory(council=council)
    source = DataSourceFactory(council=council, name="MI")
    kept = MeasureFactory(council=council, code="ehcps", name="EHCPs", data_source=source)
    row = _row(
        fmt.MEASURES,
        **{
            "Measure code": "ehcps",
            "Measure": "EHCPs",
            "Unit": "Count",
            "Polarity": "Lower is better",
            "Data source": "MI",
            "Chart in DfE report": "No",
        },
    )
    sheets = {fmt.MEASURES.name: [headers(fmt.MEASURES), row]}
    result = _import(tmp_path, council, sheets, site_admin())
    assert result.applied, result.errors
    assert Measure.objects.get(pk=kept.pk).show_chart is False
    event = AuditEvent.objects.filter(action="measure.save").latest("pk")
    assert event.after["show_chart"] is False
    (exported,) = _exported(council, fmt.MEASURES.name)
    assert exported["Chart in DfE report"] == "No"
