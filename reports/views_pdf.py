"""PDF downloads: the DfE monitoring report of a round, and the board pack of the dashboard.

Both need the export action at the council (council_action_required: signed out is sent to
sign in, no role there is a 404, a role without export an audited 403). Nothing is rendered in
the request: a render kept for the same frozen record is served at once, otherwise the render
is queued as a background job (reports/jobs.py) and the response sends the person to the job's
page, which shows its progress and then the file (svmonitor/job_views.py).
"""

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from reports.jobs import BOARD_PACK_PDF, REPORT_PDF, render_key
from reports.snapshot import round_key_parse
from svmonitor.access import council_action_required
from svmonitor.fy import fy_parse
from svmonitor.job_views import job_file_response, job_page_response
from svmonitor.jobs import job_finished_for_key, job_handler, job_request
from svmonitor.models import ReportingRound
from svmonitor.ratelimit import rate_limited
from svmonitor.roles import Action

EXPORTED = "pdf_exported"


def _scoped_rounds(request, council):
    # Scoped through .for_user() as well as through the council: export is the action checked.
    return (
        ReportingRound.objects.for_user(request.user, Action.EXPORT)
        .safety_valve()
        .filter(agreement__council=council)
    )


def render_or_queue(request, *, kind: str, council, round):
    """The kept file of this record if there is one (served again, audited); otherwise the
    render queued (or the one already on its way) and a 303 to its page. An htmx request gets
    the job's status region to swap in."""
    key = render_key(kind, round)
    handler = job_handler(kind)
    kept = job_finished_for_key(kind, key)
    if kept is not None:
        return job_file_response(request, kept, handler)
    job = job_request(kind=kind, by=request.user, council=council, round=round, key=key)
    if request.htmx and not request.htmx.boosted:
        return job_page_response(request, job, handler)
    return _see_other(job)


def _see_other(job):
    response = redirect("jobs:job_status", job.pk)
    response.status_code = 303
    return response


def report_round(request, council, fy: str, n: int) -> ReportingRound:
    """The round a report URL names, as the user may export it; a 404 otherwise."""
    try:
        financial_year = fy_parse(fy)
    except ValueError as error:
        raise Http404(str(error)) from error
    found = (
        _scoped_rounds(request, council)
        .filter(financial_year=financial_year, update_number=n)
        .select_related("agreement__council")
        .order_by("-agreement__date_signed")
        .first()
    )
    if found is None:
        raise Http404("This council has no such round.")
    return found


@council_action_required(Action.EXPORT)
@rate_limited("export")
@require_GET
def report_pdf(request, slug, fy, n):
    """The DfE narrative monitoring report of one round as PDF."""
    council = request.council
    found = report_round(request, council, fy, n)
    return render_or_queue(request, kind=REPORT_PDF, council=council, round=found)


@council_action_required(Action.EXPORT)
@rate_limited("export")
@require_GET
def board_pack_pdf(request, slug):
    """The dashboard as a board pack PDF: the latest round, or ?round=2024-25/3."""
    council = request.council
    rounds = _scoped_rounds(request, council).select_related("agreement__council")
    key = request.GET.get("round", "").strip()
    if key:
        try:
            financial_year, update_number = round_key_parse(key)
        except ValueError as error:
            raise Http404(str(error)) from error
        rounds = rounds.filter(financial_year=financial_year, update_number=update_number)
    found = rounds.order_by("-financial_year", "-update_number", "-agreement__date_signed").first()
    if found is None:
        raise Http404("This council has no such round.")
    return render_or_queue(request, kind=BOARD_PACK_PDF, council=council, round=found)
