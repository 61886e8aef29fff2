"""The DSG outputs as background jobs (svmonitor/jobs.py), as report.pdf and report.docx are:
never rendered in a web request; a locked round's render is keyed by its frozen record and
lifecycle version (reports.jobs.render_key) and served again to whoever asks for that record; a
draft's is rendered afresh for every request."""

from __future__ import annotations

from reports.dsg.produce import DOCX, PDF, dsg_output_produce
from reports.dsg.render import PLAN, SCHOOLS_FORUM
from reports.jobs import MOVED, render_key
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

# job kind -> (document, format, title)
DSG_JOBS = {
    "dsg_plan_pdf": (PLAN, PDF, "DSG deficit management plan (PDF)"),
    "dsg_plan_docx": (PLAN, DOCX, "DSG deficit management plan (Word)"),
    "dsg_schools_forum_pdf": (SCHOOLS_FORUM, PDF, "Schools Forum paper (PDF)"),
    "dsg_schools_forum_docx": (SCHOOLS_FORUM, DOCX, "Schools Forum paper (Word)"),
}


def _render(job: BackgroundJob) -> None:
    """Render one DSG output of the job's round from its record."""
    found = ReportingRound.objects.select_related("agreement__council").get(pk=job.round_id)
    if job.key and render_key(job.kind, found) != job.key:
        raise JobFailed(MOVED)
    document, fmt, _ = DSG_JOBS[job.kind]
    job_heartbeat("Reading the plan update.")
    try:
        produced = dsg_output_produce(round=found, document=document, fmt=fmt)
    except PdfRenderError as error:
        raise JobFailed(str(error)) from error
    job_result_store(
        job,
        produced.content,
        name=produced.filename,
        content_type=produced.content_type,
        meta={
            "kind": document,
            "format": fmt,
            "snapshot_sha256": produced.source.sha256,
            "draft": produced.is_draft,
        },
    )


def dsg_jobs_register() -> None:
    """Register the four DSG outputs with the queue (ReportsConfig.ready())."""
    for kind, (_, fmt, title) in DSG_JOBS.items():
        job_handler_register(
            JobHandler(
                kind=kind,
                run=_render,
                title=title,
                action=Action.EXPORT,
                render=True,
                retry=True,
                audit_action="pdf_exported" if fmt == PDF else "docx_exported",
            )
        )
