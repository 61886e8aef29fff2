"""A background job's pages: its status (polled by htmx; a refresh link without JavaScript) and
its result. Only the person who asked, or someone with a role at the same council, sees a job;
anyone else gets a 404, as for another council's data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from svmonitor.access import council_for_user, round_readable
from svmonitor.audit import audit_record
from svmonitor.jobs import JobFailed, JobHandler, job_handler, job_refresh, job_result_read
from svmonitor.models import BackgroundJob, JobStatus
from svmonitor.roles import Role
from svmonitor.section_views import round_page_url

POLL_SECONDS = 2
# htmx stops polling an element when the response has this status (and still swaps it).
STOP_POLLING = 286


def job_for_user(request, job_id) -> tuple[BackgroundJob, JobHandler]:
    """The job if this user may see it (else 404), with its handler.

    The job's council must be one the user may do the job's action at (council_for_user: no
    role there is a 404, a role without the action an audited 403); then the user must be the
    one who asked or hold a council role there (a DfE adviser sees only their own jobs), and
    may read the job's round (a draft stays hidden from an adviser it is not shared with).
    """
    job = (
        BackgroundJob.objects.select_related("council", "round__agreement__council")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise Http404("No such job.")
    try:
        handler = job_handler(job.kind)
    except KeyError as error:
        raise Http404("No such job.") from error
    user = request.user
    own = job.requested_by_id == user.pk
    if job.council is None:
        # A council created from a workbook: only the administrator who asked.
        if not own:
            raise Http404("No such job.")
        return job, handler
    council_for_user(request, job.council.slug, handler.action)
    council_roles = (request.council_roles or set()) - {Role.ADVISER}
    if not own and not user.is_superuser and not council_roles:
        raise Http404("No such job.")
    if job.round is not None and not round_readable(user, job.round, request.council_actions):
        raise Http404("No such job.")
    return job, handler


def job_file_response(request, job: BackgroundJob, handler: JobHandler) -> HttpResponse:
    """A finished job's file, audited as a download (a kept render served again too)."""
    try:
        content = job_result_read(job)
    except (JobFailed, FileNotFoundError) as error:
        raise Http404("This file is no longer kept.") from error
    if handler.audit_action:
        audit_record(
            action=handler.audit_action,
            request=request,
            council=job.council,
            obj=job.round,
            after={**job.result_meta, "job": str(job.pk)},
        )
    response = HttpResponse(content, content_type=job.result_type)
    disposition = "inline" if job.result_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{job.result_name}"'
    response["X-Content-SHA256"] = job.result_sha256
    return response


def job_page_response(request, job: BackgroundJob, handler: JobHandler, **context):
    """The job's page, or only its status region for htmx (which polls it until it ends)."""
    template = "svmonitor/job_status.html"
    polled = False
    if request.htmx and not request.htmx.boosted:
        # The page's own poll swaps the inside of the live region; another page that swaps
        # the job in (the workbook confirm) takes the whole region.
        polled = request.htmx.target == "job-status"
        template += "#job-status-body" if polled else "#job-status"
    if job.status == JobStatus.DONE and handler.result_context is not None:
        context = {**handler.result_context(job), **context}
    response = render(
        request,
        template,
        {
            "job": job,
            "handler": handler,
            "poll_seconds": POLL_SECONDS,
            "status_url": reverse("jobs:job_status", args=[job.pk]),
            "result_url": reverse("jobs:job_result", args=[job.pk]),
            # Back to where it was asked for (read from the job's joined round: no query).
            "round_url": round_page_url(job.round) if job.round is not None else "",
            "JobStatus": JobStatus,
            **context,
        },
    )
    response["X-Job-Status"] = str(job.status)
    response["X-Job-Id"] = str(job.pk)
    if polled and job.is_finished:
        response.status_code = STOP_POLLING
    return response


@login_required
@require_GET
def job_status(request, job_id):
    """Where a job stands; its result (or a link to it) once it is done."""
    job, handler = job_for_user(request, job_id)
    job_refresh(job)
    return job_page_response(request, job, handler)


@login_required
@require_GET
def job_result(request, job_id):
    """A finished job's file; its status page until then."""
    job, handler = job_for_user(request, job_id)
    job_refresh(job)
    if job.status != JobStatus.DONE or not job.result_file:
        return redirect("jobs:job_status", job.pk)
    return job_file_response(request, job, handler)
