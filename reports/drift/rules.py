"""Whether a measure has drifted against its baseline, by its polarity, for N months in a row.

Plain Python on plain values (no ORM), so each rule is tested on figures a test writes down.

The baseline for a month is the measure's forecast line for that month (the first of the
council's baseline series, by order, with a figure that month); where no forecast line has a
figure for the month, it is the measure's value at the agreement's start: its last actual
figure on or before the agreement's first month (April of its first financial year), or, if
it has none that early, its first actual figure after it. A running total (a year-to-date
count) has no such fallback: it starts again each year, so its value at the start is no
baseline; without a forecast line it does not drift.

A month counts as drift when the actual figure is on the wrong side of that baseline by more
than the threshold, in per cent of the baseline: above it for a measure where lower is better,
below it where higher is better; a neutral measure never drifts. Exactly at the threshold is
not beyond it. The months must be calendar months in a row, counted back from the latest
actual figure up to the round's data month; a month with no actual figure, no baseline or a
baseline of zero ends the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

LOWER_BETTER, HIGHER_BETTER, NEUTRAL = "lower", "higher", "neutral"
ABOVE, BELOW = "above", "below"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Baseline:
    """A baseline figure for one month and what it is called in a sentence."""

    value: Decimal
    name: str  # "SV forecast", or "its level at the agreement's start (Apr 2023)"


@dataclass(frozen=True)
class Drift:
    """A measure's run of drifting months, up to its latest figure."""

    direction: str  # ABOVE or BELOW its baseline
    months: int  # how many months in a row
    latest_month: dt.date
    latest_actual: Decimal
    latest_baseline: Baseline
    deviation_pct: Decimal  # the latest month's, signed

    @property
    def evidence(self) -> str:
        """What a decision on this drift is kept against: which way, and the latest month.

        A new month of figures is new evidence; a revised figure for the same month is not."""
        return f"{self.direction}:{self.latest_month:%Y-%m}"

    @property
    def deviation_text(self) -> str:
        """The latest month's gap, signed, one decimal place: "+11.4%"."""
        rounded = self.deviation_pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{'+' if rounded > 0 else ''}{rounded}%"


def previous_month(month: dt.date) -> dt.date:
    """The first day of the month before."""
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def agreement_start_value(
    actuals: dict[dt.date, Decimal], start: dt.date
) -> tuple[dt.date, Decimal] | None:
    """The measure's value at the agreement's start, and the month it is from (see above)."""
    before = [month for month in actuals if month <= start]
    if before:
        month = max(before)
    elif actuals:
        month = min(actuals)
    else:
        return None
    return month, actuals[month]


def deviation_pct(actual: Decimal, baseline: Decimal) -> Decimal | None:
    """How far the actual is from the baseline, in per cent of the baseline (None at zero)."""
    if baseline == 0:
        return None
    return (actual - baseline) / abs(baseline) * HUNDRED


def is_against(polarity: str, deviation: Decimal, threshold: Decimal) -> bool:
    """Whether a month's gap is on the wrong side of the baseline by more than the threshold."""
    if polarity == LOWER_BETTER:
        return deviation > threshold
    if polarity == HIGHER_BETTER:
        return deviation < -threshold
    return False


def measure_drift(
    *,
    polarity: str,
    actuals: dict[dt.date, Decimal],
    forecasts: dict[dt.date, Baseline],
    start: dt.date | None,
    until: dt.date | None,
    threshold: Decimal,
) -> Drift | None:
    """The run of drifting months ending at the measure's latest actual figure up to `until`
    (None: no drift in that month). `actuals` and `forecasts` are keyed by month; `start` is
    the agreement's first month (None: no fallback to the value at the start)."""
    if polarity not in (LOWER_BETTER, HIGHER_BETTER):
        return None
    months = [month for month in actuals if until is None or month <= until]
    if not months:
        return None
    start_value = agreement_start_value(actuals, start) if start is not None else None
    fallback = None
    if start_value is not None:
        fallback = Baseline(
            start_value[1], f"its level at the agreement's start ({start_value[0]:%b %Y})"
        )
    month = max(months)
    run: list[tuple[dt.date, Decimal, Baseline]] = []
    while month in actuals:
        baseline = forecasts.get(month) or fallback
        if baseline is None:
            break
        gap = deviation_pct(actuals[month], baseline.value)
        if gap is None or not is_against(polarity, gap, threshold):
            break
        run.append((month, gap, baseline))
        month = previous_month(month)
    if not run:
        return None
    latest, gap, baseline = run[0]
    return Drift(
        direction=ABOVE if gap > 0 else BELOW,
        months=len(run),
        latest_month=latest,
        latest_actual=actuals[latest],
        latest_baseline=baseline,
        deviation_pct=gap,
    )
