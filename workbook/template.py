"""The blank workbook template: an Instructions sheet, then every sheet with its headers and one
example row, marked as an example so that importing the untouched template creates nothing."""

from __future__ import annotations

import datetime as dt

from svmonitor.choices import Rag
from workbook import dsg_cyp, dsg_finance
from workbook import format as fmt
from workbook.dsg_text import EXAMPLES as DSG_TEXT_EXAMPLES
from workbook.writer import SheetWriter

# What each sheet is for, as the Instructions sheet says it (a sheet missing here shows its
# own help text from the format).
PURPOSES = {
    fmt.COUNCIL.name: "The council itself: one row with its name and slug (the web address "
    "part, e.g. exampleshire), DfE LA number, ONS code, the risk score from which a risk is "
    "a key risk, and what it groups its KPIs by.",
    fmt.RAG_DEFINITIONS.name: "The council's own wording for each RAG level and the DfE colour "
    "each reports as (without it the standard levels are used).",
    fmt.AGREEMENTS.name: "The Safety Valve agreement: when it was signed, its years and the "
    "contributions of DfE and the council. One row per agreement (a revision supersedes the "
    "earlier one).",
    fmt.PAYMENTS.name: "DfE's payment instalments under the agreement.",
    fmt.DEFICIT_CAPS.name: "The cumulative deficit cap for each financial year.",
    fmt.TIERS.name: "Changes of DfE monitoring tier, from the date each took effect.",
    fmt.ROUNDS.name: "The quarterly returns (Updates 1 to 3 of each financial year). Import "
    "creates draft returns, or brings in a return sent to DfE before the council used "
    "svmonitor: Status 'Submitted before svmonitor' with the date it was submitted (and, if "
    "the council recorded them, who signed it off and when); it is then frozen and read-only.",
    fmt.CONDITIONS.name: "The agreement's conditions, labelled as the agreement numbers them.",
    fmt.AREAS.name: "Programme areas, if the council groups its work into them.",
    fmt.WORKSTREAMS.name: "Workstreams within each programme area.",
    fmt.MILESTONES.name: "Milestones of each workstream.",
    fmt.WORKSTREAM_SAVINGS.name: "What each workstream is expected to save in each financial "
    "year (pounds): the finance chart stacks these from the unmitigated forecast towards the "
    "latest one.",
    fmt.RISKS.name: "The risk register.",
    fmt.DATA_SOURCES.name: "Where the figures come from.",
    fmt.SERIES.name: "Lines of figures besides the actuals (a forecast, last year...). "
    "The actual line is created when needed.",
    fmt.MEASURES.name: "The key measures (KPIs), each with its unit and which way is better.",
    fmt.CONDITION_UPDATES.name: "Each return's RAG and progress update for each condition.",
    fmt.WORKSTREAM_UPDATES.name: "Each return's RAG and progress update for each workstream.",
    fmt.RISK_UPDATES.name: "Each return's RAG, progress update and scores for each risk.",
    fmt.VALUES_LONG.name: "Figures one a row, with an optional note. Use this sheet or the grid. "
    "A figure may be a number, 42%, 42* (a note marker), or n/a, - or Not available.",
    fmt.GRID.name: "Figures as a grid: one row per measure (and series), one column per month, "
    "academic year (2023-24 AY) or financial year (2023-24).",
    fmt.VALUE_NOTES.name: "What each note marker after a figure means: 42%* is stored as 42 "
    "with the note given here for *, printed as a footnote under the key-measure tables.",
    fmt.FINANCE.name: "High Needs Block finance by financial year and scenario.",
    fmt.KEY_CONTACTS.name: "The council's key personnel named in the DfE report: role and job "
    "title, with name and e-mail if you wish. Only a site administrator changes them.",
    fmt.HEADLINE_CARDS.name: "The headline figures at the top of the dashboard: a measure "
    "against one of its series (a forecast, say).",
    fmt.OVERVIEWS.name: "Each return's overview: the three on-track questions with commentary, "
    "the request for SEND adviser support, and the board's overall RAG and narrative.",
    fmt.HEADLINES.name: "Each return's headlines: up to three drivers of positive change, "
    "barriers and examples of stakeholder engagement.",
}
REQUIRED_TO_CREATE = (fmt.COUNCIL.name,)
NEEDED_FOR_A_RETURN = (fmt.AGREEMENTS.name, fmt.ROUNDS.name)

_SIGNED = dt.date(2024, 3, 1)
# One example row per sheet, by column key: a fictional council, so the template carries no
# real council's data. A sheet missing here gets an example made from its column kinds.
EXAMPLES: dict[str, dict] = {
    fmt.COUNCIL.name: {
        "name": "Exampleshire Council",
        "slug": "exampleshire",
        "dfe_la_number": "999",
        "ons_code": "E06000999",
        "risk_score_threshold": 15,
        "kpi_grouping": "Agreement condition",
        "kpi_table_layout": "Grid of the last months",
        "kpi_table_months": 13,
        "stock_flow_gap_percent": 2,
        "drafts_shared_with_dfe": "No",
    },
    fmt.RAG_DEFINITIONS.name: {
        "level": "Amber/Green",
        "label": "A/G",
        "definition": "Mostly on track; some actions need attention",
        "dfe_level": "Amber",
    },
    fmt.AGREEMENTS.name: {
        "date_signed": _SIGNED,
        "title": "Safety Valve agreement",
        "first_financial_year": "2023-24",
        "last_financial_year": "2027-28",
        "dfe_contribution": 20000000,
        "council_contribution": 5000000,
    },
    fmt.PAYMENTS.name: {
        "due_date": dt.date(2024, 3, 31),
        "amount": 4000000,
        "status": "Expected",
        "note": "First instalment",
    },
    fmt.DEFICIT_CAPS.name: {"financial_year": "2024-25", "cap": 30000000},
    fmt.TIERS.name: {
        "effective_from": _SIGNED,
        "tier": "Standard monitoring",
        "reason": "Agreement signed",
    },
    fmt.ROUNDS.name: {
        "financial_year": "2024-25",
        "update_number": 1,
        "due_date": dt.date(2024, 7, 31),
        "data_as_at": "Jun-24",
        "status": "Draft",
    },
    fmt.CONDITIONS.name: {
        "label": "1",
        "in_force_from": _SIGNED,
        "title": "Example condition",
        "wording": "The condition as the agreement words it.",
        "order": 1,
    },
    fmt.AREAS.name: {"number": 1, "name": "Example area", "summary": "What the area covers."},
    fmt.WORKSTREAMS.name: {
        "area": 1,
        "name": "Example workstream",
        "lead_role": "Head of service",
        "order": 1,
        "conditions": "1",
    },
    fmt.MILESTONES.name: {
        "area": 1,
        "workstream": "Example workstream",
        "title": "Example milestone",
        "due_date": dt.date(2025, 3, 31),
        "status": "On track",
    },
    fmt.WORKSTREAM_SAVINGS.name: {
        "area": 1,
        "workstream": "Example workstream",
        "financial_year": "2024-25",
        "saving": 1500000,
    },
    fmt.RISKS.name: {
        "number": 1,
        "title": "demand grows faster than planned (example)",
        "impact_description": "Costs rise above the plan.",
        "owner_role": "Head of service",
        "impact": 4,
        "likelihood": 3,
        "mitigation": "What is being done about it.",
        "is_open": "Yes",
    },
    fmt.DATA_SOURCES.name: {
        "name": "Example source",
        "last_refreshed": dt.date(2024, 6, 30),
        "basis": "Monthly extract",
    },
    fmt.SERIES.name: {"slug": "forecast", "name": "Forecast", "kind": "Baseline", "order": 2},
    fmt.MEASURES.name: {
        "code": "example-measure",
        "name": "Example measure",
        "unit": "Count",
        "polarity": "Lower is better",
        "data_source": "Example source",
        "frequency": "Monthly",
        "reading": "Point value",
        "conditions": "1",
        "order": 1,
        "show_chart": "Yes",
    },
    fmt.CONDITION_UPDATES.name: {
        "financial_year": "2024-25",
        "update_number": 1,
        "condition": "1",
        "rag": "Green",
        "narrative": "What has happened this quarter.",
        "key_measures": "example-measure",
    },
    fmt.WORKSTREAM_UPDATES.name: {
        "financial_year": "2024-25",
        "update_number": 1,
        "area": 1,
        "workstream": "Example workstream",
        "rag": "Amber",
        "narrative": "What has happened this quarter, and why it is Amber.",
    },
    fmt.RISK_UPDATES.name: {
        "financial_year": "2024-25",
        "update_number": 1,
        "risk": 1,
        "rag": "Amber",
        "narrative": "How the risk stands this quarter.",
        "impact": 4,
        "likelihood": 3,
    },
    fmt.VALUES_LONG.name: {
        "measure": "example-measure",
        "period": "Apr-24",
        "series": "forecast",
        "value": 1200,
        "note": "provisional",
    },
    fmt.VALUE_NOTES.name: {"marker": "*", "note": "Provisional: not yet validated"},
    fmt.GRID.name: {
        "measure": "example-measure",
        "name": "Example measure",
        "data_source": "Example source",
        "series": "",
    },
    fmt.KEY_CONTACTS.name: {
        "role": "S151 officer",
        "job_title": "Director of Finance",
        "name": "",
        "email": "",
        "order": 1,
    },
    fmt.HEADLINE_CARDS.name: {
        "measure": "example-measure",
        "comparator": "forecast",
        "title": "Example measure",
        "comparator_label": "Forecast to date",
        "subject": "",
        "order": 1,
    },
    fmt.OVERVIEWS.name: {
        "financial_year": "2024-25",
        "update_number": 1,
        "overall_rag": "Green",
        "overall_narrative": "The board's view of the programme this quarter.",
        "deficit_this_year_on_track": "Yes",
        "deficit_this_year_commentary": "Why the year's deficit is on track.",
        "zero_deficit_on_track": fmt.NOT_ANSWERED,
        "zero_deficit_commentary": "",
        "capital_project_on_track": "No",
        "capital_project_commentary": "Why the capital project is late.",
        "adviser_support_requested": "Yes",
        "adviser_support_detail": "Which area, and what support would help.",
    },
    fmt.HEADLINES.name: {
        "financial_year": "2024-25",
        "update_number": 1,
        "kind": "driver",
        "position": 1,
        "text": "One of the biggest drivers of positive change this quarter.",
    },
    fmt.FINANCE.name: {
        "financial_year": "2024-25",
        "scenario": "Latest forecast",
        "in_year_position": -5000000,
        "cumulative_deficit": 28000000,
        "reflects": "Quarter 1 forecast",
    },
}
GRID_MONTHS = ("Apr-24", "May-24", "Jun-24")
GRID_FIGURES = (1200, 1210, 1195)

EXAMPLES.update(DSG_TEXT_EXAMPLES)  # issue 19

_BY_KIND = {
    fmt.TEXT: "Example",
    fmt.INT: 1,
    fmt.DECIMAL: 10,
    fmt.MONEY: 1000,
    fmt.DATE: dt.date(2024, 4, 1),
    fmt.FY: "2024-25",
    fmt.BOOL: "Yes",
    fmt.RAG: "Green",
    fmt.MONTH: "Apr-24",
    fmt.PERIOD: "Apr-24",
    fmt.FIGURE: 1200,
    fmt.LIST: "",
}


def _example_value(spec: fmt.SheetSpec, column: fmt.Column):
    given = EXAMPLES.get(spec.name)
    if given is not None:
        return given.get(column.key)
    if column.kind == fmt.CHOICE and column.choices is not None:
        return str(next(iter(column.choices)).label)
    if column.kind == fmt.INT and column.minimum is not None:
        return column.minimum
    return _BY_KIND.get(column.kind, "Example")


def _marked(value) -> str:
    """The first cell of an example row: the marker, then the example value if there is one."""
    if value is None or value == "":
        return fmt.EXAMPLE_MARKER
    shown = value.isoformat() if isinstance(value, dt.date) else str(value)
    return f"{fmt.EXAMPLE_MARKER}: {shown}"


def example_row(spec: fmt.SheetSpec) -> list:
    """A sheet's example row, its first cell marked so that import skips it."""
    row = [_example_value(spec, column) for column in spec.columns]
    if spec is fmt.GRID:
        row += list(GRID_FIGURES)
    row[0] = _marked(row[0])
    return row


def _choices_text(column: fmt.Column) -> str:
    return ", ".join(str(choice.label) for choice in column.choices)


def instructions() -> list[tuple[str, str]]:
    """The Instructions sheet's rows: (topic, what to do)."""
    importable = [spec for spec in fmt.SHEETS if not spec.derived]
    rows = [
        ("svmonitor workbook", f"Blank template, format version {fmt.FORMAT_VERSION}"),
        (
            "What this is",
            "A blank svmonitor workbook. A site administrator fills it in and uploads it on "
            "Add a council (the council list) to set up a new council; a council's officers "
            "upload it on the council's Workbook import page to add to what is held. The "
            "upload shows what the import will do, and nothing is saved until you confirm.",
        ),
        (
            "Example rows",
            f"Row 2 of each sheet is an example: its first cell begins with "
            f"{fmt.EXAMPLE_MARKER}. Import skips every row whose first cell begins with "
            f"{fmt.EXAMPLE_MARKER} (in capitals) and says how many it skipped, so you may leave "
            "the examples in, type over them, or delete them.",
        ),
        (
            "To create a council",
            f"Required: {', '.join(REQUIRED_TO_CREATE)} (one row: the council's name, and its "
            f"slug). Needed before a first return can be written: "
            f"{' and '.join(NEEDED_FOR_A_RETURN)} (the agreement, and the first return as a "
            "draft). Every other sheet is optional and may be left as it is or imported later.",
        ),
        (
            "Headers",
            "Keep row 1 of each sheet as it is: columns are found by their header text, in any "
            "order. A sheet or column you leave out is left alone by the import.",
        ),
        (
            "Matching",
            "Rows are matched to what is held by their key columns (below); a match with other "
            "values is changed. Import never deletes anything.",
        ),
        (
            "Errors",
            "If any cell is wrong, nothing is saved: every problem is listed with its sheet, "
            "row, column and reason. Fix them and upload the workbook again.",
        ),
        (
            "RAG ratings",
            "Write a RAG as a letter (R, A, G, B), a word (Red, Amber, Green, Blue), a blend "
            "(Amber/Green, A/G, AG, Amber/Red, Red/Amber), a colour followed by commentary "
            "(Green - on track), Not rated, N/A or blank, or one of the council's own labels "
            "from the RAG definitions sheet. The upload shows how each was read. Levels: "
            + ", ".join(str(level.label) for level in Rag)
            + ".",
        ),
        (
            "Financial years and updates",
            "A financial year is written 2024-25. A return is an update 1, 2 or 3 of its year "
            "(Update 1 also works).",
        ),
        (
            "Periods",
            "A figure's period is a month (Apr-24, April 2024, 2024-04 or the first of the month "
            "as a date), an academic year (2023-24 AY) or a financial year (2023-24). The grid's "
            "column headers are written the same way.",
        ),
        ("Dates", "A date cell, or text such as 2024-03-31 or 31/03/2024."),
        (
            "Numbers and money",
            "Numbers or text such as £1,234.50; (1,234) is negative. Money keeps 2 decimal "
            "places, figures 4.",
        ),
        (
            "Figures",
            "A figure is a number (6,357 or 42%; a cell formatted as a percentage is read as "
            "the percentage it shows); n/a, - or Not available when there is none (a reason may "
            "follow a colon: n/a: not yet published); a note marker may follow either (42%*, "
            "n/a*) with its meaning on the Value notes sheet. Notes print as footnotes under "
            "the key-measure tables.",
        ),
        ("Yes / No", "Yes or No (Y, N, True, False, Open and Closed also work)."),
        (
            "Answers",
            f"The overview's questions (on track? adviser support requested?) are Yes, No or "
            f"{fmt.NOT_ANSWERED}. A blank cell keeps the answer held; {fmt.NOT_ANSWERED} clears "
            "it. Yes or No needs the commentary; a Yes to adviser support needs what is asked.",
        ),
        (
            "Statuses",
            "A new return's Status is Draft or blank: import never moves a status (mark ready, "
            "sign off and record the submission on the return's page). A milestone that is "
            "Complete needs its Completed on date.",
        ),
    ]
    for spec in importable:
        for column in spec.columns:
            if column.kind == fmt.CHOICE and column.choices is not None:
                rows.append((f"{spec.name}: {column.header}", f"one of {_choices_text(column)}"))
    rows.append(("", ""))
    rows.append(("Sheet", "What it is for"))
    for spec in importable:
        text = PURPOSES.get(spec.name) or spec.help or ""
        if spec.name in REQUIRED_TO_CREATE:
            text += " Required to create a council."
        elif spec.name in NEEDED_FOR_A_RETURN:
            text += " Needed for a first return."
        else:
            text += " Optional."
        required = [column.header for column in spec.columns if column.required]
        if required:
            text += " Columns that must be filled in: " + ", ".join(required) + "."
        if spec.key:
            text += " Rows are matched on: " + ", ".join(spec.header(k) for k in spec.key) + "."
        rows.append((spec.name, text.strip()))
    rows.append(("", ""))
    rows.append(("Format", "docs/import-formats.md describes every sheet and column."))
    return rows


def workbook_template(about=()) -> bytes:
    """The blank template as .xlsx bytes: Instructions, About (`about`: its rows, as the export
    writes them), then each sheet with one example row."""
    writer = SheetWriter()
    writer.sheet(fmt.INSTRUCTIONS_SHEET, ["Topic", "Instructions"], instructions(), [30, 110])
    writer.sheet(fmt.ABOUT_SHEET, ["Item", "Value"], about, widths=[24, 80])
    for spec in fmt.SHEETS:
        if spec.derived:
            continue
        headers = [column.header for column in spec.columns]
        if spec is fmt.GRID:
            headers += list(GRID_MONTHS)
        writer.sheet(spec.name, headers, [example_row(spec)])
    writer.sheet(dsg_finance.SHEET, [dsg_finance.INTRO], dsg_finance.dsg_sheet_example())
    for table, sheet in dsg_cyp.SHEETS.items():
        writer.sheet(sheet, [dsg_cyp.INTROS[table]], dsg_cyp.cyp_sheet_example(table))
    return writer.to_bytes()
