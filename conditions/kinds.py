"""The condition's and workstream's sections as the shared section views and the round page
need them."""

from __future__ import annotations

from conditions.models import ConditionUpdate, Milestone, WorkstreamUpdate
from conditions.selectors import MILESTONE_TAG, milestones_as_in_round, milestones_in_round
from conditions.services import condition_update_save, workstream_update_save
from svmonitor.section_forms import RatedUpdateForm
from svmonitor.section_rows import RatedKind
from svmonitor.section_views import section_urls


def milestone_decorate(round, milestone) -> None:
    """Give a milestone its element id, its URLs and its status tag colour."""
    milestone.anchor = f"milestone-{milestone.pk}"
    milestone.urls = section_urls(round, "milestone", milestone.pk)
    milestone.status_tag = MILESTONE_TAG.get(milestone.status, "govuk-tag--grey")


def _decorate_milestones(round, row) -> None:
    for milestone in row.milestones:
        milestone_decorate(round, milestone)


def _workstream_milestones(update) -> list[Milestone]:
    # As the update's round records them.
    milestones = Milestone.objects.filter(workstream_id=update.workstream_id)
    return milestones_as_in_round(milestones_in_round(milestones, update.round_id))


CONDITION = RatedKind(
    kind="condition",
    model=ConditionUpdate,
    key="condition_id",
    related=("condition", "updated_by"),
    title=lambda u: f"Condition {u.condition.label}: {u.condition.title}",
    form_class=RatedUpdateForm,
    save=condition_update_save,
)
WORKSTREAM = RatedKind(
    kind="workstream",
    model=WorkstreamUpdate,
    key="workstream_id",
    related=("workstream__area", "updated_by"),
    title=lambda u: f"Workstream: {u.workstream.name}",
    row_title=lambda u: u.workstream.name,
    form_class=RatedUpdateForm,
    save=workstream_update_save,
    milestones=_workstream_milestones,
    decorate_row=_decorate_milestones,
)
