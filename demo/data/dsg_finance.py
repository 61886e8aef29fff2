"""Demo DSG management plan financial summaries, saved through the finance service (so the Safety
Valve finance lines follow, as a council's own save would).

Wiltshire: the Schools Forum paper (June 2024) gives the mitigated cumulative deficit at the end
of the plan period, £137.2m before DfE's £67m and the council's £70.2m clear it; the dashboard's
Q2 forecast gives 2024-25's in-year position (-£43.20m) and its goal (-£28.21m, the budget); the
first £26.8m payment reduced the deficit at the end of 2023-24. Every other figure (the split by
line and block, the years between, the unmitigated path) is illustrative, chosen to agree with
those and with the finance lines already loaded. Westbridge (the fictional council with a DSG plan
and no Safety Valve agreement) is wholly illustrative."""

from __future__ import annotations

from decimal import Decimal

from demo.data.common import Tally, money_m
from finance.models_dsg import DsgPlanFigure
from finance.services_dsg import dsg_plan_figures_import

HN = "high_needs"
ALLOCATION = "DSG allocation after recoupment"
TRANSFER = "Block transfers (in positive, out negative)"
OPENING = "Cumulative balance at the start of the plan"
CONTRIBUTIONS = "Safety Valve payments and contributions to the deficit"
# How a year's high needs spending splits by provision type (illustrative shares).
HN_SHARES = (
    ("Mainstream schools: top-up funding", Decimal("0.22")),
    ("Resourced provision and SEN units", Decimal("0.08")),
    ("Maintained special schools and special academies", Decimal("0.29")),
    ("Independent and non-maintained special schools", Decimal("0.20")),
    ("Hospital education and alternative provision", Decimal("0.05")),
    ("Post-16 and further education", Decimal("0.08")),
    ("Other provision (including direct payments)", Decimal("0.04")),
    ("Central high needs services", None),  # the remainder, so the lines add up to the penny
)
OTHER_BLOCKS = {
    # block: (first line, allocation in 2023-24 £m, its share of spending in each line)
    "schools": ("Individual schools budgets", "320.0"),
    "central": ("Ongoing central responsibilities", "3.1"),
    "early_years": ("Funding for providers (entitlements)", "38.5"),
}


def _split(total: Decimal) -> dict[str, Decimal]:
    lines, left = {}, total
    for name, share in HN_SHARES:
        amount = left if share is None else (total * share).quantize(Decimal("0.01"))
        lines[name] = amount
        left -= amount
    return lines


def high_needs_year(scenario: str, year: int, *, allocation, in_year, transfer=None, adjust=None):
    """One year of the high needs block: its income and spending by line, the spending being
    whatever leaves the given in-year position (£ amounts)."""
    entries = {(HN, scenario, ALLOCATION, year): allocation}
    income = allocation
    if transfer is not None:
        entries[(HN, scenario, TRANSFER, year)] = transfer
        income += transfer
    for name, amount in _split(income - in_year).items():
        entries[(HN, scenario, name, year)] = amount
    if adjust is not None:
        entries[(HN, scenario, CONTRIBUTIONS, year)] = adjust
    return entries


def other_blocks_year(
    scenario: str, year: int, *, growth: Decimal, transfer_out=None, scale=1, spent="1"
):
    """One year of the schools, central and early years blocks: spending `spent` of the income
    (illustrative), the schools block giving up the transfer to high needs."""
    entries = {}
    for block, (line, base) in OTHER_BLOCKS.items():
        allocation = (Decimal(base) * scale * growth ** (year - 2023) * 1_000_000).quantize(
            Decimal("0.01")
        )
        entries[(block, scenario, ALLOCATION, year)] = allocation
        income = allocation
        if block == "schools" and transfer_out is not None:
            entries[(block, scenario, TRANSFER, year)] = -transfer_out
            income -= transfer_out
        entries[(block, scenario, line, year)] = (income * Decimal(spent)).quantize(Decimal("0.01"))
    return entries


def plan_save(agreement, tally: Tally, *, entries: dict, by) -> None:
    """Save the figures through the service; count them as the loader counts rows."""
    before = DsgPlanFigure.objects.filter(line__agreement=agreement).count()
    changed = dsg_plan_figures_import(agreement=agreement, entries=entries, by=by)
    created = DsgPlanFigure.objects.filter(line__agreement=agreement).count() - before
    name = DsgPlanFigure._meta.label
    tally.seen[name] += len(entries)
    tally.created[name] += created
    tally.changed[name] += changed - created


# --- Wiltshire ------------------------------------------------------------------------------

INCOME_2025 = Decimal("80.301")


def _wiltshire_income(year: int) -> Decimal:
    # As the finance lines have it (wiltshire_metrics._income): 2024-25 is 2025-26 less 7.9%,
    # later years +3% a year.
    if year == 2024:
        return money_m(str((INCOME_2025 / Decimal("1.079")).quantize(Decimal("0.001"))))
    factor = Decimal("1.03") ** (year - 2025)
    return money_m(str((INCOME_2025 * factor).quantize(Decimal("0.001"))))


# Mitigated in-year positions (£m): 2024-25 is the Q2 forecast; 2025-26 to 2028-29 are
# illustrative, adding £10.91m so the deficit before contributions reaches the Schools Forum
# paper's £137.2m at the end of the plan (2028-29), the year the in-year position balances.
WILTSHIRE_MITIGATED = {2024: "-43.20", 2025: "-6.80", 2026: "-3.60", 2027: "-1.71", 2028: "1.20"}
WILTSHIRE_UNMITIGATED = {
    2023: "-30.40",
    2024: "-52.40",
    2025: "-60.10",
    2026: "-68.50",
    2027: "-76.90",
    2028: "-85.30",
}
# Schools block transfers to high needs (£m): 1%, then 0.5% in 2025-26 (Update 3's narrative).
WILTSHIRE_TRANSFER = {2024: "3.20", 2025: "1.60", 2026: "3.30", 2027: "3.40", 2028: "3.50"}
# DfE's remaining £40.2m and the council's £70.2m, spread over the plan's last four years so
# the deficit is cleared at its end (illustrative timing; the totals are the seeds').
WILTSHIRE_CONTRIBUTIONS = {2025: "27.60", 2026: "27.60", 2027: "27.60", 2028: "27.60"}
WILTSHIRE_OPENING = "-55.79"  # so 2023-24 ends at £56.29m, and 2024-25 at the Q2 £99.49m


def wiltshire_entries() -> dict:
    """Wiltshire's plan, every block and scenario."""
    entries = {(HN, "actual", OPENING, 2023): money_m(WILTSHIRE_OPENING)}
    entries.update(
        high_needs_year(
            "actual", 2023, allocation=money_m("68.00"), in_year=money_m("-27.30"),
            adjust=money_m("26.80"),
        )
    )  # fmt: skip
    entries.update(
        high_needs_year(
            "budget", 2024, allocation=_wiltshire_income(2024), in_year=money_m("-28.21"),
            transfer=money_m(WILTSHIRE_TRANSFER[2024]),
        )
    )  # fmt: skip
    # 2025-26's budget (illustrative), set in March 2025 when the year's grant was known.
    entries.update(
        high_needs_year(
            "budget", 2025, allocation=_wiltshire_income(2025), in_year=money_m("-6.00"),
            transfer=money_m(WILTSHIRE_TRANSFER[2025]),
        )
    )  # fmt: skip
    for year, in_year in WILTSHIRE_MITIGATED.items():
        adjust = WILTSHIRE_CONTRIBUTIONS.get(year)
        entries.update(
            high_needs_year(
                "mitigated", year, allocation=_wiltshire_income(year), in_year=money_m(in_year),
                transfer=money_m(WILTSHIRE_TRANSFER[year]),
                adjust=money_m(adjust) if adjust else None,
            )
        )  # fmt: skip
    entries[(HN, "unmitigated", OPENING, 2023)] = money_m(WILTSHIRE_OPENING)
    for year, in_year in WILTSHIRE_UNMITIGATED.items():
        allocation = money_m("68.00") if year == 2023 else _wiltshire_income(year)
        entries.update(
            high_needs_year("unmitigated", year, allocation=allocation, in_year=money_m(in_year))
        )
    growth = Decimal("1.025")
    entries.update(other_blocks_year("actual", 2023, growth=growth))
    for year in (2024, 2025):
        transfer = money_m(WILTSHIRE_TRANSFER[year])
        entries.update(other_blocks_year("budget", year, growth=growth, transfer_out=transfer))
    for year, transfer in WILTSHIRE_TRANSFER.items():
        entries.update(
            other_blocks_year("mitigated", year, growth=growth, transfer_out=money_m(transfer))
        )
    return entries


def wiltshire_dsg_load(agreement, tally: Tally, *, by) -> None:
    """Wiltshire's DSG management plan financial summary (see the module's note)."""
    plan_save(agreement, tally, entries=wiltshire_entries(), by=by)
