"""Running the queue in tests: the real database backend's worker, in this process."""

from unittest import mock

from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from svmonitor.models import BackgroundJob


def run_queued_tasks() -> None:
    """Run every task ready on the queue, as `manage.py db_worker --batch` would: the same
    Worker class over the same database rows, in this process (no signal handlers).

    Only its between-tasks `close_old_connections()` is left out: inside a test's transaction
    Django counts the connection as "obsolete" (autocommit off) and would close it on
    PostgreSQL, ending the test's transaction; a real worker runs outside one."""
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        _worker().run()


def _worker() -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def download(client, url: str, **extra):
    """GET an export the way a person does: ask, let the worker run the job, fetch the result.

    A kept file is served at once; otherwise the request queues a job and is sent to its page
    (303); the worker then runs it and the job's result URL serves the file. Any other
    response (404, 403, 429) is returned as it came."""
    response = client.get(url, **extra)
    if response.status_code != 303:
        return response
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    run_queued_tasks()
    job = BackgroundJob.objects.get(pk=job_id)
    return client.get(f"/jobs/{job.pk}/result/", follow=True)


def finish(client, response, **extra):
    """After a request that queued a job (a 303 to its page, or an htmx status region): run
    the worker, then GET the job's page as the same client (htmx headers passed in extra)."""
    queued = response["Location"] if response.status_code == 303 else response["X-Job-Id"]
    url = queued if queued.startswith("/") else f"/jobs/{queued}/"
    run_queued_tasks()
    return client.get(url, **extra)
