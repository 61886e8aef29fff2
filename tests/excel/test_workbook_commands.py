"""export_workbook and import_workbook, and the defusedxml start-up check."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from metrics.models import MeasureValue
from svmonitor.checks import check_defusedxml, defusedxml_in_use
from svmonitor.models import LocalAuthority
from tests.excel.builders import build_council_data, headers, site_admin, workbook_bytes
from workbook import format as fmt


def test_export_then_import_with_dry_run_then_for_real(council, la_officer, tmp_path, capsys):
    build_council_data(council)
    path = tmp_path / "out.xlsx"

    call_command("export_workbook", council.slug, "-o", str(path))
    call_command("import_workbook", council.slug, str(path), "--dry-run")
    dry = capsys.readouterr().out
    call_command("import_workbook", council.slug, str(path), "--user", la_officer.username)
    real = capsys.readouterr().out

    assert "Would import 0 new and 0 changed rows" in dry
    assert "Imported 0 new and 0 changed rows" in real
    assert "Measure grid: 0 new, 0 changed, 42 unchanged" in real


def test_import_refuses_a_workbook_for_another_council(council, tmp_path, capsys):
    build_council_data(council)
    path = tmp_path / "out.xlsx"
    call_command("export_workbook", council.slug, "-o", str(path))

    with pytest.raises(CommandError, match="problem"):
        call_command("import_workbook", "another", str(path), "--user", site_admin().username)

    errors = capsys.readouterr().err
    assert f"the workbook is for '{council.slug}', not 'another'" in errors
    assert "another council already has this name" in errors

    assert not LocalAuthority.objects.filter(slug="another").exists()


def test_import_lists_problems_and_fails(council, la_officer, tmp_path, capsys):
    build_council_data(council)
    path = tmp_path / "bad.xlsx"
    sheets = {
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["ehcps", "2024-04-01", "actual", "abc"],
        ]
    }
    path.write_bytes(workbook_bytes(sheets))

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_workbook", council.slug, str(path), "--user", la_officer.username)

    assert "row 2, column D 'Value': must be a number" in capsys.readouterr().err
    assert not MeasureValue.objects.filter(value=0).exists()


def test_import_refuses_a_hostile_file(council, la_officer, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a workbook at all")
    with pytest.raises(CommandError, match="Refused: The file is not an Excel"):
        call_command("import_workbook", council.slug, str(path), "--user", la_officer.username)


def test_export_template_writes_headers_only(council, tmp_path, capsys):
    path = tmp_path / "template.xlsx"
    call_command("export_workbook", council.slug, "-o", str(path), "--template")
    assert "Wrote the template" in capsys.readouterr().out
    assert path.stat().st_size > 0


def test_openpyxl_parses_through_defusedxml():
    assert defusedxml_in_use()
    assert check_defusedxml() == []


def test_the_format_doc_names_every_sheet_and_column():
    from pathlib import Path

    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "import-formats.md").read_text()
    for spec in fmt.SHEETS:
        assert f"### {spec.name}\n" in doc
        for column in spec.columns:
            assert f"| {column.header} |" in doc, (spec.name, column.header)
