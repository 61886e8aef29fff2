"""Edit pages of a DSG plan round's texts (one topic each) and governance, opened from the
round's task pages; every save through overview.services (issue 19)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from overview.forms import GovernanceForm, NarrativeTextForm
from overview.models import NarrativeTopic, RoundGovernance, RoundNarrative
from overview.sections_dsg import (
    DSG_PLAN,
    GOVERNANCE_SECTION,
    GOVERNANCE_TASK,
    NARRATIVE_SECTION,
    TEXT_GROUPS,
)
from overview.services import GOVERNANCE_FIELDS, round_governance_save, round_narrative_save
from svmonitor.history import theirs_fields
from svmonitor.roles import Action
from svmonitor.section_views import (
    edit_form_submit,
    locked_response,
    next_url,
    round_for_request,
    round_urls,
    saved_response,
    task_url,
)

TEMPLATE = "overview/dsg_text_edit.html"
_TASK_OF_GROUP = {spec.group: spec.task_key for spec in TEXT_GROUPS}


def _back(request, round, task_key: str):
    """Where the page goes back to: the task page it was opened from, else the task's page."""

    def row_response(**_extra):
        return redirect(next_url(request) or task_url(round, task_key))

    return row_response


@login_required
@require_http_methods(["GET", "POST"])
def dsg_text_edit(request, slug, fy, n, topic):
    """Edit one topic's text of a draft DSG plan round."""
    round = round_for_request(request, slug, fy, n, Action.EDIT, kind=DSG_PLAN)
    key = topic
    topic = NarrativeTopic.objects.filter(return_kind=round.return_kind, key=key).first()
    if topic is None:
        raise Http404("This return does not ask for that text.")
    task_key = _TASK_OF_GROUP.get(topic.group, "")
    back = _back(request, round, task_key)
    if round.is_locked:
        return locked_response(request, round, key, back)
    row = RoundNarrative.objects.filter(round=round, topic=topic).first()
    council = round.agreement.council

    def save(data):
        round_narrative_save(
            round=round,
            topic=topic,
            expected_version=data["version"],
            text=data["text"],
            by=request.user,
        )

    edit = edit_form_submit(
        request,
        NarrativeTextForm,
        anchor=key,
        initial=lambda: {"text": row.text if row else "", "version": row.version if row else 0},
        save=save,
        theirs=lambda stale: theirs_fields(NARRATIVE_SECTION, row.pk if row else 0, stale),
        council=council,
        topic=topic,
    )
    if edit.saved:
        return saved_response(request, round, key, back)
    context = {
        "round": round,
        "council": council,
        "nav": round_urls(round),
        "title": topic.title,
        "anchor": key,
        "form": edit.form,
        "conflict": edit.conflict,
        "field_names": ("text",),
        "cancel_href": next_url(request) or task_url(round, task_key),
    }
    return render(request, TEMPLATE, context)


@login_required
@require_http_methods(["GET", "POST"])
def dsg_governance_edit(request, slug, fy, n):
    """Edit a draft DSG plan round's Schools Forum date, next review and notes."""
    round = round_for_request(request, slug, fy, n, Action.EDIT, kind=DSG_PLAN)
    if round.return_kind != DSG_PLAN:
        raise Http404("This return has no governance section.")
    back = _back(request, round, GOVERNANCE_TASK)
    anchor = "governance"
    if round.is_locked:
        return locked_response(request, round, anchor, back)
    governance = RoundGovernance.objects.filter(round=round).first()
    council = round.agreement.council

    def initial():
        values = {
            name: getattr(governance, name) if governance else None for name in GOVERNANCE_FIELDS
        }
        values["notes"] = values["notes"] or ""
        return {**values, "version": governance.version if governance else 0}

    def save(data):
        round_governance_save(
            round=round,
            expected_version=data["version"],
            by=request.user,
            **{name: data[name] for name in GOVERNANCE_FIELDS},
        )

    edit = edit_form_submit(
        request,
        GovernanceForm,
        anchor=anchor,
        initial=initial,
        save=save,
        theirs=lambda stale: theirs_fields(
            GOVERNANCE_SECTION, governance.pk if governance else 0, stale
        ),
        council=council,
    )
    if edit.saved:
        return saved_response(request, round, anchor, back)
    context = {
        "round": round,
        "council": council,
        "nav": round_urls(round),
        "title": "Governance",
        "anchor": anchor,
        "form": edit.form,
        "conflict": edit.conflict,
        "field_names": GOVERNANCE_FIELDS,
        "cancel_href": next_url(request) or task_url(round, GOVERNANCE_TASK),
    }
    return render(request, TEMPLATE, context)
