"""The DSG plan's workstream log (issue 19): one workstream's entry (lead, dates, status, the
DSG line it affects), opened from the log's task page; saved through workstream_log_save."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from conditions.forms import WorkstreamLogForm
from conditions.models import Workstream
from conditions.sections_dsg import LOG_SECTION
from conditions.services import WORKSTREAM_LOG_FIELDS, workstream_log_save
from svmonitor.access import council_action_required
from svmonitor.history import theirs_fields
from svmonitor.roles import Action
from svmonitor.section_views import edit_form_submit, next_url

TEMPLATE = "conditions/workstream_log_edit.html"


@council_action_required(Action.EDIT)
@require_http_methods(["GET", "POST"])
def workstream_log_edit(request, slug, pk):
    """Edit one workstream's log entry; back to the page it was opened from."""
    council = request.council
    # Another council's workstream is a 404, like every object outside the user's councils.
    workstream = get_object_or_404(
        Workstream.objects.select_related("area"), pk=pk, area__council=council
    )

    def save(data):
        workstream_log_save(
            workstream=workstream,
            expected_version=data["version"],
            by=request.user,
            **{name: data[name] for name in WORKSTREAM_LOG_FIELDS},
        )

    edit = edit_form_submit(
        request,
        WorkstreamLogForm,
        anchor="workstream",
        initial=lambda: {
            **{name: getattr(workstream, name) for name in WORKSTREAM_LOG_FIELDS},
            "version": workstream.version,
        },
        save=save,
        theirs=lambda stale: theirs_fields(LOG_SECTION, workstream.pk, stale),
    )
    back = next_url(request)
    if edit.saved:
        messages.success(request, "Your changes were saved.")
        return redirect(back or request.path)
    context = {
        "council": council,
        "workstream": workstream,
        "form": edit.form,
        "conflict": edit.conflict,
        "back": back,
    }
    return render(request, TEMPLATE, context)
