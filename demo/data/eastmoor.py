"""Eastmoor: the third demo council, kept as a workbook a council would upload.

Unlike Wiltshire and Northdale, Eastmoor is not loaded row by row: `build_eastmoor_workbook`
writes fixtures/demo-eastmoor.xlsx (`manage.py build_demo_workbook`) and `load_demo` imports
that file through `workbook.importer.workbook_import`, the service behind the upload page and
`manage.py import_workbook`. Its shape is a council unlike Wiltshire: twelve conditions
numbered 1-12, KPIs grouped by condition (no programme areas), risks rated by RAG only, a
13-month grid of monthly figures (some with a forecast; the DfE report prints them as a grid of
the last 13 months, charts off for some measures) written as councils write them (value
notes by marker such as "60.4%*", "-" and "n/a: reason" for figures not available, a row of
cells formatted as percentages), annual KPIs for academic and financial years, Updates 1 and 2
as returns submitted before svmonitor, and finance given only as figures in its narrative (no
finance tables).

Every figure is drawn from a fixed seed, so the workbook is the same on every build.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from openpyxl import Workbook

from demo.data import eastmoor_text as text
from svmonitor.fy import fy_label
from workbook import format as fmt

SLUG = "eastmoor"
NAME = "Eastmoor Council"
SEED = 20240314
SIGNED = dt.date(2024, 3, 14)
YEAR = 2024  # the rounds' financial year, 2024-25
WORKBOOK_PATH = Path(settings.BASE_DIR) / "fixtures" / "demo-eastmoor.xlsx"

# (update, due date, data as at)
# (update, due date, data as at, submitted to DfE before svmonitor on, sign-offs as the council
# recorded them: (S151 by, on, DCS by, on) or None). Updates 1 and 2 went to DfE before the
# council used svmonitor and come in as "Submitted before svmonitor" (frozen and read-only);
# Update 3 is the open return.
S151_TITLE = "Director of Resources (S151 Officer)"
DCS_TITLE = "Corporate Director, Children and Families"
ROUNDS = [
    (1, dt.date(2024, 5, 31), dt.date(2024, 4, 1), dt.date(2024, 5, 30), None),
    (
        2,
        dt.date(2024, 8, 30),
        dt.date(2024, 7, 1),
        dt.date(2024, 8, 29),
        (S151_TITLE, dt.date(2024, 8, 27), DCS_TITLE, dt.date(2024, 8, 28)),
    ),
    (3, dt.date(2024, 11, 29), dt.date(2024, 10, 1), None, None),
]

# The 13 months of the grid, October 2023 to October 2024 (Update 3's data month).
MONTHS = [dt.date(2023 + (9 + i) // 12, (9 + i) % 12 + 1, 1) for i in range(13)]

SOURCES = [
    ("SEND case management system", dt.date(2024, 11, 8), "Live extract at month end"),
    ("Schools census", dt.date(2024, 6, 20), "January census"),
    ("High needs finance", dt.date(2024, 11, 1), "Month 6 forecast"),
    ("Integrated care board", dt.date(2024, 10, 31), "Monthly waiting-list return"),
]
CASE, CENSUS, FINANCE, HEALTH = (s[0] for s in SOURCES)

SERIES = [
    ("forecast", "Recovery plan forecast", "Baseline", 1),
]


@dataclass(frozen=True)
class MeasureSpec:
    """A measure and how its figures are drawn: a start, a monthly step and some noise."""

    code: str
    name: str
    unit: str  # the workbook's label: Count, Percent, £, £m, Weeks
    polarity: str
    source: str
    conditions: tuple[str, ...]
    start: float
    step: float
    noise: float
    forecast: bool = False
    frequency: str = "Monthly"


LOWER, HIGHER, NEITHER = "Lower is better", "Higher is better", "Neither"

MONTHLY = [
    MeasureSpec(
        "ms-inclusion-leads",
        "Mainstream schools with a trained inclusion lead",
        "Count",
        HIGHER,
        CASE,
        ("1",),
        20,
        5.6,
        1.5,
        forecast=True,
    ),
    MeasureSpec(
        "ms-standard-signed",
        "Schools signed up to the inclusion standard",
        "Percent",
        HIGHER,
        CASE,
        ("1",),
        30,
        5.8,
        1.2,
    ),
    MeasureSpec(
        "ms-ehcp-mainstream",
        "Pupils with an EHCP placed in mainstream schools",
        "Percent",
        HIGHER,
        CASE,
        ("1", "6"),
        38.5,
        0.35,
        0.4,
        forecast=True,
    ),
    MeasureSpec(
        "sen-outreach",
        "Pupils at SEN support seen by outreach in the month",
        "Count",
        HIGHER,
        CASE,
        ("2",),
        35,
        4,
        6,
    ),
    MeasureSpec(
        "ehc-requests",
        "Requests for EHC needs assessment",
        "Count",
        LOWER,
        CASE,
        ("2", "3"),
        62,
        -1.0,
        5,
        forecast=True,
    ),
    MeasureSpec(
        "ehc-refused",
        "Requests for assessment not agreed",
        "Percent",
        NEITHER,
        CASE,
        ("2",),
        24,
        0.3,
        2,
    ),
    MeasureSpec(
        "ehcp-20wk",
        "EHCPs issued within 20 weeks",
        "Percent",
        HIGHER,
        CASE,
        ("3",),
        34,
        2.2,
        2.5,
        forecast=True,
    ),
    MeasureSpec(
        "ehcp-weeks",
        "Average weeks from request to final plan",
        "Weeks",
        LOWER,
        CASE,
        ("3",),
        31,
        -0.6,
        0.8,
    ),
    MeasureSpec(
        "ep-advice-6wk",
        "Educational psychology advice within six weeks",
        "Percent",
        HIGHER,
        CASE,
        ("3",),
        41,
        3.0,
        3,
    ),
    MeasureSpec(
        "ehcps-total",
        "Children and young people with an EHCP",
        "Count",
        LOWER,
        CASE,
        ("3", "12"),
        3420,
        14,
        6,
        forecast=True,
    ),
    MeasureSpec(
        "ar-on-time",
        "Annual reviews completed within 12 months",
        "Percent",
        HIGHER,
        CASE,
        ("4",),
        55,
        2.2,
        2,
    ),
    MeasureSpec(
        "ar-ceased", "Plans ceased after annual review", "Count", NEITHER, CASE, ("4",), 6, 0.4, 2
    ),
    MeasureSpec(
        "rp-places", "Resourced provision places open", "Count", HIGHER, CASE, ("5",), 96, 2, 0
    ),
    MeasureSpec(
        "special-local",
        "Special school places filled in Eastmoor",
        "Count",
        HIGHER,
        CASE,
        ("5",),
        612,
        1.5,
        2,
    ),
    MeasureSpec(
        "ins-new",
        "New placements in independent special schools",
        "Count",
        LOWER,
        CASE,
        ("6",),
        6,
        -0.25,
        1,
    ),
    MeasureSpec(
        "ins-total",
        "Pupils in independent and non-maintained special schools",
        "Count",
        LOWER,
        CASE,
        ("6", "12"),
        288,
        -0.8,
        2,
        forecast=True,
    ),
    MeasureSpec(
        "ins-avg-cost",
        "Average annual cost of an independent placement",
        "£",
        LOWER,
        FINANCE,
        ("6", "12"),
        61200,
        180,
        250,
    ),
    MeasureSpec(
        "supported-internships",
        "Young people on supported internships",
        "Count",
        HIGHER,
        CASE,
        ("7",),
        8,
        1,
        0.5,
    ),
    MeasureSpec(
        "post16-neet",
        "Young people with an EHCP not in education or training",
        "Percent",
        LOWER,
        CASE,
        ("7",),
        6.2,
        -0.08,
        0.3,
    ),
    MeasureSpec(
        "pex-send",
        "Permanent exclusions of pupils with SEND (year to date)",
        "Count",
        LOWER,
        CASE,
        ("8",),
        3,
        0.6,
        0.6,
    ),
    MeasureSpec(
        "hub-returned",
        "Inclusion hub pupils back in mainstream full time",
        "Count",
        HIGHER,
        CASE,
        ("8",),
        0,
        1.6,
        0.5,
    ),
    MeasureSpec(
        "ap-placements",
        "Pupils with SEND in alternative provision",
        "Count",
        LOWER,
        CASE,
        ("8",),
        74,
        -0.9,
        2,
    ),
    MeasureSpec(
        "slt-wait",
        "Average wait for speech and language therapy",
        "Weeks",
        LOWER,
        HEALTH,
        ("9",),
        27,
        -0.5,
        0.7,
    ),
    MeasureSpec(
        "ot-wait",
        "Average wait for occupational therapy",
        "Weeks",
        LOWER,
        HEALTH,
        ("9",),
        33,
        -0.4,
        0.9,
    ),
    MeasureSpec(
        "mediation-closed",
        "Mediations closed without an appeal",
        "Percent",
        HIGHER,
        CASE,
        ("10",),
        58,
        1.1,
        2,
    ),
    MeasureSpec(
        "tribunal-regs", "Tribunal appeals registered", "Count", LOWER, CASE, ("10",), 7, -0.2, 1
    ),
    MeasureSpec(
        "travel-trained",
        "Pupils trained to travel independently (cumulative)",
        "Count",
        HIGHER,
        CASE,
        ("11",),
        2,
        2.5,
        0.5,
    ),
    MeasureSpec(
        "taxi-routes", "Single-occupancy taxi routes", "Count", LOWER, CASE, ("11",), 212, -3.4, 1
    ),
    MeasureSpec(
        "hnb-inyear",
        "High needs in-year deficit forecast",
        "£m",
        LOWER,
        FINANCE,
        ("12",),
        5.6,
        -0.03,
        0.08,
        forecast=True,
    ),
    MeasureSpec(
        "hnb-placements",
        "Forecast spend on independent placements",
        "£m",
        LOWER,
        FINANCE,
        ("12",),
        17.2,
        0.04,
        0.05,
    ),
]

# Annual KPIs: one figure a year, for an academic or financial year (ANNUAL_VALUES).
ANNUAL = [
    MeasureSpec(
        "ks2-sen-support",
        "Pupils at SEN support reaching the expected standard at KS2",
        "Percent",
        HIGHER,
        CENSUS,
        ("1", "2"),
        0,
        0,
        0,
        frequency="Annual",
    ),
    MeasureSpec(
        "sen-support-pupils",
        "Pupils at SEN support (January census)",
        "Count",
        NEITHER,
        CENSUS,
        ("2",),
        0,
        0,
        0,
        frequency="Annual",
    ),
    MeasureSpec(
        "ehcp-cost-per-plan",
        "Average high needs cost per EHCP",
        "£",
        LOWER,
        FINANCE,
        ("12",),
        0,
        0,
        0,
        frequency="Annual",
    ),
]
# (code, period as the council writes it, value as written, note): academic years ("AY"),
# financial years, and a figure not yet published, on the Measure values sheet.
ANNUAL_VALUES = [
    ("ks2-sen-support", "2023-24 AY", "21.8*", ""),
    ("ks2-sen-support", "2024-25 AY", "n/a: key stage 2 results are published in July 2025", ""),
    ("sen-support-pupils", "2023-24 AY", "6,184", "January 2024 census"),
    ("sen-support-pupils", "2024-25 AY", "n/a: the January 2025 census is not yet published", ""),
    ("ehcp-cost-per-plan", "2023-24", "£24,310", "Outturn"),
    ("ehcp-cost-per-plan", "2024-25", "£24,950", "Month 6 forecast"),
]

# What the note markers in the grid and on Measure values mean (the Value notes sheet).
VALUE_NOTES = [
    ("*", "Provisional: may be revised when the month's data is finalised"),
    ("\u2020", "Excludes two emergency placements made out of hours"),
]

# Cells of the grid written as the council writes them: (code, series, month) -> text.
# A marker adds a note; "-", "n/a" and "not available" mark a figure not available, with the
# reason after a colon.
WRITTEN = {
    ("ehcp-20wk", "", dt.date(2024, 10, 1)): "{value}%*",
    ("ehcps-total", "", dt.date(2024, 10, 1)): "{value:,}*",
    ("ins-new", "", dt.date(2024, 9, 1)): "{value}\u2020",
    ("slt-wait", "", dt.date(2023, 12, 1)): "-",
    ("ot-wait", "", dt.date(2024, 1, 1)): "n/a: the integrated care board did not publish",
    ("ot-wait", "", dt.date(2024, 2, 1)): "n/a: the integrated care board did not publish",
    ("post16-neet", "", dt.date(2024, 8, 1)): "not available",
}
# A measure whose cells are formatted as percentages (0.307 shown as 30.7%), as a council's
# spreadsheet often holds them.
PERCENT_FORMATTED = "ms-standard-signed"

# Measures the DfE report prints without a chart (a council's choice, per measure): the annual
# ones, with a figure a year, and counts that only step up.
CHARTS_OFF = {
    "ks2-sen-support",
    "sen-support-pupils",
    "ehcp-cost-per-plan",
    "rp-places",
    "travel-trained",
    "ar-ceased",
    "tribunal-regs",
    "supported-internships",
}

# (measure code, comparator series, label, comparator label, subject)
CARDS = [
    (
        "ehcps-total",
        "forecast",
        "Children and young people with an EHCP",
        "Recovery plan forecast",
        "EHCPs",
    ),
    (
        "ins-total",
        "forecast",
        "Pupils in independent special schools",
        "Recovery plan forecast",
        "placements",
    ),
    (
        "ehcp-20wk",
        "forecast",
        "EHCPs issued within 20 weeks",
        "Recovery plan forecast",
        "timeliness",
    ),
]

_DECIMALS = {"Count": 0, "Percent": 1, "Weeks": 1, "£": 0, "£m": 2}


def _figure(spec: MeasureSpec, value: float) -> Decimal:
    places = _DECIMALS[spec.unit]
    value = max(value, 0.0)
    if spec.unit == "Percent":
        value = min(value, 100.0)
    return Decimal(str(round(value, places))).quantize(Decimal(1).scaleb(-places))


def grid_figures() -> dict[tuple[str, str], dict[dt.date, Decimal]]:
    """Every monthly figure, by (measure code, series slug) and month: drawn from the seed."""
    draw = random.Random(SEED)  # noqa: S311 - demo figures, not security
    figures = {}
    for spec in MONTHLY:
        actual, plan = {}, {}
        for i, period in enumerate(MONTHS):
            trend = spec.start + spec.step * i
            actual[period] = _figure(spec, trend + draw.uniform(-spec.noise, spec.noise))
            if spec.forecast:
                # The plan assumed a little better than the trend from the start.
                better = -1 if spec.polarity == LOWER else 1
                plan[period] = _figure(spec, trend + better * abs(spec.step) * 0.5)
        figures[(spec.code, "")] = actual
        if spec.forecast:
            figures[(spec.code, "forecast")] = plan
    return figures


def _sheet(wb: Workbook, spec: fmt.SheetSpec, keys: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(spec.name)
    ws.append([spec.header(key) for key in keys])
    for row in rows:
        ws.append(row)


def _email(title: str) -> str:
    """A role address at example.org, e.g. "head.of.send.and.inclusion@eastmoor.example.org"."""
    local = re.sub(r"[^a-z0-9]+", ".", title.split(" (")[0].lower()).strip(".")
    return f"{local}@{SLUG}.example.org"


def _fy(year: int) -> str:
    return fy_label(year)


def build_eastmoor_workbook() -> Workbook:
    """The Eastmoor workbook (format version 2), as a council would fill in the template."""
    wb = Workbook()
    about = wb.active
    about.title = "About"
    about.append(["svmonitor workbook", "format version " + fmt.FORMAT_VERSION])
    about.append(["Council", NAME])
    about.append(["Made by", "manage.py build_demo_workbook (demo/data/eastmoor.py)"])

    _sheet(
        wb,
        fmt.COUNCIL,
        [
            "name",
            "slug",
            "kpi_grouping",
            "kpi_table_layout",
            "kpi_table_months",
            "risk_register",
            "risk_key_levels",
        ],
        [
            [
                NAME,
                SLUG,
                "Agreement condition",
                "Grid of the last months",
                len(MONTHS),
                "Rated",
                "Red, Amber/Red",
            ]
        ],
    )
    _sheet(
        wb,
        fmt.KEY_CONTACTS,
        ["role", "job_title", "name", "email", "order"],
        [
            [role, title, "", _email(title), order]
            for order, (role, title) in enumerate(text.CONTACTS, start=1)
        ],
    )
    _sheet(
        wb,
        fmt.AGREEMENTS,
        [
            "date_signed",
            "title",
            "first_financial_year",
            "last_financial_year",
            "dfe_contribution",
            "council_contribution",
        ],
        [[SIGNED, "Eastmoor Safety Valve agreement", _fy(2023), _fy(2028), 27_400_000, 5_900_000]],
    )
    _sheet(
        wb,
        fmt.ROUNDS,
        [
            "financial_year",
            "update_number",
            "due_date",
            "data_as_at",
            "status",
            "submitted_on",
            "s151_signed_by",
            "s151_signed_on",
            "dcs_signed_by",
            "dcs_signed_on",
        ],
        [
            [
                _fy(YEAR),
                n,
                due,
                as_at,
                "Submitted before svmonitor" if submitted else "Draft",
                submitted,
                *(signed or (None, None, None, None)),
            ]
            for n, due, as_at, submitted, signed in ROUNDS
        ],
    )
    _sheet(
        wb,
        fmt.CONDITIONS,
        ["label", "in_force_from", "title", "wording", "order"],
        [
            [label, SIGNED, title, wording, order]
            for order, (label, title, wording) in enumerate(text.CONDITIONS, start=1)
        ],
    )
    _sheet(
        wb,
        fmt.DATA_SOURCES,
        ["name", "last_refreshed", "basis"],
        [list(source) for source in SOURCES],
    )
    _sheet(wb, fmt.SERIES, ["slug", "name", "kind", "order"], [list(s) for s in SERIES])
    _sheet(
        wb,
        fmt.MEASURES,
        [
            "code",
            "name",
            "unit",
            "polarity",
            "data_source",
            "frequency",
            "reading",
            "conditions",
            "order",
            "show_chart",
        ],
        [
            [
                m.code,
                m.name,
                m.unit,
                m.polarity,
                m.source,
                m.frequency,
                "Point value",
                ", ".join(m.conditions),
                order,
                "No" if m.code in CHARTS_OFF else "Yes",
            ]
            for order, m in enumerate([*MONTHLY, *ANNUAL], start=1)
        ],
    )
    _sheet(
        wb,
        fmt.HEADLINE_CARDS,
        ["measure", "comparator", "title", "comparator_label", "subject", "order"],
        [[*card, order] for order, card in enumerate(CARDS, start=1)],
    )
    _sheet(
        wb,
        fmt.CONDITION_UPDATES,
        ["financial_year", "update_number", "condition", "rag", "narrative"],
        [
            [_fy(YEAR), n, label, rag, narrative]
            for label, updates in text.CONDITION_UPDATES.items()
            for n, (rag, narrative) in enumerate(updates, start=1)
        ],
    )
    _sheet(
        wb,
        fmt.RISKS,
        ["number", "title", "impact_description", "owner_role", "mitigation", "is_open"],
        [
            [n, title, impact, owner, mitigation, "Yes"]
            for n, title, impact, owner, mitigation in text.RISKS
        ],
    )
    _sheet(
        wb,
        fmt.RISK_UPDATES,
        ["financial_year", "update_number", "risk", "rag", "narrative"],
        [
            [_fy(YEAR), n, risk, rag, narrative]
            for risk, updates in text.RISK_UPDATES.items()
            for n, (rag, narrative) in enumerate(updates, start=1)
        ],
    )
    _sheet(
        wb,
        fmt.OVERVIEWS,
        [
            "financial_year",
            "update_number",
            "overall_rag",
            "overall_narrative",
            "deficit_this_year_on_track",
            "deficit_this_year_commentary",
            "zero_deficit_on_track",
            "zero_deficit_commentary",
            "capital_project_on_track",
            "capital_project_commentary",
            "adviser_support_requested",
            "adviser_support_detail",
        ],
        [[_fy(YEAR), n, *answers] for n, answers in text.OVERVIEWS.items()],
    )
    _sheet(
        wb,
        fmt.HEADLINES,
        ["financial_year", "update_number", "kind", "position", "text"],
        [
            [_fy(YEAR), n, kind, position, headline]
            for n, kinds in text.HEADLINES.items()
            for kind, headlines in kinds.items()
            for position, headline in enumerate(headlines, start=1)
        ],
    )
    _sheet(wb, fmt.VALUE_NOTES, ["marker", "note"], [list(note) for note in VALUE_NOTES])
    _sheet(
        wb,
        fmt.VALUES_LONG,
        ["measure", "period", "series", "value", "note"],
        [[code, period, "", value, note] for code, period, value, note in ANNUAL_VALUES],
    )
    grid = wb.create_sheet(fmt.GRID.name)
    grid.append(
        [fmt.GRID.header(k) for k in ("measure", "name", "data_source", "series")]
        + [f"{period:%b-%y}" for period in MONTHS]
    )
    names = {m.code: m for m in MONTHLY}
    for (code, series), points in grid_figures().items():
        spec = names[code]
        cells = []
        for period in MONTHS:
            value = points[period]
            written = WRITTEN.get((code, series, period))
            if written is not None:
                shown = int(value) if spec.unit == "Count" else value
                cells.append(written.format(value=shown))
            elif code == PERCENT_FORMATTED:
                cells.append(value / 100)
            else:
                cells.append(value)
        grid.append([code, spec.name, spec.source, series, *cells])
        if code == PERCENT_FORMATTED:
            for cell in grid[grid.max_row][4:]:
                cell.number_format = "0.0%"
    return wb


def eastmoor_workbook_write(path: Path = WORKBOOK_PATH) -> Path:
    """Write the workbook to `path` (fixtures/demo-eastmoor.xlsx by default)."""
    wb = build_eastmoor_workbook()
    # A fixed creation date keeps the file's properties the same on every build.
    wb.properties.created = dt.datetime(2024, 11, 29, 9, 0)
    wb.properties.creator = "svmonitor demo"
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl stamps each zip member with the time of saving; a fixed stamp makes the file
    # byte-for-byte the same on every build, so a test can compare it with the committed one.
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as built,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for member in built.infolist():
            fixed = zipfile.ZipInfo(member.filename, date_time=(2024, 11, 29, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = built.read(member.filename)
            if member.filename == "docProps/core.xml":
                # openpyxl sets "modified" to the time of saving, whatever it was given.
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-11-29T09:00:00Z", data
                )
            out.writestr(fixed, data)
    return path
