"""Downloads of a DSG round's outputs: the plan and the Schools Forum paper, as PDF and .docx.

The same door as report.pdf and report.docx: the export action at the council
(council_action_required: signed out is sent to sign in, no role there is a 404, a role without
export an audited 403), the export rate limit, the round found through .for_user() (an adviser
gets a draft only if the council shares its drafts), the render as a background job (a locked
round's kept file served at once, else a 303 to the job's page; reports/dsg/jobs.py), and an
audit event for every download (pdf_exported / docx_exported, with the record it was built
from).
"""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from reports.views_pdf import render_or_queue
from svmonitor.access import council_action_required
from svmonitor.fy import fy_parse
from svmonitor.models import ReportingRound
from svmonitor.ratelimit import rate_limited
from svmonitor.roles import Action
from svmonitor.sections import DSG_PLAN


def dsg_round(request, council, fy: str, n: int) -> ReportingRound:
    """The DSG round a URL names, as the user may export it; a 404 otherwise."""
    try:
        financial_year = fy_parse(fy)
    except ValueError as error:
        raise Http404(str(error)) from error
    found = (
        ReportingRound.objects.for_user(request.user, Action.EXPORT)
        .dsg_plan()
        .filter(
            agreement__council=council,
            financial_year=financial_year,
            update_number=n,
        )
        .select_related("agreement__council")
        .order_by("-agreement__date_signed")
        .first()
    )
    if found is None:
        raise Http404("This council has no such DSG plan update.")
    return found


def _download(request, fy, n, *, kind: str) -> HttpResponse:
    council = request.council
    found = dsg_round(request, council, fy, n)
    return render_or_queue(request, kind=kind, council=council, round=found)


@council_action_required(Action.EXPORT)
@rate_limited("export")
@require_GET
def dsg_plan_pdf(request, slug, fy, n, kind=DSG_PLAN):
    """The DSG deficit management plan of one round as a tagged PDF."""
    return _download(request, fy, n, kind="dsg_plan_pdf")


@council_action_required(Action.EXPORT)
@rate_limited("export")
@require_GET
def dsg_plan_docx(request, slug, fy, n, kind=DSG_PLAN):
    """The DSG deficit management plan of one round as .docx."""
    return _download(request, fy, n, kind="dsg_plan_docx")


@council_action_required(Action.EXPORT)
@rate_limited("export")
@require_GET
def dsg_schools_forum_pdf(request, slug, fy, n, kind=DSG_PLAN):
    """The round's termly Schools Forum paper as a tagged PDF."""
    return _download(request, fy, n, kind="dsg_schools_forum_pdf")


@council_action_required(Action.EXPORT)
@rate_limited("export")
@require_GET
def dsg_schools_forum_docx(request, slug, fy, n, kind=DSG_PLAN):
    """The round's termly Schools Forum paper as .docx."""
    return _download(request, fy, n, kind="dsg_schools_forum_docx")
