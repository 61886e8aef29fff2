"""What both Word writers do the same way: the DfE report (reports/docx/render.py) and the DSG
plan and Schools Forum paper (reports/dsg/docx.py). Each lays out its own document; here are
the steps they share, so a fix to one (a header row, the DRAFT marks) reaches both."""

from __future__ import annotations

from django.utils import timezone

from reports.docx.template import SMALL_STYLE


def table_header_row_mark(row) -> None:
    """Mark a table row as its header: Word repeats it at the top of every page the table runs
    onto and screen readers read its cells as the columns' headers (w:tblHeader); the row is
    never split across pages (w:cantSplit)."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        tr_pr.append(OxmlElement(tag))


def docx_body_clear(document) -> None:
    """Remove the template's sample content, keeping its page set-up (the last sectPr)."""
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)


def docx_draft_marks(document, text: str) -> None:
    """`text`, in bold small print, at the top of every page's header and footer."""
    for section in document.sections:
        for part in (section.header, section.footer):
            part.is_linked_to_previous = False
            first = part.paragraphs[0] if part.paragraphs else part.add_paragraph()
            marker = first.insert_paragraph_before("", style=SMALL_STYLE)
            marker.add_run(text).bold = True


def docx_properties_set(document, *, title: str, subject: str, author: str) -> None:
    """The file's title, subject, author and language (en-GB), created and modified now."""
    props = document.core_properties
    props.title = title
    props.subject = subject
    props.author = props.last_modified_by = author
    props.language = "en-GB"
    props.created = props.modified = timezone.now().replace(tzinfo=None, microsecond=0)


class DocxWriter:
    """Paragraphs in the template's styles, and the page's text width for tables."""

    def __init__(self, document):
        self.document = document
        section = document.sections[-1]
        self.width = section.page_width - section.left_margin - section.right_margin
        # Styles by name, looked up once: python-docx scans every style on each lookup by name.
        # Ids come from the template, so a template saved by a Word in another language works.
        self.style_ids = {style.name: style.style_id for style in document.styles}

    def paragraph(self, text: str = "", *, style: str | None = None, bold: bool = False, into=None):
        """A paragraph (in the body, or in `into`: a table cell) in a named style."""
        target = into if into is not None else self.document
        paragraph = target.add_paragraph()
        if style:
            paragraph._p.style = self.style_ids[style]
        if text:
            paragraph.add_run(text).bold = bold
        return paragraph

    def lines(self, text: str, *, into=None):
        """One paragraph of `text`, its line breaks kept as Word line breaks, each line
        stripped."""
        target = into if into is not None else self.document
        paragraph = target.add_paragraph()
        for i, line in enumerate(text.split("\n")):
            if i:
                paragraph.add_run().add_break()
            paragraph.add_run(line.strip())
        return paragraph
