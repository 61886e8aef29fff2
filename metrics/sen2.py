"""Reading DfE's published EHC plan figures (the SEN2 collection's "Education, health and care
plans" CSV files from Explore Education Statistics) into per-area, per-year totals.

The files share EES's geographic columns (time_period, time_identifier, geographic_level,
country_code, country_name, region_code, region_name, new_la_code, old_la_code, la_name), then
filter columns (breakdown_topic and breakdown in the files from 2023; establishment_group,
establishment_type, ehcp_or_statement or age in older ones) and count columns. Only the total
rows are read: every filter column "Total" or starting "All" ("All EHC plans"). Regional rows
are skipped. Which figure a file gives is read from its count column's name:

- EHC plans at January: `ehcplans`, `ehc_plans`, `num_caseload` (`time_period` 202425 with
  "Academic year" is the January 2025 census; a calendar year 2023 is January 2023);
- new EHC plans: `new_ehc_plans`, `num_new_plans` (plans started in calendar year 2024 are kept
  against the January 2025 census, the release that reports them);
- population aged 0 to 25: `population_0_25`, `population_0_to_25`, `pop_0_25` (DfE's files do
  not carry it; a file that adds it lets the rate per 10,000 be worked out).

"x", "z", "c", "low" and blanks (EES's symbols for not available, not applicable, suppressed)
are no figure.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

ENGLAND_CODE = "E92000001"
GEOGRAPHIC = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
)
REQUIRED = ("time_period", "time_identifier", "geographic_level")
FILTERS = (
    "breakdown_topic",
    "breakdown",
    "establishment_group",
    "establishment_type",
    "ehcp_or_statement",
    "age",
)
# Our field -> the column names DfE's files (old and new) give it, first found wins.
COUNTS = {
    "ehc_plans": ("ehcplans", "ehc_plans", "num_caseload"),
    "new_plans": ("new_ehc_plans", "num_new_plans"),
    "population_0_25": ("population_0_25", "population_0_to_25", "pop_0_25"),
}
NO_FIGURE = {"", "x", "z", "c", "low", ":", ".."}
_CODE = re.compile(r"^[EWSN]\d{8}$")
_PERIOD = re.compile(r"^(\d{4})(\d{2})?$")
MAX_COUNT = 10_000_000


@dataclass
class Sen2Row:
    """One area's totals for one census year, as read from a file."""

    level: str  # "la" or "england"
    area_code: str
    old_la_code: str
    name: str
    census_year: int
    values: dict = field(default_factory=dict)  # our field -> int or None


@dataclass
class Sen2File:
    """What a file holds: its rows, the fields it gives, and the problems found (row named)."""

    rows: list[Sen2Row]
    fields: tuple[str, ...]
    errors: list[str]


def _census_year(period: str, identifier: str, *, new_plans: bool) -> int | None:
    """The January census a time period belongs to (None if it is not one we know)."""
    match = _PERIOD.match(period.strip())
    if not match:
        return None
    first = int(match.group(1))
    kind = identifier.strip().lower()
    if match.group(2):  # "202425": an academic year, counted at January of its second year
        if int(match.group(2)) != (first + 1) % 100:
            return None
        return first + 1
    if kind.startswith("calendar") or kind == "":
        return first + 1 if new_plans else first
    if kind.startswith("academic") or kind.startswith("financial"):
        return None  # an academic year must be written as 202425
    return first


def _count(raw: str) -> tuple[int | None, bool]:
    """(figure, ok): a count, or None for EES's no-figure symbols; ok False if not a count."""
    text = (raw or "").strip().replace(",", "")
    if text.lower() in NO_FIGURE:
        return None, True
    if text.isdigit() and int(text) <= MAX_COUNT:
        return int(text), True
    return None, False


def _is_total(value: str) -> bool:
    text = (value or "").strip().lower()
    return text == "total" or text.startswith("all")


def sen2_read(data: bytes | str, *, source: str = "") -> Sen2File:
    """Parse one published EHC plans CSV: its total rows for England and each local authority.

    Every problem names its row (the header is row 1) and column; a file with problems should
    change nothing."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    errors: list[str] = []
    missing = [c for c in REQUIRED if c not in columns]
    if "new_la_code" not in columns:
        missing.append("new_la_code")
    if missing:
        return Sen2File([], (), [f"The file has no {', '.join(missing)} column."])
    found = {
        ours: next(c for c in names if c in columns)
        for ours, names in COUNTS.items()
        if any(c in columns for c in names)
    }
    if not set(found) & {"ehc_plans", "new_plans"}:
        names = ", ".join(n for ours in ("ehc_plans", "new_plans") for n in COUNTS[ours])
        return Sen2File([], (), [f"The file has no count of EHC plans (a column named {names})."])
    new_plans = "new_plans" in found and "ehc_plans" not in found
    filters = [c for c in FILTERS if c in columns]
    rows: dict[tuple[str, int], Sen2Row] = {}
    for number, record in enumerate(reader, start=2):
        if any(not _is_total(record.get(c, "")) for c in filters):
            continue
        level_text = (record.get("geographic_level") or "").strip().lower()
        if level_text in ("regional", "region"):
            continue
        if level_text == "national":
            level, code = "england", (record.get("country_code") or "").strip() or ENGLAND_CODE
            name = (record.get("country_name") or "").strip() or "England"
            old = ""
        elif level_text == "local authority":
            level, code = "la", (record.get("new_la_code") or "").strip().upper()
            name = (record.get("la_name") or "").strip()
            old = (record.get("old_la_code") or "").strip()
        else:
            errors.append(
                f"Row {number}, geographic_level: {record.get('geographic_level')!r} is not "
                "National, Regional or Local authority."
            )
            continue
        if not _CODE.match(code):
            column = "country_code" if level == "england" else "new_la_code"
            errors.append(f"Row {number}, {column}: {code!r} is not an ONS code like E06000054.")
            continue
        if level == "la" and not name:
            errors.append(f"Row {number}, la_name: the local authority has no name.")
            continue
        year = _census_year(
            record.get("time_period") or "",
            record.get("time_identifier") or "",
            new_plans=new_plans,
        )
        if year is None or not 2000 <= year <= 2100:
            errors.append(
                f"Row {number}, time_period: {record.get('time_period')!r} "
                f"({record.get('time_identifier')}) is not a year like 2024 or 202425."
            )
            continue
        values = {}
        for ours, column in found.items():
            value, ok = _count(record.get(column) or "")
            if not ok:
                errors.append(
                    f"Row {number}, {column}: {record.get(column)!r} is not a whole number "
                    "(or x, z or c for no figure)."
                )
            values[ours] = value
        if (code, year) in rows:
            errors.append(f"Row {number}: {name}, {year} appears twice in the file.")
            continue
        rows[(code, year)] = Sen2Row(level, code, old, name, year, values)
    if not rows and not errors:
        errors.append(
            "The file has no total rows for England or a local authority "
            '(rows whose breakdown is "All ..." or "Total").'
        )
    return Sen2File(list(rows.values()), tuple(found), errors)
