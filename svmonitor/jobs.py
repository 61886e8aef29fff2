"""Background jobs: renders, imports and reminder runs as tasks on the queue.

The queue is django-tasks with its database backend (django-tasks-db): a task is a row in the
app's own database, and `manage.py db_worker` processes run them, on any server that reaches
the database (docs/architecture.md says why). Every job is one `BackgroundJob` row that says
what was asked, by whom, for which council, where it stands and what it produced; one task,
`job_execute`, runs any job through the handler its app registered for its kind, so the spine
knows no render or import (`job_handler_register`, called from each app's AppConfig.ready()).

Limits that hold for the whole deployment, because they are kept in the shared database:

* at most RENDER_SLOTS renders at once, however many workers there are: a render runs only
  while it holds one of that many `RenderSlot` leases; without one it goes back in the queue
  for RENDER_WAIT_SECONDS;
* a job is never "in progress" for ever: a running job whose worker has not reported
  (`heartbeat_at`) within its handler's `stale_seconds` died with its worker. A render is
  queued again (up to JOB_MAX_ATTEMPTS runs), anything else is marked failed with a message.
  A job nobody picked up within JOB_QUEUE_TIMEOUT_SECONDS (no worker running) is failed too.
  The rule is applied when the job's page is read and by every worker before each job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from svmonitor.models import BackgroundJob, JobStatus, RenderSlot

logger = logging.getLogger(__name__)

DEFAULTS = {
    "RENDER_SLOTS": 2,
    "RENDER_WAIT_SECONDS": 2,
    "JOB_STALE_SECONDS": 120,
    "JOB_MAX_ATTEMPTS": 2,
    "JOB_QUEUE_TIMEOUT_SECONDS": 1800,
}

DIED = (
    "The worker producing this stopped before it finished, and it could not be retried. "
    "Please try again; if it fails again, tell your administrator."
)
NOT_PICKED_UP = (
    "No worker picked this up in time: the background workers may not be running. "
    "Please try again later, or tell your administrator."
)
ERROR = "This could not be completed because of an error. The error has been logged."
RETRYING = "The worker producing this stopped; trying again."
WAITING_FOR_SLOT = "Waiting for a free render slot: other reports are being produced."


def setting(name: str):
    """A job setting, or its default."""
    return getattr(settings, name, DEFAULTS[name])


class JobFailed(Exception):
    """The job cannot be done; the message is fit to show to the person who asked."""


@dataclass(frozen=True)
class JobHandler:
    """How one kind of job runs and is shown: registered by the app that owns the work."""

    kind: str
    run: Callable[[BackgroundJob], None]
    title: str
    # The council action the job's pages need (with a role at the council or as its requester).
    action: str
    # Holds one of RENDER_SLOTS while it runs.
    render: bool = False
    # Queued again if its worker dies (a render can be; an import is reported instead).
    retry: bool = False
    # A running job whose heartbeat is older than this died with its worker (None: the setting).
    stale_seconds: int | None = None
    # The audit action of a download of the job's file.
    audit_action: str = ""
    # Shows a finished job's result on its page (for jobs without a file to download), with
    # what result_context(job) gives it.
    result_template: str = ""
    result_context: Callable[[BackgroundJob], dict] | None = None


_HANDLERS: dict[str, JobHandler] = {}


def job_handler_register(handler: JobHandler) -> None:
    """Register how a kind of job runs (from the owning app's AppConfig.ready())."""
    _HANDLERS[handler.kind] = handler


def job_handler(kind: str) -> JobHandler:
    """The registered handler of a kind of job."""
    return _HANDLERS[kind]


def _stale_after(handler: JobHandler) -> dt.timedelta:
    return dt.timedelta(seconds=handler.stale_seconds or int(setting("JOB_STALE_SECONDS")))


def _enqueue(job_id, *, delay: float = 0) -> None:
    runner = job_execute
    if delay:
        runner = job_execute.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    runner.enqueue(str(job_id))


def job_request(
    *, kind: str, by, council=None, round=None, key: str = "", params: dict | None = None
) -> BackgroundJob:
    """Queue a job, or give back the job already asked for with the same key (finished or on
    its way), so a record rendered once is served again and a double click queues one job."""
    handler = job_handler(kind)
    if key:
        earlier = (
            BackgroundJob.objects.filter(kind=kind, key=key)
            .exclude(status=JobStatus.FAILED)
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            job_refresh(earlier)
            if earlier.status != JobStatus.FAILED:
                return earlier
    job = BackgroundJob.objects.create(
        kind=handler.kind,
        council=council,
        round=round,
        requested_by=by if getattr(by, "is_authenticated", False) else None,
        key=key,
        params=params or {},
        progress="Waiting for a worker to start it.",
    )
    # The task row is written in the same database (and transaction) as the job.
    _enqueue(job.id)
    return job


def job_finished_for_key(kind: str, key: str) -> BackgroundJob | None:
    """The finished job of a kind with this key, if one was kept (one query)."""
    if not key:
        return None
    return (
        BackgroundJob.objects.filter(kind=kind, key=key, status=JobStatus.DONE)
        .order_by("-finished_at")
        .first()
    )


# -- the stale-job rule -------------------------------------------------------------------


def _job_stale_settle(job: BackgroundJob, now: dt.datetime) -> bool:
    """Apply the stale rule to one job; True if it changed. Guarded on the status and attempt
    seen, so two workers (or a worker and a page) settling the same job act once."""
    handler = _HANDLERS.get(job.kind)
    if handler is None:
        return False
    same = BackgroundJob.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts)
    if job.status == JobStatus.QUEUED:
        waited = now - job.created_at
        if waited <= dt.timedelta(seconds=int(setting("JOB_QUEUE_TIMEOUT_SECONDS"))):
            return False
        changed = same.update(status=JobStatus.FAILED, message=NOT_PICKED_UP, finished_at=now)
    elif job.status == JobStatus.RUNNING:
        beat = job.heartbeat_at or job.started_at or job.created_at
        if now - beat <= _stale_after(handler):
            return False
        RenderSlot.objects.filter(job_id=job.pk).update(job=None, held_until=None)
        if handler.retry and job.attempts < int(setting("JOB_MAX_ATTEMPTS")):
            changed = same.update(
                status=JobStatus.QUEUED, progress=RETRYING, heartbeat_at=None, created_at=now
            )
            if changed:
                _enqueue(job.pk)
        else:
            changed = same.update(status=JobStatus.FAILED, message=DIED, finished_at=now)
        if changed:
            logger.warning("job %s (%s) stopped reporting; %s", job.pk, job.kind, job.attempts)
    else:
        return False
    if changed:
        job.refresh_from_db()
    return bool(changed)


def job_refresh(job: BackgroundJob) -> BackgroundJob:
    """The job with the stale rule applied (its page calls this on every read)."""
    if not job.is_finished:
        _job_stale_settle(job, timezone.now())
    return job


def jobs_stale_settle() -> int:
    """Apply the stale rule to every unfinished job; how many changed (each worker runs it)."""
    now = timezone.now()
    changed = 0
    for job in BackgroundJob.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)):
        changed += _job_stale_settle(job, now)
    return changed


# -- render slots -------------------------------------------------------------------------


def render_slot_take(job_id) -> bool:
    """Lease a free render slot for the job; False if all RENDER_SLOTS are held.

    Each slot is taken by one conditional UPDATE (free, or its lease ran out), which the
    database runs one at a time per row on PostgreSQL and SQLite alike: two workers can never
    both take the same slot."""
    count = max(1, int(setting("RENDER_SLOTS")))
    now = timezone.now()
    RenderSlot.objects.bulk_create(
        [RenderSlot(number=number) for number in range(count)], ignore_conflicts=True
    )
    until = now + dt.timedelta(seconds=int(setting("JOB_STALE_SECONDS")))
    for number in range(count):
        free = Q(job__isnull=True) | Q(held_until__lt=now)
        if RenderSlot.objects.filter(free, number=number).update(job=job_id, held_until=until):
            return True
    return False


def render_slot_release(job_id) -> None:
    """Give back the job's render slot."""
    RenderSlot.objects.filter(job_id=job_id).update(job=None, held_until=None)


def render_slots_in_use() -> int:
    """How many render slots are leased now."""
    now = timezone.now()
    return RenderSlot.objects.filter(
        job__isnull=False,
        held_until__gte=now,
        number__lt=max(1, int(setting("RENDER_SLOTS"))),
    ).count()


# -- running a job ------------------------------------------------------------------------

_current: BackgroundJob | None = None


def job_heartbeat(progress: str | None = None) -> None:
    """Say the running job's worker is alive (and, if given, how far it has got); renews its
    render slot's lease. A no-op outside a job (the export command renders in-process)."""
    job = _current
    if job is None:
        return
    now = timezone.now()
    fields = {"heartbeat_at": now}
    if progress is not None:
        fields["progress"] = progress[:200]
    BackgroundJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)
    handler = _HANDLERS.get(job.kind)
    if handler is not None and handler.render:
        until = now + dt.timedelta(seconds=int(setting("JOB_STALE_SECONDS")))
        RenderSlot.objects.filter(job_id=job.pk).update(held_until=until)


def job_result_store(
    job: BackgroundJob, content: bytes, *, name: str, content_type: str, meta: dict | None = None
) -> None:
    """Keep the job's file (its SHA-256 recorded) and what its page and audit event say."""
    digest = hashlib.sha256(content).hexdigest()
    stored = default_storage.save(f"jobs/{job.pk}/{name}", ContentFile(content))
    job.result_file.name = stored
    job.result_name = name
    job.result_type = content_type
    job.result_sha256 = digest
    job.result_meta = {**(meta or {}), "sha256": digest}


def job_result_read(job: BackgroundJob) -> bytes:
    """A finished job's file, refused if it no longer matches its SHA-256."""
    with job.result_file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != job.result_sha256:
        raise JobFailed("The stored file has been changed since it was made.")
    return content


def job_run(job_id: str) -> str:
    """Run one queued job through its handler; returns what became of it."""
    global _current
    jobs_stale_settle()
    job = BackgroundJob.objects.filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return "skipped"
    handler = job_handler(job.kind)
    if handler.render and not render_slot_take(job.pk):
        # Every slot is held somewhere in the deployment: back in the queue for a moment.
        BackgroundJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            progress=WAITING_FOR_SLOT
        )
        _enqueue(job.pk, delay=float(setting("RENDER_WAIT_SECONDS")))
        return "waiting"
    now = timezone.now()
    claimed = BackgroundJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress="Started.",
    )
    if not claimed:
        render_slot_release(job.pk)
        return "skipped"
    job.refresh_from_db()
    attempt = job.attempts
    _current = job
    try:
        handler.run(job)
    except JobFailed as failure:
        outcome, fields = "failed", {"status": JobStatus.FAILED, "message": str(failure)}
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        outcome, fields = "failed", {"status": JobStatus.FAILED, "message": ERROR}
    else:
        outcome = "done"
        fields = {
            "status": JobStatus.DONE,
            "message": "",
            "result_file": job.result_file.name or "",
            "result_name": job.result_name,
            "result_type": job.result_type,
            "result_sha256": job.result_sha256,
            "result_meta": job.result_meta,
        }
    finally:
        _current = None
        if handler.render:
            render_slot_release(job.pk)
    # Only the run that still owns the job records its end (the stale rule may have moved it).
    BackgroundJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=attempt).update(
        finished_at=timezone.now(), progress="", **fields
    )
    return outcome


@task()
def job_execute(job_id: str) -> str:
    """The one task on the queue: run a BackgroundJob (svmonitor.jobs.job_run)."""
    return job_run(job_id)
