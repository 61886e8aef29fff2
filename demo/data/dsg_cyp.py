"""Demo data for the DSG plan's children and young people tables and the EHCP comparators.

Everything here is illustrative. Wiltshire's January 2025 total is the board dashboard's EHCP
count in the seeds (6,357, data refreshed 7 January 2025) and its independent and non-maintained
special share is the dashboard's 5.75% of children with EHCPs; the other years, the splits by
placement, age and need, and the projections are made up to look like a plan that stabilises
numbers from 2026, as the seeds say the council aims to. The SEN2-like comparator figures are
made up for every area and marked illustrative wherever they show; the neighbours are fictional
authorities with codes no real authority has (E06999xxx).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from demo.data.common import Tally, upsert
from metrics.models import (
    CypAgeGroup,
    CypFigure,
    CypNeed,
    CypPlacement,
    CypYear,
    Sen2Figure,
    StatisticalNeighbour,
)
from metrics.services_cyp import cyp_categories_seed

LOADED_AT = timezone.make_aware(dt.datetime(2025, 6, 26, 9, 30))
SOURCE = "Illustrative demo figures (not DfE's statistics)"
ENGLAND = ("E92000001", "", "England")
# (ONS code, DfE number, name, {January census year: EHC plans}, population aged 0 to 25)
AREAS = (
    ("E06000054", "865", "Wiltshire", {2023: 5230, 2024: 5790, 2025: 6357}, 158000),
    ("E06999902", "", "Northdale", {2023: 2410, 2024: 2655, 2025: 2890}, 71000),
    ("E06999904", "", "Westbridge", {2023: 3120, 2024: 3390, 2025: 3710}, 96000),
    ("E06999911", "", "Southvale (fictional)", {2023: 4050, 2024: 4420, 2025: 4800}, 131000),
    ("E06999912", "", "Highcombe (fictional)", {2023: 3600, 2024: 3980, 2025: 4310}, 118000),
    ("E06999913", "", "Lowmarsh (fictional)", {2023: 2950, 2024: 3140, 2025: 3420}, 102000),
    ("E06999914", "", "Fernhill (fictional)", {2023: 5100, 2024: 5520, 2025: 6010}, 166000),
    ("E06999915", "", "Kingsmead Vale (fictional)", {2023: 1980, 2024: 2200, 2025: 2395}, 64000),
)
ENGLAND_PLANS = {2023: 517000, 2024: 576500, 2025: 638700}
ENGLAND_POPULATION = 19_400_000
NEW_PLANS_SHARE = Decimal("0.14")  # new plans in the calendar year before, as a share
# Fictional neighbours only: no demo council names another (each council's pages show only
# its own data and these made-up areas).
NEIGHBOURS = {
    "wiltshire": ("E06999911", "E06999912", "E06999913", "E06999914"),
    "northdale": ("E06999911", "E06999913", "E06999915"),
    "westbridge": ("E06999912", "E06999914", "E06999915"),
}

# Shares of each placement (DfE's seven, by code), summing to 1.
PLACEMENT_SHARES = {
    "mainstream": Decimal("0.42"),
    "resourced": Decimal("0.06"),
    "special": Decimal("0.27"),
    "independent-special": Decimal("0.0575"),
    "hospital-ap": Decimal("0.02"),
    "post-16": Decimal("0.14"),
    "other": Decimal("0.0325"),
}
AGE_SHARES = {
    "default": {"under-5": 4, "5-10": 36, "11-15": 33, "16-19": 21, "20-25": 6},
    "mainstream": {"under-5": 5, "5-10": 50, "11-15": 38, "16-19": 7, "20-25": 0},
    "post-16": {"under-5": 0, "5-10": 0, "11-15": 0, "16-19": 80, "20-25": 20},
}
NEED_SHARES = {
    "asd": 320, "hi": 15, "mld": 80, "msi": 4, "pd": 30, "pmld": 12, "semh": 200,
    "slcn": 200, "sld": 45, "spld": 35, "vi": 10, "oth": 15, "nsa": 34,
}  # fmt: skip
# (January census year, total EHCPs, basis)
WILTSHIRE_YEARS = (
    (2023, 5230, CypYear.Basis.ACTUAL),
    (2024, 5790, CypYear.Basis.ACTUAL),
    (2025, 6357, CypYear.Basis.ACTUAL),
    (2026, 6420, CypYear.Basis.PROJECTION),
    (2027, 6330, CypYear.Basis.PROJECTION),
    (2028, 6190, CypYear.Basis.PROJECTION),
    (2029, 6080, CypYear.Basis.PROJECTION),
)


def split(total: int, shares: dict) -> dict:
    """`total` shared out in proportion to `shares`, whole numbers that add up to it exactly
    (largest remainders take the spare ones)."""
    weight = sum(Decimal(v) for v in shares.values())
    if not weight or not total:
        return dict.fromkeys(shares, 0)
    exact = {k: Decimal(total) * Decimal(v) / weight for k, v in shares.items()}
    out = {k: int(v) for k, v in exact.items()}
    spare = total - sum(out.values())
    for key in sorted(exact, key=lambda k: exact[k] - out[k], reverse=True)[:spare]:
        out[key] += 1
    return out


def sen2_demo_load(tally: Tally) -> None:
    """Illustrative SEN2-like figures for England, the demo councils and their neighbours."""
    rows = [(*ENGLAND, ENGLAND_PLANS, ENGLAND_POPULATION), *AREAS]
    for code, old, name, plans, population in rows:
        for year, count in plans.items():
            upsert(
                Sen2Figure,
                tally,
                lookup={"area_code": code, "census_year": year},
                values={
                    "level": "england" if code == ENGLAND[0] else "la",
                    "old_la_code": old,
                    "name": name,
                    "ehc_plans": count,
                    "new_plans": int(count * NEW_PLANS_SHARE),
                    "population_0_25": population,
                    "illustrative": True,
                    "source": SOURCE,
                    "loaded_at": LOADED_AT,
                },
            )


def neighbours_demo_load(council, tally: Tally) -> None:
    """The council's (fictional) statistical neighbours, in order."""
    names = {code: name for code, _old, name, _p, _pop in AREAS}
    for order, code in enumerate(NEIGHBOURS.get(council.slug, ()), start=1):
        upsert(
            StatisticalNeighbour,
            tally,
            lookup={"council": council, "area_code": code},
            values={"name": names[code], "order": order},
        )


def cyp_tables_demo_load(council, tally: Tally, years) -> None:
    """The council's CYP tables: each year's total shared across placements, then across age
    groups and needs (so both tables give each placement the same total)."""
    cyp_categories_seed()
    placements = {p.code: p for p in CypPlacement.objects.all()}
    ages = {a.code: a for a in CypAgeGroup.objects.all()}
    needs = {n.code: n for n in CypNeed.objects.all()}
    for census_year, total, basis in years:
        year = upsert(
            CypYear,
            tally,
            lookup={"council": council, "census_year": census_year},
            values={"basis": basis},
        )
        for code, count in split(total, PLACEMENT_SHARES).items():
            by_age = split(count, AGE_SHARES.get(code, AGE_SHARES["default"]))
            for age_code, n in by_age.items():
                if n:
                    upsert(
                        CypFigure,
                        tally,
                        lookup={
                            "year": year,
                            "placement": placements[code],
                            "age_group": ages[age_code],
                        },
                        values={"count": n},
                    )
            for need_code, n in split(count, NEED_SHARES).items():
                if n:
                    upsert(
                        CypFigure,
                        tally,
                        lookup={
                            "year": year,
                            "placement": placements[code],
                            "need": needs[need_code],
                        },
                        values={"count": n},
                    )


def dsg_cyp_load(councils, tallies: dict) -> None:
    """The loader's call: the illustrative comparators, each demo council's neighbours, and
    Wiltshire's CYP tables."""
    by_slug = {council.slug: council for council in councils}
    wiltshire = by_slug.get("wiltshire")
    tally = tallies.get("wiltshire") or Tally()
    sen2_demo_load(tally)
    for council in councils:
        neighbours_demo_load(council, tallies.get(council.slug) or tally)
    if wiltshire is not None:
        cyp_tables_demo_load(wiltshire, tally, WILTSHIRE_YEARS)
