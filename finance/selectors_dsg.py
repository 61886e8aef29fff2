"""Reads for the DSG plan's grid page: one block's lines across the years in one scenario, typed
in the council's unit, with the block's computed figures and every block's position beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finance.dsg_summary import DsgSummary, dsg_summary_build
from finance.models_dsg import DsgBlock, DsgScenario
from finance.selectors import amount_in_unit, finance_agreement_for
from svmonitor.choices import FINANCE_UNIT_POUNDS, FinanceEntryUnit
from svmonitor.fy import fy_label


@dataclass
class DsgCell:
    """One box of the grid: its form name, the figure as typed, its version."""

    name: str
    typed: str
    version: int
    year_label: str
    error: str = ""

    @property
    def input_id(self) -> str:
        """The box's element id, which the error summary links to."""
        return f"dsg-{self.name}"


@dataclass
class DsgRow:
    """One line of the block across the years (`line_name` "" for the new-line row)."""

    key: str
    line_name: str
    kind_label: str
    cells: list[DsgCell]


@dataclass
class DsgFigureRow:
    """One computed row (a total, the in-year position, a balance), ready to print."""

    label: str
    values: list[str]
    hint: str = ""


@dataclass
class DsgGrid:
    """The grid page of one block and scenario of the agreement in force."""

    agreement: object
    block: str
    block_label: str
    scenario: str
    scenario_label: str
    unit: str
    unit_label: str
    years: list[int]
    rows: list[DsgRow] = field(default_factory=list)
    new_row: DsgRow | None = None
    computed: list[DsgFigureRow] = field(default_factory=list)
    blocks: list[DsgFigureRow] = field(default_factory=list)  # every block's in-year and c/f
    balances_in: str = ""

    @property
    def year_labels(self) -> list[str]:
        """E.g. ["2023-24", "2024-25"]."""
        return [fy_label(year) for year in self.years]


def _shown(amount: Decimal | None, unit: str) -> str:
    """An amount in the council's unit with thousands commas ("-28,210"); blank for none."""
    if amount is None:
        return ""
    scaled = amount / FINANCE_UNIT_POUNDS[unit]
    places = 0 if unit == FinanceEntryUnit.THOUSANDS else 2
    text = f"{scaled:,.{places}f}"
    return "0" if text.strip("-0.,") == "" else text


def _computed_rows(summary: DsgSummary, key: str, scenario: str, unit: str) -> list[DsgFigureRow]:
    def row(label, attr, hint=""):
        values = []
        for year in summary.years:
            d = summary.derived.get((key, scenario, year))
            values.append("" if d is None else _shown(getattr(d, attr), unit))
        return DsgFigureRow(label, values, hint)

    rows = [
        row("Income (allocation and transfers)", "income"),
        row("Total expenditure", "expenditure"),
        row("In-year position", "in_year", "A deficit is negative."),
        row("Cumulative balance brought forward", "brought_forward"),
        row("Movements in the cumulative balance", "adjustments"),
        row("Cumulative balance carried forward", "carried_forward"),
    ]
    pct = []
    for year in summary.years:
        d = summary.derived.get((key, scenario, year))
        value = d.in_year_pct_of_dsg if d is not None else None
        pct.append("" if value is None else f"{value}%")
    rows.append(DsgFigureRow("In-year position as a percentage of DSG", pct))
    if scenario in (DsgScenario.MITIGATED, DsgScenario.UNMITIGATED):
        gaps = [summary.mitigation(key, year) for year in summary.years]
        rows.append(
            DsgFigureRow(
                "Mitigation: in-year (unmitigated deficit less mitigated)",
                ["" if g is None else _shown(g[0], unit) for g in gaps],
            )
        )
        rows.append(
            DsgFigureRow(
                "Mitigation: cumulative (before contributions to the deficit)",
                ["" if g is None else _shown(g[1], unit) for g in gaps],
            )
        )
    return rows


def dsg_grid_build(*, council, block: str, scenario: str, posted: dict | None = None) -> DsgGrid:
    """One block's grid in one scenario (three queries, however many years or lines); `posted`
    ({name: text}, and "versions") replaces the stored figures when a refused form is shown
    again."""
    unit = council.finance_entry_unit
    agreement = finance_agreement_for(council=council)
    summary = dsg_summary_build(agreement=agreement)
    grid = DsgGrid(
        agreement=agreement,
        block=block,
        block_label=DsgBlock(block).label,
        scenario=scenario,
        scenario_label=DsgScenario(scenario).label,
        unit=unit,
        unit_label=FinanceEntryUnit(unit).label,
        years=summary.years,
    )
    if agreement is None:
        return grid
    posted = posted or {}
    versions = posted.get("versions", {})
    for i, line in enumerate(summary.lines[block]):
        cells = []
        for year in summary.years:
            name = f"l{i}-y{year}"
            amount, version = summary.figures.get((block, scenario, year), {}).get(
                line.name, (None, 0)
            )
            typed = posted[name] if name in posted else amount_in_unit(amount, unit)
            cells.append(DsgCell(name, typed, versions.get(name, version), fy_label(year)))
        grid.rows.append(DsgRow(f"l{i}", line.name, line.kind_label, cells))
    grid.new_row = DsgRow(
        "new",
        posted.get("new-name", ""),
        "Expenditure",
        [DsgCell(f"new-y{y}", posted.get(f"new-y{y}", ""), 0, fy_label(y)) for y in summary.years],
    )
    grid.computed = _computed_rows(summary, block, scenario, unit)
    balances = summary.balances_in(block, scenario)
    grid.balances_in = fy_label(balances) if balances else ""
    for key, label in [*DsgBlock.choices, ("total", "Total DSG")]:
        for attr, what in (("in_year", "in-year position"), ("carried_forward", "balance c/f")):
            values = []
            for year in summary.years:
                d = summary.derived.get((key, scenario, year))
                values.append("" if d is None else _shown(getattr(d, attr), unit))
            grid.blocks.append(DsgFigureRow(f"{label}: {what}", values))
    return grid
