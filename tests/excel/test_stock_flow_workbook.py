"""The workbook's doors to issue 18.1's settings: the Measures sheet's "Stock and flow role"
(through measure_upsert like the admin) and the Council sheet's "Stock and flow gap threshold
(%)" (a site administrator's, through the council's service like the admin); written back on
export, kept when blank, cleared by None, refused with the cell named when wrong."""

import io
from decimal import Decimal

import openpyxl
import pytest

from metrics.models import Measure
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


def _exported(council, sheet) -> list[dict]:
    book = openpyxl.load_workbook(io.BytesIO(workbook_export(council=council)), read_only=True)
    header, *rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    return [dict(zip(header, row, strict=False)) for row in rows]


def _measure_row(code, name, role=None):
    cells = {
        "Measure code": code,
        "Measure": name,
        "Unit": "Count",
        "Polarity": "Neither",
        "Data source": "SEN2",
    }
    if role is not None:
        cells["Stock and flow role"] = role
    return _row(fmt.MEASURES, **cells)


@pytest.fixture
def measures(council):
    AgreementFactory(council=council)
    source = DataSourceFactory(council=council, name="SEN2")
    return {
        code: MeasureFactory(council=council, code=code, name=name, data_source=source)
        for code, name in (("ehcps", "EHCPs"), ("issued", "Issued"), ("ceased", "Ceased"))
    }


def test_the_measures_sheet_sets_the_roles_with_history_and_the_export_writes_them(
    council, measures, tmp_path
):
    rows = [
        _measure_row("ehcps", "EHCPs", "EHCPs in force (stock)"),
        _measure_row("issued", "Issued", "Plans issued (flow)"),
        _measure_row("ceased", "Ceased", "ceased"),
    ]
    result = _import(
        tmp_path, council, {fmt.MEASURES.name: [headers(fmt.MEASURES), *rows]}, site_admin()
    )
    assert result.applied, result.errors
    roles = dict(Measure.objects.filter(council=council).values_list("code", "stock_flow_role"))
    assert roles == {"ehcps": "stock", "issued": "issued", "ceased": "ceased"}
    event = AuditEvent.objects.filter(action="measure.save").latest("pk")
    assert event.after["stock_flow_role"] == "ceased"
    assert event.via.startswith("via workbook")
    exported = {
        row["Measure code"]: row["Stock and flow role"]
        for row in _exported(council, fmt.MEASURES.name)
    }
    assert exported == {
        "ehcps": "EHCPs in force (stock)",
        "issued": "Plans issued (flow)",
        "ceased": "Plans ceased (flow)",
    }


def test_a_blank_role_keeps_it_and_none_clears_it(council, measures, tmp_path):
    Measure.objects.filter(pk=measures["ehcps"].pk).update(stock_flow_role="stock")
    Measure.objects.filter(pk=measures["issued"].pk).update(stock_flow_role="issued")
    rows = [_measure_row("ehcps", "EHCPs"), _measure_row("issued", "Issued", "None")]
    result = _import(
        tmp_path, council, {fmt.MEASURES.name: [headers(fmt.MEASURES), *rows]}, site_admin()
    )
    assert result.applied, result.errors
    roles = dict(Measure.objects.filter(council=council).values_list("code", "stock_flow_role"))
    assert roles == {"ehcps": "stock", "issued": "", "ceased": ""}


def test_an_unknown_role_is_refused_naming_the_cell(council, measures, tmp_path):
    rows = [_measure_row("ehcps", "EHCPs", "Plans in force")]
    result = _import(
        tmp_path, council, {fmt.MEASURES.name: [headers(fmt.MEASURES), *rows]}, site_admin()
    )
    assert not result.applied
    (error,) = result.errors
    assert (error.sheet, error.row) == ("Measures", 2)
    assert "Stock and flow role" in error.column
    assert "EHCPs in force (stock)" in error.reason
    assert Measure.objects.get(pk=measures["ehcps"].pk).stock_flow_role == ""


def test_the_council_sheet_sets_the_threshold_and_the_export_writes_it(council, tmp_path):
    cells = {"Key risk score": 15, "Stock and flow gap threshold (%)": 3.5}
    row = _row(fmt.COUNCIL, Name=council.name, Slug=council.slug, **cells)
    result = _import(
        tmp_path, council, {fmt.COUNCIL.name: [headers(fmt.COUNCIL), row]}, site_admin()
    )
    assert result.applied, result.errors
    assert LocalAuthority.objects.get(pk=council.pk).stock_flow_gap_percent == Decimal("3.5")
    council.refresh_from_db()
    (exported,) = _exported(council, fmt.COUNCIL.name)
    assert Decimal(str(exported["Stock and flow gap threshold (%)"])) == Decimal("3.5")


def test_a_threshold_over_100_is_refused(council, tmp_path):
    cells = {"Key risk score": 15, "Stock and flow gap threshold (%)": 150}
    row = _row(fmt.COUNCIL, Name=council.name, Slug=council.slug, **cells)
    result = _import(
        tmp_path, council, {fmt.COUNCIL.name: [headers(fmt.COUNCIL), row]}, site_admin()
    )
    assert not result.applied
    assert any("100" in error.reason for error in result.errors), result.errors
    assert LocalAuthority.objects.get(pk=council.pk).stock_flow_gap_percent == Decimal("2.00")
