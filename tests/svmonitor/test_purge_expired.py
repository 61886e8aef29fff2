"""`manage.py purge_expired` (issue 16.4): deletes exactly what is past its age, from the
database and from MEDIA_ROOT, records what it did, and a dry run deletes nothing."""

import datetime as dt
import io
import os

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from svmonitor.jobs import job_result_store
from svmonitor.models import AuditEvent, BackgroundJob, JobStatus, PendingSubmission
from tests import factories as f
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _file(folder, name, hours_old):
    path = folder / name
    path.write_bytes(b"PK\x03\x04 an uploaded workbook")
    then = (timezone.now() - dt.timedelta(hours=hours_old)).timestamp()
    os.utime(path, (then, then))
    return path


def _pending(user, token, expires_in):
    now = timezone.now()
    return PendingSubmission.objects.create(
        token=token,
        user=user,
        url_name="conditions:condition_update_edit",
        posted_to="/x/",
        shown_at="/x/",
        fields={"narrative": ["Typed before the session ended"]},
        created_at=now - dt.timedelta(hours=12),
        expires_at=now + expires_in,
    )


def _attempt(username, minutes_ago):
    # attempt_time is auto_now_add: made at that time by moving the clock.
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=minutes_ago), tick=False):
        return AccessAttempt.objects.create(
            username=username,
            ip_address="192.0.2.1",
            user_agent="test",
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/accounts/login/",
            failures_since_start=2,
        )


@pytest.fixture
def kept(settings, tmp_path):
    """One expired and one live thing of each kind, in a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    imports = tmp_path / "imports"
    imports.mkdir()
    user = UserFactory(username="alice")
    now = timezone.now()
    Session.objects.create(
        session_key="a" * 32, session_data="x", expire_date=now - dt.timedelta(minutes=1)
    )
    Session.objects.create(
        session_key="b" * 32, session_data="x", expire_date=now + dt.timedelta(minutes=30)
    )
    return {
        "old_upload": _file(imports, "abandoned.xlsx", hours_old=25),
        "new_upload": _file(imports, "being-previewed.xlsx", hours_old=1),
        "other_file": _file(imports, "notes.txt", hours_old=100),
        "expired_pending": _pending(user, "t-expired", -dt.timedelta(minutes=1)),
        "live_pending": _pending(user, "t-live", dt.timedelta(hours=1)),
        "old_attempt": _attempt("alice", minutes_ago=60),
        "recent_attempt": _attempt("bob", minutes_ago=5),
    }


def _run(*args) -> str:
    out = io.StringIO()
    call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


def test_it_deletes_exactly_what_is_past_its_age(kept):
    output = _run()
    assert not kept["old_upload"].exists()
    assert kept["new_upload"].exists()
    assert kept["other_file"].exists()
    assert list(PendingSubmission.objects.values_list("token", flat=True)) == ["t-live"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bob"]
    assert "Deleted 1 abandoned workbook upload(s)." in output
    assert "Deleted 1 expired kept form(s)." in output
    assert "Deleted 1 expired session(s)." in output
    assert "Deleted 1 old failed sign-in record(s)." in output


def test_it_records_what_it_deleted_in_the_audit_trail(kept):
    _run()
    event = AuditEvent.objects.get(action="housekeeping.purge")
    assert event.via == "via command purge_expired"
    assert event.user is None
    assert event.after == {
        "import_previews": 1,
        "pending_submissions": 1,
        "sessions": 1,
        "sign_in_attempts": 1,
        "finished_jobs": 0,
    }


def test_a_dry_run_counts_and_deletes_nothing(kept):
    output = _run("--dry-run")
    assert "Would delete 1 abandoned workbook upload(s)." in output
    assert "Would delete 1 expired kept form(s)." in output
    assert kept["old_upload"].exists()
    assert PendingSubmission.objects.count() == 2
    assert Session.objects.count() == 2
    assert AccessAttempt.objects.count() == 2
    assert not AuditEvent.objects.filter(action="housekeeping.purge").exists()


def test_a_second_run_finds_nothing_and_still_records_the_run(kept):
    _run()
    output = _run()
    assert "Deleted 0 abandoned workbook upload(s)." in output
    assert "Deleted 0 expired session(s)." in output
    assert AuditEvent.objects.filter(action="housekeeping.purge").count() == 2


def test_it_runs_when_nothing_was_ever_uploaded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "never-made"
    assert "Deleted 0 abandoned workbook upload(s)." in _run()


def test_it_deletes_workbook_previews_kept_in_the_database_once_a_day_old(settings, tmp_path):
    from svmonitor.models import ImportPreview

    settings.MEDIA_ROOT = tmp_path
    user = UserFactory(username="previewer")
    for token, hours in (("abandoned", 25), ("being-previewed", 1)):
        ImportPreview.objects.create(
            token=token,
            user=user,
            council_slug="x",
            filename=f"{token}.xlsx",
            content=b"PK\x03\x04",
            sha256="0" * 64,
            created_at=timezone.now() - dt.timedelta(hours=hours),
        )

    assert "Would delete 1 abandoned workbook upload(s)." in _run("--dry-run")
    assert "Deleted 1 abandoned workbook upload(s)." in _run()
    assert list(ImportPreview.objects.values_list("token", flat=True)) == ["being-previewed"]


def test_finished_jobs_not_kept_for_reuse_are_deleted_with_their_files_after_a_week(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    council = f.LocalAuthorityFactory()
    old = timezone.now() - dt.timedelta(days=8)
    draft = BackgroundJob.objects.create(
        kind="report_pdf", council=council, status=JobStatus.DONE, finished_at=old
    )
    job_result_store(draft, b"%PDF-draft", name="draft.pdf", content_type="application/pdf")
    draft.save()
    stored = tmp_path / draft.result_file.name
    assert stored.exists()
    # Kept: a locked round's render (served again), a recent one, and one still running.
    kept_render = BackgroundJob.objects.create(
        kind="report_pdf", key="report_pdf:1:abc:v3", status=JobStatus.DONE, finished_at=old
    )
    recent = BackgroundJob.objects.create(
        kind="report_pdf", status=JobStatus.FAILED, finished_at=timezone.now()
    )
    running = BackgroundJob.objects.create(kind="workbook_import", status=JobStatus.RUNNING)

    assert "Deleted 1 finished background job(s)." in _run()

    assert set(BackgroundJob.objects.values_list("pk", flat=True)) == {
        kept_render.pk,
        recent.pk,
        running.pk,
    }
    assert not stored.exists()
