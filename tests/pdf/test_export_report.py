"""manage.py export_report writes the same PDF the web view serves."""

import pytest
from django.core.management import CommandError, call_command

from reports.models import ReportFile
from svmonitor.choices import RoundStatus
from tests.pdf.conftest import pdf_text
from tests.round_builders import round_in

pytestmark = pytest.mark.django_db


def test_it_writes_a_signed_off_report_from_its_frozen_snapshot(tmp_path, media, capsys):
    rnd = round_in(RoundStatus.SIGNED_OFF)
    out = tmp_path / "report.pdf"
    call_command("export_report", rnd.agreement.council.slug, "2024-25", "1", "-o", str(out))
    stored = ReportFile.objects.get(round=rnd)
    assert out.read_bytes().startswith(b"%PDF")
    assert stored.sha256 in capsys.readouterr().out
    text = pdf_text(out.read_bytes())
    assert "SAFETY VALVE PROGRAMME DETAILED UPDATE" in text
    assert "DRAFT" not in text


def test_it_writes_the_board_pack_when_asked(tmp_path, media):
    rnd = round_in(RoundStatus.DRAFT)
    out = tmp_path / "pack.pdf"
    call_command(
        "export_report", rnd.agreement.council.slug, "2024-25", "1", "-o", str(out), "--board-pack"
    )
    text = pdf_text(out.read_bytes())
    assert "Portfolio summary" in text and "DRAFT" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-council", "2024-25", "1"], "No council has the slug 'no-such-council'"),
        (["{slug}", "2024", "1"], "fy: '2024' is not a financial year like 2024-25"),
        (["{slug}", "2025-26", "1"], "has no round 2025-26 Update 1"),
    ],
)
def test_it_names_what_is_wrong(tmp_path, agreement, args, message):
    args = [a.format(slug=agreement.council.slug) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("export_report", *args, "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_it_refuses_an_output_folder_that_does_not_exist(tmp_path, agreement):
    rnd = round_in(RoundStatus.DRAFT)
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "export_report",
            rnd.agreement.council.slug,
            "2024-25",
            "1",
            "-o",
            str(tmp_path / "missing" / "x.pdf"),
        )
