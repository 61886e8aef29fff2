"""Figures as councils write them (issue 13.4): percent-formatted cells, note markers, not
available, and academic and financial years as periods of their own."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from metrics.models import MeasureValue
from tests.excel.builders import headers, minimal_sheets, site_admin
from workbook import format as fmt
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db


def _book(tmp_path, sheets: dict, percent_cells=()) -> "object":
    """An .xlsx of the sheets, with the named cells ("Measure grid!E3") formatted as percent."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
    for ref in percent_cells:
        sheet, cell = ref.split("!")
        workbook[sheet][cell].number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "council.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def _sheets(grid_rows, grid_periods=("Apr-24", "May-24", "Jun-24"), long_rows=(), notes=()):
    sheets = minimal_sheets()
    sheets[fmt.MEASURES.name] = [
        headers(fmt.MEASURES),
        ["ehcps", "Number of EHCPs", "Count", "Lower is better", "MI"],
        ["in-mainstream", "% in mainstream", "Percent", "Higher is better", "MI"],
        ["ks2", "KS2 attainment", "Percent", "Higher is better", "DfE", "Annual"],
    ]
    sheets[fmt.GRID.name] = [
        ["Measure code", "Measure", "Data source", "Series", *grid_periods],
        *grid_rows,
    ]
    if long_rows:
        sheets[fmt.VALUES_LONG.name] = [headers(fmt.VALUES_LONG), *long_rows]
    if notes:
        sheets[fmt.VALUE_NOTES.name] = [headers(fmt.VALUE_NOTES), *notes]
    return sheets


def _stored():
    return {
        (v.measure.code, v.period_label): (v.value, v.not_available_reason, v.note)
        for v in MeasureValue.objects.select_related("measure")
    }


def test_a_percent_formatted_cell_is_read_as_the_percentage_it_shows(tmp_path):
    path = _book(
        tmp_path,
        _sheets([["in-mainstream", None, "MI", None, 0.375, 38.1, "39%"]]),
        percent_cells=["Measure grid!E2"],
    )
    result = workbook_import(file=path, council_slug="new-council", by=site_admin())
    assert result.errors == []
    assert _stored() == {
        ("in-mainstream", "Apr 2024"): (Decimal("37.5"), "", ""),
        ("in-mainstream", "May 2024"): (Decimal("38.1"), "", ""),
        ("in-mainstream", "Jun 2024"): (Decimal("39"), "", ""),
    }
    # The preview says which cells were read by their format.
    assert any(
        "1 figure formatted as a percentage was read as the percentage shown" in note
        and "Measure grid E2" in note
        for note in result.notes
    )


def test_marked_figures_are_stored_with_the_note_the_value_notes_sheet_gives(tmp_path):
    sheets = _sheets(
        [
            ["in-mainstream", None, "MI", None, "42%*", 43, "44%†"],
            ["ehcps", None, "MI", None, "6,357*", 6400, 6410],
        ],
        notes=[["*", "Provisional: SEN2 not yet validated"], ["†", "Pro rata"]],
    )
    result = workbook_import(
        file=_book(tmp_path, sheets), council_slug="new-council", by=site_admin()
    )
    assert result.errors == []
    stored = _stored()
    assert stored[("in-mainstream", "Apr 2024")] == (
        Decimal("42"),
        "",
        "Provisional: SEN2 not yet validated",
    )
    assert stored[("in-mainstream", "Jun 2024")] == (Decimal("44"), "", "Pro rata")
    assert stored[("ehcps", "Apr 2024")] == (
        Decimal("6357"),
        "",
        "Provisional: SEN2 not yet validated",
    )
    assert stored[("ehcps", "May 2024")] == (Decimal("6400"), "", "")


def test_a_marker_with_no_meaning_is_an_error_naming_sheet_row_and_column(tmp_path):
    sheets = _sheets([["ehcps", None, "MI", None, "6,357*", 6400, 6410]])
    result = workbook_import(
        file=_book(tmp_path, sheets), council_slug="new-council", by=site_admin()
    )
    assert [str(e) for e in result.errors] == [
        "sheet 'Measure grid', row 2, column E 'Apr-24': the note marker '*' is not on the "
        "'Value notes' sheet: add a row giving the marker and what it means"
    ]
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("-", "Not available"),
        ("n/a", "Not available"),
        ("N/A", "Not available"),
        ("not available", "Not available"),
        ("Not available: SEN2 not yet published", "SEN2 not yet published"),
        ("n/a*", "Data supplied annually"),
    ],
)
def test_dashes_and_na_are_stored_as_not_available_with_the_reason(tmp_path, written, reason):
    sheets = _sheets(
        [["ehcps", None, "MI", None, written, 6400, None]],
        notes=[["*", "Data supplied annually"]],
    )
    result = workbook_import(
        file=_book(tmp_path, sheets), council_slug="new-council", by=site_admin()
    )
    assert result.errors == []
    assert _stored()[("ehcps", "Apr 2024")] == (None, reason, "")
    # Importing the same workbook again changes nothing.
    again = workbook_import(
        file=_book(tmp_path, sheets), council_slug="new-council", by=site_admin()
    )
    assert again.errors == []
    assert again.totals["created"] == again.totals["changed"] == 0


def test_academic_and_financial_years_are_periods_of_their_own(tmp_path):
    sheets = _sheets(
        [["ks2", None, "DfE", None, 61, "58%", "n/a"]],
        grid_periods=("2023-24 AY", "2024-25", "Sep-24"),
        long_rows=[
            ["ks2", "2024-25 AY", None, "62*", "Provisional"],
            ["ks2", "AY 2022-23", None, "n/a", ""],
        ],
    )
    sheets[fmt.AGREEMENTS.name][1][2] = "2022-23"
    result = workbook_import(
        file=_book(tmp_path, sheets), council_slug="new-council", by=site_admin()
    )
    assert result.errors == []
    stored = _stored()
    assert stored == {
        ("ks2", "2023-24 AY"): (Decimal("61"), "", ""),
        ("ks2", "2024-25"): (Decimal("58"), "", ""),
        ("ks2", "Sep 2024"): (None, "Not available", ""),
        ("ks2", "2024-25 AY"): (Decimal("62"), "", "Provisional"),
        ("ks2", "2022-23 AY"): (None, "Not available", ""),
    }
    kinds = dict(
        MeasureValue.objects.values_list("period", "period_kind").filter(
            period__in=[dt.date(2023, 9, 1), dt.date(2024, 4, 1)]
        )
    )
    assert kinds == {dt.date(2023, 9, 1): "academic_year", dt.date(2024, 4, 1): "financial_year"}


def test_a_year_outside_the_agreement_is_refused_naming_the_cell(tmp_path):
    sheets = _sheets([["ks2", None, "DfE", None, 61]], grid_periods=("2021-22 AY",))
    result = workbook_import(
        file=_book(tmp_path, sheets), council_slug="new-council", by=site_admin()
    )
    assert [str(e) for e in result.errors] == [
        "sheet 'Measure grid', row 2, column E '2021-22 AY': The academic year 2021-22 is "
        "outside the agreement's years (April 2023 to March 2028)."
    ]


def test_a_figure_that_is_neither_number_nor_not_available_names_its_cell(tmp_path):
    sheets = _sheets([["ehcps", None, "MI", None, "about 40", 6400, None]])
    result = workbook_import(
        file=_book(tmp_path, sheets), council_slug="new-council", by=site_admin()
    )
    assert [str(e) for e in result.errors] == [
        "sheet 'Measure grid', row 2, column E 'Apr-24': must be a number, not 'about 40'"
    ]


def test_the_preview_page_says_which_cells_were_read_by_their_format(client, council, la_officer):
    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.excel.builders import build_council_data

    build_council_data(council)
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = fmt.GRID.name
    ws.append(["Measure code", "Measure", "Data source", "Series", "Apr-24", "May-24"])
    ws.append(["inmss-pct", None, None, None, 0.0675, "n/a*"])
    ws["E2"].number_format = "0.00%"
    notes = workbook.create_sheet(fmt.VALUE_NOTES.name)
    notes.append(headers(fmt.VALUE_NOTES))
    notes.append(["*", "Suppressed: fewer than 5 children"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(la_officer)
    response = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": SimpleUploadedFile("book.xlsx", buffer.getvalue())},
    )
    html = response.content.decode()
    assert (
        "1 figure formatted as a percentage was read as the percentage shown (0.375 shown as "
        "37.5% is stored as 37.5): Measure grid E2." in html
    )
    # The changes say what each figure becomes: 6.75, and not available with the reason.
    assert "inmss-pct / Apr 2024 / actual" in html and "6.75" in html
    assert "Not available: Suppressed: fewer than 5 children" in html


def test_a_percent_formatted_value_on_the_long_sheet_is_read_as_shown(tmp_path):
    sheets = _sheets(
        [["ehcps", None, "MI", None, 6357, None, None]],
        long_rows=[
            ["EXAMPLE", "Apr-24", None, 0.5, ""],
            ["in-mainstream", "Apr-24", None, 0.4125, "provisional"],
        ],
    )
    path = _book(tmp_path, sheets, percent_cells=["Measure values!D2", "Measure values!D3"])
    result = workbook_import(file=path, council_slug="new-council", by=site_admin())
    assert result.errors == []
    assert _stored()[("in-mainstream", "Apr 2024")] == (Decimal("41.25"), "", "provisional")
    # The example row is skipped, and not named among the cells read by their format.
    assert any(
        note.endswith(
            "was read as the percentage shown (0.375 shown as 37.5% is "
            "stored as 37.5): Measure values D3."
        )
        for note in result.notes
    )
