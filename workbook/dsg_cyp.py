"""The "CYP by age" and "CYP by need" sheets of the programme workbook, which are also the paste
format for the children and young people tables of a council's own copy of DfE's DSG management
plan template: tables one under another, one per age group (or primary need), each a placement x
census year grid.

A table starts with a title row: its first cell names the age group ("Age 5 to 10", "5-10",
"Under 5") or the need ("Autistic spectrum disorder (ASD)", "ASD", "SEMH"), and the cells to its
right are January census years ("January 2025", "2025", "Jan 2025" or the academic year
"2024/25", each read as January 2025), each may say "(actual)" or "(projection)" after it; a
year that says neither keeps what is stored (a new year is actual). Each row under it is a
placement: its name (DfE's, or its short form: "Mainstream", "Resourced provision / SEN units",
"Maintained special / special academies", "NMSS / independent special", "Hospital / AP",
"Post-16 / FE", "Other / direct payments"), then a count per year. A blank cell keeps the
stored figure. A blank row, or the next title row, ends the table. "Total" rows are skipped:
svmonitor computes them. Every bad cell is named by sheet, row and column and nothing is
written; the figures are saved through metrics.services_cyp.cyp_table_save, as the grid saves
them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl.utils import get_column_letter

from metrics.models import CypYear
from metrics.selectors_cyp import AGE, NEED, census_label, cyp_figures, cyp_lists, cyp_years
from metrics.services_cyp import CypRefused, cyp_count_read, cyp_table_save

SHEETS = {AGE: "CYP by age", NEED: "CYP by need"}
INTROS = {
    AGE: (
        "CYP by age: EHCPs by placement, one table per age group. Title row: the age group in "
        "column A (e.g. 'Age 5 to 10'), January census years across, each '(actual)' or "
        "'(projection)'. Then one row per DfE placement: its name in column A, a count per "
        "year. Total rows are worked out by svmonitor and not read."
    ),
    NEED: (
        "CYP by need: EHCPs by placement, one table per primary need. Title row: the need in "
        "column A (e.g. 'Autistic spectrum disorder (ASD)'), January census years across, each "
        "'(actual)' or '(projection)'. Then one row per DfE placement: its name in column A, a "
        "count per year. Total rows are worked out by svmonitor and not read."
    ),
}
# Short forms a council's copy of DfE's template uses, by placement code: checked in this order
# ("special" is a word of the independent special category's name too).
PLACEMENT_WORDS = (
    ("resourced", ("resourced", "sen unit", "sen units", "unit")),
    ("independent-special", ("independent", "non-maintained", "non maintained", "nmss", "inmss")),
    ("hospital-ap", ("hospital", "alternative provision", "pru", "ap")),
    ("post-16", ("post-16", "post 16", "post16", "further education", "fe", "college")),
    ("special", ("special",)),
    ("other", ("other", "direct payment", "direct payments", "personal budget")),
    ("mainstream", ("mainstream",)),
)
NEED_WORDS = (
    ("nsa", ("no specialist assessment", "sen support")),
    ("asd", ("autis",)),
    ("hi", ("hearing",)),
    ("msi", ("multi-sensory", "multi sensory", "multisensory")),
    ("pmld", ("profound",)),
    ("mld", ("moderate",)),
    ("pd", ("physical",)),
    ("semh", ("social, emotional", "social emotional", "mental health")),
    ("slcn", ("speech", "language and communication")),
    ("sld", ("severe",)),
    ("spld", ("specific",)),
    ("vi", ("visual",)),
    ("oth", ("other",)),
)
AGE_STARTS = {0: "under-5", 5: "5-10", 11: "11-15", 16: "16-19", 20: "20-25"}
YEAR = re.compile(
    r"^(?:jan(?:uary)?[\s\-]*)?(20\d\d)(?:\s*[/\-]\s*(\d{2}|20\d\d))?"
    r"\s*(?:\(?\s*(actual|actuals|projection|projected|forecast)\s*\)?)?$"
)
NO_TITLE = (
    "a table starts with a title row naming its {what} in column A, with January census years "
    "across (e.g. 'January 2025 (actual)')"
)
TITLE_UNCLEAR = "name one of DfE's {what}s in column A of the title row ({names})"
UNKNOWN_PLACEMENT = "'{text}' is not one of DfE's placements ({names})"
BAD_YEAR = "give a census year such as 'January 2025 (actual)' or 2026"
TWICE = "{where} is given twice in this sheet (also row {row})"
BASIS_CLASH = "{year} is marked {basis} here but {other} in row {row}"
SKIP_ROW = re.compile(r"^(total\b|all placements\b)|\(computed\)$")


def is_sheet(title: str) -> str | None:
    """The table ("age" or "need") a worksheet is, or None."""
    name = title.strip().casefold()
    return next((table for table, sheet in SHEETS.items() if sheet.casefold() == name), None)


def sheet_rows(ws, examples: list | None = None) -> list[tuple[int, tuple]]:
    """The sheet's rows as (Excel row number, cell values), as the reader hands them over:
    without its heading row and the template's EXAMPLE rows (noted in `examples`, one entry
    for the sheet); none at all if nothing else is filled in."""
    table = is_sheet(ws.title)
    rows, skipped = [], []
    for number, cells in enumerate(ws.iter_rows(values_only=True), 1):
        first = _text(cells[0] if cells else None)
        if number == 1 and table and first.casefold().startswith(SHEETS[table].casefold()):
            continue
        if first.startswith("EXAMPLE"):
            skipped.append(number)
            continue
        rows.append((number, tuple(cells)))
    if skipped and examples is not None:
        span = f"row {skipped[0]}" if len(skipped) == 1 else f"rows {skipped[0]}-{skipped[-1]}"
        examples.append(f"{ws.title.strip()} {span}")
    if all(_text(c) == "" for _n, cells in rows for c in cells):
        return []
    return rows


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _words(value) -> str:
    text = re.sub(r"[:;()/,\u2013]", " ", _text(value).casefold())
    return " " + re.sub(r"\s+", " ", text).strip() + " "


def _by_name(categories, value):
    """The category a cell names by its code or DfE's own name, or None."""
    text = _text(value).casefold().removeprefix("example").strip()
    for category in categories:
        if text in (category.code.casefold(), category.name.casefold()):
            return category
    return None


def _by_words(categories, value, words):
    codes = {c.code: c for c in categories}
    found = _by_name(categories, value)
    if found is not None:
        return found
    text = _words(value)
    for code, names in words:
        if code in codes and any(f" {n} " in text or (len(n) > 4 and n in text) for n in names):
            return codes[code]
    return None


def _need(needs, value):
    found = _by_name(needs, value)
    if found is not None:
        return found
    # An abbreviation as a word of its own, in brackets or not: "ASD", "Autism (ASD)".
    tokens = set(re.findall(r"[a-z]+", _text(value).casefold()))
    for need in needs:
        if need.code in tokens and len(need.code) > 1:
            return need
    return _by_words(needs, value, NEED_WORDS)


def _age(ages, value):
    found = _by_name(ages, value)
    if found is not None:
        return found
    text = _text(value).casefold()
    codes = {c.code: c for c in ages}
    if "under" in text and "5" in text:
        return codes.get("under-5")
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if numbers and numbers[0] in AGE_STARTS:
        return codes.get(AGE_STARTS[numbers[0]])
    return None


def _year(value) -> tuple[int, str | None] | None:
    """(census year, basis or None) a title cell names, or None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        value = str(int(value))
    if hasattr(value, "year") and hasattr(value, "month"):  # a date Excel made of "Jan 2025"
        return value.year, None
    match = YEAR.match(_text(value).casefold())
    if not match:
        return None
    year = int(match.group(1))
    if match.group(2):  # an academic year: its January is in the second calendar year
        second = match.group(2)
        end = int(second) if len(second) == 4 else (year // 100) * 100 + int(second)
        if end != year + 1:
            return None
        year = end
    word = match.group(3)
    basis = None
    if word in ("actual", "actuals"):
        basis = CypYear.Basis.ACTUAL
    elif word:
        basis = CypYear.Basis.PROJECTION
    return year, basis


def _column(index: int, header) -> str:
    letter = get_column_letter(index + 1)
    return f"{letter} '{_text(header)}'" if _text(header) else letter


@dataclass
class CypSheetRead:
    """What a sheet holds: counts by (year, placement code, column code), each year's basis,
    and where each came from."""

    table: str
    entries: dict = field(default_factory=dict)
    bases: dict = field(default_factory=dict)  # year -> (basis, row number)
    where: dict = field(default_factory=dict)  # (year, placement, column) -> (row, column)


def sheet_parse(table: str, rows, error, lists=None) -> CypSheetRead:
    """Read one sheet's tables; `error(row number, column, reason)` records each bad cell."""
    lists = lists or cyp_lists()
    read = CypSheetRead(table)
    what = "age group" if table == AGE else "primary need"
    columns = lists.columns(table)

    def column_of(value):
        return _age(columns, value) if table == AGE else _need(columns, value)

    current = None  # (category, {column index: year}, header cells)
    for number, cells in rows:
        first = cells[0] if cells else None
        if number == 1 and _text(first).casefold().startswith(SHEETS[table].casefold()):
            continue  # the sheet's own heading
        if all(_text(c) == "" for c in cells):
            current = None
            continue
        if _text(first).casefold().startswith("example"):
            continue
        years_in_row = [_year(c) for c in cells[1:] if _text(c) != ""]
        if years_in_row and all(years_in_row):
            category = column_of(first)
            if category is None:
                names = ", ".join(c.name for c in columns[:4]) + ", ..."
                error(number, _column(0, first), TITLE_UNCLEAR.format(what=what, names=names))
                current = None
                continue
            years = {}
            for index, value in enumerate(cells[1:], 1):
                if _text(value) == "":
                    continue
                year, basis = _year(value)
                years[index] = year
                if basis is not None:
                    seen = read.bases.get(year)
                    if seen is not None and seen[0] != basis:
                        error(
                            number,
                            _column(index, value),
                            BASIS_CLASH.format(
                                year=census_label(year), basis=basis, other=seen[0], row=seen[1]
                            ),
                        )
                    else:
                        read.bases[year] = (basis, number)
            current = (category, years, cells)
            continue
        if current is None:
            error(number, "A", NO_TITLE.format(what=what))
            continue
        if SKIP_ROW.search(_text(first).casefold()):
            continue
        placement = _by_words(lists.placements, first, PLACEMENT_WORDS)
        if placement is None:
            names = "; ".join(p.name for p in lists.placements)
            error(number, _column(0, "A"), UNKNOWN_PLACEMENT.format(text=_text(first), names=names))
            continue
        category, years, header = current
        for index, year in years.items():
            raw = cells[index] if index < len(cells) else None
            if _text(raw) == "":
                continue  # a blank cell keeps the stored figure
            column = _column(index, header[index])
            try:
                count = cyp_count_read(raw)
            except ValueError as refused:
                where = f"{placement.name}, {category.name}, {census_label(year)}"
                error(number, column, f"{where}: {refused}")
                continue
            key = (year, placement.code, category.code)
            if key in read.where:
                where = f"{placement.name}, {category.name}, {census_label(year)}"
                error(number, column, TWICE.format(where=where, row=read.where[key][0]))
                continue
            read.entries[key] = count
            read.where[key] = (number, column)
    return read


def cyp_sheets_plan(plan) -> list[CypSheetRead]:
    """Plan both sheets of an import (importer._Plan): every bad cell is an error of the plan."""
    out = []
    lists = None
    for table, sheet in SHEETS.items():
        rows = plan.read.sheets.get(sheet)
        if not rows:
            continue
        lists = lists or cyp_lists()
        out.append(
            sheet_parse(
                table,
                [(row.number, row.values["cells"]) for row in rows],
                lambda number, column, reason, sheet=sheet: plan.error(
                    sheet, number, column, reason
                ),
                lists,
            )
        )
    return out


def cyp_sheets_write(plan, reads: list[CypSheetRead]) -> None:
    """Save the planned figures through the CYP service, one census year and table at a time
    (after every other sheet's rows, so a new council exists); a refusal is an error of the
    sheet's cell."""
    from workbook.plan import SheetSummary

    lists = cyp_lists() if reads else None
    for read in reads:
        if not read.entries:
            continue
        sheet = SHEETS[read.table]
        by_year: dict[int, dict] = {}
        for (year, placement, column), count in read.entries.items():
            by_year.setdefault(year, {})[(placement, column)] = count
        changed = 0
        for year, cells in sorted(by_year.items()):
            basis = read.bases.get(year, (None, None))[0]
            try:
                changed += cyp_table_save(
                    council=plan.council,
                    census_year=year,
                    table=read.table,
                    cells=cells,
                    basis=basis,
                    by=plan.by,
                    lists=lists,
                )
            except CypRefused as refused:
                for (placement, column), message in refused.problems.items():
                    number, letter = read.where.get((year, placement, column), (None, ""))
                    plan.error(sheet, number, letter, message)
            except (ValidationError, PermissionDenied) as refused:
                plan.error(sheet, None, "", " ".join(getattr(refused, "messages", [str(refused)])))
        plan.result.sheets.append(
            SheetSummary(sheet, changed=changed, unchanged=len(read.entries) - changed)
        )


# --- export --------------------------------------------------------------------------------


def cyp_sheet_rows(council, table: str) -> list[list]:
    """One sheet's tables for a council's export: a table per age group (or need) with any
    figure, a row per placement, a column per census year, then the computed total row."""
    if council is None or council.pk is None:
        return []
    lists = cyp_lists()
    years = cyp_years(council)
    if not years:
        return []
    figures = cyp_figures(council)
    out: list[list] = []
    for category in lists.columns(table):
        counts = {
            (y.census_year, p.pk): figures.get((y.census_year, table, p.pk, category.pk), (None,))[
                0
            ]
            for y in years
            for p in lists.placements
        }
        if all(v is None for v in counts.values()):
            continue
        out.append(
            [
                category.name,
                *(
                    f"{census_label(y.census_year)} ({y.get_basis_display().lower()})"
                    for y in years
                ),
            ]
        )
        for p in lists.placements:
            out.append([p.name, *(counts[(y.census_year, p.pk)] for y in years)])
        totals = []
        for y in years:
            values = [counts[(y.census_year, p.pk)] for p in lists.placements]
            values = [v for v in values if v is not None]
            totals.append(sum(values) if values else None)
        out.append(["Total (computed)", *totals])
        out.append([])
    return out


def cyp_sheet_example(table: str) -> list[list]:
    """The template's example table (skipped on import: its rows begin EXAMPLE)."""
    title = "EXAMPLE Age 5 to 10" if table == AGE else "EXAMPLE Autistic spectrum disorder (ASD)"
    return [
        [title, "January 2025 (actual)", "January 2026 (projection)"],
        ["EXAMPLE Mainstream schools and academies", 1200, 1260],
        ["EXAMPLE Maintained special schools and special academies", 340, 365],
    ]
