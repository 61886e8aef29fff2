"""Westbridge's DSG management plan financial summary (a fictional council with a DSG plan and
no Safety Valve agreement; every figure illustrative): outturn 2023-24 and 2024-25, the 2025-26
budget and forecast, and the plan's years to 2029-30 unmitigated and mitigated."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from demo.data.common import Tally, money_m
from demo.data.dsg_finance import (
    HN,
    OPENING,
    high_needs_year,
    other_blocks_year,
    plan_save,
)

FINANCE_USER = "finance.westbridge"
OPENING_DEFICIT = "-12.40"  # at 1 April 2023
OUTTURN = {2023: "-6.10", 2024: "-7.40"}
BUDGET = {2025: "-5.00"}
MITIGATED = {2025: "-6.20", 2026: "-4.10", 2027: "-2.00", 2028: "0.30", 2029: "1.10"}
UNMITIGATED = {2025: "-7.90", 2026: "-9.80", 2027: "-11.90", 2028: "-14.20", 2029: "-16.60"}
# The autumn term's forecast for 2025-26: more independent placements than the summer's.
AUTUMN_2025 = "-7.45"
TRANSFER = "0.90"  # 0.5% of the schools block to high needs each year


def _allocation(year: int) -> Decimal:
    return money_m(
        str((Decimal("52.0") * Decimal("1.03") ** (year - 2023)).quantize(Decimal("0.001")))
    )


def _entries(mitigated_2025: str = MITIGATED[2025]) -> dict:
    entries = {(HN, "actual", OPENING, 2023): money_m(OPENING_DEFICIT)}
    for year, in_year in OUTTURN.items():
        entries.update(
            high_needs_year(
                "actual", year, allocation=_allocation(year), in_year=money_m(in_year),
                transfer=money_m(TRANSFER),
            )
        )  # fmt: skip
    for scenario, years in (
        ("budget", BUDGET),
        ("mitigated", {**MITIGATED, 2025: mitigated_2025}),
        ("unmitigated", UNMITIGATED),
    ):
        for year, in_year in years.items():
            entries.update(
                high_needs_year(
                    scenario, year, allocation=_allocation(year), in_year=money_m(in_year),
                    transfer=money_m(TRANSFER),
                )
            )  # fmt: skip
    growth = Decimal("1.02")
    for scenario, years in (
        ("actual", OUTTURN),
        ("budget", BUDGET),
        ("mitigated", MITIGATED),
        ("unmitigated", UNMITIGATED),
    ):
        for year in years:
            entries.update(
                other_blocks_year(
                    scenario, year, growth=growth, transfer_out=money_m(TRANSFER),
                    scale=Decimal("0.6"),
                    spent="0.998",
                )
            )  # fmt: skip
    return entries


def _by():
    users = get_user_model().objects
    by_name = users.filter(username=FINANCE_USER).first()
    return by_name or users.filter(is_superuser=True).order_by("pk").first()


def finance_load(agreement, tally: Tally) -> None:
    """The plan as the summer term presented it."""
    plan_save(agreement, tally, entries=_entries(), by=_by())


def finance_autumn_load(agreement, tally: Tally) -> None:
    """The autumn term's forecast: 2025-26 mitigated moves by £1.25m (more independent
    placements), so the Schools Forum paper shows a movement from the summer's."""
    plan_save(agreement, tally, entries=_entries(AUTUMN_2025), by=_by())
