"""The reports' background jobs: the DfE report and board pack as PDF, the report as .docx.

Each runs on the queue (svmonitor/jobs.py), never in a web request. A locked round's render is
keyed by the frozen record it is built from (its SHA-256) and the round's lifecycle version
(so a sign-off, which the cover shows, is a new render): the finished file is kept and served
again to whoever asks for that record. A draft's key is empty, so its render is never reused:
every request renders the draft as it stands.
"""

from __future__ import annotations

from reports.docx.produce import CONTENT_TYPE as DOCX_TYPE
from reports.docx.produce import report_docx_produce
from reports.models import ReportFile, RoundSnapshot
from reports.pdf.produce import report_pdf_produce
from reports.snapshot.record import LOCKED_STATES
from svmonitor.jobs import (
    JobFailed,
    JobHandler,
    job_handler_register,
    job_heartbeat,
    job_result_store,
)
from svmonitor.models import BackgroundJob, ReportingRound
from svmonitor.pdf_limits import PdfRenderError
from svmonitor.roles import Action

REPORT_PDF = "report_pdf"
BOARD_PACK_PDF = "board_pack_pdf"
REPORT_DOCX = "report_docx"
PDF_KIND = {REPORT_PDF: ReportFile.Kind.REPORT, BOARD_PACK_PDF: ReportFile.Kind.BOARD_PACK}
MOVED = (
    "The return changed (it was signed off, reopened or frozen again) while this waited to be "
    "produced. Please ask for it again."
)


def render_key(kind: str, round: ReportingRound) -> str:
    """What a render of this round is keyed by: its frozen record and lifecycle version for a
    locked round (one query), "" for a draft (never reused)."""
    if round.status not in LOCKED_STATES:
        return ""
    sha256 = (
        RoundSnapshot.objects.filter(round=round)
        .order_by("-created_at", "-pk")
        .values_list("sha256", flat=True)
        .first()
    )
    if sha256 is None:
        return ""
    return f"{kind}:{round.pk}:{sha256}:v{round.version}:{round.status}"


def _round_for(job: BackgroundJob) -> ReportingRound:
    found = ReportingRound.objects.select_related("agreement__council").get(pk=job.round_id)
    if job.key and render_key(job.kind, found) != job.key:
        raise JobFailed(MOVED)
    return found


def _render_pdf(job: BackgroundJob) -> None:
    """Render (or read the stored file of) a round's report or board pack."""
    found = _round_for(job)
    kind = PDF_KIND[job.kind]
    job_heartbeat("Reading the return.")
    try:
        produced = report_pdf_produce(round=found, kind=kind, by=job.requested_by)
    except PdfRenderError as error:
        raise JobFailed(str(error)) from error
    job_result_store(
        job,
        produced.content,
        name=produced.filename,
        content_type="application/pdf",
        meta={
            "kind": kind,
            "stored": produced.stored is not None,
            "snapshot_sha256": produced.source.sha256,
            "draft": produced.is_draft,
        },
    )


def _render_docx(job: BackgroundJob) -> None:
    """Write a round's DfE report as a Word document."""
    found = _round_for(job)
    job_heartbeat("Writing the document.")
    produced = report_docx_produce(round=found)
    job_result_store(
        job,
        produced.content,
        name=produced.filename,
        content_type=DOCX_TYPE,
        meta={
            "kind": "report",
            "format": "docx",
            "snapshot_sha256": produced.source.sha256,
            "draft": produced.is_draft,
        },
    )


def jobs_register() -> None:
    """Register the reports' jobs with the spine's queue (ReportsConfig.ready())."""
    for kind, title in (
        (REPORT_PDF, "DfE monitoring report (PDF)"),
        (BOARD_PACK_PDF, "Board pack (PDF)"),
    ):
        job_handler_register(
            JobHandler(
                kind=kind,
                run=_render_pdf,
                title=title,
                action=Action.EXPORT,
                render=True,
                retry=True,
                audit_action="pdf_exported",
            )
        )
    job_handler_register(
        JobHandler(
            kind=REPORT_DOCX,
            run=_render_docx,
            title="DfE monitoring report (Word)",
            action=Action.EXPORT,
            render=True,
            retry=True,
            audit_action="docx_exported",
        )
    )
