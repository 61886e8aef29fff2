"""PDF downloads: the DfE monitoring report of a round, and the board pack of the dashboard.

Both need the export action at the council (council_action_required: signed out is sent to
sign in, no role there is a 404, a role without export an audited 403). Renders run in
svmonitor.pdf_limits' bounded child process; a refusal there (busy, too slow, too big)
becomes the 503 page in svmonitor.middleware_security.
"""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from reports.models import ReportFile
from reports.pdf.produce import ProducedPdf, report_pdf_produce
from reports.snapshot import round_key_parse
from svmonitor.access import council_action_required
from svmonitor.audit import audit_record
from svmonitor.fy import fy_parse
from svmonitor.models import ReportingRound
from svmonitor.ratelimit import rate_limited
from svmonitor.roles import Action
from svmonitor.sections import SAFETY_VALVE

EXPORTED = "pdf_exported"


def _scoped_rounds(request, council):
    # Scoped through .for_user() as well as through the council: export is the action checked.
    return ReportingRound.objects.for_user(request.user, Action.EXPORT).filter(
        agreement__council=council, return_kind=SAFETY_VALVE
    )


def _pdf_response(request, produced: ProducedPdf, *, council, round, kind) -> HttpResponse:
    audit_record(
        action=EXPORTED,
        request=request,
        council=council,
        obj=round,
        after={
            "kind": kind,
            "sha256": produced.sha256,
            "stored": produced.stored is not None,
            "snapshot_sha256": produced.source.sha256,
            "draft": produced.is_draft,
        },
    )
    response = HttpResponse(produced.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{produced.filename}"'
    response["X-Content-SHA256"] = produced.sha256
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
    produced = report_pdf_produce(round=found, kind=ReportFile.Kind.REPORT, by=request.user)
    return _pdf_response(
        request, produced, council=council, round=found, kind=ReportFile.Kind.REPORT
    )


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
    produced = report_pdf_produce(round=found, kind=ReportFile.Kind.BOARD_PACK, by=request.user)
    return _pdf_response(
        request, produced, council=council, round=found, kind=ReportFile.Kind.BOARD_PACK
    )
