"""Renders on the queue (issue 17): asked for in the request, run by the real worker, kept for a
locked round's record and served again, limited to RENDER_SLOTS at once across the deployment,
and never left "in progress" for ever when a worker dies."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports.jobs import REPORT_PDF
from reports.models import ReportFile
from svmonitor import jobs
from svmonitor.choices import RoundStatus
from svmonitor.models import AuditEvent, BackgroundJob, JobStatus, RenderSlot
from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.jobs import run_queued_tasks
from tests.pdf.conftest import pdf_text
from tests.round_builders import programme, round_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media):
    return media


def _url(rnd, name="reports:report_pdf"):
    return reverse(name, args=[rnd.agreement.council.slug, rnd.fy, rnd.update_number])


def _job_id(response) -> str:
    assert response.status_code == 303, response.status_code
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_the_request_queues_the_render_and_the_worker_runs_it(client):
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    client.force_login(prog.officer)

    job_id = _job_id(client.get(_url(rnd)))

    # Nothing was rendered in the request: a job and a task row wait for a worker.
    job = BackgroundJob.objects.get(pk=job_id)
    assert (job.status, job.kind, job.requested_by, job.council) == (
        JobStatus.QUEUED,
        REPORT_PDF,
        prog.officer,
        rnd.agreement.council,
    )
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    page = client.get(f"/jobs/{job_id}/")
    html = page.content.decode()
    assert page["X-Job-Status"] == "queued"
    assert 'role="status" aria-live="polite"' in html
    assert 'hx-trigger="every 2s"' in html
    assert f'href="/jobs/{job_id}/"' in html  # the refresh link, for a browser without JS
    # The way back to the return it was asked from, in the breadcrumbs and under the status.
    back = reverse("reports:round_detail", args=[rnd.agreement.council.slug, rnd.fy, 1])
    assert rnd.update_number == 1
    assert html.count(f'href="{back}"') == 2 and f"Back to {rnd}</a>" in html
    assert client.get(f"/jobs/{job_id}/result/").status_code == 302  # not ready yet

    run_queued_tasks()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 1
    polled = client.get(f"/jobs/{job_id}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="job-status")
    assert polled.status_code == 286  # htmx stops polling; the region shows the link
    assert b"<html" not in polled.content
    assert f'href="/jobs/{job_id}/result/"'.encode() in polled.content
    pdf = client.get(f"/jobs/{job_id}/result/")
    assert pdf["Content-Type"] == "application/pdf"
    assert "DRAFT" in pdf_text(pdf.content)
    event = AuditEvent.objects.get(action="pdf_exported")
    assert event.after["sha256"] == pdf["X-Content-SHA256"] == job.result_sha256


def test_a_locked_rounds_render_is_kept_and_served_again_without_rendering(client):
    prog = programme()
    rnd = round_in(RoundStatus.SIGNED_OFF, prog)
    client.force_login(prog.officer)
    job_id = _job_id(client.get(_url(rnd)))
    run_queued_tasks()
    first = client.get(f"/jobs/{job_id}/result/")
    tasks_before = DBTaskResult.objects.count()

    # Someone else at the council asks for the same record: the kept file, at once.
    colleague = MembershipFactory(council=rnd.agreement.council, role=Role.BOARD).user
    client.force_login(colleague)
    again = client.get(_url(rnd))

    assert again.status_code == 200
    assert again.content == first.content
    assert BackgroundJob.objects.count() == 1
    assert DBTaskResult.objects.count() == tasks_before  # nothing queued, nothing rendered
    assert ReportFile.objects.filter(round=rnd).count() == 1
    assert AuditEvent.objects.filter(action="pdf_exported").count() == 2


def test_a_drafts_render_is_never_reused(client):
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    client.force_login(prog.officer)
    first = _job_id(client.get(_url(rnd)))
    run_queued_tasks()

    second = _job_id(client.get(_url(rnd)))

    assert first != second
    assert BackgroundJob.objects.get(pk=first).key == ""


def test_a_round_signed_off_after_its_render_was_kept_is_rendered_again(client):
    prog = programme()
    rnd = round_in(RoundStatus.READY, prog)
    client.force_login(prog.officer)
    ready_job = _job_id(client.get(_url(rnd)))
    run_queued_tasks()
    assert client.get(_url(rnd)).status_code == 200  # kept while nothing moved

    rnd = _sign_off(rnd, prog)

    signed_job = _job_id(client.get(_url(rnd)))
    assert signed_job != ready_job


def _sign_off(rnd, prog):
    from svmonitor.services import round_sign_off
    from tests.round_builders import signing_day

    with signing_day(rnd.due_date - dt.timedelta(days=2)):
        round_sign_off(round=rnd, by=prog.s151, capacity="s151")
        round_sign_off(round=rnd, by=prog.dcs, capacity="dcs")
    rnd.refresh_from_db()
    return rnd


def test_only_the_requester_and_council_roles_see_a_job_and_another_council_gets_a_404(client):
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    client.force_login(prog.officer)
    job_id = _job_id(client.get(_url(rnd)))
    run_queued_tasks()
    council = rnd.agreement.council

    board = MembershipFactory(council=council, role=Role.BOARD).user
    client.force_login(board)
    assert client.get(f"/jobs/{job_id}/").status_code == 200
    assert client.get(f"/jobs/{job_id}/result/").status_code == 200

    elsewhere = MembershipFactory(role=Role.LEAD).user  # a lead at another council
    adviser = MembershipFactory(council=council, role=Role.ADVISER).user
    council.drafts_shared_with_dfe = True
    council.save()
    for outsider in (elsewhere, adviser, UserFactory()):
        client.force_login(outsider)
        assert client.get(f"/jobs/{job_id}/").status_code == 404
        assert client.get(f"/jobs/{job_id}/result/").status_code == 404


def test_the_job_page_reads_three_queries_queued_or_finished(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    client.force_login(prog.officer)
    job_id = _job_id(client.get(_url(rnd)))
    client.get(f"/jobs/{job_id}/")

    def reads():
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/jobs/{job_id}/")
        # Leaving out the session's own read and save (every signed-in page has them).
        return [
            q["sql"]
            for q in captured
            if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
        ]

    # 1 the user, 2 the job with its council and round (one join), 3 the user's memberships
    # at that council (council_for_user); the round's readability is answered from those.
    queued = reads()
    run_queued_tasks()
    finished = reads()
    assert len(queued) == len(finished) == 3, finished


# -- limits across the deployment -----------------------------------------------------------


def test_a_render_waits_while_every_render_slot_is_held_elsewhere(client, settings):
    settings.RENDER_SLOTS = 1
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    client.force_login(prog.officer)
    job_id = _job_id(client.get(_url(rnd)))
    # Another worker (of this deployment, on any server) holds the only slot.
    other = BackgroundJob.objects.create(kind=REPORT_PDF, status=JobStatus.RUNNING)
    assert jobs.render_slot_take(other.pk)
    assert not jobs.render_slot_take(other.pk)  # one slot: a second lease is refused

    run_queued_tasks()

    job = BackgroundJob.objects.get(pk=job_id)
    assert job.status == JobStatus.QUEUED and job.attempts == 0
    assert job.progress == jobs.WAITING_FOR_SLOT
    assert "Waiting for a free render slot" in client.get(f"/jobs/{job_id}/").content.decode()
    # It went back in the queue for a little later; the slot comes free; then it runs.
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    jobs.render_slot_release(other.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5), tick=False):
        run_queued_tasks()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert RenderSlot.objects.filter(job__isnull=False).count() == 0


def test_a_slot_whose_worker_died_is_free_once_its_lease_runs_out(settings):
    settings.RENDER_SLOTS = 1
    dead = BackgroundJob.objects.create(kind=REPORT_PDF, status=JobStatus.RUNNING)
    waiting = BackgroundJob.objects.create(kind=REPORT_PDF)
    assert jobs.render_slot_take(dead.pk)
    assert not jobs.render_slot_take(waiting.pk)
    later = timezone.now() + dt.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert jobs.render_slot_take(waiting.pk)
    assert RenderSlot.objects.get().job_id == waiting.pk


# -- a render or import that dies ---------------------------------------------------------------


def _running(job, *, beat_seconds_ago, attempts=1):
    beat = timezone.now() - dt.timedelta(seconds=beat_seconds_ago)
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=attempts, started_at=beat, heartbeat_at=beat
    )


def test_a_render_whose_worker_died_is_retried_then_reported_as_failed(client, settings):
    settings.JOB_STALE_SECONDS = 60
    settings.JOB_MAX_ATTEMPTS = 2
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    client.force_login(prog.officer)
    job_id = _job_id(client.get(_url(rnd)))
    job = BackgroundJob.objects.get(pk=job_id)
    # A worker took it and was killed: its task row says running, its heartbeat stopped.
    DBTaskResult.objects.update(status="RUNNING")
    _running(job, beat_seconds_ago=30)
    assert client.get(f"/jobs/{job_id}/")["X-Job-Status"] == "running"  # still within time

    _running(job, beat_seconds_ago=61)
    page = client.get(f"/jobs/{job_id}/")

    # Past the stale timeout: queued again, and the next worker renders it.
    assert page["X-Job-Status"] == "queued"
    assert jobs.RETRYING in page.content.decode()
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2

    # The second attempt dying as well is the last: it is reported, with a message.
    again = BackgroundJob.objects.create(
        kind=REPORT_PDF, council=rnd.agreement.council, round=rnd, requested_by=prog.officer
    )
    _running(again, beat_seconds_ago=61, attempts=2)
    page = client.get(f"/jobs/{again.pk}/")
    assert page["X-Job-Status"] == "failed"
    assert "stopped before it finished" in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # no more polling


def test_a_worker_sweeps_stale_jobs_before_each_job(settings):
    settings.JOB_STALE_SECONDS = 60
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    stale = BackgroundJob.objects.create(kind=REPORT_PDF, council=rnd.agreement.council, round=rnd)
    _running(stale, beat_seconds_ago=600, attempts=2)

    assert jobs.jobs_stale_settle() == 1

    stale.refresh_from_db()
    assert stale.status == JobStatus.FAILED and stale.message == jobs.DIED


def test_a_job_no_worker_picked_up_is_reported_not_left_waiting(client, settings):
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    client.force_login(prog.officer)
    job_id = _job_id(client.get(_url(rnd)))
    # Asked for longer ago than the queue timeout, and no worker has taken it since.
    asked = timezone.now() - dt.timedelta(seconds=settings.JOB_QUEUE_TIMEOUT_SECONDS + 1)
    BackgroundJob.objects.filter(pk=job_id).update(created_at=asked)
    page = client.get(f"/jobs/{job_id}/")
    assert page["X-Job-Status"] == "failed"
    assert "No worker picked this up" in page.content.decode()


def test_a_render_over_its_time_limit_is_stopped_and_reported(client, settings):
    settings.PDF_TIMEOUT_SECONDS = 0.01
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    client.force_login(prog.officer)
    job_id = _job_id(client.get(_url(rnd)))

    run_queued_tasks()

    page = client.get(f"/jobs/{job_id}/")
    assert page["X-Job-Status"] == "failed"
    assert "took longer than 0.01 seconds" in page.content.decode()
    assert RenderSlot.objects.filter(job__isnull=False).count() == 0


def test_a_failing_render_is_reported_with_a_message_not_left_running(client, monkeypatch):
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    client.force_login(prog.officer)
    job_id = _job_id(client.get(_url(rnd)))
    # The round is gone by the time a worker takes the job: the handler raises.
    BackgroundJob.objects.filter(pk=job_id).update(round=None)

    run_queued_tasks()

    job = BackgroundJob.objects.get(pk=job_id)
    assert job.status == JobStatus.FAILED and job.message == jobs.ERROR


def test_a_second_request_while_a_locked_rounds_render_waits_joins_the_same_job(client):
    prog = programme()
    rnd = round_in(RoundStatus.SUBMITTED, prog)
    client.force_login(prog.officer)

    first = _job_id(client.get(_url(rnd)))
    second = _job_id(client.get(_url(rnd)))

    assert first == second
    assert DBTaskResult.objects.count() == 1
