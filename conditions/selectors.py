"""Reads of conditions, workstreams and milestones."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

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


def milestone_for_user(*, user, round: ReportingRound, pk: int, action: str) -> Milestone | None:
    """A milestone of a workstream reported in this round that the user may act on, or None."""
    return (
        Milestone.objects.for_user(user, action)
        .filter(pk=pk, workstream__updates__round=round)
        .select_related("workstream")
        .first()
    )
