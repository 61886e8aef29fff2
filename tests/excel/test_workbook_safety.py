"""Hostile files get a clear refusal and change nothing."""

import re
import zipfile

import pytest

from metrics.models import MeasureValue
from svmonitor.models import LocalAuthority
from tests.excel.builders import (
    minimal_sheets,
    rewrite_part,
    site_admin,
    workbook_bytes,
    zip_bytes,
)
from workbook import format as fmt
from workbook.importer import workbook_import
from workbook.safety import WorkbookRefused

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def good():
    return workbook_bytes(minimal_sheets())


def _prepend(prolog: bytes):
    return lambda data: prolog + re.sub(rb"^<\?xml[^>]*\?>", b"", data)


def _refused(tmp_path, data: bytes, name="book.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(WorkbookRefused) as refusal:
        workbook_import(file=path, council_slug="new-council")
    assert not LocalAuthority.objects.filter(slug="new-council").exists()
    return str(refusal.value)


def test_it_refuses_a_file_over_the_size_limit(db, tmp_path, good, settings):
    settings.WORKBOOK_MAX_BYTES = len(good) - 1
    assert "the limit is" in _refused(tmp_path, good)


def test_it_refuses_a_zip_bomb_from_the_directory_totals(db, tmp_path, good, settings):
    settings.WORKBOOK_MAX_UNCOMPRESSED = 4 * 1024 * 1024
    bomb = rewrite_part(good, "docProps/app.xml", lambda data: data + b" " * (6 * 1024 * 1024))
    assert "zip bomb" in _refused(tmp_path, bomb)


def test_it_refuses_a_part_that_expands_too_far(db, tmp_path, good):
    bomb = rewrite_part(good, "docProps/app.xml", lambda data: data + b"\0" * (20 * 1024 * 1024))
    assert "zip bomb" in _refused(tmp_path, bomb)


def test_it_refuses_too_many_parts(db, tmp_path, good):
    entries = {
        n: zipfile.ZipFile(__import__("io").BytesIO(good)).read(n)
        for n in ("[Content_Types].xml", "xl/workbook.xml")
    }
    entries.update({f"xl/extra/{i}.bin": b"x" for i in range(600)})
    assert "parts" in _refused(tmp_path, zip_bytes(entries))


def test_it_refuses_entity_expansion(db, tmp_path, good):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    bomb = rewrite_part(good, SHEET, _prepend(laughs))
    assert "entities" in _refused(tmp_path, bomb)


def test_it_refuses_an_external_entity(db, tmp_path, good):
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    bad = rewrite_part(good, "xl/workbook.xml", _prepend(xxe))
    assert "DTD" in _refused(tmp_path, bad)


def test_defusedxml_catches_a_dtd_hidden_after_a_long_comment(db, tmp_path, good):
    # Past the prolog scan: the refusal then comes from defusedxml inside openpyxl.
    padding = b"<!--" + b"x" * 8000 + b"-->"
    xxe = (
        b'<?xml version="1.0"?>'
        + padding
        + b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    )
    bad = rewrite_part(good, SHEET, _prepend(xxe))
    assert "unsafe" in _refused(tmp_path, bad)


def test_it_refuses_a_macro_enabled_file_by_name(db, tmp_path, good):
    assert "macros" in _refused(tmp_path, good, name="book.xlsm")


def test_it_refuses_a_vba_project_inside_an_xlsx(db, tmp_path, good):
    source = zipfile.ZipFile(__import__("io").BytesIO(good))
    entries = {n: source.read(n) for n in source.namelist()}
    entries["xl/vbaProject.bin"] = b"\0" * 100
    assert "vbaProject.bin" in _refused(tmp_path, zip_bytes(entries))


def test_it_refuses_a_macro_enabled_content_type(db, tmp_path, good):
    macro = rewrite_part(
        good,
        "[Content_Types].xml",
        lambda d: d.replace(
            b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
        ),
    )
    assert "macro-enabled" in _refused(tmp_path, macro)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"%PDF-1.7\n...", "text, HTML or PDF"),
        (b"measure,period,value\nehcps,2024-04-01,5\n", "not a zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old-style .xls"),
        (zip_bytes({"readme.txt": b"hello"}), "not an Excel .xlsx workbook"),
    ],
)
def test_it_refuses_a_non_xlsx_renamed_xlsx(db, tmp_path, data, says):
    assert says in _refused(tmp_path, data)


def test_a_formula_without_a_cached_value_is_reported_not_imported_as_blank(db, tmp_path):
    sheets = minimal_sheets()
    sheets[fmt.GRID.name][1][5] = "=E2+1"  # openpyxl saves formulas with no cached value
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(sheets))

    result = workbook_import(file=path, council_slug="new-council", by=site_admin())

    assert [(e.sheet, e.row, e.column) for e in result.errors] == [(fmt.GRID.name, 2, "F")]
    assert "formula with no saved value" in result.errors[0].reason
    assert MeasureValue.objects.count() == 0


def test_a_formula_with_a_cached_value_imports_its_value(db, tmp_path):
    sheets = minimal_sheets()
    sheets[fmt.GRID.name][1][5] = "=E2+1"
    data = workbook_bytes(sheets)
    grid_part = "xl/worksheets/sheet5.xml"
    cached = rewrite_part(
        data, grid_part, lambda d: d.replace(b"<f>E2+1</f>", b"<f>E2+1</f><v>5001</v>")
    )
    path = tmp_path / "book.xlsx"
    path.write_bytes(cached)

    result = workbook_import(file=path, council_slug="new-council", by=site_admin())

    assert result.errors == []
    assert sorted(MeasureValue.objects.values_list("value", flat=True)) == [5000, 5001]
