"""The quarter's finance forecast as a part of a return (registered with the spine in
FinanceConfig.ready): completed when the forecast was saved, or confirmed unchanged, while the
return was a draft (finance.ForecastReview). A council that keeps no finance lines has no
finance task: its money is in its narrative."""

from __future__ import annotations

from django.urls import reverse

from finance.models import FinanceLine, ForecastReview
from svmonitor.models import Agreement
from svmonitor.roles import Action
from svmonitor.sections import (
    TASK_COMPLETED,
    TASK_NOT_STARTED,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    return_part_register,
)

SECTION = "finance"
TITLE = "Finance forecast"
GROUP = "Key measures and finance"
NOT_REVIEWED = "not saved or confirmed for this update"


def _keeps_finance(round) -> bool:
    return FinanceLine.objects.filter(agreement__council_id=round.agreement.council_id).exists()


def _url(round) -> str:
    return reverse("finance:forecast_grid", args=[round.agreement.council.slug])


def finance_completeness(round, carried: bool) -> list[CompletenessGap]:
    """The forecast, if the council keeps one and it was neither saved nor confirmed."""
    if not _keeps_finance(round) or ForecastReview.objects.filter(round=round).exists():
        return []
    return [
        CompletenessGap(
            SECTION, TITLE, NOT_REVIEWED, url=_url(round), url_action=Action.EDIT_FINANCE
        )
    ]


def finance_tasks(round, carried: bool = False) -> list[ReturnTask]:
    """The return's finance task and its status."""
    if not _keeps_finance(round):
        return []
    review = ForecastReview.objects.filter(round=round).first()
    if review is None:
        return [
            ReturnTask(
                key="finance-forecast",
                group=GROUP,
                title=TITLE,
                status=TASK_NOT_STARTED,
                hint="The finance lead saves the forecast, or confirms no change this quarter.",
                start_url=_url(round),
                start_action=Action.EDIT_FINANCE,
            )
        ]
    hint = f"{review.get_how_display()} on {review.reviewed_at:%-d %B %Y}"
    return [ReturnTask("finance-forecast", GROUP, TITLE, TASK_COMPLETED, hint)]


def finance_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """The finance task of many rounds as (complete, total): (1, 1) reviewed, (0, 1) not,
    (0, 0) for a council that keeps no finance lines (three queries, however many rounds)."""
    agreements = dict(
        Agreement.objects.filter(pk__in={r.agreement_id for r in rounds}).values_list(
            "pk", "council_id"
        )
    )
    keeping = set(
        FinanceLine.objects.filter(agreement__council_id__in=set(agreements.values()))
        .values_list("agreement__council_id", flat=True)
        .distinct()
    )
    reviewed = set(
        ForecastReview.objects.filter(round_id__in=[r.pk for r in rounds]).values_list(
            "round_id", flat=True
        )
    )
    return {
        r.pk: (
            (1 if r.pk in reviewed else 0, 1) if agreements[r.agreement_id] in keeping else (0, 0)
        )
        for r in rounds
    }


def _no_carry_forward(new, previous, by) -> None:
    """Finance lines belong to the agreement, not a round: nothing is copied, and a new return
    needs its forecast saved or confirmed again."""


PARTS = (
    ReturnPart(
        SECTION,
        60,
        _no_carry_forward,
        finance_completeness,
        progress=finance_progress,
        tasks=finance_tasks,
    ),
)


def register_with_spine() -> None:
    """Register the finance forecast as a part of the return."""
    for part in PARTS:
        return_part_register(part)
