"""A DSG record's payload in the parts' published shapes (/work/dsg-shapes.md), built in tests
so the outputs can be checked against known figures before (and besides) the parts' hooks."""

from __future__ import annotations

YEARS = [2023, 2024, 2025, 2026, 2027]
BLOCKS = [
    ("schools", "Schools block"),
    ("central", "Central school services block"),
    ("early_years", "Early years block"),
    ("high_needs", "High needs block"),
]


def _label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def _scenario(key, label, years, lines, amount, *, balances_in=None):
    figures, derived = {}, {}
    cumulative = 0
    for year in years:
        spend = {str(line_id): f"{amount(year, line_id):.2f}" for line_id in lines}
        expenditure = sum(float(v) for v in spend.values())
        allocation = 10_000_000.0 + (year - 2023) * 100_000
        in_year = allocation - expenditure
        carried = cumulative + in_year
        figures[str(year)] = spend
        derived[str(year)] = {
            "allocation": f"{allocation:.2f}",
            "transfers": "0.00",
            "income": f"{allocation:.2f}",
            "expenditure": f"{expenditure:.2f}",
            "in_year": f"{in_year:.2f}",
            "brought_forward": f"{cumulative:.2f}",
            "adjustments": "0.00",
            "carried_forward": f"{carried:.2f}",
            "carried_forward_before_adjustments": f"{carried:.2f}",
            "in_year_pct_of_dsg": f"{in_year / allocation * 100:.1f}",
        }
        cumulative = carried
    return {
        "key": key,
        "label": label,
        "figures": figures,
        "derived": derived,
        "balances_in": balances_in,
        "balances_in_label": _label(balances_in) if balances_in else None,
    }


def finance_fragment(*, special_forecast: float = 6_150_000.00) -> dict:
    """Four blocks of two expenditure lines; the high needs block's second line ("Maintained
    special schools", id 42) is `special_forecast` in the current year (2025) forecast."""
    blocks = []
    line_id = 10
    for key, label in BLOCKS:
        lines = [line_id, line_id + 1]
        line_id += 10
        if key == "high_needs":
            lines = [41, 42]
        names = {
            41: "Mainstream top-up funding",
            42: "Maintained special schools",
        }

        def budget(year, lid):
            return 5_000_000.00 + lid * 1000

        def forecast(year, lid, key=key):
            if key == "high_needs" and lid == 42 and year == 2025:
                return special_forecast
            return 5_100_000.00 + lid * 1000 + (year - 2025) * 50_000

        blocks.append(
            {
                "key": key,
                "label": label,
                "lines": [
                    {
                        "id": lid,
                        "name": names.get(lid, f"{label} line {lid}"),
                        "kind": "expenditure",
                        "kind_label": "Expenditure",
                    }
                    for lid in lines
                ],
                "scenarios": [
                    _scenario("actual", "Actual (outturn)", [2023, 2024], lines, forecast),
                    _scenario("budget", "Budget", [2025], lines, budget),
                    _scenario(
                        "unmitigated",
                        "Unmitigated forecast",
                        [2025, 2026, 2027],
                        lines,
                        lambda y, lid, f=forecast: f(y, lid) + 200_000,
                    ),
                    _scenario(
                        "mitigated",
                        "Mitigated forecast",
                        [2025, 2026, 2027],
                        lines,
                        forecast,
                        balances_in=2027 if key == "high_needs" else None,
                    ),
                ],
                "mitigation": {
                    str(y): {"in_year": "400000.00", "cumulative": f"{400000 * (y - 2024):.2f}"}
                    for y in (2025, 2026, 2027)
                },
            }
        )
    total = {
        "key": "total",
        "label": "Total DSG",
        "lines": [],
        "scenarios": [
            _scenario(
                "mitigated",
                "Mitigated forecast",
                [2025, 2026, 2027],
                [1],
                lambda y, lid: 44_000_000.00 - (y - 2025) * 1_000_000,
            ),
            _scenario(
                "unmitigated",
                "Unmitigated forecast",
                [2025, 2026, 2027],
                [1],
                lambda y, lid: 45_000_000.00,
            ),
        ],
        "mitigation": {},
    }
    for scenario in total["scenarios"]:
        scenario["figures"] = {}
    return {
        "years": [{"financial_year": y, "label": _label(y)} for y in YEARS],
        "scenarios": [
            {"key": "actual", "label": "Actual (outturn)"},
            {"key": "budget", "label": "Budget"},
            {"key": "unmitigated", "label": "Unmitigated forecast"},
            {"key": "mitigated", "label": "Mitigated forecast"},
        ],
        "blocks": blocks,
        "total": total,
        "end_of_plan": {
            "financial_year": 2027,
            "label": "2027-28",
            "mitigated_carried_forward": "-137200000.00",
            "unmitigated_carried_forward": "-163500000.00",
            "mitigated_before_adjustments": "-137200000.00",
        },
    }


def cyp_fragment() -> dict:
    """Two census years of placement by age and need, and comparators."""
    placements = [
        {"code": "mainstream", "name": "Mainstream schools"},
        {"code": "special", "name": "Maintained special schools and special academies"},
    ]
    ages = [{"code": "under_5", "name": "Under 5"}, {"code": "5_10", "name": "Age 5 to 10"}]
    needs = [
        {"code": "asd", "name": "Autistic spectrum disorder (ASD)"},
        {"code": "semh", "name": "Social, emotional and mental health (SEMH)"},
    ]

    def grid(columns, a, b):
        return {
            "columns": [c["code"] for c in columns],
            "rows": [
                {
                    "placement": "mainstream",
                    "name": "Mainstream schools",
                    "cells": [a, b],
                    "total": a + b,
                },
                {
                    "placement": "special",
                    "name": "Maintained special schools and special academies",
                    "cells": [b, a],
                    "total": a + b,
                },
            ],
            "column_totals": [a + b, a + b],
            "total": 2 * (a + b),
        }

    return {
        "title": "Children and young people",
        "placements": placements,
        "age_groups": ages,
        "needs": needs,
        "years": [
            {
                "census_year": 2024,
                "label": "January 2024",
                "basis": "actual",
                "by_age": grid(ages, 1200, 1311),
                "by_need": grid(needs, 1200, 1311),
                "mismatches": [],
            },
            {
                "census_year": 2025,
                "label": "January 2025",
                "basis": "projection",
                "by_age": grid(ages, 1350, 1402),
                "by_need": grid(needs, 1350, 1402),
                "mismatches": [],
            },
        ],
        "comparators": {
            "available": True,
            "illustrative": True,
            "source": "DfE, Education, health and care plans (SEN2), January 2025",
            "year": 2025,
            "previous_year": 2024,
            "rows": [
                {
                    "role": "council",
                    "la_code": "E06000999",
                    "name": "Testshire",
                    "ehc_plans": 5504,
                    "new_plans": 812,
                    "rate_per_10k": None,
                    "growth_pct": "9.6",
                },
                {
                    "role": "neighbour",
                    "la_code": "E06000998",
                    "name": "Otherby",
                    "ehc_plans": 4200,
                    "new_plans": 600,
                    "rate_per_10k": None,
                    "growth_pct": "7.3",
                },
                {
                    "role": "england",
                    "la_code": "E92000001",
                    "name": "England",
                    "ehc_plans": 638745,
                    "new_plans": 97747,
                    "rate_per_10k": None,
                    "growth_pct": "10.9",
                },
            ],
        },
    }


def topics(pairs) -> dict:
    return {"topics": [{"key": k, "title": t, "text": x} for k, t, x in pairs]}


def payload(**finance) -> dict:
    """A whole DSG record's payload."""
    return {
        "parts": {
            "dsg_finance": finance_fragment(**finance),
            "cyp": cyp_fragment(),
            "dsg_narrative": topics(
                [
                    (
                        "financial_plan",
                        "Financial plan",
                        "The plan reaches in-year balance.\n\nSecond paragraph of the plan.",
                    ),
                    (
                        "high_needs_trends",
                        "High needs trends",
                        "Demand for specialist places grew.",
                    ),
                    ("outcomes", "Outcomes", ""),
                ]
            ),
            "dsg_stakeholders": topics(
                [
                    ("schools_forum", "Schools Forum", "Termly updates to the forum."),
                    ("parents_carers", "Parents and carers", "Co-produced with the parent forum."),
                ]
            ),
            "dsg_forum_paper": topics(
                [
                    ("purpose", "Purpose of the report", "To update the forum on the plan."),
                    ("recommendations", "Recommendations", "That the forum notes the position."),
                    ("background", "Background", "The DSG has been in deficit since 2019."),
                    ("decisions", "Decisions sought", "Approve a 0.5% block transfer."),
                ]
            ),
            "dsg_governance": {
                "schools_forum_date": "2025-06-12",
                "schools_forum_dates": ["2025-03-13", "2025-06-12"],
                "next_review_date": "2025-10-09",
                "notes": "Reviewed by the DSG board monthly.",
            },
            "dsg_workstreams": {
                "years": [2025, 2026, 2027],
                "areas": [
                    {
                        "number": 3,
                        "name": "Right support at the right time",
                        "status": "at_risk",
                        "status_label": "At risk",
                    }
                ],
                "workstreams": [
                    {
                        "id": 12,
                        "area_number": 3,
                        "area": "Right support at the right time",
                        "name": "Additional secondary resource bases",
                        "lead_role": "Head of SEND commissioning",
                        "start_date": "2024-09-01",
                        "end_date": "2027-08-31",
                        "status": "on_track",
                        "status_label": "On track",
                        "dsg_line": "Resourced provision and SEN units",
                        "savings": {"2025": "450000.00", "2026": "900000.00"},
                        "savings_total": "1350000.00",
                    },
                ],
                "savings_totals": {"2025": "450000.00", "2026": "900000.00"},
                "savings_total": "1350000.00",
            },
        }
    }
