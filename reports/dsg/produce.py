"""One entry point for the web views and the export command: a DSG round's plan or Schools
Forum paper, as PDF or .docx, rendered from the round's record every time."""

from __future__ import annotations

from dataclasses import dataclass

from reports.dsg.render import PLAN, SCHOOLS_FORUM, forum_docx, forum_pdf, plan_docx, plan_pdf
from reports.dsg.source import DsgSource, dsg_source_for_round
from reports.pdf.storage import sha256_hex
from svmonitor.models import ReportingRound

PDF = "pdf"
DOCX = "docx"
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
NAMES = {PLAN: "dsg-plan", SCHOOLS_FORUM: "schools-forum-paper"}


@dataclass(frozen=True)
class ProducedDsg:
    """A DSG output ready to send: its bytes, their SHA-256, a file name and its source."""

    content: bytes
    sha256: str
    filename: str
    document: str  # PLAN or SCHOOLS_FORUM
    fmt: str  # PDF or DOCX
    source: DsgSource

    @property
    def is_draft(self) -> bool:
        """Whether it says DRAFT (not yet signed off by both officers)."""
        return self.source.is_draft

    @property
    def content_type(self) -> str:
        """The HTTP content type of the format."""
        return CONTENT_TYPES[self.fmt]


def dsg_filename(source: DsgSource, document: str, fmt: str) -> str:
    """E.g. "westbridge-2025-26-term-2-dsg-plan.pdf", "-DRAFT" before the extension if so."""
    round_ = source.round
    slug = (source.payload.get("round") or {}).get("council_slug") or (
        round_.agreement.council.slug
    )
    draft = "-DRAFT" if source.is_draft else ""
    return f"{slug}-{round_.fy}-term-{round_.update_number}-{NAMES[document]}{draft}.{fmt}"


def dsg_output_render(
    document: str, fmt: str, round: ReportingRound, source: DsgSource, *, bounded: bool = True
) -> bytes:
    """The bytes of one output: a plain function of (round, source), for a view or a task."""
    if fmt == PDF:
        render = plan_pdf if document == PLAN else forum_pdf
        return render(round, source, bounded=bounded)
    render = plan_docx if document == PLAN else forum_docx
    return render(round, source)


def dsg_output_produce(
    *, round: ReportingRound, document: str, fmt: str, bounded: bool = True
) -> ProducedDsg:
    """The round's plan or Schools Forum paper from its record: the frozen payload of a ready,
    signed-off or submitted round (so a live edit after freezing changes nothing), live data
    for a draft. `bounded` renders a PDF in the time- and memory-limited child process
    (svmonitor.pdf_limits), as the web views must; the export command renders in-process."""
    if document not in NAMES:
        raise ValueError(f"document must be one of {sorted(NAMES)}, not {document!r}")
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"fmt must be one of {sorted(CONTENT_TYPES)}, not {fmt!r}")
    source = dsg_source_for_round(round=round)
    content = dsg_output_render(document, fmt, round, source, bounded=bounded)
    return ProducedDsg(
        content, sha256_hex(content), dsg_filename(source, document, fmt), document, fmt, source
    )
