"""The periods a figure can be for: a month, an academic year or a financial year, and how each
is written ("Sep 2023", "2023-24 AY", "2023-24")."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from django.db import models

# The reason stored for a figure a council marked only "-", "n/a" or "not available".
NOT_AVAILABLE = "Not available"
# How councils write "no figure": "-", "n/a", "not available", with a reason after ":" or "-".
_NOT_AVAILABLE = re.compile(
    r"^(?:-|\u2013|\u2014|n/?a|not\s+available)(?:\s*[:\-\u2013\u2014]\s*(?P<reason>.+))?$",
    re.IGNORECASE,
)


def not_available_read(text: str) -> str | None:
    """The reason written after "-", "n/a" or "not available" ("" for none), or None when the
    text is not one of them. "-5" is a number, not a dash."""
    found = _NOT_AVAILABLE.match(text.strip())
    return None if found is None else (found.group("reason") or "").strip()


def figure_typed(value: Decimal | None, reason: str = "") -> str:
    """A stored figure as it is typed into a KPI cell, the reverse of the cell's reading:
    "6357" (no exponent, no trailing zeros), "n/a", "n/a: SEN2 not yet published", or "" for
    no figure. What a cell's edit form was rendered with, so a save can tell if it moved."""
    if value is None:
        if not reason:
            return ""
        return "n/a" if reason == NOT_AVAILABLE else f"n/a: {reason}"
    return format(value.normalize(), "f") if value != 0 else "0"


class PeriodKind(models.TextChoices):
    """What a figure's period is; the period is stored as the first day of it."""

    MONTH = "month", "Month"
    ACADEMIC_YEAR = "academic_year", "Academic year"
    FINANCIAL_YEAR = "financial_year", "Financial year"


# The month each kind of year starts in (a month starts any month).
YEAR_START_MONTH = {PeriodKind.ACADEMIC_YEAR: 9, PeriodKind.FINANCIAL_YEAR: 4}


def _year_text(start: int) -> str:
    return f"{start:04d}-{(start + 1) % 100:02d}"


# Kept: a dashboard labels a few thousand periods, most of them the same two dozen months.
@functools.lru_cache(maxsize=4096)
def period_label(period: dt.date, kind: str = PeriodKind.MONTH) -> str:
    """The period as a council writes it: "Sep 2023", "2023-24 AY" or "2023-24"."""
    if kind == PeriodKind.ACADEMIC_YEAR:
        return f"{_year_text(period.year)} AY"
    if kind == PeriodKind.FINANCIAL_YEAR:
        return _year_text(period.year)
    return f"{period:%b} {period.year:04d}"


def period_long(period: dt.date, kind: str = PeriodKind.MONTH) -> str:
    """The period in a sentence: "September 2023", "academic year 2023-24", "2023-24"."""
    if kind == PeriodKind.ACADEMIC_YEAR:
        return f"academic year {_year_text(period.year)}"
    if kind == PeriodKind.FINANCIAL_YEAR:
        return f"financial year {_year_text(period.year)}"
    return f"{period:%B} {period.year:04d}"


def period_key(period: dt.date, kind: str = PeriodKind.MONTH) -> str:
    """A short, sortable key for history and preview lines: "2024-04", "2023-24 AY", "2023-24"."""
    if kind == PeriodKind.MONTH:
        return period.isoformat()[:7]
    return period_label(period, kind)


def year_start(start_year: int, kind: str) -> dt.date:
    """The first day of an academic or financial year beginning in `start_year`."""
    return dt.date(start_year, YEAR_START_MONTH[kind], 1)
