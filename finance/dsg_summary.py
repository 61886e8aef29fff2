"""Reads for the DSG management plan's financial summary: its lines and figures, and what is
computed from them (block and DSG totals, in-year positions, balances brought and carried
forward, the year the in-year position balances, the mitigation, the deficit as a share of DSG).
The one place these figures are derived: the grid, the return's frozen record and the Safety
Valve finance lines (finance.services_dsg) all take them from here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from finance.models import FinanceLine
from finance.models_dsg import DsgBlock, DsgLineKind, DsgPlanFigure, DsgPlanLine, DsgScenario
from svmonitor.fy import fy_label

ZERO = Decimal("0.00")
# The plan's scenarios that are also Safety Valve finance lines, and what they are called there.
FINANCE_SCENARIO_FOR = {
    DsgScenario.ACTUAL: FinanceLine.Scenario.ACTUAL,
    DsgScenario.MITIGATED: FinanceLine.Scenario.LATEST,
    DsgScenario.UNMITIGATED: FinanceLine.Scenario.UNMITIGATED,
}
# The FinanceLine fields the plan's high needs block computes, where it has figures.
DSG_COMPUTED_FIELDS = (
    "in_year_position",
    "cumulative_deficit",
    "hnb_income",
    "schools_block_transfer",
)
# The lines a block's grid offers before the council has saved any: (kind, name). Lines are
# data: a council renames nothing here, it adds its own lines beside these. The high needs
# lines follow the provision types the plan's children and young people tables use.
DEFAULT_LINES = {
    DsgBlock.SCHOOLS: (
        (DsgLineKind.EXPENDITURE, "Individual schools budgets"),
        (DsgLineKind.EXPENDITURE, "Growth and falling rolls funding"),
        (DsgLineKind.EXPENDITURE, "Other schools block expenditure"),
    ),
    DsgBlock.CENTRAL: (
        (DsgLineKind.EXPENDITURE, "Ongoing central responsibilities"),
        (DsgLineKind.EXPENDITURE, "Historic commitments"),
    ),
    DsgBlock.EARLY_YEARS: (
        (DsgLineKind.EXPENDITURE, "Funding for providers (entitlements)"),
        (DsgLineKind.EXPENDITURE, "Early years inclusion and SEN funding"),
        (DsgLineKind.EXPENDITURE, "Central early years expenditure"),
    ),
    DsgBlock.HIGH_NEEDS: (
        (DsgLineKind.EXPENDITURE, "Mainstream schools: top-up funding"),
        (DsgLineKind.EXPENDITURE, "Resourced provision and SEN units"),
        (DsgLineKind.EXPENDITURE, "Maintained special schools and special academies"),
        (DsgLineKind.EXPENDITURE, "Independent and non-maintained special schools"),
        (DsgLineKind.EXPENDITURE, "Hospital education and alternative provision"),
        (DsgLineKind.EXPENDITURE, "Post-16 and further education"),
        (DsgLineKind.EXPENDITURE, "Other provision (including direct payments)"),
        (DsgLineKind.EXPENDITURE, "Central high needs services"),
        (DsgLineKind.ADJUSTMENT, "Safety Valve payments and contributions to the deficit"),
    ),
}
# Every block opens with its income and ends with its balance at the start of the plan.
HEAD_LINES = (
    (DsgLineKind.ALLOCATION, "DSG allocation after recoupment"),
    (DsgLineKind.TRANSFER, "Block transfers (in positive, out negative)"),
)
TAIL_LINES = ((DsgLineKind.OPENING, "Cumulative balance at the start of the plan"),)
KIND_ORDER = {kind: i for i, kind in enumerate(DsgLineKind.values)}
# A scenario's year follows on from its own previous year, else from the previous year's outturn.
CHAIN_FALLBACK = DsgScenario.ACTUAL
DERIVED_FIELDS = (
    "allocation",
    "transfers",
    "income",
    "expenditure",
    "in_year",
    "brought_forward",
    "adjustments",
    "carried_forward",
    "carried_forward_before_adjustments",
    "in_year_pct_of_dsg",
)


def default_lines(block: str) -> list[tuple[str, str]]:
    """The (kind, name) lines a block's grid starts with."""
    return [*HEAD_LINES, *DEFAULT_LINES[DsgBlock(block)], *TAIL_LINES]


@dataclass
class Derived:
    """What one block (or the whole DSG) comes to in one year and scenario."""

    allocation: Decimal | None = None
    transfers: Decimal | None = None
    income: Decimal = ZERO
    expenditure: Decimal = ZERO
    in_year: Decimal = ZERO
    brought_forward: Decimal = ZERO
    adjustments: Decimal = ZERO
    carried_forward: Decimal = ZERO
    carried_forward_before_adjustments: Decimal = ZERO
    opening: Decimal | None = None

    @property
    def in_year_pct_of_dsg(self) -> Decimal | None:
        """The in-year position as a percentage of the DSG allocation, to 1 place."""
        if not self.allocation:
            return None
        return (self.in_year / self.allocation * 100).quantize(Decimal("0.1"))


@dataclass
class PlanLine:
    """A line of a block as the grid lists it: saved (with its id) or offered by default."""

    id: int | None
    block: str
    kind: str
    name: str
    position: int

    @property
    def kind_label(self) -> str:
        """E.g. "Expenditure"."""
        return DsgLineKind(self.kind).label


@dataclass
class DsgSummary:
    """The plan's lines, its figures as entered and everything computed from them."""

    agreement_id: int | None
    years: list[int]
    lines: dict[str, list[PlanLine]]  # block -> lines, saved then defaults not yet saved
    # (block, scenario, year) -> {line name: (amount, version)}
    figures: dict[tuple, dict[str, tuple[Decimal | None, int]]] = field(default_factory=dict)
    # (block or "total", scenario, year) -> Derived, only where the block has figures
    derived: dict[tuple, Derived] = field(default_factory=dict)

    def has(self, block: str, scenario: str, year: int) -> bool:
        """Whether the block has any figure in that year and scenario."""
        return (block, scenario, year) in self.derived

    def balances_in(self, block: str, scenario: str) -> int | None:
        """The first year from which the in-year position stays balanced (>= 0) to the end of
        the scenario's figures; None if the last year is still in deficit or has no figures."""
        years = [y for y in self.years if (block, scenario, y) in self.derived]
        found = None
        for year in reversed(years):
            if self.derived[(block, scenario, year)].in_year < 0:
                break
            found = year
        return found

    def mitigation(self, block: str, year: int) -> tuple[Decimal, Decimal] | None:
        """(in-year, cumulative before adjustments) mitigated minus unmitigated: the unmitigated
        deficit less the mitigated one, in a year with both."""
        mitigated = self.derived.get((block, DsgScenario.MITIGATED, year))
        unmitigated = self.derived.get((block, DsgScenario.UNMITIGATED, year))
        if mitigated is None or unmitigated is None:
            return None
        # The cumulative gap leaves out contributions to the deficit (Safety Valve payments),
        # which a mitigated plan may count and an unmitigated forecast not: the plan's own effect.
        return (
            mitigated.in_year - unmitigated.in_year,
            mitigated.carried_forward_before_adjustments
            - unmitigated.carried_forward_before_adjustments,
        )


def plan_lines_for(agreement_id: int | None) -> dict[str, list[PlanLine]]:
    """Each block's lines (one query): saved lines in order, then the defaults not yet saved."""
    saved: dict[str, list[PlanLine]] = defaultdict(list)
    if agreement_id is not None:
        for line in DsgPlanLine.objects.filter(agreement_id=agreement_id).order_by(
            "block", "position", "pk"
        ):
            saved[line.block].append(
                PlanLine(line.pk, line.block, line.kind, line.name, line.position)
            )
    lines = {}
    for block in DsgBlock.values:
        names = {line.name for line in saved[block]}
        offered = [
            PlanLine(None, block, kind, name, 0)
            for kind, name in default_lines(block)
            if name not in names
        ]
        merged = saved[block] + offered
        merged.sort(key=lambda line: (KIND_ORDER[line.kind], line.id is None))
        lines[block] = merged
    return lines


def dsg_summary_build(*, agreement) -> DsgSummary:
    """The financial summary of an agreement's plan (two queries, however many years, lines
    or scenarios): every year of the agreement and any other year with figures."""
    if agreement is None:
        return DsgSummary(None, [], plan_lines_for(None))
    lines = plan_lines_for(agreement.pk)
    figures: dict[tuple, dict] = defaultdict(dict)
    rows = DsgPlanFigure.objects.filter(line__agreement_id=agreement.pk).values_list(
        "line__block", "line__name", "scenario", "financial_year", "amount", "version"
    )
    years = set(range(agreement.first_financial_year, agreement.last_financial_year + 1))
    for block, name, scenario, year, amount, version in rows:
        figures[(block, scenario, year)][name] = (amount, version)
        years.add(year)
    summary = DsgSummary(agreement.pk, sorted(years), lines, dict(figures))
    _derive(summary)
    return summary


def _derive(summary: DsgSummary) -> None:
    """Fill summary.derived: each block year by year (the balance carried from the year
    before), then the DSG total as the sum of the blocks."""
    kinds = {
        (block, line.name): line.kind for block, lines in summary.lines.items() for line in lines
    }
    for block in DsgBlock.values:
        for scenario in DsgScenario.values:
            for year in summary.years:
                entered = summary.figures.get((block, scenario, year))
                if not entered or all(amount is None for amount, _v in entered.values()):
                    continue
                d = Derived()
                for name, (amount, _version) in entered.items():
                    if amount is None:
                        continue
                    kind = kinds.get((block, name), DsgLineKind.EXPENDITURE)
                    if kind == DsgLineKind.ALLOCATION:
                        d.allocation = (d.allocation or ZERO) + amount
                    elif kind == DsgLineKind.TRANSFER:
                        d.transfers = (d.transfers or ZERO) + amount
                    elif kind == DsgLineKind.EXPENDITURE:
                        d.expenditure += amount
                    elif kind == DsgLineKind.ADJUSTMENT:
                        d.adjustments += amount
                    else:
                        d.opening = (d.opening or ZERO) + amount
                d.income = (d.allocation or ZERO) + (d.transfers or ZERO)
                d.in_year = d.income - d.expenditure
                before = _previous(summary, block, scenario, year)
                if before is not None:
                    d.brought_forward = before.carried_forward
                    d.carried_forward_before_adjustments = (
                        before.carried_forward_before_adjustments + d.in_year
                    )
                else:
                    d.brought_forward = d.opening or ZERO
                    d.carried_forward_before_adjustments = d.brought_forward + d.in_year
                d.carried_forward = d.brought_forward + d.in_year + d.adjustments
                summary.derived[(block, scenario, year)] = d
    for scenario in DsgScenario.values:
        for year in summary.years:
            parts = [
                summary.derived[(block, scenario, year)]
                for block in DsgBlock.values
                if (block, scenario, year) in summary.derived
            ]
            if not parts:
                continue
            total = Derived()
            for name in (
                "income",
                "expenditure",
                "in_year",
                "brought_forward",
                "adjustments",
                "carried_forward",
                "carried_forward_before_adjustments",
            ):
                setattr(total, name, sum((getattr(p, name) for p in parts), ZERO))
            for name in ("allocation", "transfers"):
                typed = [getattr(p, name) for p in parts if getattr(p, name) is not None]
                setattr(total, name, sum(typed, ZERO) if typed else None)
            summary.derived[("total", scenario, year)] = total


def _previous(summary: DsgSummary, block: str, scenario: str, year: int) -> Derived | None:
    """The year before in the same scenario, else the year before's outturn, else None."""
    for source in (scenario, CHAIN_FALLBACK):
        found = summary.derived.get((block, source, year - 1))
        if found is not None:
            return found
    return None


# --- the part's fragment of a return's record ----------------------------------------------


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(Decimal(amount).quantize(Decimal("0.01")))


def _derived_json(d: Derived) -> dict:
    out = {name: _money(getattr(d, name)) for name in DERIVED_FIELDS[:-1]}
    pct = d.in_year_pct_of_dsg
    out["in_year_pct_of_dsg"] = None if pct is None else str(pct)
    return out


def _scenarios_json(summary: DsgSummary, block: str, lines: list[PlanLine]) -> list[dict]:
    ids = {line.name: line.id for line in lines}
    out = []
    for scenario in DsgScenario:
        figures = {}
        derived = {}
        for year in summary.years:
            entered = summary.figures.get((block, scenario.value, year), {})
            if entered:
                figures[str(year)] = {
                    str(ids.get(name)): _money(amount) for name, (amount, _v) in entered.items()
                }
            d = summary.derived.get((block, scenario.value, year))
            if d is not None:
                derived[str(year)] = _derived_json(d)
        balances = summary.balances_in(block, scenario.value)
        out.append(
            {
                "key": scenario.value,
                "label": scenario.label,
                "figures": figures,
                "derived": derived,
                "balances_in": balances,
                "balances_in_label": fy_label(balances) if balances else None,
            }
        )
    return out


def _mitigation_json(summary: DsgSummary, block: str) -> dict:
    out = {}
    for year in summary.years:
        gap = summary.mitigation(block, year)
        if gap is not None:
            out[str(year)] = {"in_year": _money(gap[0]), "cumulative": _money(gap[1])}
    return out


def dsg_summary_fragment(summary: DsgSummary) -> dict:
    """The summary as the return's record keeps it (JSON-safe; /work/dsg-shapes.md)."""
    blocks = []
    for block in DsgBlock:
        saved = [line for line in summary.lines[block.value] if line.id is not None]
        blocks.append(
            {
                "key": block.value,
                "label": block.label,
                "lines": [
                    {
                        "id": line.id,
                        "name": line.name,
                        "kind": line.kind,
                        "kind_label": line.kind_label,
                    }
                    for line in saved
                ],
                "scenarios": _scenarios_json(summary, block.value, saved),
                "mitigation": _mitigation_json(summary, block.value),
            }
        )
    total_scenarios = _scenarios_json(summary, "total", [])
    for scenario in total_scenarios:
        scenario["figures"] = {}
    end = _end_of_plan(summary)
    return {
        "years": [{"financial_year": y, "label": fy_label(y)} for y in summary.years],
        "scenarios": [{"key": s.value, "label": s.label} for s in DsgScenario],
        "blocks": blocks,
        "total": {
            "key": "total",
            "label": "Total DSG",
            "lines": [],
            "scenarios": total_scenarios,
            "mitigation": _mitigation_json(summary, "total"),
        },
        "end_of_plan": end,
    }


def _end_of_plan(summary: DsgSummary) -> dict:
    """The last year with a mitigated total, and the balances then."""
    years = [y for y in summary.years if summary.has("total", DsgScenario.MITIGATED, y)]
    if not years:
        return {
            "financial_year": None,
            "label": None,
            "mitigated_carried_forward": None,
            "unmitigated_carried_forward": None,
            "mitigated_before_adjustments": None,
        }
    last = years[-1]
    mitigated = summary.derived[("total", DsgScenario.MITIGATED, last)]
    unmitigated = summary.derived.get(("total", DsgScenario.UNMITIGATED, last))
    return {
        "financial_year": last,
        "label": fy_label(last),
        "mitigated_carried_forward": _money(mitigated.carried_forward),
        "unmitigated_carried_forward": _money(unmitigated.carried_forward if unmitigated else None),
        "mitigated_before_adjustments": _money(mitigated.carried_forward_before_adjustments),
    }


def dsg_computed_finance_fields(*, agreement_id: int | None) -> dict[tuple[int, str], set[str]]:
    """Which FinanceLine fields of which (year, scenario) the plan computes (one query): the
    Safety Valve forecast grid shows these read-only."""
    if agreement_id is None:
        return {}
    covered: dict[tuple[int, str], set[str]] = {}
    rows = (
        DsgPlanFigure.objects.filter(
            line__agreement_id=agreement_id,
            line__block=DsgBlock.HIGH_NEEDS,
            scenario__in=list(FINANCE_SCENARIO_FOR),
            amount__isnull=False,
        )
        .values_list("financial_year", "scenario", "line__kind")
        .distinct()
    )
    for year, scenario, kind in rows:
        fields = covered.setdefault((year, FINANCE_SCENARIO_FOR[scenario]), set())
        fields.update({"in_year_position", "cumulative_deficit"})
        if kind == DsgLineKind.ALLOCATION:
            fields.add("hnb_income")
        elif kind == DsgLineKind.TRANSFER:
            fields.add("schools_block_transfer")
    return covered
