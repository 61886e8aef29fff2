"""Mitigation that shows (issue 18.3): the High Needs Block in-year forecast without the plan
(unmitigated), each workstream's expected saving stacked from it towards the forecast with the
plan (the latest, mitigated forecast), and what the year came to (actual).

Plain arithmetic on figures the caller has already read (pounds; an in-year deficit is
negative, so a saving moves the position up): the dashboard and board pack pass the snapshot's
figures, the workbook export its rows. Where the workstreams' savings do not add up to the gap
between the two forecasts, the difference is its own line, "not attributed to a workstream",
never spread over the workstreams or hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

NOT_ATTRIBUTED = "Not attributed to a workstream"


@dataclass(frozen=True)
class MitigationYear:
    """One financial year: the two forecasts, each workstream's saving (in the stacking order,
    None where it has none that year), the part of the gap no workstream accounts for, and the
    actual."""

    financial_year: int
    unmitigated: Decimal | None
    savings: tuple[Decimal | None, ...]
    # Mitigated - unmitigated - the savings; None unless both forecasts are given.
    not_attributed: Decimal | None
    mitigated: Decimal | None
    actual: Decimal | None

    @property
    def savings_total(self) -> Decimal:
        """What the workstreams are expected to save between them."""
        return sum((s for s in self.savings if s is not None), Decimal(0))

    def stack(self) -> list[tuple[Decimal, Decimal]]:
        """Each workstream's bar, then the not-attributed one, as (base, height): from the
        unmitigated forecast upwards, each starting where the one before ended, so the last
        ends at the mitigated forecast. Empty without an unmitigated forecast to start from."""
        if self.unmitigated is None:
            return []
        bars, level = [], self.unmitigated
        for amount in (*self.savings, self.not_attributed):
            amount = amount or Decimal(0)
            bars.append((level, amount))
            level += amount
        return bars


@dataclass(frozen=True)
class Mitigation:
    """The workstreams (names, in stacking order) and the years that have anything to show."""

    workstreams: tuple[str, ...]
    years: tuple[MitigationYear, ...]

    @property
    def has_not_attributed(self) -> bool:
        """Whether any year's savings fall short of (or exceed) the gap between the forecasts."""
        return any(y.not_attributed for y in self.years)


def mitigation_build(*, forecasts: dict, workstreams: list[tuple[str, dict]]) -> Mitigation:
    """The mitigation by year.

    `forecasts` maps a financial year to (unmitigated, mitigated, actual) in-year positions
    (each a Decimal or None); `workstreams` is [(name, {year: saving})] in stacking order.
    A year is shown when it has an unmitigated forecast or a saving; a workstream when it has a
    saving in a shown year.
    """
    saving_years = {year for _name, by_year in workstreams for year in by_year}
    shown = sorted(
        {y for y, (unmitigated, _m, _a) in forecasts.items() if unmitigated is not None}
        | saving_years
    )
    kept = [(name, by_year) for name, by_year in workstreams if set(by_year) & set(shown)]
    years = []
    for year in shown:
        unmitigated, mitigated, actual = forecasts.get(year, (None, None, None))
        savings = tuple(by_year.get(year) for _name, by_year in kept)
        total = sum((s for s in savings if s is not None), Decimal(0))
        gap = None if unmitigated is None or mitigated is None else mitigated - unmitigated
        years.append(
            MitigationYear(
                financial_year=year,
                unmitigated=unmitigated,
                savings=savings,
                not_attributed=None if gap is None else gap - total,
                mitigated=mitigated,
                actual=actual,
            )
        )
    return Mitigation(workstreams=tuple(name for name, _ in kept), years=tuple(years))
