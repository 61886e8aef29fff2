"""The Word template: the committed default is what its build makes, and a council's own
restyled copy is used (its styles, its letterhead) when the deployment has one."""

import io
import logging

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx.shared import Pt, RGBColor

from reports.docx.produce import report_docx_produce
from reports.docx.template import (
    DEFAULT_TEMPLATE,
    REQUIRED_STYLES,
    docx_template_build,
    docx_template_for,
)
from svmonitor.choices import RoundStatus
from tests.docx.conftest import document, full_text
from tests.jobs import download
from tests.round_builders import programme, round_in

LETTERHEAD = "Borough letterhead: Children's Services"


def test_the_committed_default_template_is_what_the_build_makes():
    assert DEFAULT_TEMPLATE.read_bytes() == docx_template_build()
    names = {s.name for s in docx.Document(str(DEFAULT_TEMPLATE)).styles}
    assert set(REQUIRED_STYLES) <= names


def test_build_docx_template_writes_a_copy_to_restyle(tmp_path):
    out = tmp_path / "copy.docx"
    call_command("build_docx_template", "-o", str(out))
    assert out.read_bytes() == DEFAULT_TEMPLATE.read_bytes()


def _restyled(path):
    """A council's copy of the default template: its own heading font and a letterhead."""
    template = docx.Document(str(DEFAULT_TEMPLATE))
    heading = template.styles["Heading 1"]
    heading.font.name = "Georgia"
    heading.font.size = Pt(20)
    heading.font.color.rgb = RGBColor(0x00, 0x33, 0x66)
    template.sections[0].header.paragraphs[0].text = LETTERHEAD
    template.save(str(path))


@pytest.mark.django_db
def test_a_councils_own_template_gives_the_report_its_styles_and_letterhead(tmp_path, settings):
    rnd = round_in(RoundStatus.SIGNED_OFF)
    slug = rnd.agreement.council.slug
    settings.REPORT_DOCX_TEMPLATE_DIR = str(tmp_path)
    assert not docx_template_for(slug).is_council_own
    _restyled(tmp_path / f"{slug}.docx")
    assert docx_template_for(slug).is_council_own
    assert not docx_template_for("another-council").is_council_own

    doc = document(report_docx_produce(round=rnd).content)
    heading = doc.styles["Heading 1"]
    assert heading.font.name == "Georgia" and heading.font.size == Pt(20)
    assert LETTERHEAD in " ".join(p.text for p in doc.sections[0].header.paragraphs)
    # The template's sample body is replaced by the report.
    assert "This sample shows the notice style" not in full_text(doc)
    assert "SAFETY VALVE PROGRAMME RISK REGISTER" in full_text(doc)


@pytest.mark.django_db
def test_an_unusable_council_template_is_named_by_the_command_and_skipped_by_the_web(
    tmp_path, settings, client, caplog
):
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    slug = rnd.agreement.council.slug
    settings.REPORT_DOCX_TEMPLATE_DIR = str(tmp_path)
    blank = docx.Document()
    buffer = io.BytesIO()
    blank.save(buffer)
    (tmp_path / f"{slug}.docx").write_bytes(buffer.getvalue())

    with pytest.raises(CommandError, match="lacks the styles 'SV Table', 'SV Notice', 'SV Small'"):
        call_command("export_report", slug, "2024-25", "1", "-o", str(tmp_path / "out.docx"))
    (tmp_path / f"{slug}.docx").write_bytes(b"not a zip")
    with pytest.raises(CommandError, match=r"cannot be opened as a \.docx file"):
        call_command("export_report", slug, "2024-25", "1", "-o", str(tmp_path / "out.docx"))

    client.force_login(prog.officer)
    with caplog.at_level(logging.ERROR, logger="reports.docx.render"):
        response = download(client, reverse("reports:report_docx", args=[slug, "2024-25", 1]))
    assert response.status_code == 200
    assert "SAFETY VALVE PROGRAMME DETAILED UPDATE" in full_text(document(response.content))
    assert "unusable; using the default" in caplog.text
