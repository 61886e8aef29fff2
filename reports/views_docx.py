"""The DfE monitoring report of a round as an editable Word document (issue 16.3).

The same door as report.pdf: the export action at the council (council_action_required: signed
out is sent to sign in, no role there is a 404, a role without export an audited 403), the
export rate limit, the round found through .for_user() (an adviser gets a draft only if the
council shares its drafts), and an audit event for every download.
"""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from reports.docx.produce import CONTENT_TYPE, report_docx_produce
from reports.views_pdf import report_round
from svmonitor.access import council_action_required
from svmonitor.audit import audit_record
from svmonitor.ratelimit import rate_limited
from svmonitor.roles import Action

EXPORTED = "docx_exported"


@council_action_required(Action.EXPORT)
@rate_limited("export")
@require_GET
def report_docx(request, slug, fy, n):
    """The DfE monitoring report of one round as .docx, from the same snapshot as the PDF."""
    council = request.council
    found = report_round(request, council, fy, n)
    produced = report_docx_produce(round=found)
    audit_record(
        action=EXPORTED,
        request=request,
        council=council,
        obj=found,
        after={
            "kind": "report",
            "format": "docx",
            "sha256": produced.sha256,
            "snapshot_sha256": produced.source.sha256,
            "draft": produced.is_draft,
        },
    )
    response = HttpResponse(produced.content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{produced.filename}"'
    response["X-Content-SHA256"] = produced.sha256
    return response
