"""One entry point for the web views and the command: a round's PDF, stored or rendered."""

from __future__ import annotations

from dataclasses import dataclass

from reports.models import ReportFile
from reports.pdf.render import board_pack_html, pdf_from_html, report_html
from reports.pdf.selectors import ReportSource, report_source_for_round
from reports.pdf.storage import (
    STORED_STATES,
    report_file_get,
    report_file_read,
    report_file_store,
    sha256_hex,
)
from svmonitor.models import ReportingRound

HTML_FOR_KIND = {
    ReportFile.Kind.REPORT: report_html,
    ReportFile.Kind.BOARD_PACK: board_pack_html,
}


@dataclass(frozen=True)
class ProducedPdf:
    """A PDF ready to send: its bytes, their SHA-256, a file name, and the stored row if kept."""

    content: bytes
    sha256: str
    filename: str
    source: ReportSource
    stored: ReportFile | None

    @property
    def is_draft(self) -> bool:
        """Whether the PDF says DRAFT on every page."""
        return self.source.is_draft


def _filename(source: ReportSource, kind: str) -> str:
    snap = source.snapshot
    name = "monitoring-report" if kind == ReportFile.Kind.REPORT else "board-pack"
    draft = "-DRAFT" if source.is_draft else ""
    return (
        f"{snap.council.slug}-{snap.round.fy}-update-{snap.round.update_number}-{name}{draft}.pdf"
    )


def report_pdf_produce(
    *, round: ReportingRound, kind: str, by=None, bounded: bool = True
) -> ProducedPdf:
    """The round's report or board pack: the stored file of a signed-off round, else a render.

    A signed-off or submitted round is rendered once from its frozen snapshot and stored with
    its SHA-256; a draft (or a round never frozen) is rendered afresh every time. `bounded`
    renders in a time- and memory-limited child process (svmonitor.pdf_limits), as the web
    views must; the export command renders in-process.
    """
    if kind not in HTML_FOR_KIND:
        raise ValueError(f"kind must be one of {sorted(HTML_FOR_KIND)}, not {kind!r}")
    source = report_source_for_round(round=round)
    storable = source.frozen is not None and round.status in STORED_STATES
    if storable:
        existing = report_file_get(snapshot=source.frozen, kind=kind, round_version=round.version)
        if existing is not None:
            content = report_file_read(existing)
            return ProducedPdf(content, existing.sha256, _filename(source, kind), source, existing)
    pdf = pdf_from_html(HTML_FOR_KIND[kind](source), bounded=bounded)
    stored = None
    if storable:
        stored = report_file_store(round=round, snapshot=source.frozen, kind=kind, pdf=pdf, by=by)
        if stored.sha256 != sha256_hex(pdf):
            # Another request stored this version first: everyone gets the same bytes.
            pdf = report_file_read(stored)
    return ProducedPdf(pdf, sha256_hex(pdf), _filename(source, kind), source, stored)
