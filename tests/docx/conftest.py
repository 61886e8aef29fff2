"""Reading a Word report back with python-docx: its text, headings, tables and RAG cells."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from tests.pdf.conftest import media  # noqa: F401 - stored PDFs go to a temporary MEDIA_ROOT


def document(content: bytes):
    """The .docx as python-docx reads it (also proves it is a well-formed package)."""
    return docx.Document(io.BytesIO(content))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def blocks(doc) -> list:
    """The body's paragraphs and tables, in order."""
    return list(doc.iter_inner_content())


def full_text(doc) -> str:
    """Every word in the body (paragraphs and table cells, in order), headers and footers,
    whitespace collapsed."""
    parts = []
    for block in blocks(doc):
        if isinstance(block, Paragraph):
            parts.append(block.text)
        else:
            parts.extend(cell_text(cell) for row in block.rows for cell in _unique(row.cells))
    for section in doc.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return _squash(" ".join(parts))


def _unique(cells):
    seen, out = set(), []
    for cell in cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell)
    return out


def cell_text(cell) -> str:
    return _squash(" ".join(p.text for p in cell.paragraphs))


def headings(doc) -> list[tuple[int, str]]:
    """(level, text) of every paragraph in a Word heading style."""
    out = []
    for paragraph in doc.paragraphs:
        name = paragraph.style.name
        if name.startswith("Heading "):
            out.append((int(name.split()[1]), paragraph.text))
    return out


def header_row_marked(table: Table) -> bool:
    """Whether the table's first row is a header row that repeats on each page."""
    tr_pr = table.rows[0]._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None


def fill(cell) -> str | None:
    """A cell's shading colour (hex), or None."""
    tc_pr = cell._tc.tcPr
    shading = tc_pr.find(qn("w:shd")) if tc_pr is not None else None
    return shading.get(qn("w:fill")) if shading is not None else None


@dataclass
class Section:
    """The blocks under one heading, up to the next heading of the same or a higher level."""

    heading: str
    blocks: list

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def text(self) -> str:
        parts = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            else:
                parts.extend(cell_text(c) for row in block.rows for c in _unique(row.cells))
        return _squash(" ".join(parts))


def section(doc, heading: str) -> Section:
    """The part of the body under the heading with exactly this text."""
    found, level, out = False, 0, []
    for block in blocks(doc):
        is_heading = isinstance(block, Paragraph) and block.style.name.startswith("Heading ")
        if is_heading and found and int(block.style.name.split()[1]) <= level:
            break
        if found:
            out.append(block)
        elif is_heading and block.text == heading:
            found, level = True, int(block.style.name.split()[1])
    assert found, f"no heading {heading!r}"
    return Section(heading, out)
