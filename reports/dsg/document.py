"""A DSG output as plain blocks (headings, text, facts, tables) that both the PDF template and
the .docx writer print, so the two formats cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """A table row: its label (the row header) and its cells; `style` is "group" for a
    sub-heading row spanning the table, "derived" for a computed figure, "total" for a total."""

    label: str
    cells: tuple[str, ...] = ()
    style: str = ""


@dataclass(frozen=True)
class Table:
    """A table with a caption, a header row (the first column heads the row labels) and notes."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    # How many columns after the row label hold words (left-aligned); the rest are figures.
    text_columns: int = 0
    # Columns' parts of the width, for the .docx (None: even).
    shares: tuple[float, ...] | None = None

    @property
    def bodies(self) -> list[tuple[str, list[Row]]]:
        """The rows split at each "group" row: (its label, or "" before any, its rows), so each
        group is a <tbody> headed by a row-group header."""
        bodies: list[tuple[str, list[Row]]] = []
        for row in self.rows:
            if row.style == "group":
                bodies.append((row.label, []))
            else:
                if not bodies:
                    bodies.append(("", []))
                bodies[-1][1].append(row)
        return bodies


@dataclass(frozen=True)
class Block:
    """One thing in a section: a heading, paragraphs, facts (term and value) or a table."""

    kind: str  # "heading", "text", "facts", "table", "note"
    text: str = ""
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    table: Table | None = None


@dataclass(frozen=True)
class Section:
    """A numbered part of the document, with an id for its heading."""

    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """A whole DSG output: what is printed on the cover and in the margins, then its sections."""

    title: str
    subtitle: str
    kind: str  # the running header's name of the document
    council: str
    is_draft: bool
    draft_notice: str
    source_note: str
    running_source: str
    cover_facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)
    # Whether each section starts a new page (the plan) or follows on (the paper).
    section_pages: bool = True


def heading(text: str) -> Block:
    """A sub-heading inside a section."""
    return Block("heading", text=text)


def text(paragraphs, empty: str = "") -> Block:
    """Paragraphs of plain text, or `empty` in their place."""
    paragraphs = tuple(p for p in paragraphs if p)
    return Block("text", paragraphs=paragraphs or ((empty,) if empty else ()))


def note(words: str) -> Block:
    """Small print under a table."""
    return Block("note", text=words)


def facts(pairs) -> Block:
    """Terms and their values."""
    return Block("facts", facts=tuple(pairs))


def table(t: Table) -> Block:
    """A table."""
    return Block("table", table=t)
