"""The workbook import as a background job: the confirm step of preview then confirm.

The preview runs in the request (a dry run writes nothing); the confirm queues this job, and a
worker imports the file previewed, over the rows as they were previewed, through the same
`workbook_import` (the same services, history "via workbook <file>", all or nothing). Its
outcome (an ImportResult) is kept on the job, pickled: our own worker wrote it, into our own
database, and only the job's page reads it back.
"""

from __future__ import annotations

import base64
import pickle

from svmonitor.jobs import JobFailed, JobHandler, job_handler_register, job_heartbeat
from svmonitor.models import BackgroundJob
from svmonitor.roles import Action
from workbook.importer import workbook_import
from workbook.previews import preview_file, preview_take
from workbook.safety import WorkbookRefused

WORKBOOK_IMPORT = "workbook_import"
EXPIRED = "This upload has expired or was changed. Upload the workbook again."
# An import reports its heartbeat only when it starts; it is dead only after this long.
IMPORT_STALE_SECONDS = 900


def _import(job: BackgroundJob) -> None:
    """Import the previewed workbook, taken from the database (`ImportPreview`, so any worker
    can run it) and deleted as it is taken, whatever happens next."""
    params = job.params
    create = bool(params.get("create", False))
    preview = preview_take(user=job.requested_by, token=params.get("token", ""))
    if preview is None or preview.create != create or preview.council_slug != params["slug"]:
        raise JobFailed(EXPIRED)
    job_heartbeat("Importing the workbook.")
    try:
        result = workbook_import(
            file=preview_file(preview),
            council_slug=preview.council_slug,
            create=create,
            by=job.requested_by,
            filename=preview.filename,
            expected=preview.stamps,
        )
    except WorkbookRefused as refusal:
        raise JobFailed(str(refusal)) from refusal
    job.result_meta = {
        "slug": result.council_slug,
        "applied": result.applied,
        "result": base64.b64encode(pickle.dumps(result)).decode("ascii"),
    }


def import_result_context(job: BackgroundJob) -> dict:
    """What the job's page shows of a finished import: its ImportResult and the council."""
    kept = job.result_meta.get("result")
    if not kept:
        return {}
    result = pickle.loads(base64.b64decode(kept))  # noqa: S301 - written by our own worker
    return {
        "result": result,
        "slug": job.result_meta.get("slug"),
        "setup": bool(job.params.get("create")),
    }


def jobs_register() -> None:
    """Register the workbook import with the spine's queue (WorkbookConfig.ready())."""
    job_handler_register(
        JobHandler(
            kind=WORKBOOK_IMPORT,
            run=_import,
            title="Import a workbook",
            action=Action.UPLOAD,
            # An import that dies is reported, not run again: it saves everything or nothing.
            retry=False,
            stale_seconds=IMPORT_STALE_SECONDS,
            result_template="workbook/_import_job_result.html",
            result_context=import_result_context,
        )
    )
