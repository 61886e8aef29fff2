"""One entry point for the web view and the command: a round's DfE report as .docx."""

from __future__ import annotations

from dataclasses import dataclass

from reports.docx.render import report_docx
from reports.pdf.selectors import ReportSource, report_source_for_round
from reports.pdf.storage import sha256_hex
from svmonitor.models import ReportingRound

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class ProducedDocx:
    """A Word report: its bytes, their SHA-256, a file name and what it was built from."""

    content: bytes
    sha256: str
    filename: str
    source: ReportSource

    @property
    def is_draft(self) -> bool:
        """Whether it says DRAFT (at the top of the document and of every page)."""
        return self.source.is_draft


def report_docx_produce(*, round: ReportingRound, strict: bool = False) -> ProducedDocx:
    """The round's DfE report as an editable Word document, built every time from the same
    snapshot as the PDF (the frozen payload once the round is ready). It is not stored: the
    signed PDF stays the record of what was sent. `strict`: a council template that cannot be
    used is an error rather than a fall-back to the default (reports.docx.render)."""
    source = report_source_for_round(round=round)
    content = report_docx(source, strict=strict)
    snap = source.snapshot
    draft = "-DRAFT" if source.is_draft else ""
    filename = (
        f"{snap.council.slug}-{snap.round.fy}-update-{snap.round.update_number}"
        f"-monitoring-report{draft}.docx"
    )
    return ProducedDocx(content, sha256_hex(content), filename, source)
