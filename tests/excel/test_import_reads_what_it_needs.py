"""The import reads from the database only what the workbook's sheets need (issue 14.3)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import MeasureValue
from tests.excel.builders import build_council_data, headers, site_admin, workbook_bytes
from workbook import format as fmt
from workbook.importer import workbook_import

# Tables of sheets a figures-only workbook does not have, nor needs to resolve its figures.
NOT_NEEDED = (
    "svmonitor_ragdefinition",
    "svmonitor_keycontact",
    "svmonitor_reportinground",
    "finance_paymentinstalment",
    "finance_deficitcap",
    "finance_financeline",
    "svmonitor_monitoringtierchange",
    "conditions_agreementcondition",
    "conditions_programmearea",
    "conditions_workstream",
    "conditions_milestone",
    "conditions_conditionupdate",
    "conditions_workstreamupdate",
    "risks_risk",
    "risks_riskupdate",
    "metrics_headlinecard",
    "metrics_measure_conditions",
    "overview_roundoverview",
    "overview_headline",
)


@pytest.fixture
def stored(council):
    """A council with one of everything stored, so every table has rows to read."""
    return build_council_data(council)


def _import(tmp_path, council, sheets):
    path = tmp_path / "figures.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    with CaptureQueriesContext(connection) as queries:
        result = workbook_import(file=path, council_slug=council.slug, by=site_admin())
    return result, [q["sql"] for q in queries.captured_queries]


def _read_tables(sqls) -> set[str]:
    return {
        table
        for table in NOT_NEEDED
        for sql in sqls
        if f'FROM "{table}"' in sql or f'JOIN "{table}"' in sql
    }


def test_a_workbook_of_figures_only_reads_no_table_of_a_sheet_it_does_not_have(
    tmp_path, council, stored
):
    sheets = {
        fmt.GRID.name: [
            ["Measure code", "Measure", "Data source", "Series", "Jun-24", "Jul-24"],
            ["ehcps", "Number of EHCPs", "MI", None, 5100, 5110],
        ],
    }
    result, sqls = _import(tmp_path, council, sheets)
    assert result.errors == []
    assert result.applied
    assert _read_tables(sqls) == set()
    stored_figures = MeasureValue.objects.filter(
        measure__code="ehcps", series__slug="actual", period__gte=dt.date(2024, 6, 1)
    ).values_list("period", "value")
    assert sorted((p, int(v)) for p, v in stored_figures) == [
        (dt.date(2024, 6, 1), 5100),
        (dt.date(2024, 7, 1), 5110),
    ]


def test_a_sheet_that_names_rounds_and_conditions_still_reads_them(tmp_path, council, stored):
    # Condition updates resolve their round, condition, RAG words and key measures: those
    # tables are read because the sheet needs them, and an unchanged row plans no change.
    sheets = {
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, "2024-25", 2, "3.1", "Red", "@risk", None],
        ],
    }
    result, sqls = _import(tmp_path, council, sheets)
    assert result.errors == []
    read = _read_tables(sqls)
    assert {"svmonitor_reportinground", "conditions_agreementcondition"} <= read
    assert "risks_risk" not in read
    assert "conditions_milestone" not in read
