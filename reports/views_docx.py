"""The DfE monitoring report of a round as an editable Word document (issue 16.3).

The same door as report.pdf: the export action at the council (council_action_required: signed
out is sent to sign in, no role there is a 404, a role without export an audited 403), the
export rate limit, the round found through .for_user() (an adviser gets a draft only if the
council shares its drafts), an audit event for every download, and the document written by a
background job (reports/jobs.py), kept for a locked round's record and served again.
"""

from django.views.decorators.http import require_GET

from reports.jobs import REPORT_DOCX
from reports.views_pdf import render_or_queue, report_round
from svmonitor.access import council_action_required
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
    return render_or_queue(request, kind=REPORT_DOCX, council=council, round=found)
