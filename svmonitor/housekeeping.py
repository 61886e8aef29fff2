"""What svmonitor keeps only for a while, and the purge that deletes it once past its age
(issue 16.4; `manage.py purge_expired`, docs/data-protection.md).

* Workbook uploads kept between preview and confirm (`ImportPreview` rows in the database, so
  any app server can confirm; workbook/previews.py): a preview never confirmed leaves its row
  behind; deleted once older than IMPORT_MAX_AGE. Files an older version kept in
  `MEDIA_ROOT/imports/*.xlsx` are deleted at the same age.
* Forms kept after a session ended (`PendingSubmission`, svmonitor/pending.py): past expiry.
* Sessions past their expiry (Django's database sessions).
* Failed sign-in records (django-axes `AccessAttempt`: username as typed, address, browser)
  once older than the lockout cool-off, when they no longer count.
* Background jobs not kept to be served again (a draft's render, an import's outcome, a
  reminder run; `BackgroundJob` with an empty key) and their files, once finished for
  JOB_MAX_AGE. A locked round's render is kept: the same record is served from it again.

Returns, their history and the PDFs sent to DfE are records and are never purged here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from svmonitor.audit import audit_record, audit_via
from svmonitor.models import BackgroundJob, ImportPreview, JobStatus, PendingSubmission

# Where an older version kept workbook uploads between preview and confirm (now the database).
IMPORTS_FOLDER = "imports"
# A preview not confirmed within a day is abandoned.
IMPORT_MAX_AGE = dt.timedelta(hours=24)

# A finished job not kept for reuse is deleted, with its file, after this long.
JOB_MAX_AGE = dt.timedelta(days=7)

PURGE_DOOR = "via command purge_expired"


def imports_folder() -> Path:
    """Where an older version kept uploaded workbooks between preview and confirm."""
    return Path(settings.MEDIA_ROOT) / IMPORTS_FOLDER


def import_previews_expired(now: dt.datetime | None = None) -> list[Path]:
    """Uploaded workbooks older than IMPORT_MAX_AGE (their previews were never confirmed)."""
    folder = imports_folder()
    if not folder.is_dir():
        return []
    cutoff = ((now or timezone.now()) - IMPORT_MAX_AGE).timestamp()
    return sorted(path for path in folder.glob("*.xlsx") if path.stat().st_mtime < cutoff)


@dataclass(frozen=True)
class PurgeCounts:
    """How many of each kind of expired thing were (or, in a dry run, would be) deleted."""

    import_previews: int
    pending_submissions: int
    sessions: int
    sign_in_attempts: int
    finished_jobs: int = 0

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


def expired_purge(*, dry_run: bool = False, now: dt.datetime | None = None) -> PurgeCounts:
    """Delete everything past its age (see the module docstring) and record one audit event
    with the counts; with dry_run, only count."""
    now = now or timezone.now()
    files = import_previews_expired(now)
    previews = ImportPreview.objects.filter(created_at__lt=now - IMPORT_MAX_AGE)
    pending = PendingSubmission.objects.filter(expires_at__lte=now)
    sessions = Session.objects.filter(expire_date__lt=now)
    attempts = AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME)
    jobs = BackgroundJob.objects.filter(
        key="",
        status__in=(JobStatus.DONE, JobStatus.FAILED),
        finished_at__lt=now - JOB_MAX_AGE,
    )
    job_files = [name for name in jobs.values_list("result_file", flat=True) if name]
    if dry_run:
        return PurgeCounts(
            len(files) + previews.count(),
            pending.count(),
            sessions.count(),
            attempts.count(),
            jobs.count(),
        )
    with transaction.atomic():
        counts = PurgeCounts(
            import_previews=len(files) + previews.delete()[0],
            pending_submissions=pending.delete()[0],
            sessions=sessions.delete()[0],
            # Its expiry rows cascade; count the attempts only.
            sign_in_attempts=attempts.delete()[1].get(AccessAttempt._meta.label, 0),
            finished_jobs=jobs.delete()[1].get(BackgroundJob._meta.label, 0),
        )
        with audit_via(PURGE_DOOR):
            audit_record(action="housekeeping.purge", after=asdict(counts))
    # Files last, once the database agrees: a failed transaction leaves them for the next run.
    for path in files:
        path.unlink(missing_ok=True)
    for name in job_files:
        default_storage.delete(name)
    return counts
