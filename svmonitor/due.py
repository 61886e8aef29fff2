"""When a return is due: the one answer to "is this round overdue, or due in N days?".

Every surface that flags a return (the returns list, the home page, the portfolio, the e-mail
reminders) asks here, so they cannot disagree. A return is overdue from the day after its due
date until it is recorded as sent to DfE (submitted); a submitted return is never overdue, even
if it went late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from svmonitor.choices import RoundStatus


def today() -> dt.date:
    """Today in the site's time zone (Europe/London), the day deadlines are counted in."""
    return timezone.localdate()


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@dataclass(frozen=True)
class RoundDue:
    """Where a return stands against its due date on one day."""

    due_date: dt.date
    submitted: bool
    days_left: int  # negative once past the due date

    @property
    def is_overdue(self) -> bool:
        """Past its due date and not yet sent to DfE."""
        return not self.submitted and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        """Days past the due date while not yet sent (0 when not overdue)."""
        return -self.days_left if self.is_overdue else 0

    @property
    def label(self) -> str:
        """ "3 days overdue", "Due today", "Due in 14 days", or "" once submitted."""
        if self.submitted:
            return ""
        if self.is_overdue:
            return f"{_days(self.days_overdue)} overdue"
        if self.days_left == 0:
            return "Due today"
        return f"Due in {_days(self.days_left)}"


def round_due(round, *, on: dt.date | None = None) -> RoundDue:
    """The round against its due date on `on` (today by default)."""
    day = on or today()
    return RoundDue(
        due_date=round.due_date,
        submitted=round.status == RoundStatus.SUBMITTED,
        days_left=(round.due_date - day).days,
    )


def round_is_overdue(round, *, on: dt.date | None = None) -> bool:
    """Whether the round is past its due date and not yet sent to DfE."""
    return round_due(round, on=on).is_overdue


def round_days_overdue(round, *, on: dt.date | None = None) -> int:
    """Days the round is past its due date while not yet sent (0 when it is not overdue)."""
    return round_due(round, on=on).days_overdue


def round_due_in_days(round, *, on: dt.date | None = None) -> int:
    """Days from `on` to the due date (0 on the day, negative once past it)."""
    return round_due(round, on=on).days_left


def overdue_q(*, on: dt.date | None = None, prefix: str = "") -> Q:
    """A filter for overdue rounds (the same rule as round_is_overdue), for querysets of
    ReportingRound (or through a relation: prefix="round__")."""
    day = on or today()
    return Q(**{f"{prefix}due_date__lt": day}) & ~Q(**{f"{prefix}status": RoundStatus.SUBMITTED})
