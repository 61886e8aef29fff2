"""A DSG document (reports.dsg.document) as .docx, in the default Word template's styles, A4
landscape: Word's headings, header rows that repeat on every page, DRAFT at the top and bottom
of every page of a draft."""

from __future__ import annotations

import io

from reports.docx.template import (
    DEFAULT_TEMPLATE,
    NOTICE_STYLE,
    SMALL_STYLE,
    TABLE_STYLE,
    DocxTemplate,
    docx_template_open,
)
from reports.docx.writing import (
    DocxWriter,
    docx_body_clear,
    docx_draft_marks,
    docx_properties_set,
    table_header_row_mark,
)
from reports.dsg.document import Document, Table


def _landscape(document) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    for section in document.sections:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Mm(15))
        for side in ("top_margin", "bottom_margin"):
            setattr(section, side, Mm(15))


class _Writer(DocxWriter):
    """The DSG document's fact tables and figure tables, in the template's styles."""

    def facts(self, pairs) -> None:
        table = self.document.add_table(rows=0, cols=2)
        table._tbl.tblStyle_val = self.style_ids[TABLE_STYLE]
        for term, value in pairs:
            row = table.add_row()
            row.cells[0].text = ""
            row.cells[0].paragraphs[0].add_run(term).bold = True
            row.cells[1].text = value
            row.cells[0].width = int(self.width * 0.35)
            row.cells[1].width = int(self.width * 0.65)

    def table(self, t: Table) -> None:
        self.paragraph(t.caption, style="Caption")
        columns = len(t.header)
        table = self.document.add_table(rows=1, cols=columns)
        table._tbl.tblStyle_val = self.style_ids[TABLE_STYLE]
        table.autofit = False
        shares = t.shares or (1,) * columns
        total = sum(shares)
        widths = [int(self.width * share / total) for share in shares]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        header = table.rows[0]
        table_header_row_mark(header)
        for cell, text, width in zip(header.cells, t.header, widths, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
            cell.width = width
        for row in t.rows:
            cells = table.add_row().cells
            for cell, width in zip(cells, widths, strict=True):
                cell.width = width
            if row.style == "group":
                merged = cells[0].merge(cells[-1])
                merged.text = ""
                merged.paragraphs[0].add_run(row.label).bold = True
                continue
            bold = row.style == "total"
            for i, (cell, value) in enumerate(zip(cells, (row.label, *row.cells), strict=False)):
                cell.text = ""
                run = cell.paragraphs[0].add_run(value)
                run.bold = bold
                run.italic = row.style == "derived" and i == 0
                if i > t.text_columns:
                    from docx.enum.text import WD_ALIGN_PARAGRAPH

                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for note in t.notes:
            self.paragraph(note, style=SMALL_STYLE)


def document_docx(doc: Document) -> bytes:
    """The document as .docx bytes."""
    document = docx_template_open(DocxTemplate(DEFAULT_TEMPLATE, False))
    docx_body_clear(document)
    _landscape(document)
    docx_properties_set(
        document,
        title=f"{doc.title}: {doc.subtitle}" + (" (DRAFT)" if doc.is_draft else ""),
        subject=doc.kind,
        author=doc.council,
    )
    w = _Writer(document)
    if doc.is_draft:
        docx_draft_marks(document, f"DRAFT: not signed off. {doc.kind}.")
        w.paragraph(doc.draft_notice, style=NOTICE_STYLE)
    w.paragraph(doc.title, style="Title")
    w.paragraph(doc.subtitle, style="Subtitle")
    w.paragraph(doc.source_note, style=SMALL_STYLE)
    w.facts(doc.cover_facts)
    for number, section in enumerate(doc.sections, start=1):
        w.paragraph(f"{number}. {section.title}", style="Heading 1")
        for block in section.blocks:
            if block.kind == "heading":
                w.paragraph(block.text, style="Heading 2")
            elif block.kind == "text":
                for para in block.paragraphs:
                    w.lines(para)
            elif block.kind == "note":
                w.paragraph(block.text, style=SMALL_STYLE)
            elif block.kind == "facts":
                w.facts(block.facts)
            elif block.kind == "table":
                w.table(block.table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
