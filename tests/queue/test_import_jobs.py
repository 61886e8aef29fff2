"""The workbook import on the queue: a dead import is reported, not run again; its page is
for the council's own people."""

import datetime as dt

import pytest
from django.utils import timezone

from svmonitor import jobs
from svmonitor.models import BackgroundJob, JobStatus
from svmonitor.roles import Role
from tests.factories import MembershipFactory
from workbook.jobs import IMPORT_STALE_SECONDS, WORKBOOK_IMPORT

pytestmark = pytest.mark.django_db


def _import_job(council, by, *, beat_seconds_ago):
    beat = timezone.now() - dt.timedelta(seconds=beat_seconds_ago)
    return BackgroundJob.objects.create(
        kind=WORKBOOK_IMPORT,
        council=council,
        requested_by=by,
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=beat,
        heartbeat_at=beat,
        params={"token": "gone", "slug": council.slug, "name": "x.xlsx", "create": False},
    )


def test_an_import_whose_worker_died_is_reported_failed_and_not_run_again(
    client, council, la_officer
):
    # Quiet for less than an import's stale time: still in progress.
    alive = _import_job(council, la_officer, beat_seconds_ago=IMPORT_STALE_SECONDS - 60)
    client.force_login(la_officer)
    assert client.get(f"/jobs/{alive.pk}/")["X-Job-Status"] == "running"

    dead = _import_job(council, la_officer, beat_seconds_ago=IMPORT_STALE_SECONDS + 1)
    page = client.get(f"/jobs/{dead.pk}/")

    assert page["X-Job-Status"] == "failed"
    assert jobs.DIED in page.content.decode()
    dead.refresh_from_db()
    assert dead.attempts == 1  # an import that may have written is never run a second time


def test_an_import_job_is_hidden_from_another_council_and_from_a_role_without_upload(
    client, council, la_officer, other_la_officer, board_member
):
    job = _import_job(council, la_officer, beat_seconds_ago=0)
    client.force_login(other_la_officer)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    # A board member at the council may not upload: refused (audited 403), as the upload page.
    client.force_login(board_member)
    assert client.get(f"/jobs/{job.pk}/").status_code == 403
    # A colleague who may upload sees it.
    colleague = MembershipFactory(council=council, role=Role.LEAD).user
    client.force_login(colleague)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
