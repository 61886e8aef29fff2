"""Wiltshire's data sources, series, key measures and their values, headline cards and finance.

Every figure comes from the seeds unless a comment says it is derived or illustrative.
"""

import datetime as dt
from decimal import Decimal

from demo.data.common import (
    CatalogueSpec,
    Tally,
    catalogue_load,
    money_m,
    month,
    upsert,
    values_load,
)
from finance.models import FinanceLine
from metrics.models import Measure, Series

M = Measure
SEND_REFRESHED = dt.date(2025, 1, 7)

SOURCES = {
    "mi": ("SEND MI", SEND_REFRESHED, ""),
    "finance": ("Finance", None, "Q2 forecast"),
    "commissioning": ("Commissioning", None, ""),
}

# slug -> (kind, name, order)
SERIES = {
    "actual": (Series.Kind.ACTUAL, "Actual", 0),
    "sv-forecast": (Series.Kind.BASELINE, "SV forecast", 1),
    "goal": (Series.Kind.BASELINE, "Goal for the year", 2),
    "last-year": (Series.Kind.LAST_YEAR, "Same period last year", 3),
    "stat-neighbour": (Series.Kind.STAT_NEIGHBOUR, "Statistical neighbours (2023)", 4),
}

# code -> (name, unit, polarity, source, frequency, reading, programme area, conditions)
MEASURES = {
    "ehcps": ("Number of EHCPs", M.Unit.COUNT, M.Polarity.LOWER_BETTER, "mi", "monthly",
              "point", 2, ("3.1",)),
    "ehcna-requests": ("EHC needs assessment requests", M.Unit.COUNT,
                       M.Polarity.LOWER_BETTER, "mi", "monthly", "point", 2, ("3.1",)),
    "no-to-assess": ('% of EHCNA requests "no to assess"', M.Unit.PERCENT,
                     M.Polarity.HIGHER_BETTER, "mi", "monthly", "point", 2, ("3.1",)),
    "funded-ehcps": ("Funded EHCPs", M.Unit.COUNT, M.Polarity.LOWER_BETTER, "mi", "monthly",
                     "point", 2, ("3.1",)),
    "ehcp-rate": ("% of 0-25 population with an EHCP", M.Unit.PERCENT,
                  M.Polarity.LOWER_BETTER, "mi", "monthly", "point", 2, ("3.1",)),
    "moves-up": ('Moves "up" provision', M.Unit.COUNT, M.Polarity.LOWER_BETTER, "mi",
                 "monthly", "point", 3, ("3.2",)),
    "issued-20-weeks": ("% of EHCPs issued within 20 weeks", M.Unit.PERCENT,
                        M.Polarity.HIGHER_BETTER, "mi", "monthly", "point", 6, ("3.2",)),
    "inmss-pct": ("% of EHCP cohort in INMSS", M.Unit.PERCENT, M.Polarity.LOWER_BETTER, "mi",
                  "monthly", "point", 3, ("3.2", "3.3")),
    "inmss-pct-rolling": ("% of EHCP cohort in INMSS (12-month rolling average)",
                          M.Unit.PERCENT, M.Polarity.LOWER_BETTER, "mi", "monthly",
                          "rolling_12", 3, ("3.2", "3.3")),
    "inmss-count": ("Number placed in INMSS", M.Unit.COUNT, M.Polarity.LOWER_BETTER, "mi",
                    "monthly", "point", 3, ("3.3",)),
    "moves-down": ('Moves "down" provision', M.Unit.COUNT, M.Polarity.HIGHER_BETTER, "mi",
                   "monthly", "point", 3, ("3.3",)),
    "special-places": ("New special school places (running total)", M.Unit.COUNT,
                       M.Polarity.HIGHER_BETTER, "commissioning", "termly", "running_total", 3,
                       ("3.3",)),
    "ehcps-ceased": ("EHCPs ceased a month (12-month rolling average)", M.Unit.COUNT,
                     M.Polarity.HIGHER_BETTER, "mi", "monthly", "rolling_12", 4, ("3.4",)),
    # A forecast for the whole financial year, refreshed each quarter: hence "annual".
    "hnb-overspend": ("HNB overspend 2024-25 (£m)", M.Unit.GBP_M, M.Polarity.LOWER_BETTER,
                      "finance", "annual", "point", 5, ("1", "2")),
}  # fmt: skip

APR, JUL, OCT = month(2024, 4), month(2024, 7), month(2024, 10)
SEP_TO_DEC = [month(2024, m) for m in (9, 10, 11, 12)]
APR_TO_OCT = [month(2024, m) for m in range(4, 11)]
DEC = month(2024, 12)


def _minus(actuals: list, differences: list) -> list:
    # The dashboard gives "vs last year" and "vs stat neighbour" as differences (actual minus
    # comparator), so the comparator is stored as actual minus difference: the dashboard's
    # difference then comes out exactly.
    return [Decimal(str(a)) - Decimal(str(d)) for a, d in zip(actuals, differences, strict=True)]


def _values() -> dict:
    """code -> series slug -> {period: value}, and notes by (code, slug, period)."""
    funded = [6059, 6166, 6274, 6353]
    rate = ["3.64", "3.70", "3.77", "3.82"]
    rolling = ["5.85", "5.82", "5.72", "5.64"]
    inmss = [354, 359, 359, 358]
    return {
        # Update 3's monthly table (April to October) and the dashboard card (December).
        # Update 1's April table said 5,696 against 5,580 pro rata; the later table revises
        # April, and one cell holds one figure, so Update 1's pair is kept as a note.
        "ehcps": {
            "actual": dict(zip(APR_TO_OCT, [5728, 5815, 5867, 5861, 5932, 6051, 6161],
                               strict=True)) | {DEC: 6357},
            "sv-forecast": dict(zip(APR_TO_OCT, [5562, 5586, 5609, 5632, 5645, 5649, 5669],
                                    strict=True)) | {DEC: 5707},
            "last-year": {APR: 4973},
        },
        # Update 1's key-measure tables (April 2024); a "-" in the table is simply absent.
        "ehcna-requests": {"sv-forecast": {APR: 388}, "actual": {APR: 398},
                           "last-year": {APR: 388}},
        "no-to-assess": {"actual": {APR: "15"}, "last-year": {APR: "7.78"}},
        "moves-up": {"actual": {APR: 0}},
        "issued-20-weeks": {"sv-forecast": {APR: 40}, "actual": {APR: "30.23"},
                            "last-year": {APR: "36.82"}},
        # Point readings: Update 1 (April), Update 3's narrative (July, October), and the
        # dashboard card (December: 5.75% against a forecast of 6.92%).
        "inmss-pct": {"sv-forecast": {APR: "6.03", DEC: "6.92"},
                      "actual": {APR: "6.12", JUL: "5.86", OCT: "5.62", DEC: "5.75"},
                      "last-year": {APR: "5.6"}},
        "moves-down": {"actual": {APR: 30}, "last-year": {APR: 18}},
        # The dashboard's KPI tables, September to December 2024.
        "funded-ehcps": {"actual": dict(zip(SEP_TO_DEC, funded, strict=True)),
                         "last-year": dict(zip(SEP_TO_DEC,
                                               _minus(funded, [758, 823, 856, 872]),
                                               strict=True))},
        "ehcp-rate": {"actual": dict(zip(SEP_TO_DEC, rate, strict=True)),
                      "stat-neighbour": dict(zip(SEP_TO_DEC,
                                                 _minus(rate, ["0.45", "0.51", "0.58", "0.63"]),
                                                 strict=True))},
        "inmss-pct-rolling": {"actual": dict(zip(SEP_TO_DEC, rolling, strict=True)),
                              "stat-neighbour": dict(zip(SEP_TO_DEC,
                                                         _minus(rolling, ["0.13", "0.10",
                                                                          "0.00", "-0.08"]),
                                                         strict=True))},
        "inmss-count": {"actual": dict(zip(SEP_TO_DEC, inmss, strict=True)),
                        "last-year": dict(zip(SEP_TO_DEC, _minus(inmss, [44, 41, 40, 41]),
                                              strict=True))},
        # Update 3: 98 of the 156 places due in September opened (the dashboard's shortfall of
        # 58). Ceases: 32 a month in July, 28 in October.
        "special-places": {"actual": {month(2024, 9): 98}, "sv-forecast": {month(2024, 9): 156}},
        "ehcps-ceased": {"actual": {JUL: 32, OCT: 28}},
        # The dashboard: Q2 forecast £43.20m against the year's goal of £28.21m. The Q1 figure
        # is derived: Update 3 reports a further adverse movement of £5.05m from Q1 to Q2.
        "hnb-overspend": {"actual": {month(2024, 6): "38.15", month(2024, 9): "43.20"},
                          "goal": {month(2024, 6): "28.21", month(2024, 9): "28.21"}},
    }  # fmt: skip


NOTES = {
    ("ehcps", "actual", APR): "Update 1 reported 5,696 at the time; later data revised April",
    ("ehcps", "sv-forecast", APR): "Update 1 used a pro-rata forecast of 5,580",
    ("hnb-overspend", "actual", month(2024, 6)): "Derived: Q2 forecast less the £5.05m "
    "adverse movement Update 3 reports",
}

HEADLINE_CARDS = [
    ("Number of EHCPs", "ehcps", "sv-forecast", "Forecast to date", "plans"),
    ("HNB overspend 2024/25 (£m)", "hnb-overspend", "goal", "Goal for this financial year", ""),
    ("Children with EHCPs in INMSS", "inmss-pct", "sv-forecast", "Forecast", ""),
]


CATALOGUE = CatalogueSpec(sources=SOURCES, series=SERIES, measures=MEASURES, cards=HEADLINE_CARDS)


def metrics_load(council, tally: Tally, *, areas: dict, conditions: dict) -> dict:
    """Sources, series, measures with their values, and the dashboard's headline cards."""
    measures, series = catalogue_load(
        council, tally, spec=CATALOGUE, areas=areas, conditions=conditions
    )
    for code, by_series in _values().items():
        for slug, points in by_series.items():
            notes = {p: text for (c, s, p), text in NOTES.items() if (c, s) == (code, slug)}
            values_load(measures[code], series[slug], tally, points=points, notes=notes)
    return measures


# The remaining £40.2m of DfE's £67m, as five equal yearly instalments to 2028-29: the seeds do
# not give the schedule, so it is illustrative.
INSTALMENT = money_m("8.04")
INCOME_2025 = Decimal("80.301")


def _income(year: int) -> Decimal:
    # Derived: 2024-25 is 2025-26's £80.301m less its stated 7.9% rise; later years grow 3% a
    # year, the DfE guidance Update 3 assumes.
    if year == 2024:
        return money_m(str((INCOME_2025 / Decimal("1.079")).quantize(Decimal("0.001"))))
    factor = Decimal("1.03") ** (year - 2025)
    return money_m(str((INCOME_2025 * factor).quantize(Decimal("0.001"))))


def finance_load(agreement, tally: Tally) -> None:
    """Agreement profile and latest forecast lines, with nulls where the seeds give nothing."""
    agreement_profile = {
        2023: {"dfe_payments": money_m("26.8")},
        # 2024-25: the dashboard's goal for the year's overspend; the cumulative figure assumes
        # the profile runs at the £84.5m cap (derived).
        2024: {"in_year_position": money_m("-28.21"), "cumulative_deficit": money_m("84.5")},
        # Derived: a straight line from the 2024-25 cap to nil at the end of the agreement,
        # when DfE's £67m and the council's £70.2m have cleared the deficit.
        2025: {"cumulative_deficit": money_m("63.375")},
        2026: {"cumulative_deficit": money_m("42.25")},
        2027: {"cumulative_deficit": money_m("21.125")},
        2028: {"cumulative_deficit": money_m("0")},
    }
    for year in range(2024, 2029):
        agreement_profile[year]["dfe_payments"] = INSTALMENT
    latest = {
        2023: {"dfe_payments": money_m("26.8"), "reflects": "2023-24 outturn"},
        # Q2: £43.20m overspend; the cumulative deficit is the profile's £84.5m plus the
        # £14.99m overspend above the year's goal (derived).
        2024: {
            "in_year_position": money_m("-43.20"),
            "cumulative_deficit": money_m("99.49"),
            "hnb_income": _income(2024),
            "dfe_payments": INSTALMENT,
            "reflects": "Q2 forecast",
        },
        2025: {"hnb_income": money_m(str(INCOME_2025)), "reflects": "Provisional allocation"},
    }
    for year in range(2026, 2031):
        latest[year] = {"hnb_income": _income(year), "reflects": "Q2 forecast, income +3% a year"}
    # Issue 18.3, illustrative (the seeds give no unmitigated figure by year, nor the 2023-24
    # outturn's in-year position): what the years would be without the plan, and what 2023-24
    # came to. wiltshire_programme.SAVINGS gives each workstream's part of the difference.
    unmitigated = {
        2023: {"in_year_position": money_m("-30.40"), "reflects": "Plan, March 2024"},
        2024: {"in_year_position": money_m("-52.40"), "reflects": "Q2 forecast without the plan"},
    }
    actual = {2023: {"in_year_position": money_m("-27.30"), "reflects": "2023-24 outturn"}}
    fields = ("in_year_position", "cumulative_deficit", "hnb_income", "dfe_payments")
    for scenario, lines in (
        (FinanceLine.Scenario.AGREEMENT, agreement_profile),
        (FinanceLine.Scenario.LATEST, latest),
        (FinanceLine.Scenario.UNMITIGATED, unmitigated),
        (FinanceLine.Scenario.ACTUAL, actual),
    ):
        for year, line in lines.items():
            values = {name: line.get(name) for name in fields}
            default_reflects = "Agreement, March 2024" if scenario == "agreement" else ""
            values["reflects"] = line.get("reflects", default_reflects)
            upsert(
                FinanceLine,
                tally,
                lookup={"agreement": agreement, "financial_year": year, "scenario": scenario},
                values=values,
            )
