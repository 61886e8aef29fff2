"""The DSG plan and the Schools Forum paper print the figures of the record they are given."""

import io
from pathlib import Path

import pytest

from reports.dsg.figures import money
from reports.dsg.render import forum_docx, forum_pdf, plan_docx, plan_pdf
from reports.dsg.source import DsgSource
from tests.dsg_outputs.payload import payload
from tests.factories import ReportingRoundFactory
from tests.pdf.conftest import pdf_text

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    chunks = [p.text for p in document.paragraphs]
    for t in document.tables:
        for row in t.rows:
            chunks.extend(cell.text for cell in row.cells)
    return " ".join(chunks)


def _source(**kwargs):
    round_ = ReportingRoundFactory(financial_year=2025, update_number=2)
    return round_, DsgSource(round=round_, payload=payload(**kwargs), frozen=None)


def test_the_plan_pdf_and_docx_print_the_records_figures():
    round_, source = _source()
    pdf = plan_pdf(round_, source, bounded=False)
    Path("/tmp/plan.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert "DSG deficit management plan" in text
    assert "DRAFT" in text
    assert money("-137200000.00") in text
    word = docx_text(plan_docx(round_, source))
    assert money("-137200000.00") in word


def test_the_forum_paper_prints_movement():
    round_, source = _source()
    pdf = forum_pdf(round_, source, bounded=False)
    Path("/tmp/forum.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert "Decisions sought" in text
    word = docx_text(forum_docx(round_, source))
    assert "Approve a 0.5% block transfer." in word
