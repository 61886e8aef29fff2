"""The "DSG financial summary" sheet of the programme workbook, which is also the paste format
for a council's own copy of DfE's DSG management plan template: tables one under another, each
a year x line grid of one funding block in one scenario.

A table starts with a title row: its first cell names the block and the scenario (and may name
the unit), e.g. "High needs block: Mitigated forecast (£000)", and the cells to its right are
financial years ("2024-25", "2024/25" or 2024). Each row under it is a line: its name, then an
amount per year (pounds unless the title names £000 or £m; blank is no figure). A blank row, or
the next title row, ends the table. Rows of figures worked out from the lines ("Total ...",
"In-year ...", "Cumulative balance brought/carried forward", anything ending "(computed)") are
skipped: svmonitor computes them. Every bad cell is named by sheet, row and column and nothing is
written; the figures are saved through finance.services_dsg.dsg_plan_figures_import."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl.utils import get_column_letter

from finance.dsg_summary import dsg_summary_build
from finance.models_dsg import DsgBlock, DsgScenario
from finance.selectors import finance_agreement_for
from finance.services_dsg import (
    DsgRefused,
    dsg_amount_parse,
    dsg_plan_figures_import,
    dsg_where,
)
from svmonitor.fy import fy_label

SHEET = "DSG financial summary"
INTRO = (
    "DSG financial summary: one table per funding block and scenario. Title row: the block and "
    "scenario in column A (e.g. 'High needs block: Mitigated forecast'), financial years "
    "across. Then one row per line: its name in column A, an amount (£) per year. Rows marked "
    "(computed) are worked out by svmonitor and not read."
)
COMPUTED = re.compile(
    r"^(total\b|in[- ]year\b|net\b|cumulative balance (brought|carried)|mitigation\b)|\(computed\)$"
)
BLOCK_WORDS = (  # checked in this order: "schools" is a word of other blocks' names
    (DsgBlock.HIGH_NEEDS, ("high needs", "high-needs", "hnb")),
    (DsgBlock.CENTRAL, ("central school services", "cssb", "central")),
    (DsgBlock.EARLY_YEARS, ("early years", "eyb")),
    (DsgBlock.SCHOOLS, ("schools block", "schools")),
)
SCENARIO_WORDS = (  # "unmitigated" before "mitigated", which it contains
    (DsgScenario.UNMITIGATED, ("unmitigated",)),
    (DsgScenario.MITIGATED, ("mitigated",)),
    (DsgScenario.ACTUAL, ("actual", "outturn")),
    (DsgScenario.BUDGET, ("budget",)),
)
YEAR = re.compile(r"^(?:fy\s*)?(20\d\d)(?:\s*(?:-|/|\u2013|to)\s*(\d{2}|20\d\d))?$")
NO_TITLE = (
    "a table starts with a title row naming its block and scenario, e.g. 'High needs block: "
    "Mitigated forecast', with financial years across"
)
TITLE_UNCLEAR = (
    "name one of the four blocks (schools, central school services, early years, high needs) "
    "and a scenario (actual, budget, unmitigated or mitigated forecast) in the title"
)
BAD_YEAR = "give a financial year such as 2024-25"
TWICE = "{where} is given twice in this sheet (also row {row})"
NO_PLAN = "the council has no agreement to keep a DSG plan under: add one on the Agreement sheet"


@dataclass
class DsgSheetRead:
    """What the sheet holds: figures by (block, scenario, line, year), where each came from."""

    entries: dict = field(default_factory=dict)
    where: dict = field(default_factory=dict)  # key -> (row number, column letter)
    skipped: list[int] = field(default_factory=list)


def is_sheet(title: str) -> bool:
    """Whether a worksheet is this sheet."""
    return title.strip().casefold() == SHEET.casefold()


def sheet_rows(ws) -> tuple[list[tuple[int, tuple]], list[str]]:
    """The sheet's rows as (Excel row number, cell values), without its heading, blank rows at
    the end or example rows; and the example rows skipped, as one note ("... rows 2-4")."""
    rows, examples = [], []
    for number, cells in enumerate(ws.iter_rows(values_only=True), 1):
        first = _text(cells[0] if cells else None).casefold()
        if number == 1 and first.startswith("dsg financial summary"):
            continue
        if first.startswith("example"):
            examples.append(number)
            continue
        rows.append((number, tuple(cells)))
    while rows and all(_text(c) == "" for c in rows[-1][1]):
        rows.pop()
    if not examples:
        return rows, []
    span = f"row {examples[0]}" if len(examples) == 1 else f"rows {examples[0]}-{examples[-1]}"
    return rows, [f"{SHEET} {span}"]


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _title(cell) -> tuple[str, str, str | None] | None:
    """(block, scenario, unit) named by a title cell, or None if it names no block/scenario."""
    words = re.sub(r"[:,;()\-\u2013]", " ", _text(cell).casefold())
    words = " " + re.sub(r"\s+", " ", words) + " "
    block = next(
        (b for b, names in BLOCK_WORDS if any(f" {n}" in words for n in names)),
        None,
    )
    scenario = next((s for s, names in SCENARIO_WORDS if any(n in words for n in names)), None)
    if block is None or scenario is None:
        return None
    text = _text(cell).casefold()
    unit = None
    if "£000" in text or "£'000" in text or "thousand" in text or "£k" in text:
        unit = "thousands"
    elif "£m" in text or "million" in text:
        unit = "millions"
    return block, scenario, unit


def _year(value) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        value = str(int(value))
    match = YEAR.match(_text(value).casefold())
    if not match:
        return None
    first, second = int(match.group(1)), match.group(2)
    if second is not None:
        end = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
        if end != first + 1:
            return None
    return first


def _column(index: int, header) -> str:
    return (
        f"{get_column_letter(index + 1)} '{_text(header)}'"
        if _text(header)
        else get_column_letter(index + 1)
    )


def sheet_parse(rows, error) -> DsgSheetRead:
    """Read the tables; `error(row number, column, reason)` records each bad cell."""
    read = DsgSheetRead()
    table = None  # (block, scenario, unit, {column index: year}, header cells)
    for number, cells in rows:
        first = cells[0] if cells else None
        if all(_text(c) == "" for c in cells):
            table = None
            continue
        title = _title(first)
        if title is not None and any(_year(c) for c in cells[1:]):
            years = {}
            for index, value in enumerate(cells[1:], 1):
                if _text(value) == "":
                    continue
                year = _year(value)
                if year is None:
                    error(number, _column(index, value), BAD_YEAR)
                else:
                    years[index] = year
            table = (*title, years, cells)
            continue
        given = [c for c in cells[1:] if _text(c) != ""]
        if given and all(_year(c) for c in given):
            # Years across but no block or scenario named: a title row that says too little.
            error(number, _column(0, first), TITLE_UNCLEAR)
            table = None
            continue
        if table is None:
            error(number, "A", NO_TITLE)
            continue
        name = _text(first)
        if COMPUTED.search(name.casefold()):
            read.skipped.append(number)
            continue
        block, scenario, unit, years, header = table
        for index, year in years.items():
            raw = cells[index] if index < len(cells) else None
            column = _column(index, header[index])
            try:
                amount = dsg_amount_parse(raw, unit)
            except ValidationError as refused:
                error(number, column, refused.messages[0])
                continue
            key = (block, scenario, name, year)
            if key in read.where:
                where = dsg_where(*key)
                error(number, column, TWICE.format(where=where, row=read.where[key][0]))
                continue
            read.entries[key] = amount
            read.where[key] = (number, column)
    return read


def dsg_sheet_plan(plan) -> DsgSheetRead | None:
    """Plan the sheet of an import (importer._Plan): every bad cell is an error of the plan."""
    rows = plan.read.sheets.get(SHEET)
    if not rows:
        return None
    return sheet_parse(
        [(row.number, row.values["cells"]) for row in rows],
        lambda number, column, reason: plan.error(SHEET, number, column, reason),
    )


def dsg_sheet_write(plan, read: DsgSheetRead | None) -> None:
    """Save the planned figures through the finance service, after every other sheet's rows
    (so a new council's agreement exists); a refusal is an error of the sheet's cell."""
    if read is None or not read.entries:
        return
    agreement = finance_agreement_for(council=plan.council)
    if agreement is None:
        plan.error(SHEET, None, "", NO_PLAN)
        return
    try:
        changed = dsg_plan_figures_import(agreement=agreement, entries=read.entries, by=plan.by)
    except DsgRefused as refused:
        for key, message in refused.problems.items():
            number, column = read.where.get(key, (None, ""))
            plan.error(SHEET, number, column, message)
        return
    except (ValidationError, PermissionDenied) as refused:
        plan.error(SHEET, None, "", " ".join(getattr(refused, "messages", [str(refused)])))
        return
    from workbook.plan import SheetSummary

    plan.result.sheets.append(
        SheetSummary(SHEET, changed=changed, unchanged=len(read.entries) - changed)
    )


# --- export --------------------------------------------------------------------------------


def dsg_sheet_rows(council) -> list[list]:
    """The sheet's tables for a council's export: each block and scenario with figures, its
    lines in pounds, then the computed rows (marked, so an import skips them)."""
    agreement = finance_agreement_for(council=council)
    if agreement is None:
        return []
    summary = dsg_summary_build(agreement=agreement)
    out: list[list] = []
    for block in DsgBlock:
        for scenario in DsgScenario:
            years = [y for y in summary.years if summary.has(block.value, scenario.value, y)]
            if not years:
                continue
            out.append([f"{block.label}: {scenario.label}", *(fy_label(y) for y in years)])
            for line in summary.lines[block.value]:
                amounts = [
                    summary.figures.get((block.value, scenario.value, y), {}).get(
                        line.name, (None, 0)
                    )[0]
                    for y in years
                ]
                if line.id is None and all(a is None for a in amounts):
                    continue
                out.append([line.name, *amounts])
            for label, attr in (
                ("In-year position (computed)", "in_year"),
                ("Cumulative balance carried forward (computed)", "carried_forward"),
            ):
                out.append(
                    [
                        label,
                        *(
                            getattr(summary.derived[(block.value, scenario.value, y)], attr)
                            for y in years
                        ),
                    ]
                )
            out.append([])
    return out


def dsg_sheet_example() -> list[list]:
    """The template's example table (skipped on import: its rows begin EXAMPLE)."""
    return [
        ["EXAMPLE High needs block: Mitigated forecast", "2024-25", "2025-26"],
        ["EXAMPLE DSG allocation after recoupment", 80000000, 82400000],
        ["EXAMPLE Independent and non-maintained special schools", 21000000, 19500000],
    ]


def amount_cell(value):
    """Pounds as the sheet shows them (whole pounds as whole numbers)."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value
