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

from metrics.kpi_grid import month_add, month_key
from metrics.models import Measure, MeasureValue, Series
from metrics.periods import PeriodKind
from metrics.services import month_text
from svmonitor.fy import fy_bounds
from svmonitor.sections import (
    TASK_CANNOT_START,
    TASK_COMPLETED,
    TASK_IN_PROGRESS,
    TASK_NOT_STARTED,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    return_part_register,
)
from svmonitor.selectors import round_previous

FIRST_RETURN_MONTHS = 3
MOST_MONTHS = 12
SECTION = "kpis"
TITLE = "Monthly key measures"
GROUP = "Key measures and finance"


def round_kpi_months(round) -> list[dt.date]:
    """The months of a round's period whose figures the return needs (oldest first)."""
    if round.data_as_at is None:
        return []
    last = round.data_as_at.replace(day=1)
    previous = round_previous(round)
    if previous is not None and previous.data_as_at is not None and previous.data_as_at < last:
        first = month_add(previous.data_as_at.replace(day=1), 1)
    else:
        first = month_add(last, -(FIRST_RETURN_MONTHS - 1))
    first = max(first, month_add(last, -(MOST_MONTHS - 1)))
    # Never before the agreement's first month: no figure may be kept there.
    first = max(first, fy_bounds(round.agreement.first_financial_year)[0])
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month_add(month, 1)
    return months


def round_kpi_missing(round) -> tuple[list[dt.date], dict[dt.date, list[str]], int]:
    """The round's months; for each month the names of the monthly measures with neither a
    figure nor "not available" in the actual series; and how many monthly measures there are
    (four queries)."""
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


def kpis_completeness(round, carried: bool) -> list[CompletenessGap]:
    """One gap per month of the round's period with monthly measures still to enter."""
    _months, missing, _count = round_kpi_missing(round)
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
    if not missing:
        return [ReturnTask(SECTION, GROUP, TITLE, TASK_COMPLETED, span, start_url=url)]
    to_enter = sum(len(names) for names in missing.values())
    # Not started: no month of the period has any of its figures yet.
    started = len(missing) < len(months) or any(len(n) < count for n in missing.values())
    status = TASK_IN_PROGRESS if started else TASK_NOT_STARTED
    noun = "figure" if to_enter == 1 else "figures"
    hint = f"{span}: {to_enter} {noun} to enter"
    return [ReturnTask(SECTION, GROUP, TITLE, status, hint, start_url=url)]


def _no_carry_forward(new, previous, by) -> None:
    """Figures are monthly data that outlive any one round: nothing is copied."""


PARTS = (ReturnPart(SECTION, 50, _no_carry_forward, kpis_completeness, tasks=kpis_tasks),)


def register_with_spine() -> None:
    """Register the quarter's key measures as a part of the return."""
    for part in PARTS:
        return_part_register(part)
