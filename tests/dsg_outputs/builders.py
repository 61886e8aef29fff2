"""A council that keeps a DSG plan, its rounds, and a DSG part that reads FinanceLine live.

The outputs read only a round's record; to see a live edit after freezing leave a frozen output
unchanged, the test needs a part whose fragment comes from live rows. `finance_part` registers
one under the finance part's name for the test (putting back any registered part afterwards): it
reads the plan's High Needs FinanceLine rows (the one table both returns share) into the finance
part's published shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from finance.models import FinanceLine
from reports.freeze import round_snapshot_freeze
from svmonitor.choices import RoundStatus
from svmonitor.models import Agreement, ReportingRound
from svmonitor.roles import Role
from svmonitor.sections import (
    ReturnPart,
    return_part_register,
    return_part_unregister,
    return_parts,
)
from svmonitor.services import round_sign_off
from tests import factories as f

DSG_PLAN = "dsg_plan"
FINANCE = "dsg_finance"


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def finance_from_lines(round: ReportingRound) -> dict:
    """The plan's High Needs lines as the finance part's fragment: "latest" as the mitigated
    forecast, "unmitigated" as the unmitigated one (in-year and carried forward only)."""
    lines = FinanceLine.objects.filter(agreement_id=round.agreement_id).order_by("financial_year")
    years = sorted({line.financial_year for line in lines})
    scenarios = []
    for key, scenario, label in (
        ("unmitigated", FinanceLine.Scenario.UNMITIGATED, "Unmitigated forecast"),
        ("mitigated", FinanceLine.Scenario.LATEST, "Mitigated forecast"),
    ):
        derived = {
            str(line.financial_year): {
                "in_year": _money(line.in_year_position),
                "carried_forward": _money(
                    None if line.cumulative_deficit is None else -line.cumulative_deficit
                ),
            }
            for line in lines
            if line.scenario == scenario
        }
        scenarios.append(
            {
                "key": key,
                "label": label,
                "figures": {},
                "derived": derived,
                "balances_in": None,
                "balances_in_label": None,
            }
        )
    high_needs = {
        "key": "high_needs",
        "label": "High needs block",
        "lines": [],
        "scenarios": scenarios,
        "mitigation": {},
    }
    return {
        "years": [{"financial_year": y, "label": f"{y}-{(y + 1) % 100:02d}"} for y in years],
        "scenarios": [{"key": s["key"], "label": s["label"]} for s in scenarios],
        "blocks": [high_needs],
        "total": {**high_needs, "key": "total", "label": "Total DSG"},
        "end_of_plan": {},
    }


@pytest.fixture
def finance_part():
    """The finance part reading FinanceLine live, for the test only."""
    existing = next((p for p in return_parts() if p.name == FINANCE), None)
    return_part_register(
        ReturnPart(
            FINANCE,
            999,
            carry_forward=lambda new, previous, by: None,
            completeness=lambda round, carried: [],
            return_kind=DSG_PLAN,
            snapshot=finance_from_lines,
        )
    )
    yield
    return_part_unregister(FINANCE)
    if existing is not None:
        return_part_register(existing)


@dataclass
class Plan:
    """A council's DSG plan (its Agreement row) and the people who sign and read it."""

    agreement: Agreement
    lead: object
    s151: object
    dcs: object
    board: object


def dsg_plan() -> Plan:
    """A council that keeps a DSG plan and no Safety Valve agreement."""
    council = f.LocalAuthorityFactory(return_kinds=[DSG_PLAN])
    agreement = f.AgreementFactory(
        council=council,
        title="DSG deficit management plan",
        date_signed=dt.date(2025, 3, 31),
        first_financial_year=2025,
        last_financial_year=2029,
        dfe_contribution=0,
        council_contribution=0,
    )
    people = {}
    for role in (Role.LEAD, Role.S151, Role.DCS, Role.BOARD):
        people[role] = f.UserFactory()
        f.MembershipFactory(user=people[role], council=council, role=role)
    return Plan(
        agreement, people[Role.LEAD], people[Role.S151], people[Role.DCS], people[Role.BOARD]
    )


def hnb_line(plan: Plan, year: int, scenario: str, *, in_year: str, cumulative: str):
    """A High Needs FinanceLine of the plan (pounds as text)."""
    return FinanceLine.objects.update_or_create(
        agreement=plan.agreement,
        financial_year=year,
        scenario=scenario,
        defaults={"in_year_position": Decimal(in_year), "cumulative_deficit": Decimal(cumulative)},
    )[0]


def dsg_round(plan: Plan, number: int, status: str = RoundStatus.DRAFT) -> ReportingRound:
    """A 2025-26 DSG round: a draft, or frozen (ready) and, for signed off, signed by both."""
    round_ = f.ReportingRoundFactory(
        agreement=plan.agreement,
        return_kind=DSG_PLAN,
        financial_year=2025,
        update_number=number,
        due_date=dt.date(2025, 7, 15),
    )
    if status == RoundStatus.DRAFT:
        return round_
    round_snapshot_freeze(round=round_, by=plan.lead)
    ReportingRound.objects.filter(pk=round_.pk).update(status=RoundStatus.READY)
    round_.refresh_from_db()
    if status == RoundStatus.SIGNED_OFF:
        round_sign_off(round=round_, by=plan.s151, capacity="s151")
        round_sign_off(round=round_, by=plan.dcs, capacity="dcs")
        round_.refresh_from_db()
    return round_
