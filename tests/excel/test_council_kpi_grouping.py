"""The Council sheet's "KPIs grouped by" column: set by a site administrator through the same
service as the admin, written back on export, kept when blank, refused when unknown."""

import io

import openpyxl
import pytest

from svmonitor.choices import KpiGrouping
from svmonitor.models import AuditEvent, LocalAuthority
from tests.excel.builders import headers, site_admin, workbook_bytes
from workbook import format as fmt
from workbook.exporter import workbook_export
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db


def _council_row(council, grouping):
    return [council.name, council.slug, council.dfe_la_number, council.ons_code, 15, grouping]


def _import(tmp_path, council, grouping, by):
    path = tmp_path / "council.xlsx"
    sheets = {fmt.COUNCIL.name: [headers(fmt.COUNCIL), _council_row(council, grouping)]}
    path.write_bytes(workbook_bytes(sheets))
    return workbook_import(file=path, council_slug=council.slug, by=by)


def _grouping(council) -> str:
    return LocalAuthority.objects.get(pk=council.pk).kpi_grouping


def test_a_new_council_groups_its_kpis_by_programme_area(council):
    assert council.kpi_grouping == KpiGrouping.AREAS


def test_a_site_administrator_sets_the_grouping_by_workbook_with_its_history(council, tmp_path):
    result = _import(tmp_path, council, "Agreement condition", site_admin())
    assert result.applied, result.errors
    assert _grouping(council) == KpiGrouping.CONDITIONS
    event = AuditEvent.objects.filter(action="council.save").latest("pk")
    assert event.after["kpi_grouping"] == KpiGrouping.CONDITIONS


def test_the_export_writes_the_grouping_and_a_blank_cell_keeps_it(council, tmp_path):
    LocalAuthority.objects.filter(pk=council.pk).update(kpi_grouping=KpiGrouping.BOTH)
    council.refresh_from_db()
    book = openpyxl.load_workbook(io.BytesIO(workbook_export(council=council)), read_only=True)
    header, row = list(book[fmt.COUNCIL.name].iter_rows(values_only=True))[:2]
    book.close()
    assert dict(zip(header, row, strict=False))["KPIs grouped by"] == (
        "Condition and programme area"
    )
    result = _import(tmp_path, council, None, site_admin())
    assert result.applied, result.errors
    assert _grouping(council) == KpiGrouping.BOTH


def test_an_unknown_grouping_is_refused_naming_the_cell(council, tmp_path):
    result = _import(tmp_path, council, "By KPI", site_admin())
    assert not result.applied
    (error,) = result.errors
    assert (error.sheet, error.row) == ("Council", 2)
    assert error.column.startswith("F")
    assert "Agreement condition, Programme area, Condition and programme area" in error.reason
    assert _grouping(council) == KpiGrouping.AREAS
