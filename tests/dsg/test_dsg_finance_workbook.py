"""The DSG financial summary in the programme workbook (issue 19.4): written on export, read on
import through the finance service, and pasted from a council's own copy of DfE's template as
year x line tables, one block and scenario each; bad cells named by sheet, row and column, and
nothing changed."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from finance.dsg_summary import dsg_summary_build
from finance.models import FinanceLine
from finance.models_dsg import DsgPlanFigure
from finance.services_dsg import dsg_plan_figures_import
from svmonitor.roles import Role
from tests.conftest import _member
from tests.excel.builders import workbook_bytes
from workbook.dsg_finance import SHEET
from workbook.exporter import workbook_export
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db

HN = "high_needs"
INMSS = "Independent and non-maintained special schools"


@pytest.fixture
def finance(council):
    return _member(council, Role.FINANCE, "finance-lead")


def _import(council, by, sheets, dry_run=False):
    return workbook_import(
        file=io.BytesIO(workbook_bytes(sheets)),
        council_slug=council.slug,
        by=by,
        filename="plan.xlsx",
        dry_run=dry_run,
    )


PASTED = [
    ["High needs block \u2013 Mitigated forecast (£000)", "2024/25", "2025-26", "2026-27"],
    ["DSG allocation after recoupment", 80000, 82400, 84872],
    ["Block transfers (in positive, out negative)", 1000, None, None],
    [INMSS, 90000, "85,000", 80000],
    ["Therapies contract", 500, 500, 500],
    ["Total expenditure", 90500, 85500, 80500],
    ["In-year position", -9500, -3100, 4372],
    [],
    ["Schools block: Mitigated forecast", "2024-25"],
    ["DSG allocation after recoupment", 300000000],
    ["Block transfers (in positive, out negative)", -1000000],
    ["Individual schools budgets", 299000000],
]


def test_a_pasted_template_table_is_read_into_the_plan_and_the_finance_lines(
    council, agreement, finance
):
    result = _import(council, finance, {SHEET: PASTED})
    assert not result.errors, [str(e) for e in result.errors]
    assert result.applied
    summary = dsg_summary_build(agreement=agreement)
    assert summary.derived[(HN, "mitigated", 2024)].in_year == Decimal("-9500000.00")
    assert summary.derived[(HN, "mitigated", 2026)].in_year == Decimal("4372000.00")
    assert summary.derived[("schools", "mitigated", 2024)].in_year == Decimal("0.00")
    latest = FinanceLine.objects.get(scenario="latest", financial_year=2025)
    assert latest.in_year_position == Decimal("-3100000.00")
    assert latest.cumulative_deficit == Decimal("12600000.00")
    assert latest.hnb_income == Decimal("82400000.00")
    assert DsgPlanFigure.objects.filter(line__name="Total expenditure").count() == 0


def test_a_bad_cell_is_named_by_sheet_row_and_column_and_nothing_changes(
    council, agreement, finance
):
    rows = [list(r) for r in PASTED]
    rows[3][2] = "about 85k"
    rows.append(["Mitigated forecast", "2024-25"])  # names no block
    rows.append(["A line with no table", 5])
    rows.append([])
    rows.append(["Another line with no table", 5])
    result = _import(council, finance, {SHEET: rows})
    errors = [str(e) for e in result.errors]
    assert any(
        "DSG financial summary" in e and "row 4" in e and "C '2025-26'" in e for e in errors
    ), errors
    assert any("row 13" in e and "name one of the four blocks" in e for e in errors), errors
    assert any("row 16" in e and "a table starts with a title row" in e for e in errors), errors
    assert not result.applied
    assert not DsgPlanFigure.objects.exists() and not FinanceLine.objects.exists()


def test_a_year_outside_the_plan_is_refused_at_its_cell(council, agreement, finance):
    rows = [["High needs block: Actual", "2010-11"], ["DSG allocation after recoupment", 5]]
    result = _import(council, finance, {SHEET: rows})
    errors = [str(e) for e in result.errors]
    assert any("row 2" in e and "B '2010-11'" in e and "choose a year" in e for e in errors), errors
    assert not DsgPlanFigure.objects.exists()


def test_the_export_writes_the_sheet_and_it_imports_back_unchanged(council, agreement, finance):
    dsg_plan_figures_import(
        agreement=agreement,
        entries={
            (HN, "mitigated", "DSG allocation after recoupment", 2024): Decimal("80000000"),
            (HN, "mitigated", INMSS, 2024): Decimal("90000000.50"),
            (HN, "unmitigated", INMSS, 2024): Decimal("99000000"),
        },
        by=finance,
    )
    data = workbook_export(council=council)
    ws = load_workbook(io.BytesIO(data))[SHEET]
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    assert ["High needs block: Mitigated forecast", "2024-25"] in values
    assert [INMSS, 90000000.5] in values
    assert ["In-year position (computed)", -10000000.5] in values
    versions = list(DsgPlanFigure.objects.values_list("version", flat=True))
    result = workbook_import(
        file=io.BytesIO(data), council_slug=council.slug, by=finance, filename="export.xlsx"
    )
    assert not result.errors, [str(e) for e in result.errors]
    assert list(DsgPlanFigure.objects.values_list("version", flat=True)) == versions


def test_the_template_has_the_sheet_with_an_example_table():
    data = workbook_export(council=None, template=True)
    ws = load_workbook(io.BytesIO(data))[SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("DSG financial summary")
    assert rows[1][0] == "EXAMPLE High needs block: Mitigated forecast"
