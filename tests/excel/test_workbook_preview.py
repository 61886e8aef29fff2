"""What an import preview says: each change (sheet, row, key, field, old and new), "nothing to
import" when the workbook matches, and a refusal pointing at the cell that was changed."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics.models import MeasureValue
from svmonitor.models import ImportPreview
from tests.excel.builders import build_council_data, headers, workbook_bytes
from workbook import format as fmt
from workbook.importer import workbook_import
from workbook.plan import MAX_CHANGE_LINES, ChangeLine

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def write(tmp_path):
    def _write(sheets):
        path = tmp_path / "book.xlsx"
        path.write_bytes(workbook_bytes(sheets))
        return path

    return _write


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _updates(*rows):
    return {fmt.CONDITION_UPDATES.name: [headers(fmt.CONDITION_UPDATES), *rows]}


def test_each_changed_field_is_listed_with_its_old_and_new_value(council, write):
    build_council_data(council)
    sheets = {
        **_updates([None, "2024-25", 2, "3.1", "Amber", "Recovery plan agreed"]),
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["ehcps", dt.date(2024, 4, 1), "actual", 9999, ""],
            ["ehcps", dt.date(2025, 6, 1), "actual", 5100, ""],
        ],
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug, dry_run=True)

    assert result.errors == [] and result.has_changes
    key = "2024-25 / 2 / 3.1"
    assert ChangeLine("Condition updates", 2, key, "Assurance level", "Red", "Amber") in (
        result.changes
    )
    assert (
        ChangeLine("Condition updates", 2, key, "Progress update", "@risk", "Recovery plan agreed")
        in result.changes
    )
    value_lines = [line for line in result.changes if line.sheet == fmt.VALUES_LONG.name]
    assert value_lines[0] == ChangeLine(
        "Measure values", 2, "ehcps / Apr 2024 / actual", "Value", "5084", "9999"
    )
    assert value_lines[1].key == "ehcps / Jun 2025 / actual" and value_lines[1].is_new
    assert result.changes_total == len(result.changes) == 4


def test_a_long_list_stops_at_the_limit_and_counts_the_rest(council, write):
    build_council_data(council)
    months = [dt.date(2023 + (3 + n) // 12, (3 + n) % 12 + 1, 1) for n in range(72)]
    rows = [
        [code, month, series, n, ""]
        for code in ("ehcps", "inmss-pct")
        for series in ("goal", "stretch")
        for n, month in enumerate(months)
    ][: MAX_CHANGE_LINES + 4]
    sheets = {
        fmt.SERIES.name: [
            headers(fmt.SERIES),
            ["goal", "Goal", "Baseline", 5],
            ["stretch", "Stretch", "Baseline", 6],
        ],
        fmt.VALUES_LONG.name: [headers(fmt.VALUES_LONG), *rows],
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug, dry_run=True)

    assert len(result.changes) == MAX_CHANGE_LINES
    assert result.errors == []
    assert result.changes_total == MAX_CHANGE_LINES + 4 + 2  # the figures and two series
    assert result.changes_hidden == 6


def test_an_edit_to_a_submitted_round_points_at_the_column_that_changed(council, write):
    build_council_data(council)
    # Same RAG as stored (A/G), new words: the Progress update column is the one at fault.
    sheets = _updates([None, "2024-25", 1, "1", "A/G", "Rewritten", "ehcps"])

    result = workbook_import(file=write(sheets), council_slug=council.slug)

    assert [(e.row, e.column) for e in result.errors] == [(2, "F 'Progress update'")]
    assert (
        "Update 1: This return is submitted and can no longer be edited" in result.errors[0].reason
    )


def test_the_preview_page_lists_the_changes(client, council, la_officer):
    build_council_data(council)
    client.force_login(la_officer)
    book = workbook_bytes(_updates([None, "2024-25", 2, "3.1", "Red", "New words"]))
    response = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": SimpleUploadedFile("book.xlsx", book, content_type=XLSX)},
    )
    html = response.content.decode()
    assert "What will change" in html
    assert "2024-25 / 2 / 3.1" in html and "Progress update" in html
    assert "@risk" in html and "New words" in html
    assert "Import 0 new and 1 changed rows" in html


def test_a_workbook_that_matches_is_nothing_to_import(client, council, la_officer, settings):
    build_council_data(council)
    client.force_login(la_officer)
    book = workbook_bytes(_updates([None, "2024-25", 2, "3.1", "Red", "@risk"]))
    response = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": SimpleUploadedFile("book.xlsx", book, content_type=XLSX)},
    )
    html = response.content.decode()
    assert "Nothing to import: the workbook matches what is stored" in html
    assert "workbook:workbook_confirm" not in html
    assert reverse("workbook:workbook_confirm", args=[council.slug]) not in html
    assert "Import 0 new" not in html
    assert response.context["token"] == ""
    # The upload form is offered again, and the checked file is not kept.
    assert 'type="file"' in html
    assert not list((settings.MEDIA_ROOT / "imports").glob("*.xlsx"))
    assert not ImportPreview.objects.exists()
    assert MeasureValue.objects.filter(measure__council=council).count() == 43
