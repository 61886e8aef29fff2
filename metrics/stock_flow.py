"""EHCP stock and flow (issue 18.1): the stock of plans reconciled with its flows, month by month.

A council marks which of its measures are the flows (requests for assessment, assessments
agreed, plans issued, plans ceased) and which is the stock (EHCPs in force): a role per measure,
`Measure.stock_flow_role`, data not code. For each month, last month's closing stock plus the
plans issued less the plans ceased is what the stock should be; the gap is the recorded stock
less that, in plans and as a per cent of it. A month whose gap passes the council's threshold
(`LocalAuthority.stock_flow_gap_percent`) is flagged. A month missing any of the four figures
(last month's stock, this month's issued, ceased and stock) is not reconciled, and says which
is missing. Without a stock, plans issued and plans ceased there is nothing to reconcile.

The reconciliation works on figures already read (the snapshot's, or the task list's one query
in `stock_flow_for_round_months`): it reads nothing itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from metrics.kpi_grid import month_add
from metrics.models import Measure, MeasureValue, Series
from metrics.periods import NOT_AVAILABLE, PeriodKind

Role = Measure.StockFlowRole
# What the reconciliation needs; requests and agreements are shown beside it when recorded.
RECONCILED = (Role.STOCK, Role.ISSUED, Role.CEASED)
CONTEXT = (Role.REQUESTS, Role.AGREED)
DEFAULT_THRESHOLD = Decimal("2")
_TENTH = Decimal("0.1")
# The words a missing figure is named by ("no figure for plans ceased").
_WORDS = {
    Role.STOCK: "EHCPs in force",
    Role.ISSUED: "plans issued",
    Role.CEASED: "plans ceased",
}


@dataclass(frozen=True)
class Figure:
    """A month's figure for one role: its value, or None and why ("" when none is recorded)."""

    value: Decimal | None
    not_available: str = ""


@dataclass(frozen=True)
class StockFlowMonth:
    """One month reconciled: opening stock + issued - ceased against the recorded closing stock.

    `gap` and `gap_percent` are None when the month is not reconciled (`missing` says why)."""

    month: dt.date
    opening: Decimal | None
    issued: Decimal | None
    ceased: Decimal | None
    closing: Decimal | None
    requests: Decimal | None
    agreed: Decimal | None
    missing: tuple[str, ...]
    threshold: Decimal

    @property
    def expected(self) -> Decimal | None:
        """Last month's closing stock + plans issued - plans ceased."""
        if None in (self.opening, self.issued, self.ceased):
            return None
        return self.opening + self.issued - self.ceased

    @property
    def gap(self) -> Decimal | None:
        """Recorded closing stock less the expected: positive when the stock is higher."""
        expected = self.expected
        if expected is None or self.closing is None:
            return None
        return self.closing - expected

    @property
    def gap_percent(self) -> Decimal | None:
        """The gap as a per cent of the expected closing stock, to one decimal place."""
        gap, expected = self.gap, self.expected
        if gap is None or not expected:
            return None
        return (gap * 100 / expected).quantize(_TENTH, rounding=ROUND_HALF_UP)

    @property
    def is_computed(self) -> bool:
        """Whether every figure the month needs is recorded."""
        return self.gap is not None

    @property
    def is_over(self) -> bool:
        """Whether the gap passes the council's threshold (either way)."""
        percent = self.gap_percent
        return percent is not None and abs(percent) > self.threshold

    @property
    def missing_text(self) -> str:
        """Why the month is not reconciled: "no figure for plans ceased", or ""."""
        return "; ".join(self.missing)


@dataclass(frozen=True)
class StockFlow:
    """A council's stock reconciled with its flows over a run of months (oldest first)."""

    months: tuple[StockFlowMonth, ...]
    threshold: Decimal
    names: dict  # role -> the measure's name, for every role the council has set
    has_requests: bool
    has_agreed: bool

    @property
    def flagged(self) -> tuple[StockFlowMonth, ...]:
        """The months whose gap passes the threshold."""
        return tuple(m for m in self.months if m.is_over)

    @property
    def not_computed(self) -> tuple[StockFlowMonth, ...]:
        """The months missing a figure, so not reconciled."""
        return tuple(m for m in self.months if not m.is_computed)


def _missing(role, figure: Figure | None, month: dt.date, opening: bool = False) -> str | None:
    if figure is not None and figure.value is not None:
        return None
    words = _WORDS[role] + (f" at the end of {month:%b %Y} (opening stock)" if opening else "")
    if figure is None:
        return f"no figure for {words}"
    reason = figure.not_available
    shown = "" if not reason or reason == NOT_AVAILABLE else f": {reason}"
    return f"{words} not available{shown}"


def stock_flow_reconcile(
    *,
    figures: dict[str, dict[dt.date, Figure]],
    names: dict[str, str],
    threshold: Decimal = DEFAULT_THRESHOLD,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> StockFlow | None:
    """The stock reconciled month by month from `figures` (role -> first of the month -> the
    actual figure), or None when the council has not marked a stock, plans issued and plans
    ceased (`names`: role -> measure name, for the roles it has set).

    The months run from the month after the earliest figure (that one only opens the stock),
    or from `first` if later, to the latest figure, or `last` if earlier; a month inside the
    run with no figures at all is listed as not reconciled.
    """
    if any(role not in names for role in RECONCILED):
        return None
    months = {m for role in RECONCILED for m in figures.get(role, {})}
    if not months:
        return StockFlow((), threshold, names, Role.REQUESTS in names, Role.AGREED in names)
    start = month_add(min(months), 1)
    if first is not None and first > start:
        start = first
    end = max(months)
    if last is not None and last < end:
        end = last
    stock, issued, ceased = (figures.get(role, {}) for role in RECONCILED)
    requests, agreed = (figures.get(role, {}) for role in CONTEXT)

    def value(line, month):
        figure = line.get(month)
        return figure.value if figure is not None else None

    rows = []
    month = start
    while month <= end:
        before = month_add(month, -1)
        missing = [
            _missing(Role.STOCK, stock.get(before), before, opening=True),
            _missing(Role.ISSUED, issued.get(month), month),
            _missing(Role.CEASED, ceased.get(month), month),
            _missing(Role.STOCK, stock.get(month), month),
        ]
        rows.append(
            StockFlowMonth(
                month=month,
                opening=value(stock, before),
                issued=value(issued, month),
                ceased=value(ceased, month),
                closing=value(stock, month),
                requests=value(requests, month),
                agreed=value(agreed, month),
                missing=tuple(text for text in missing if text),
                threshold=threshold,
            )
        )
        month = month_add(month, 1)
    return StockFlow(tuple(rows), threshold, names, Role.REQUESTS in names, Role.AGREED in names)


def stock_flow_for_months(*, council, months: list[dt.date]) -> StockFlow | None:
    """The council's stock reconciled for `months` (consecutive, oldest first), from its
    actual figures (one query: the role measures' monthly actuals from the month before)."""
    if not months:
        return None
    rows = MeasureValue.objects.filter(
        measure__council_id=council.pk,
        series__kind=Series.Kind.ACTUAL,
        period_kind=PeriodKind.MONTH,
        period__gte=month_add(months[0], -1),
        period__lte=months[-1],
    ).exclude(measure__stock_flow_role="")
    figures: dict[str, dict[dt.date, Figure]] = {}
    names: dict[str, str] = {}
    for role, name, period, value, reason in rows.values_list(
        "measure__stock_flow_role", "measure__name", "period", "value", "not_available_reason"
    ):
        names[role] = name
        figures.setdefault(role, {})[period] = Figure(value, reason)
    return stock_flow_reconcile(
        figures=figures,
        names=names,
        threshold=council.stock_flow_gap_percent,
        first=months[0],
        last=months[-1],
    )


def figure_text(value: Decimal | None) -> str:
    """A number of plans as shown: 1,234 (or 1,234.5 where a council keeps parts)."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def signed_text(value: Decimal | None) -> str:
    """A gap in plans as shown: "+30", "-12", "0"; "" for none."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + figure_text(value)


def percent_text(value: Decimal | None) -> str:
    """A gap's per cent as shown: "+2.4%", "-0.3%", "0.0%"; "" for none."""
    if value is None:
        return ""
    return f"{'+' if value > 0 else ''}{value}%"


def threshold_text(threshold: Decimal) -> str:
    """The threshold as a council writes it: "2%", "2.5%"."""
    return f"{threshold.normalize():f}%"


def stock_flow_flag_text(flow: StockFlow | None) -> str:
    """The return's flag: "EHCPs in force differ from their flows by more than 2% in Oct 2024
    (+2.4%)", or "" when no month passes the threshold."""
    if flow is None or not flow.flagged:
        return ""
    shown = ", ".join(f"{m.month:%b %Y} ({percent_text(m.gap_percent)})" for m in flow.flagged)
    return (
        f"Stock and flow check: EHCPs in force differ from last month's + plans issued - plans "
        f"ceased by more than {threshold_text(flow.threshold)} in {shown}."
    )
