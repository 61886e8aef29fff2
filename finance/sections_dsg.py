"""The DSG management plan's financial summary as a part of a DSG plan return (registered with
the spine in FinanceConfig.ready): task "Financial summary", completed when the plan's figures
were saved, or the forecast confirmed unchanged, while the return was a draft
(finance.ForecastReview); its snapshot is the grid as entered plus every derived figure."""

from __future__ import annotations

from django.urls import reverse

from finance.dsg_summary import dsg_summary_build, dsg_summary_fragment
from finance.models import ForecastReview
from finance.models_dsg import DsgPlanFigure
from svmonitor.models import Agreement, AuditEvent, RoundEvent
from svmonitor.roles import Action
from svmonitor.sections import (
    DSG_PLAN,
    SAFETY_VALVE,
    TASK_COMPLETED,
    TASK_IN_PROGRESS,
    TASK_NOT_STARTED,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    return_part_register,
)

SECTION = "dsg_finance"
TITLE = "Financial summary"
GROUP = "Financial summary"
NOT_SAVED = "not saved or confirmed for this update"


def _is_plan(round) -> bool:
    """Whether the round is a DSG plan return (the spine asks only its own kind's parts; this
    keeps a caller that asks every part clear of it on a Safety Valve return)."""
    return getattr(round, "return_kind", SAFETY_VALVE) == DSG_PLAN


def _url(round) -> str:
    return reverse("finance:dsg_plan_grid", args=[round.agreement.council.slug])


def dsg_finance_completeness(round, carried: bool) -> list[CompletenessGap]:
    """The summary, if it was neither saved nor confirmed while the return was a draft."""
    if not _is_plan(round) or ForecastReview.objects.filter(round=round).exists():
        return []
    return [
        CompletenessGap(SECTION, TITLE, NOT_SAVED, url=_url(round), url_action=Action.EDIT_FINANCE)
    ]


# What a save of the plan's figures records in the history (finance/services_dsg.py).
_FIGURE_ACTIONS = ("dsg_plan_figure.save", "dsg_plan_line.create")


def _figures_saved_this_term(round) -> bool:
    """Whether anyone saved the plan's figures since this term's update was opened. The
    figures are the plan's, not the term's: a new term starts with last term's, which is not
    the term's work begun. A round with no "opened" event (history loaded) counts any figure."""
    opened_at = (
        RoundEvent.objects.filter(round=round, action="opened").values_list("at", flat=True).first()
    )
    if opened_at is None:
        return DsgPlanFigure.objects.filter(line__agreement_id=round.agreement_id).exists()
    return AuditEvent.objects.filter(
        council_id=round.agreement.council_id, action__in=_FIGURE_ACTIONS, at__gte=opened_at
    ).exists()


def dsg_finance_tasks(round, carried: bool = False) -> list[ReturnTask]:
    """The return's "Financial summary" task and its status."""
    if not _is_plan(round):
        return []
    review = ForecastReview.objects.filter(round=round).first()
    if review is not None:
        hint = f"{review.get_how_display()} on {review.reviewed_at:%-d %B %Y}"
        return [
            ReturnTask(
                "dsg-finance",
                GROUP,
                TITLE,
                TASK_COMPLETED,
                hint,
                start_url=_url(round),
                start_action=Action.EDIT_FINANCE,
            )
        ]
    started = _figures_saved_this_term(round)
    return [
        ReturnTask(
            key="dsg-finance",
            group=GROUP,
            title=TITLE,
            status=TASK_IN_PROGRESS if started else TASK_NOT_STARTED,
            hint=(
                "The finance lead saves each block's figures by year, unmitigated and mitigated, "
                "or confirms no change this term."
            ),
            start_url=_url(round),
            start_action=Action.EDIT_FINANCE,
        )
    ]


def dsg_finance_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """The task of many rounds as (complete, total) (one query, however many rounds)."""
    reviewed = set(
        ForecastReview.objects.filter(round_id__in=[r.pk for r in rounds]).values_list(
            "round_id", flat=True
        )
    )
    return {r.pk: (1 if r.pk in reviewed else 0, 1) if _is_plan(r) else (0, 0) for r in rounds}


def dsg_finance_snapshot(round) -> dict:
    """The plan's financial summary as it stands, for the round's record (three queries)."""
    agreement = Agreement.objects.get(pk=round.agreement_id)
    return dsg_summary_fragment(dsg_summary_build(agreement=agreement))


def _no_carry_forward(new, previous, by) -> None:
    """The summary belongs to the agreement, not a round: nothing is copied."""


def _part() -> ReturnPart:
    return ReturnPart(
        SECTION,
        20,
        _no_carry_forward,
        dsg_finance_completeness,
        progress=dsg_finance_progress,
        tasks=dsg_finance_tasks,
        return_kind=DSG_PLAN,
        snapshot=dsg_finance_snapshot,
    )


def register_with_spine() -> None:
    """Register the financial summary as a part of the DSG plan return."""
    return_part_register(_part())
