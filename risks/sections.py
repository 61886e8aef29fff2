"""The risks' part of a return: carried forward into a new round, and what is still to do in
it (registered with the spine in RisksConfig.ready)."""

from __future__ import annotations

from django.utils.text import Truncator

from risks.models import Risk, RiskUpdate
from risks.services import risk_update_confirm
from svmonitor.choices import Rag
from svmonitor.history import HistorySection, history_section_register
from svmonitor.section_rows import rag_labels, rag_text
from svmonitor.section_views import (
    section_urls,
    section_urls_register,
    task_url,
    tasks_url,
    with_next,
)
from svmonitor.sections import (
    TASK_COMPLETED,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    RoundRows,
    SectionRef,
    SummaryCard,
    SummaryRow,
    rated_gaps,
    rated_progress,
    rated_task_status,
    return_part_register,
    section_confirm_register,
)


def risks_carry_forward(new, previous, by) -> None:
    """Copy the previous round's updates of open risks into `new`; add rows for new risks.

    Impact and likelihood are copied as they are (empty in a rated register); a council that
    now rates its risks gets none carried in, since it keeps no score."""
    risks = {
        risk.pk: risk
        for risk in Risk.objects.filter(council=new.agreement.council_id).select_related("council")
    }
    scored = all(risk.council.risks_scored for risk in risks.values())
    open_ids = {pk for pk, risk in risks.items() if risk.is_open}
    old = []
    if previous is not None:
        old = list(RiskUpdate.objects.filter(round=previous, risk_id__in=open_ids).order_by("pk"))
    stamp = {"round": new, "updated_by": by}

    def score(source) -> dict:
        if not scored:
            return {"impact": None, "likelihood": None}
        return {"impact": source.impact, "likelihood": source.likelihood}

    rows = [
        RiskUpdate(
            risk_id=u.risk_id,
            rag=u.rag,
            narrative=u.narrative,
            # The council's choice for the DfE report carries forward with the words.
            in_dfe_report=u.in_dfe_report,
            **score(u),
            **stamp,
        )
        for u in old
    ]
    seen = {u.risk_id for u in old}
    rows += [RiskUpdate(risk_id=pk, **score(risks[pk]), **stamp) for pk in sorted(open_ids - seen)]
    RiskUpdate.objects.bulk_create(rows)


def risks_completeness(
    round, carried: bool, read: RoundRows | None = None
) -> list[CompletenessGap]:
    """Unrated open risks, Red/Amber ones without a narrative, carried ones not reviewed
    (from `read.risks` when the caller has them, in the same order)."""
    if read is not None and read.risks is not None:
        rows = [(u.pk, u.risk.number, u.rag, u.narrative, u.version) for u in read.risks]
    else:
        rows = (
            RiskUpdate.objects.filter(round=round)
            .order_by("risk__number")
            .values_list("pk", "risk__number", "rag", "narrative", "version")
        )
    gaps = rated_gaps(
        "risk", [(pk, f"Risk {num}", rag, n, v) for pk, num, rag, n, v in rows], carried=carried
    )
    open_risks = Risk.objects.filter(council=round.agreement.council_id, is_open=True)
    if read is not None and read.risks is not None:
        rated = {u.risk_id for u in read.risks}
        missing = [
            number
            for pk, number in open_risks.order_by("number").values_list("pk", "number")
            if pk not in rated
        ]
    else:
        missing = (
            open_risks.exclude(updates__round=round)
            .order_by("number")
            .values_list("number", flat=True)
        )
    return gaps + [CompletenessGap("risk", f"Risk {number}", "not rated") for number in missing]


def risks_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """Risks complete of total per round (two queries): every update row, and every open risk
    of the council with no row (as risks_completeness)."""
    rows = list(
        RiskUpdate.objects.filter(round_id__in=[r.pk for r in rounds]).values_list(
            "round_id", "risk_id", "pk", "risk__number", "rag", "narrative", "version"
        )
    )
    has_row = {(round_id, risk_id) for round_id, risk_id, *_ in rows}
    council_of = {r.pk: r.agreement.council_id for r in rounds}
    open_risks = Risk.objects.filter(
        council_id__in=set(council_of.values()), is_open=True
    ).values_list("pk", "council_id")
    missing = [
        round_id
        for pk, council_id in open_risks
        for round_id, round_council in council_of.items()
        if round_council == council_id and (round_id, pk) not in has_row
    ]
    return rated_progress(
        "risk",
        [(round_id, pk, f"Risk {n}", rag, text, v) for round_id, _r, pk, n, rag, text, v in rows],
        carried_ids=carried_ids,
        missing=missing,
    )


def _risk_done(update) -> bool:
    return rated_task_status([(update.rag, update.narrative, 2)], carried=False) == TASK_COMPLETED


def risks_tasks(round, carried: bool) -> list[ReturnTask]:
    """One task per risk in the return."""
    updates = (
        RiskUpdate.objects.filter(round=round).select_related("risk").order_by("risk__number", "pk")
    )
    return [
        ReturnTask(
            key=f"risk-{u.pk}",
            group="Risks",
            title=f"Risk {u.risk.number}",
            hint=Truncator(u.risk.title).words(16),
            status=rated_task_status([(u.rag, u.narrative, u.version)], carried=carried),
            unchanged=(
                (SectionRef("risk", u.pk, str(u.version)),)
                if carried and u.version == 1 and _risk_done(u)
                else ()
            ),
            # A risk with no level yet starts at its question, which returns to the list.
            start_url=(
                with_next(section_urls(round, "risk", u.pk)["edit"], tasks_url(round))
                if u.rag == Rag.NOT_RATED
                else ""
            ),
        )
        for u in updates
    ]


def risks_task_summary(round, key: str) -> list[SummaryCard] | None:
    """A risk task's answers, each with its Change link (None: not a risk task)."""
    rest = key.removeprefix("risk-")
    if not key.startswith("risk-") or not rest.isdigit():
        return None
    update = (
        RiskUpdate.objects.filter(round=round, pk=int(rest))
        .select_related("risk", "round__agreement__council")
        .first()
    )
    if update is None:
        return None
    council = update.round.agreement.council
    labels = rag_labels(council.pk)
    urls = section_urls(round, "risk", update.pk)
    edit = with_next(urls["edit"], task_url(round, key))
    rows = [
        SummaryRow("The risk", update.risk.title),
        SummaryRow("Assurance level", rag_text(update.rag, labels), edit, "assurance level"),
    ]
    if council.risks_scored:
        rows += [
            SummaryRow("Impact", str(update.impact or "Not given"), edit, "impact"),
            SummaryRow("Likelihood", str(update.likelihood or "Not given"), edit, "likelihood"),
        ]
    rows.append(
        SummaryRow("Progress update", update.narrative or "None given", edit, "progress update")
    )
    return [
        SummaryCard(
            title=f"Risk {update.risk.number}", rows=tuple(rows), history_url=urls["history"]
        )
    ]


PARTS = (
    ReturnPart(
        "risks",
        20,
        risks_carry_forward,
        risks_completeness,
        progress=risks_progress,
        takes_read=True,
        tasks=risks_tasks,
        task_summary=risks_task_summary,
    ),
)


def register_with_spine() -> None:
    """Register the risks' part, section URLs and history."""
    for part in PARTS:
        return_part_register(part)
    section_urls_register("risk", edit="risks:risk_update_edit", show="risks:risk_update_show")
    section_confirm_register("risk", risk_update_confirm)
    history_section_register("risk", HistorySection("risks.riskupdate"))
