"""What both Word writers share (reports/docx/writing.py): a table's header row repeats on every
page and is read as headers, in the DfE report and in the DSG plan and Schools Forum paper."""

import docx
import pytest
from docx.oxml.ns import qn

from reports.docx.template import DEFAULT_TEMPLATE, DocxTemplate, docx_template_open
from reports.docx.writing import DocxWriter, docx_draft_marks, table_header_row_mark
from reports.dsg.render import forum_docx, plan_docx
from reports.dsg.source import DsgSource
from svmonitor.choices import RoundStatus
from tests.docx.conftest import document, header_row_marked
from tests.dsg_outputs.payload import payload
from tests.factories import ReportingRoundFactory


def _blank():
    """A document in the default template's styles (python-docx's own would lack SV Small)."""
    return docx_template_open(DocxTemplate(DEFAULT_TEMPLATE, False))


def test_a_marked_header_row_repeats_on_every_page_and_never_splits():
    table = docx.Document().add_table(rows=2, cols=2)
    table_header_row_mark(table.rows[0])
    tr_pr = table.rows[0]._tr.trPr
    assert tr_pr.find(qn("w:tblHeader")) is not None
    assert tr_pr.find(qn("w:cantSplit")) is not None
    assert table.rows[1]._tr.trPr is None


def test_draft_marks_go_at_the_top_of_every_pages_header_and_footer():
    doc = _blank()
    docx_draft_marks(doc, "DRAFT: not signed off.")
    for section in doc.sections:
        for part in (section.header, section.footer):
            first = part.paragraphs[0]
            assert first.text == "DRAFT: not signed off."
            assert first.runs[0].bold


def test_lines_keep_line_breaks_and_strip_each_line():
    doc = _blank()
    paragraph = DocxWriter(doc).lines("first  \n  second")
    assert paragraph.text == "first\nsecond"


@pytest.mark.django_db
@pytest.mark.parametrize("render", [plan_docx, forum_docx])
def test_the_dsg_documents_figure_tables_repeat_their_header_rows(render):
    round_ = ReportingRoundFactory(financial_year=2025, update_number=2, status=RoundStatus.DRAFT)
    source = DsgSource(round=round_, payload=payload(), frozen=None, previous=None)
    doc = document(render(round_, source))
    # The fact tables (term: value) have no header row; every figure table has one, marked.
    figure_tables = [t for t in doc.tables if len(t.columns) > 2]
    assert figure_tables
    assert all(header_row_marked(t) for t in figure_tables)
    assert doc.sections[0].header.paragraphs[0].text.startswith("DRAFT: not signed off.")
