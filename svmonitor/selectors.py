"""Reads about reporting rounds: the previous round, conditions in force, what is left to do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from conditions.models import AgreementCondition, ConditionUpdate, WorkstreamUpdate
from risks.models import Risk, RiskUpdate
from svmonitor.choices import Rag, YesNo
from svmonitor.models import Agreement, Headline, ReportingRound, RoundEvent, RoundOverview

# Red or any Amber (including the blended Amber/Red and Amber/Green) must say why.
RAGS_NEEDING_NARRATIVE = frozenset({Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN})

# The overview's three "is the plan on track?" questions: answer field, commentary field, wording.
ON_TRACK_QUESTIONS = (
    ("deficit_this_year_on_track", "deficit_this_year_commentary", "Deficit this year on track"),
    ("zero_deficit_on_track", "zero_deficit_commentary", "Zero deficit on track"),
    ("capital_project_on_track", "capital_project_commentary", "Capital project on track"),
)
ON_TRACK_ANSWERS = frozenset({"", *YesNo.values})

NOT_REVIEWED = "not yet reviewed for this update"


@dataclass(frozen=True)
class CompletenessGap:
    """One thing still to do before a return can be marked ready for sign-off."""

    section: str  # "condition", "risk", "workstream" or "overview"
    item: str
    problem: str
    object_id: int | None = None

    def __str__(self) -> str:
        return f"{self.item}: {self.problem}"


def round_previous(round: ReportingRound) -> ReportingRound | None:
    """The agreement's round just before this one (by financial year, then update number)."""
    return previous_round_for(
        agreement=round.agreement,
        financial_year=round.financial_year,
        update_number=round.update_number,
    )


def previous_round_for(
    *, agreement: Agreement, financial_year: int, update_number: int
) -> ReportingRound | None:
    """The agreement's latest round before the given financial year and update number."""
    earlier = Q(financial_year__lt=financial_year) | Q(
        financial_year=financial_year, update_number__lt=update_number
    )
    return (
        ReportingRound.objects.filter(earlier, agreement=agreement)
        .order_by("-financial_year", "-update_number")
        .first()
    )


def conditions_in_force(*, agreement: Agreement, on: dt.date) -> QuerySet[AgreementCondition]:
    """The agreement's conditions in force on a day, in the agreement's order."""
    return AgreementCondition.objects.filter(
        Q(in_force_to__isnull=True) | Q(in_force_to__gte=on),
        agreement=agreement,
        in_force_from__lte=on,
    ).order_by("order", "label")


def _rated_gaps(section: str, rows, *, carried: bool = False) -> list[CompletenessGap]:
    gaps = []
    for object_id, item, rag, narrative, version in rows:
        if rag == Rag.NOT_RATED:
            gaps.append(CompletenessGap(section, item, "not rated", object_id))
        elif rag in RAGS_NEEDING_NARRATIVE and not narrative.strip():
            label = Rag(rag).label
            gaps.append(
                CompletenessGap(
                    section, item, f"rated {label} without a progress update", object_id
                )
            )
        elif carried and version == 1:
            gaps.append(CompletenessGap(section, item, NOT_REVIEWED, object_id))
    return gaps


def _overview_gaps(round: ReportingRound, *, carried: bool = False) -> list[CompletenessGap]:
    overview = RoundOverview.objects.filter(round=round).first()
    if overview is None:
        return [CompletenessGap("overview", "Overview", "not started")]
    gaps = []
    for answer_field, commentary_field, wording in ON_TRACK_QUESTIONS:
        answer = getattr(overview, answer_field)
        if not answer:
            gaps.append(CompletenessGap("overview", wording, "not answered", overview.pk))
        elif not getattr(overview, commentary_field).strip():
            gaps.append(CompletenessGap("overview", wording, "commentary missing", overview.pk))
    if carried and overview.version == 1 and not gaps:
        gaps.append(CompletenessGap("overview", "Overview", NOT_REVIEWED, overview.pk))
    return gaps


def round_was_carried_forward(round: ReportingRound) -> bool:
    """Whether the round was opened by carrying forward a previous round (round_open_next)."""
    return RoundEvent.objects.filter(round=round, action="opened").exists()


def round_completeness(round: ReportingRound) -> list[CompletenessGap]:
    """What is still to update before the round can be marked ready (empty when complete).

    A section carried forward into a round opened by round_open_next still holds the previous
    update's words until someone saves it here. Until then (its version is still 1: every save,
    in the page or by a workbook import, bumps it) it is "not yet reviewed for this update",
    even when unchanged wording would do: saving it as it is records that it was reviewed.
    """
    carried = round_was_carried_forward(round)
    condition_rows = (
        ConditionUpdate.objects.filter(round=round)
        .order_by("condition__order", "condition__label")
        .values_list("pk", "condition__label", "rag", "narrative", "version")
    )
    gaps = _rated_gaps(
        "condition",
        [(pk, f"Condition {label}", rag, n, v) for pk, label, rag, n, v in condition_rows],
        carried=carried,
    )
    # A condition in force with no row at all is as unrated as one marked "not rated".
    missing = conditions_in_force(agreement=round.agreement, on=round.due_date).exclude(
        updates__round=round
    )
    gaps += [
        CompletenessGap("condition", f"Condition {label}", "not rated")
        for label in missing.values_list("label", flat=True)
    ]

    risk_rows = (
        RiskUpdate.objects.filter(round=round)
        .order_by("risk__number")
        .values_list("pk", "risk__number", "rag", "narrative", "version")
    )
    gaps += _rated_gaps(
        "risk",
        [(pk, f"Risk {num}", rag, n, v) for pk, num, rag, n, v in risk_rows],
        carried=carried,
    )
    open_missing = Risk.objects.filter(council=round.agreement.council_id, is_open=True).exclude(
        updates__round=round
    )
    gaps += [
        CompletenessGap("risk", f"Risk {number}", "not rated")
        for number in open_missing.order_by("number").values_list("number", flat=True)
    ]

    workstream_rows = (
        WorkstreamUpdate.objects.filter(round=round)
        .order_by("workstream__area__number", "workstream__order", "workstream__name")
        .values_list("pk", "workstream__name", "rag", "narrative", "version")
    )
    gaps += _rated_gaps("workstream", list(workstream_rows), carried=carried)
    return gaps + _overview_gaps(round, carried=carried)


def headline_texts(*, overview: RoundOverview, kind: str) -> list[str]:
    """One headline list's texts in order."""
    return list(
        Headline.objects.filter(overview=overview, kind=kind)
        .order_by("position")
        .values_list("text", flat=True)
    )
