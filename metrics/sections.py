"""The quarter's key measures as a part of a return (registered with the spine in
MetricsConfig.ready): completed when every measure the council reports monthly has a figure,
or is marked not available, for each month of the round's period up to the round's month.

The round's period runs from the month after the previous return's data month to this
return's (Update 1 after Update 3: November to April); a first return covers the three months
up to its month. A return with no data month has nothing to check yet.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from metrics import cyp_part
from metrics.kpi_grid import month_add, month_key
from metrics.models import Measure, MeasureValue, Series
from metrics.periods import PeriodKind
from metrics.services import month_text
from metrics.stock_flow import (
    figure_text,
    percent_text,
    signed_text,
    stock_flow_flag_text,
    stock_flow_for_months,
    threshold_text,
)
from svmonitor.fy import fy_bounds
from svmonitor.models import Agreement, ReportingRound
from svmonitor.sections import (
    DSG_PLAN,
    TASK_CANNOT_START,
    TASK_COMPLETED,
    TASK_IN_PROGRESS,
    TASK_NOT_STARTED,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    RoundRows,
    SummaryCard,
    SummaryRow,
    return_part_register,
)
from svmonitor.selectors import round_previous

FIRST_RETURN_MONTHS = 3
MOST_MONTHS = 12
SECTION = "kpis"
TITLE = "Monthly key measures"
GROUP = "Key measures and finance"


def round_kpi_months(round, *, previous=None, previous_read: bool = False) -> list[dt.date]:
    """The months of a round's period whose figures the return needs (oldest first);
    `previous` is the round before, when the caller has read it (`previous_read`)."""
    if round.data_as_at is None:
        return []
    if not previous_read:
        previous = round_previous(round)
    return kpi_months_between(
        previous.data_as_at if previous is not None else None,
        round.data_as_at,
        round.agreement.first_financial_year,
    )


def kpi_months_between(previous: dt.date | None, last: dt.date, first_year: int) -> list[dt.date]:
    """The months after the previous return's data month up to `last` (the three up to `last`
    without one), never before the agreement's first month, at most twelve."""
    last = last.replace(day=1)
    if previous is not None and previous < last:
        first = month_add(previous.replace(day=1), 1)
    else:
        first = month_add(last, -(FIRST_RETURN_MONTHS - 1))
    first = max(first, month_add(last, -(MOST_MONTHS - 1)))
    # Never before the agreement's first month: no figure may be kept there.
    first = max(first, fy_bounds(first_year)[0])
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month_add(month, 1)
    return months


def round_kpi_missing(
    round, read: RoundRows | None = None
) -> tuple[list[dt.date], dict[dt.date, list[str]], int]:
    """The round's months; for each month the names of the monthly measures with neither a
    figure nor "not available" in the actual series; and how many monthly measures there are
    (four queries; three when `read` holds the round before)."""
    if read is not None and read.previous_read:
        months = round_kpi_months(round, previous=read.previous, previous_read=True)
    else:
        months = round_kpi_months(round)
    council_id = round.agreement.council_id
    actual = Series.objects.filter(council_id=council_id, kind=Series.Kind.ACTUAL).first()
    if not months or actual is None:
        return months, {}, 0
    yearly = MeasureValue.objects.filter(measure__council_id=council_id).exclude(
        period_kind=PeriodKind.MONTH
    )
    measures = list(
        Measure.objects.filter(council_id=council_id, frequency=Measure.Frequency.MONTHLY)
        .exclude(pk__in=yearly.values("measure_id"))
        .order_by("order", "name", "pk")
        .values_list("pk", "name")
    )
    have = set(
        MeasureValue.objects.filter(
            measure_id__in=[pk for pk, _ in measures],
            series=actual,
            period_kind=PeriodKind.MONTH,
            period__in=months,
        ).values_list("measure_id", "period")
    )
    missing = {}
    for month in months:
        names = [name for pk, name in measures if (pk, month) not in have]
        if names:
            missing[month] = names
    return months, missing, len(measures)


def _month_url(round, month: dt.date) -> str:
    return reverse("metrics:kpi_month", args=[round.agreement.council.slug, month_key(month)])


def kpis_completeness(round, carried: bool, read: RoundRows | None = None) -> list[CompletenessGap]:
    """One gap per month of the round's period with monthly measures still to enter (the
    round before from `read`, when the caller has read it)."""
    _months, missing, _count = round_kpi_missing(round, read)
    gaps = []
    for month, names in missing.items():
        count = len(names)
        listed = ", ".join(names[:3]) + (f" and {count - 3} more" if count > 3 else "")
        noun = "measure has" if count == 1 else "measures have"
        gaps.append(
            CompletenessGap(
                SECTION,
                f"Key measures, {month_text(month)}",
                f"{count} {noun} no figure or n/a ({listed})",
                url=_month_url(round, month),
            )
        )
    return gaps


def kpis_tasks(round, carried: bool = False) -> list[ReturnTask]:
    """The return's KPI task: the months to enter, and how far they are entered."""
    months, missing, count = round_kpi_missing(round)
    if not months:
        return [
            ReturnTask(
                key=SECTION,
                group=GROUP,
                title=TITLE,
                status=TASK_CANNOT_START,
                waiting_for="the month the return's figures run to",
            )
        ]
    if not count:
        return []  # no measure kept by month (or no actual line): nothing to enter
    span = f"{month_text(months[0])} to {month_text(months[-1])}"
    if len(months) == 1:
        span = month_text(months[0])
    first_gap = next(iter(missing), months[-1])
    url = _month_url(round, first_gap)
    # Issue 18.1: a month of the period whose EHCPs in force stray from their flows past the
    # council's threshold is flagged on the task (one query).
    flag = stock_flow_flag_text(
        stock_flow_for_months(council=round.agreement.council, months=months)
    )
    if not missing:
        # Completed: no start page (the task list's own task page shows it as done).
        hint = f"{span}. {flag}" if flag else span
        return [ReturnTask(SECTION, GROUP, TITLE, TASK_COMPLETED, hint)]
    to_enter = sum(len(names) for names in missing.values())
    # Not started: no month of the period has any of its figures yet.
    started = len(missing) < len(months) or any(len(n) < count for n in missing.values())
    status = TASK_IN_PROGRESS if started else TASK_NOT_STARTED
    noun = "figure" if to_enter == 1 else "figures"
    hint = f"{span}: {to_enter} {noun} to enter" + (f". {flag}" if flag else "")
    return [ReturnTask(SECTION, GROUP, TITLE, status, hint, start_url=url)]


def kpis_task_summary(round, key: str) -> list[SummaryCard] | None:
    """The KPI task's page: the months still to enter, and (issue 18.1) the EHCP stock and
    flow check of the round's months where the council has marked its stock and flows."""
    if key != SECTION:
        return None
    months, missing, _count = round_kpi_missing(round)
    rows = [
        SummaryRow(
            month_text(month),
            f"{len(missing[month])} to enter: " + ", ".join(missing[month])
            if month in missing
            else "Every figure entered, or marked not available",
            change_url=_month_url(round, month),
            change_label=f"figures for {month_text(month)}",
        )
        for month in months
    ]
    cards = [SummaryCard(title=TITLE, rows=tuple(rows))]
    flow = stock_flow_for_months(council=round.agreement.council, months=months)
    if flow is not None and flow.months:
        limit = threshold_text(flow.threshold)
        checked = []
        for m in flow.months:
            if not m.is_computed:
                text = f"Not reconciled: {m.missing_text}"
            else:
                text = (
                    f"{flow.names['stock']}: {figure_text(m.closing)} recorded against "
                    f"{figure_text(m.expected)} from last month's + issued - ceased "
                    f"({signed_text(m.gap)} plans, {percent_text(m.gap_percent) or 'no per cent'})"
                    + (f": over the {limit} threshold" if m.is_over else "")
                )
            checked.append(
                SummaryRow(
                    month_text(m.month),
                    text,
                    change_url=_month_url(round, m.month),
                    change_label=f"figures for {month_text(m.month)}",
                )
            )
        cards.append(SummaryCard(title="EHCP stock and flow check", rows=tuple(checked)))
    return cards


def kpis_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """The KPI task of many rounds as (complete, total): (1, 1) when every monthly figure of
    the round's period is in, (0, 1) when some are missing, (0, 0) when the council has no
    monthly measure to enter (five queries, however many rounds)."""
    agreements, first_years = {}, {}
    for pk, council_id, first_year in Agreement.objects.filter(
        pk__in={r.agreement_id for r in rounds}
    ).values_list("pk", "council_id", "first_financial_year"):
        agreements[pk], first_years[pk] = council_id, first_year
    # Each round's previous round of the same agreement (by year, then update).
    dated = {}
    for agreement_id, year, update, as_at in (
        ReportingRound.objects.safety_valve()
        .filter(agreement_id__in=agreements)
        .values_list("agreement_id", "financial_year", "update_number", "data_as_at")
    ):
        dated.setdefault(agreement_id, []).append(((year, update), as_at))
    councils = set(agreements.values())
    actual = dict(
        Series.objects.filter(council_id__in=councils, kind=Series.Kind.ACTUAL).values_list(
            "council_id", "pk"
        )
    )
    yearly = MeasureValue.objects.filter(measure__council_id__in=councils).exclude(
        period_kind=PeriodKind.MONTH
    )
    measures: dict[int, list[int]] = {}
    for pk, council_id in (
        Measure.objects.filter(council_id__in=councils, frequency=Measure.Frequency.MONTHLY)
        .exclude(pk__in=yearly.values("measure_id"))
        .values_list("pk", "council_id")
    ):
        measures.setdefault(council_id, []).append(pk)
    months_of = {}
    for round in rounds:
        council_id = agreements[round.agreement_id]
        if round.data_as_at is None or council_id not in actual or not measures.get(council_id):
            continue
        key = (round.financial_year, round.update_number)
        earlier = [(k, a) for k, a in dated.get(round.agreement_id, []) if k < key]
        previous = max(earlier)[1] if earlier else None
        months_of[round.pk] = kpi_months_between(
            previous, round.data_as_at, first_years[round.agreement_id]
        )
    have = (
        set(
            MeasureValue.objects.filter(
                series_id__in=actual.values(),
                period_kind=PeriodKind.MONTH,
                period__in={m for months in months_of.values() for m in months},
                measure_id__in={pk for pks in measures.values() for pk in pks},
            ).values_list("measure_id", "period")
        )
        if months_of
        else set()
    )
    counts = {}
    for round in rounds:
        months = months_of.get(round.pk)
        if not months:
            counts[round.pk] = (0, 0)
            continue
        pks = measures[agreements[round.agreement_id]]
        done = all((pk, month) in have for pk in pks for month in months)
        counts[round.pk] = (1 if done else 0, 1)
    return counts


def _no_carry_forward(new, previous, by) -> None:
    """Figures are monthly data that outlive any one round: nothing is copied."""


PARTS = (
    ReturnPart(
        SECTION,
        50,
        _no_carry_forward,
        kpis_completeness,
        progress=kpis_progress,
        takes_read=True,
        tasks=kpis_tasks,
        task_summary=kpis_task_summary,
    ),
    ReturnPart(
        cyp_part.NAME,
        60,
        _no_carry_forward,
        cyp_part.cyp_completeness,
        progress=cyp_part.cyp_progress,
        tasks=cyp_part.cyp_tasks,
        task_summary=cyp_part.cyp_task_summary,
        return_kind=DSG_PLAN,
        snapshot=cyp_part.cyp_snapshot,
    ),
)


def register_with_spine() -> None:
    """Register the quarter's key measures as a part of the return."""
    for part in PARTS:
        return_part_register(part)
