"""Issue 19.4: the CYP tables in the programme workbook ("CYP by age", "CYP by need"): written on
export, read on import through the CYP service, and pasted from a council's own copy of DfE's
template (placement rows, census year columns, one table per age group or need); bad cells
named by sheet, row and column, and nothing changed."""

import io

import pytest
from openpyxl import load_workbook

from metrics.models import CypFigure, CypYear
from metrics.services_cyp import cyp_categories_seed, cyp_table_save
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests.conftest import _member
from tests.excel.builders import workbook_bytes
from workbook.exporter import workbook_export
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db

BY_AGE = "CYP by age"
BY_NEED = "CYP by need"


@pytest.fixture(autouse=True)
def _categories(db):
    cyp_categories_seed()


@pytest.fixture
def officer(council):
    return _member(council, Role.OFFICER, "cyp-officer")


def _import(council, by, sheets):
    return workbook_import(
        file=io.BytesIO(workbook_bytes(sheets)),
        council_slug=council.slug,
        by=by,
        filename="plan.xlsx",
    )


# As pasted from a council's copy of DfE's template: short placement names, a total row.
PASTED_AGE = [
    ["Age 5-10", "Jan 2024 (actual)", "2025", "2026 (projection)"],
    ["Mainstream", 1100, "1,200", 1300],
    ["Resourced provision / SEN units", 40, 45, 50],
    ["Maintained special / special academies", 300, 320, None],
    ["NMSS / independent special", 90, 95, 99],
    ["Total", 1530, 1660, 1449],
    [],
    ["Under 5", "2025"],
    ["Other / direct payments", 3],
]
PASTED_NEED = [
    ["ASD", "2025"],
    ["Mainstream", 700],
    ["Post-16 / FE", 20],
    [],
    ["Social, emotional and mental health (SEMH)", "2024/25"],
    ["Hospital / AP", 12],
]


def test_a_pasted_template_table_is_read_into_the_cyp_tables(council, officer):
    result = _import(council, officer, {BY_AGE: PASTED_AGE, BY_NEED: PASTED_NEED})
    assert not result.errors, [str(e) for e in result.errors]
    assert result.applied
    figures = {
        (f.year.census_year, f.placement.code, (f.age_group or f.need).code): f.count
        for f in CypFigure.objects.select_related("year", "placement", "age_group", "need")
    }
    assert figures[(2025, "mainstream", "5-10")] == 1200
    assert figures[(2026, "independent-special", "5-10")] == 99
    assert (2026, "special", "5-10") not in figures  # a blank cell: no figure
    assert figures[(2025, "other", "under-5")] == 3
    assert figures[(2025, "post-16", "asd")] == 20
    assert figures[(2025, "hospital-ap", "semh")] == 12  # 2024/25 is the January 2025 census
    assert len(figures) == 15  # the total row is not read
    bases = dict(CypYear.objects.values_list("census_year", "basis"))
    assert bases == {2024: "actual", 2025: "actual", 2026: "projection"}
    assert AuditEvent.objects.filter(action="cyp_figure.create").count() == 15


def test_a_bad_cell_is_named_by_sheet_row_and_column_and_nothing_changes(council, officer):
    rows = [list(r) for r in PASTED_AGE]
    rows[2][2] = "about 45"
    rows.append(["A made-up placement", 4])
    rows.append(["Age 99 to 100", "2025"])
    result = _import(council, officer, {BY_AGE: rows})
    errors = [str(e) for e in result.errors]
    assert any(
        "CYP by age" in e
        and "row 3" in e
        and "C '2025'" in e
        and "Resourced provision and SEN units, Age 5 to 10, January 2025" in e
        for e in errors
    ), errors
    assert any("row 10" in e and "'A made-up placement' is not one of DfE's" in e for e in errors)
    assert any("row 11" in e and "name one of DfE's age groups" in e for e in errors), errors
    assert not result.applied
    assert not CypFigure.objects.exists() and not CypYear.objects.exists()


def test_the_export_writes_both_sheets_and_they_import_back_unchanged(council, officer):
    cyp_table_save(
        council=council,
        census_year=2025,
        table="age",
        cells={("mainstream", "11-15"): 800, ("special", "11-15"): 150},
        by=officer,
    )
    cyp_table_save(
        council=council,
        census_year=2027,
        table="need",
        cells={("mainstream", "slcn"): 410},
        basis="projection",
        by=officer,
    )
    data = workbook_export(council=council)
    book = load_workbook(io.BytesIO(data))
    age = [list(r) for r in book[BY_AGE].iter_rows(values_only=True)]
    assert age[0][0].startswith("CYP by age")
    assert ["Age 11 to 15", "January 2025 (actual)", "January 2027 (projection)"] in age
    assert ["Mainstream schools and academies", 800, None] in age
    assert ["Total (computed)", 950, None] in age
    need = [list(r) for r in book[BY_NEED].iter_rows(values_only=True)]
    assert ["Mainstream schools and academies", None, 410] in need
    versions = sorted(CypFigure.objects.values_list("pk", "version"))
    # The newest event's id, not a count: PostgreSQL's ids do not restart with each test.
    events = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    result = workbook_import(
        file=io.BytesIO(data), council_slug=council.slug, by=officer, filename="export.xlsx"
    )
    assert not result.errors, [str(e) for e in result.errors]
    assert sorted(CypFigure.objects.values_list("pk", "version")) == versions
    assert not AuditEvent.objects.filter(action__startswith="cyp_").exclude(pk__lte=events)


def test_a_board_member_cannot_import_cyp_figures(council, board_member):
    result = _import(council, board_member, {BY_NEED: PASTED_NEED})
    assert not result.applied
    assert any("CYP by need" in str(e) for e in result.errors)
    assert not CypFigure.objects.exists()


def test_the_template_has_both_sheets_with_an_example_table():
    data = workbook_export(council=None, template=True)
    book = load_workbook(io.BytesIO(data))
    for sheet in (BY_AGE, BY_NEED):
        rows = list(book[sheet].iter_rows(values_only=True))
        assert rows[0][0].startswith(sheet)
        assert rows[1][0].startswith("EXAMPLE ")
