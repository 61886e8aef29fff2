"""Unit-aware formatting and the headline variance sentences drafted from the data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Units and polarities as stored on metrics.Measure (kept as plain strings so this module
# stays free of the ORM and can format a frozen snapshot).
COUNT, PERCENT, GBP, GBP_M, WEEKS = "count", "percent", "gbp", "gbp_m", "weeks"
HIGHER_BETTER, LOWER_BETTER, NEUTRAL = "higher", "lower", "neutral"

BETTER, WORSE, LEVEL = "better", "worse", "level"


def _quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _places(unit: str, value: Decimal) -> int:
    if unit in (PERCENT, GBP_M):
        return 2
    if unit == WEEKS:
        return 1
    if unit == GBP:
        return 0
    # Counts are whole numbers, but a rolling average of a count need not be.
    return 0 if value == value.to_integral_value() else 1


def format_number(value: Decimal, unit: str) -> str:
    """The bare number with thousands separators and the unit's decimal places."""
    places = _places(unit, value)
    return f"{_quantize(value, places):,.{places}f}"


def format_value(value: Decimal | None, unit: str) -> str:
    """A figure as the board reads it: "6,357", "5.75%", "£43.20m", "£2,240,000", "18.5 weeks"."""
    if value is None:
        return "no data"
    sign = "-" if value < 0 else ""
    number = format_number(abs(value), unit)
    if unit == PERCENT:
        return f"{sign}{number}%"
    if unit == GBP:
        return f"{sign}£{number}"
    if unit == GBP_M:
        return f"{sign}£{number}m"
    if unit == WEEKS:
        return f"{sign}{number} weeks"
    return f"{sign}{number}"


def format_difference(value: Decimal | None, unit: str) -> str:
    """A signed difference: "+650", "+£14.99m", "-1.17 percentage points"."""
    if value is None:
        return "no data"
    sign = "+" if value > 0 else "-" if value < 0 else ""
    number = format_number(abs(value), unit)
    if unit == PERCENT:
        return f"{sign}{number} percentage points"
    if unit == GBP:
        return f"{sign}£{number}"
    if unit == GBP_M:
        return f"{sign}£{number}m"
    if unit == WEEKS:
        return f"{sign}{number} weeks"
    return f"{sign}{number}"


def format_percent_change(value: Decimal | None) -> str:
    """A signed relative change to one decimal place: "+11.4%"."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return f"{sign}{_quantize(abs(value), 1)}%"


def direction(variance: Decimal | None, polarity: str) -> str | None:
    """Whether a variance is better or worse, following the measure's polarity."""
    if variance is None or polarity == NEUTRAL:
        return None
    if variance == 0:
        return LEVEL
    higher_is_better = polarity == HIGHER_BETTER
    return BETTER if (variance > 0) == higher_is_better else WORSE


@dataclass(frozen=True)
class Variance:
    """A value against its comparator: the signed difference, the change and its direction."""

    difference: Decimal
    percent: Decimal | None
    direction: str | None


def variance_of(value: Decimal, comparator: Decimal, polarity: str) -> Variance:
    """The difference from a comparator, as a signed amount and a percentage of it."""
    difference = value - comparator
    percent = None if comparator == 0 else difference / abs(comparator) * 100
    return Variance(difference, percent, direction(difference, polarity))


def _phrase(label: str) -> str:
    # "Forecast to date" reads as "forecast to date" mid-sentence; "SV forecast" keeps its capitals.
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _amount(difference: Decimal, unit: str, subject: str) -> str:
    number = format_value(abs(difference), unit)
    if unit == PERCENT:
        return f"{format_number(abs(difference), unit)} percentage points"
    return f"{number} {subject}".strip()


def variance_sentence(
    *,
    value: Decimal | None,
    comparator: Decimal | None,
    unit: str,
    polarity: str,
    comparator_label: str,
    subject: str = "",
) -> str:
    """Draft a polarity- and unit-aware sentence: "650 plans above forecast to date (+11.4%)"."""
    phrase = _phrase(comparator_label)
    if value is None:
        return f"No figure is recorded yet to compare with {phrase}."
    if comparator is None:
        return f"No {phrase} figure is recorded for the same period."
    var = variance_of(value, comparator, polarity)
    if var.difference == 0:
        return f"In line with {phrase} ({format_value(value, unit)})."
    side = "above" if var.difference > 0 else "below"
    sentence = f"{_amount(var.difference, unit, subject)} {side} {phrase}"
    # A percentage of a percentage confuses; percentage points say it already.
    if var.percent is not None and unit != PERCENT:
        sentence += f" ({format_percent_change(var.percent)})"
    if var.direction == BETTER:
        sentence += ", better than planned"
    elif var.direction == WORSE:
        sentence += ", worse than planned"
    return sentence + "."
