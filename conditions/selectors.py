"""Reads of conditions, workstreams and milestones."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, FilteredRelation, Q, QuerySet

from conditions.models import AgreementCondition, Milestone
from svmonitor.models import ReportingRound

MILESTONE_TAG = {
    Milestone.Status.COMPLETE: "govuk-tag--green",
    Milestone.Status.ON_TRACK: "govuk-tag--blue",
    Milestone.Status.AT_RISK: "govuk-tag--orange",
    Milestone.Status.OVERDUE: "govuk-tag--red",
}


def conditions_in_force(*, agreement, on: dt.date) -> QuerySet[AgreementCondition]:
    """The agreement's conditions in force on a day, in the agreement's order."""
    return AgreementCondition.objects.filter(
        Q(in_force_to__isnull=True) | Q(in_force_to__gte=on),
        agreement=agreement,
        in_force_from__lte=on,
    ).order_by("order", "label")


def milestones_in_round(queryset, round_id: int):
    """Milestones with the round's own record of each joined (no extra query)."""
    return queryset.annotate(
        in_round=FilteredRelation("updates", condition=Q(updates__round_id=round_id))
    ).annotate(
        round_record_pk=F("in_round__pk"),
        round_status=F("in_round__status"),
        round_due_date=F("in_round__due_date"),
        round_completed_on=F("in_round__completed_on"),
        round_version=F("in_round__version"),
    )


def milestone_as_in_round(milestone: Milestone) -> Milestone:
    """Show a milestone (from milestones_in_round) as its round records it.

    Status and dates are the round's; `version` becomes the record's, which is what an edit
    from this return must match. Without a record yet (a milestone added after the round
    opened) it shows as first set up, at version 1, the version its record starts with.
    """
    if milestone.round_record_pk is not None:
        milestone.status = milestone.round_status
        milestone.due_date = milestone.round_due_date
        milestone.completed_on = milestone.round_completed_on
        milestone.version = milestone.round_version
    else:
        milestone.version = 1
    return milestone


def milestones_as_in_round(milestones) -> list[Milestone]:
    """Milestones from milestones_in_round as their round records them, by that due date."""
    shown = [milestone_as_in_round(m) for m in milestones]
    return sorted(shown, key=lambda m: (m.due_date, m.pk))


def milestone_for_user(*, user, round: ReportingRound, pk: int, action: str) -> Milestone | None:
    """A milestone of a workstream reported in this round that the user may act on, as this
    round records it (milestone_as_in_round), or None."""
    found = (
        milestones_in_round(Milestone.objects.for_user(user, action), round.pk)
        .filter(pk=pk, workstream__updates__round=round)
        .select_related("workstream")
        .first()
    )
    return milestone_as_in_round(found) if found is not None else None
