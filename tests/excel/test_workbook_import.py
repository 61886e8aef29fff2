"""The import service: creates, changes, leaves; reports every bad cell; never half-writes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from conditions.models import ConditionUpdate
from finance.models import FinanceLine
from metrics.models import DataSource, Measure, MeasureValue, Series
from svmonitor.choices import Rag, RoundStatus
from svmonitor.models import AuditEvent, LocalAuthority, ReportingRound
from tests.excel.builders import (
    build_council_data,
    headers,
    minimal_sheets,
    site_admin,
    workbook_bytes,
)
from tests.factories import UserFactory
from workbook import format as fmt
from workbook.importer import workbook_import


@pytest.fixture
def admin(db):
    return site_admin()


@pytest.fixture
def write(tmp_path):
    def _write(sheets, name="book.xlsx"):
        path = tmp_path / name
        path.write_bytes(workbook_bytes(sheets))
        return path

    return _write


def _counts():
    return (
        LocalAuthority.objects.count(),
        MeasureValue.objects.count(),
        Measure.objects.count(),
        ConditionUpdate.objects.count(),
        FinanceLine.objects.count(),
    )


def test_it_creates_a_new_council_from_the_council_sheet(admin, write):
    result = workbook_import(file=write(minimal_sheets()), council_slug="new-council", by=admin)

    assert result.errors == []
    assert result.council_created and result.applied
    council = LocalAuthority.objects.get(slug="new-council")
    assert council.name == "New Council" and council.dfe_la_number == "999"
    values = MeasureValue.objects.filter(measure__council=council).order_by("period")
    assert [(v.period, v.value) for v in values] == [
        (dt.date(2024, 4, 1), Decimal("5000")),
        (dt.date(2024, 5, 1), Decimal("5010")),
    ]
    # The grid left the series blank: the council's "actual" line is made for it.
    assert values[0].series.kind == Series.Kind.ACTUAL
    assert DataSource.objects.get(council=council).name == "MI"
    assert ReportingRound.objects.get(agreement__council=council).data_as_at == dt.date(2024, 4, 1)
    assert AuditEvent.objects.filter(action="workbook_import", council=council).count() == 1


def test_importing_the_same_file_twice_changes_nothing_the_second_time(admin, write):
    path = write(minimal_sheets())
    workbook_import(file=path, council_slug="new-council", by=admin)
    before = _counts()

    again = workbook_import(file=path, council_slug="new-council", by=admin)

    assert again.errors == []
    assert again.totals["created"] == 0 and again.totals["changed"] == 0
    assert again.totals["unchanged"] >= 5
    assert _counts() == before


def test_a_dry_run_previews_but_writes_nothing(admin, write):
    result = workbook_import(
        file=write(minimal_sheets()), council_slug="new-council", dry_run=True, by=admin
    )

    assert result.ok and not result.applied
    grid = next(s for s in result.sheets if s.name == fmt.GRID.name)
    assert grid.created == 2
    assert not LocalAuthority.objects.filter(slug="new-council").exists()


def test_it_reports_a_change_and_applies_it(council, la_officer, write):
    data = build_council_data(council)
    sheets = {
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["ehcps", dt.date(2024, 4, 1), "actual", 9999, ""],
        ]
    }
    result = workbook_import(file=write(sheets), council_slug=council.slug, by=la_officer)

    assert result.errors == []
    summary = result.sheets[0]
    assert (summary.created, summary.changed, summary.unchanged) == (0, 1, 0)
    value = MeasureValue.objects.get(
        measure=data["ehcp"], period=dt.date(2024, 4, 1), series__slug="actual"
    )
    assert value.value == 9999


def test_it_reports_every_bad_cell_at_once_and_writes_nothing(council, write):
    build_council_data(council)
    before = _counts()
    sheets = {
        fmt.RISKS.name: [
            headers(fmt.RISKS),
            [2, "There is a risk that", "", "", "high", 3],
        ],
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["no-such-measure", dt.date(2024, 4, 1), "actual", 1],
            ["ehcps", dt.date(2031, 4, 1), "actual", 1],
            ["ehcps", dt.date(2024, 6, 1), "sv-forecast", 1],
            ["ehcps", dt.date(2024, 6, 1), "sv-forecast", 2],
        ],
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, "2024-25", 2, "3.1", "Purple", "text"],
        ],
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug)

    found = {(e.sheet, e.row, e.column.split()[0]): e.reason for e in result.errors}
    assert "whole number" in found[("Risks", 2, "E")]
    assert "unknown measure 'no-such-measure'" in found[("Measure values", 2, "A")]
    assert "outside the agreement" in found[("Measure values", 3, "B")]
    assert "duplicate" in found[("Measure values", 5, "B")]
    assert "not recognised" in found[("Condition updates", 2, "E")]
    assert len(result.errors) == 5
    assert not result.applied
    assert _counts() == before


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("R", Rag.RED),
        ("Amber / Green", Rag.AMBER_GREEN),
        ("A/G", Rag.AMBER_GREEN),
        ("Green - On Track", Rag.GREEN),
        ("red", Rag.RED),
    ],
)
def test_rag_cells_accept_council_notations_and_say_how_they_were_read(
    council, la_officer, write, written, level
):
    data = build_council_data(council)
    sheets = {
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, "2024-25", 2, "3.1", written, "Narrative"],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug, by=la_officer)

    assert result.errors == []
    assert result.rag_notations()[0]["written"] == written
    assert result.rag_notations()[0]["level"] == Rag(level).label
    update = ConditionUpdate.objects.get(round=data["draft"], condition__label="3.1")
    assert update.rag == level


def test_it_refuses_to_change_updates_of_a_submitted_round(council, write):
    data = build_council_data(council)
    sheets = {
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, "2024-25", 1, "1", "Red", "Rewritten"],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug)

    assert [e.reason for e in result.errors] == [
        "2024-25 Update 1: This return is submitted and can no longer be edited; reopen it first."
    ]
    update = ConditionUpdate.objects.get(round=data["submitted"])
    assert update.rag == Rag.AMBER_GREEN and update.narrative == "-5% on plan"


def test_identical_updates_of_a_submitted_round_are_unchanged(council, write):
    build_council_data(council)
    sheets = {
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, "2024-25", 1, "1", "A/G", "-5% on plan", "ehcps"],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug)

    assert result.errors == []
    assert result.totals == {"created": 0, "changed": 0, "unchanged": 1}


def test_it_refuses_to_change_a_rounds_status(council, write):
    build_council_data(council)
    sheets = {
        fmt.ROUNDS.name: [
            headers(fmt.ROUNDS),
            [None, "2024-25", 2, dt.date(2024, 8, 31), None, "Submitted to DfE"],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug)

    assert [e.column.split()[0] for e in result.errors] == ["F"]
    assert "status cannot be changed" in result.errors[0].reason
    assert ReportingRound.objects.get(update_number=2).status == RoundStatus.DRAFT


def test_only_a_site_administrator_may_create_a_council(db, write):
    officer = UserFactory()

    result = workbook_import(file=write(minimal_sheets()), council_slug="new-council", by=officer)

    assert "only a site administrator" in result.errors[0].reason
    assert not LocalAuthority.objects.filter(slug="new-council").exists()


def test_the_council_sheet_must_match_the_council_imported_into(council, write):
    sheets = minimal_sheets(slug="somewhere-else")

    result = workbook_import(file=write(sheets), council_slug=council.slug)

    assert "is for 'somewhere-else'" in result.errors[0].reason


def _fail_finance_inserts():
    # A database trigger, not a mock: the last write of the import fails inside the database.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER fail_finance BEFORE INSERT ON finance_financeline "
                "BEGIN SELECT RAISE(ABORT, 'finance insert refused'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION fail_finance() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'finance insert refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER fail_finance BEFORE INSERT ON finance_financeline "
                "FOR EACH ROW EXECUTE FUNCTION fail_finance()"
            )


def test_a_failure_during_the_write_rolls_back_the_whole_import(admin, write):
    sheets = minimal_sheets()
    sheets[fmt.FINANCE.name] = [headers(fmt.FINANCE), [None, "2024-25", "Latest forecast", -5]]
    _fail_finance_inserts()

    with pytest.raises(Exception, match="finance insert refused"):
        workbook_import(file=write(sheets), council_slug="new-council", by=admin)

    assert not LocalAuthority.objects.filter(slug="new-council").exists()
    assert MeasureValue.objects.count() == 0


def test_unknown_and_duplicate_columns_are_reported(council, write):
    build_council_data(council)
    sheets = {
        fmt.RISKS.name: [
            [*headers(fmt.RISKS), "Impact (1-5)", "Colour"],
            [1, "There is a risk that", "", "", 4, 3, "", "", "Yes", 5, "red"],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug)

    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (1, "J 'Impact (1-5)'", "duplicate column: also column E")
    ]
    assert result.notes == [
        "Sheet 'Risks': column K 'Colour' is not part of the format and was ignored."
    ]
