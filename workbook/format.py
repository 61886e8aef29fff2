"""The workbook format: every sheet, its columns and its natural key (docs/import-formats.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from conditions.models import Milestone, Workstream
from finance.models import FinanceLine
from metrics.models import Measure, Series
from overview.models import Headline
from svmonitor.choices import (
    KPI_TABLE_MONTHS_MAX,
    ContactRole,
    KpiGrouping,
    KpiTableLayout,
    MonitoringTier,
    PaymentStatus,
    Rag,
    RiskRegister,
    RoundStatus,
    YesNo,
)
from svmonitor.models import NARRATIVE_MAX_CEILING, NARRATIVE_MAX_FLOOR

# The format a workbook says it is in (its About sheet). 2 added the Key contacts, Headline
# cards, Overviews and Headlines sheets (issue 13); a version-1 workbook has none of them and
# imports as before. A workbook naming a version not listed here is refused with what to do.
FORMAT_VERSION = "2"
FORMAT_VERSIONS_READ = ("1", "2")
# Sheets version 1 exported for reading only, which version 2 replaced by importable ones:
# import skips them without a note.
RETIRED_SHEETS = frozenset({"round overviews", "round headlines"})
NOT_ANSWERED = "Not answered"

# Kinds a cell can be read as; reader.parse_cell knows each one.
TEXT, INT, DECIMAL, MONEY, DATE, FY, BOOL, CHOICE, RAG, MONTH, LIST, ANSWER, PERIOD, FIGURE = (
    "text",
    "int",
    "decimal",
    "money",
    "date",
    "fy",
    "bool",
    "choice",
    "rag",
    "month",
    "list",
    "answer",  # Yes, No or "Not answered" (stored as ""); a blank cell keeps what is stored
    "period",  # a month, an academic year ("2023-24 AY") or a financial year ("2023-24")
    "figure",  # a number, "42%*" (value and note marker), or "-", "n/a", "not available"
)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: header as written, what it holds, and its limits."""

    key: str
    header: str
    kind: str = TEXT
    required: bool = False
    choices: type | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: its name, columns and the columns that identify a row."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    help: str = ""
    derived: bool = False  # written by export for reading; ignored by import
    column_by_key: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_by_key", {c.key: c for c in self.columns})

    def header(self, key: str) -> str:
        """The header text of a column."""
        return self.column_by_key[key].header


def _agreement_col() -> Column:
    return Column(
        "agreement",
        "Agreement signed",
        DATE,
        help="Date the agreement was signed; may be blank when the workbook has one agreement.",
    )


def _round_cols() -> tuple[Column, ...]:
    return (
        _agreement_col(),
        Column("financial_year", "Financial year", FY, required=True, help="e.g. 2024-25"),
        Column("update_number", "Update", INT, required=True, minimum=1, maximum=3),
    )


COUNCIL = SheetSpec(
    "Council",
    (
        Column("name", "Name", required=True, max_length=120),
        Column("slug", "Slug", max_length=60, help="Must match the council imported into."),
        Column("dfe_la_number", "DfE LA number", max_length=3),
        Column("ons_code", "ONS code", max_length=9),
        Column(
            "risk_score_threshold",
            "Key risk score",
            INT,
            minimum=1,
            maximum=25,
            help="A scored register: risks scoring this or more are key risks.",
        ),
        Column(
            "kpi_grouping",
            "KPIs grouped by",
            CHOICE,
            choices=KpiGrouping,
            help="Agreement condition, Programme area, or Condition and programme area; "
            "blank keeps what is set (Programme area for a new council).",
        ),
        Column(
            "risk_register",
            "Risk register",
            CHOICE,
            choices=RiskRegister,
            help="Scored (impact x likelihood 1-5) or Rated (RAG only, no scores).",
        ),
        Column(
            "risk_key_levels",
            "Key risk levels",
            max_length=80,
            help="A rated register: the RAG levels that make a risk key (e.g. Red, Amber/Red).",
        ),
        Column(
            "kpi_table_layout",
            "Key-measure tables",
            CHOICE,
            choices=KpiTableLayout,
            help="How the DfE report tables key measures: Plan, actual and same period last "
            "year (a table and chart per measure, the default) or Grid of the last months "
            "(a row per measure); blank keeps what is set.",
        ),
        Column(
            "kpi_table_months",
            "Months in the grid",
            INT,
            minimum=1,
            maximum=KPI_TABLE_MONTHS_MAX,
            help="A grid of the last months: how many (e.g. 13); blank keeps what is set.",
        ),
        Column(
            "narrative_max",
            "Narrative limit (characters)",
            INT,
            minimum=NARRATIVE_MAX_FLOOR,
            maximum=NARRATIVE_MAX_CEILING,
            help="The longest progress update or commentary the council's returns accept "
            "(10,000 unless set); blank keeps what is set.",
        ),
        Column(
            "stock_flow_gap_percent",
            "Stock and flow gap threshold (%)",
            DECIMAL,
            help="The EHCP stock and flow check flags a month whose EHCPs in force differ from "
            "last month's + plans issued - plans ceased by more than this per cent (0 to 100, "
            "e.g. 2); blank keeps what is set (2 for a new council).",
        ),
        Column(
            "drafts_shared_with_dfe",
            "Share drafts with DfE advisers",
            BOOL,
            help="Yes: the council's DfE advisers read its returns before they are submitted; "
            "No: submitted returns only (the default); blank keeps what is set. The programme "
            "lead or a site administrator changes it.",
        ),
    ),
    key=(),
    help="One row: the council. A council that does not exist yet is created from it.",
)

RAG_DEFINITIONS = SheetSpec(
    "RAG definitions",
    (
        Column("level", "Level", CHOICE, required=True, choices=Rag),
        Column("label", "Council label", required=True, max_length=40),
        Column("definition", "Definition", required=True),
        Column("dfe_level", "DfE level", CHOICE, required=True, choices=Rag),
    ),
    key=("level",),
    help="How the council labels each RAG level; RAG cells may use these labels.",
)

KEY_CONTACTS = SheetSpec(
    "Key contacts",
    (
        Column("role", "Role", CHOICE, required=True, choices=ContactRole),
        Column("job_title", "Job title", required=True, max_length=160),
        Column("name", "Name", max_length=120),
        Column("email", "E-mail", max_length=254),
        Column("order", "Order", INT, minimum=0, maximum=32767),
    ),
    key=("role", "job_title"),
    help="The council's key personnel named in the DfE report; only a site administrator "
    "changes them.",
)

AGREEMENTS = SheetSpec(
    "Agreement",
    (
        Column("date_signed", "Date signed", DATE, required=True),
        Column("title", "Title", required=True, max_length=160),
        Column("first_financial_year", "First financial year", FY, required=True),
        Column("last_financial_year", "Last financial year", FY, required=True),
        Column("dfe_contribution", "DfE contribution (£)", MONEY, required=True),
        Column("council_contribution", "Council contribution (£)", MONEY, required=True),
        Column("supersedes", "Supersedes agreement signed", DATE),
        Column("published_url", "Published URL", max_length=200),
    ),
    key=("date_signed",),
)

PAYMENTS = SheetSpec(
    "Payments",
    (
        _agreement_col(),
        Column("due_date", "Due date", DATE, required=True),
        Column("amount", "Amount (£)", MONEY, required=True),
        Column("status", "Status", CHOICE, choices=PaymentStatus),
        Column("status_date", "Status date", DATE),
        Column("note", "Note", max_length=300),
    ),
    key=("agreement", "due_date"),
)

DEFICIT_CAPS = SheetSpec(
    "Deficit caps",
    (
        _agreement_col(),
        Column("financial_year", "Financial year", FY, required=True),
        Column("cap", "Cumulative deficit cap (£)", MONEY, required=True),
    ),
    key=("agreement", "financial_year"),
)

TIERS = SheetSpec(
    "Monitoring tier",
    (
        _agreement_col(),
        Column("effective_from", "Effective from", DATE, required=True),
        Column("tier", "Tier", CHOICE, required=True, choices=MonitoringTier),
        Column("reason", "Reason"),
    ),
    key=("agreement", "effective_from"),
)


class RoundStatusCell(models.TextChoices):
    """A round's Status cell: its status, or a return submitted before svmonitor (imported from
    the council's records, frozen and read-only; stored as submitted with origin "imported")."""

    DRAFT = RoundStatus.DRAFT.value, RoundStatus.DRAFT.label
    READY = RoundStatus.READY.value, RoundStatus.READY.label
    SIGNED_OFF = RoundStatus.SIGNED_OFF.value, RoundStatus.SIGNED_OFF.label
    SUBMITTED = RoundStatus.SUBMITTED.value, RoundStatus.SUBMITTED.label
    IMPORTED = "imported", "Submitted before svmonitor"


ROUNDS = SheetSpec(
    "Rounds",
    (
        *_round_cols(),
        Column("due_date", "Due date", DATE, required=True),
        Column("data_as_at", "Data as at", MONTH),
        Column(
            "status",
            "Status",
            CHOICE,
            choices=RoundStatusCell,
            help="Submitted before svmonitor imports an earlier return, frozen and read-only.",
        ),
        Column(
            "submitted_on",
            "Submitted on",
            DATE,
            help="The date the return went to DfE; needed with Submitted before svmonitor.",
        ),
        Column(
            "s151_signed_by",
            "S151 signed off by",
            max_length=120,
            help="Submitted before svmonitor only: as the council recorded it (optional).",
        ),
        Column("s151_signed_on", "S151 signed off on", DATE),
        Column(
            "dcs_signed_by",
            "DCS signed off by",
            max_length=120,
            help="Submitted before svmonitor only: as the council recorded it (optional).",
        ),
        Column("dcs_signed_on", "DCS signed off on", DATE),
    ),
    key=("agreement", "financial_year", "update_number"),
    help=(
        "Quarterly returns. Import creates and changes draft rounds only, and brings in "
        "earlier returns as Submitted before svmonitor; it never moves a status otherwise."
    ),
)

CONDITIONS = SheetSpec(
    "Conditions",
    (
        _agreement_col(),
        Column("label", "Condition", required=True, max_length=10),
        Column("in_force_from", "In force from", DATE, required=True),
        Column("title", "Title", required=True, max_length=200),
        Column("wording", "Wording", required=True),
        Column("order", "Order", INT, minimum=0, maximum=32767),
        Column("in_force_to", "In force to", DATE),
    ),
    key=("agreement", "label", "in_force_from"),
)

CONDITION_UPDATES = SheetSpec(
    "Condition updates",
    (
        *_round_cols(),
        Column("condition", "Condition", required=True),
        Column("rag", "RAG", RAG),
        Column("narrative", "Progress update"),
        Column("key_measures", "Key measures", LIST, help="Measure codes, comma-separated."),
    ),
    key=("agreement", "financial_year", "update_number", "condition"),
)

AREAS = SheetSpec(
    "Programme areas",
    (
        Column("number", "Number", INT, required=True, minimum=1, maximum=32767),
        Column("name", "Name", required=True, max_length=160),
        Column("summary", "Summary"),
    ),
    key=("number",),
)

WORKSTREAMS = SheetSpec(
    "Workstreams",
    (
        Column("area", "Programme area", INT, required=True, minimum=1, maximum=32767),
        Column("name", "Workstream", required=True, max_length=240),
        Column("lead_role", "Lead (role)", max_length=120),
        Column("order", "Order", INT, minimum=0, maximum=32767),
        Column(
            "conditions",
            "Conditions",
            LIST,
            help="Condition labels of the latest agreement, comma-separated.",
        ),
    ),
    key=("area", "name"),
)

WORKSTREAM_UPDATES = SheetSpec(
    "Workstream updates",
    (
        *_round_cols(),
        Column("area", "Programme area", INT, required=True, minimum=1, maximum=32767),
        Column("workstream", "Workstream", required=True),
        Column("rag", "RAG", RAG),
        Column("narrative", "Progress update"),
    ),
    key=("agreement", "financial_year", "update_number", "area", "workstream"),
)

MILESTONES = SheetSpec(
    "Milestones",
    (
        Column("area", "Programme area", INT, required=True, minimum=1, maximum=32767),
        Column("workstream", "Workstream", required=True),
        Column("title", "Milestone", required=True, max_length=240),
        Column("due_date", "Due date", DATE, required=True),
        Column("status", "Status", CHOICE, choices=Milestone.Status),
        Column("completed_on", "Completed on", DATE),
    ),
    key=("area", "workstream", "title"),
)

# Issue 18.3: what each workstream is expected to save per financial year; the finance chart
# stacks them from the unmitigated forecast towards the latest (mitigated) one.
WORKSTREAM_SAVINGS = SheetSpec(
    "Workstream savings",
    (
        Column("area", "Programme area", INT, required=True, minimum=1, maximum=32767),
        Column("workstream", "Workstream", required=True),
        Column("financial_year", "Financial year", FY, required=True),
        Column("saving", "Expected saving (£)", MONEY, required=True),
    ),
    key=("area", "workstream", "financial_year"),
    help="What each workstream is expected to save in each financial year, in pounds (a "
    "positive amount). A year of the agreement, or up to 10 years after it.",
)

# Read-only: the mitigation as the dashboard and the board pack show it.
MITIGATION = SheetSpec(
    "Mitigation",
    (
        Column("financial_year", "Financial year", FY),
        Column("line", "Line"),
        Column("amount", "In-year position or saving (£)", MONEY),
    ),
    derived=True,
    help="By financial year: the unmitigated in-year forecast, each workstream's expected "
    "saving, any part of the gap no workstream accounts for (Not attributed to a workstream), "
    "the mitigated (latest) forecast and the actual, for reading; import ignores this sheet.",
)

_SCORE_HELP = "Required in a scored register; leave blank in a rated (RAG only) one."

RISKS = SheetSpec(
    "Risks",
    (
        Column("number", "Risk", INT, required=True, minimum=1, maximum=32767),
        Column("title", "There is a risk that", required=True),
        Column("impact_description", "Impact"),
        Column("owner_role", "Owner (role)", max_length=120),
        Column("impact", "Impact (1-5)", INT, minimum=1, maximum=5, help=_SCORE_HELP),
        Column("likelihood", "Likelihood (1-5)", INT, minimum=1, maximum=5, help=_SCORE_HELP),
        Column("mitigation", "Mitigation"),
        Column("action_required", "Action required"),
        Column("is_open", "Open", BOOL),
    ),
    key=("number",),
)

RISK_UPDATES = SheetSpec(
    "Risk updates",
    (
        *_round_cols(),
        Column("risk", "Risk", INT, required=True, minimum=1, maximum=32767),
        Column("rag", "RAG", RAG),
        Column("narrative", "Progress update"),
        Column("impact", "Impact (1-5)", INT, minimum=1, maximum=5, help=_SCORE_HELP),
        Column("likelihood", "Likelihood (1-5)", INT, minimum=1, maximum=5, help=_SCORE_HELP),
        Column(
            "in_dfe_report",
            "In DfE report",
            BOOL,
            help="Yes or No: whether the DfE report's risk register prints the risk this "
            "round; blank: when it has an update in the round (a level or a progress update). "
            "Every risk stays on the board's dashboard.",
        ),
    ),
    key=("agreement", "financial_year", "update_number", "risk"),
)

DATA_SOURCES = SheetSpec(
    "Data sources",
    (
        Column("name", "Data source", required=True, max_length=80),
        Column("last_refreshed", "Last refreshed", DATE),
        Column("basis", "Basis", max_length=120),
    ),
    key=("name",),
)

SERIES = SheetSpec(
    "Series",
    (
        Column("slug", "Series", required=True, max_length=40),
        Column("name", "Name", required=True, max_length=80),
        Column("kind", "Kind", CHOICE, required=True, choices=Series.Kind),
        Column("order", "Order", INT, minimum=0, maximum=32767),
    ),
    key=("slug",),
    help="Lines of figures. Values name a series by its slug; blank means the actual line.",
)

MEASURES = SheetSpec(
    "Measures",
    (
        Column("code", "Measure code", required=True, max_length=60),
        Column("name", "Measure", required=True, max_length=200),
        Column("unit", "Unit", CHOICE, required=True, choices=Measure.Unit),
        Column("polarity", "Polarity", CHOICE, required=True, choices=Measure.Polarity),
        Column("data_source", "Data source", required=True),
        Column("frequency", "Frequency", CHOICE, choices=Measure.Frequency),
        Column("reading", "Reading", CHOICE, choices=Measure.Reading),
        Column("programme_area", "Programme area", INT, minimum=1, maximum=32767),
        Column("conditions", "Conditions", LIST),
        Column("order", "Order", INT, minimum=0, maximum=32767),
        Column(
            "show_chart",
            "Chart in DfE report",
            BOOL,
            help="Yes (the default) or No: No prints the measure's figures without a chart.",
        ),
        Column(
            "stock_flow_role",
            "Stock and flow role",
            CHOICE,
            choices=Measure.StockFlowRole,
            help="The measure's part in the EHCP stock and flow check: a flow (Requests for "
            "assessment, Assessments agreed, Plans issued, Plans ceased) or the stock (EHCPs in "
            "force); None for neither; blank keeps what is set. One measure a role.",
        ),
    ),
    key=("code",),
)

VALUES_LONG = SheetSpec(
    "Measure values",
    (
        Column("measure", "Measure code", required=True),
        Column(
            "period",
            "Period",
            PERIOD,
            required=True,
            help="A month (Apr-24), an academic year (2023-24 AY) or a financial year (2023-24).",
        ),
        Column("series", "Series"),
        Column(
            "value",
            "Value",
            FIGURE,
            required=True,
            help="A number; n/a, - or Not available (a reason may follow a colon); a note "
            "marker such as * may follow.",
        ),
        Column("note", "Note", max_length=200),
    ),
    key=("measure", "period", "series"),
    help="One figure a row. Figures with a note, not available or for a year are exported "
    "here, the rest in the grid.",
)

# What a note marker after a figure ("42%*") means: printed as a footnote under the tables.
VALUE_NOTES = SheetSpec(
    "Value notes",
    (
        Column("marker", "Marker", required=True, max_length=10),
        Column("note", "Note", required=True, max_length=200),
    ),
    key=("marker",),
    help="What each note marker after a figure means (e.g. * = provisional). A figure marked "
    "42%* is stored as 42 with this note; n/a* as not available with this as the reason.",
)

HEADLINE_CARDS = SheetSpec(
    "Headline cards",
    (
        Column("measure", "Measure code", required=True),
        Column("comparator", "Comparator series", required=True),
        Column("title", "Label", required=True, max_length=120),
        Column("comparator_label", "Comparator label", required=True, max_length=80),
        Column("subject", "Subject", max_length=60),
        Column("order", "Order", INT, minimum=0, maximum=32767),
    ),
    key=("measure", "comparator"),
    help="The headline figures at the top of the dashboard: a measure against a series.",
)

# The wide grid: these fixed columns, then one column per period: a month ("Apr-24" or a
# date), an academic year ("2023-24 AY") or a financial year ("2023-24").
GRID = SheetSpec(
    "Measure grid",
    (
        Column("measure", "Measure code", required=True),
        Column("name", "Measure"),
        Column("data_source", "Data source"),
        Column("series", "Series"),
    ),
    key=("measure", "series"),
    help="Rows are measures (with their data source), columns are months, academic years "
    "(2023-24 AY) or financial years (2023-24).",
)

FINANCE = SheetSpec(
    "Finance",
    (
        _agreement_col(),
        Column("financial_year", "Financial year", FY, required=True),
        Column("scenario", "Scenario", CHOICE, required=True, choices=FinanceLine.Scenario),
        Column("in_year_position", "In-year position (£)", MONEY),
        Column("cumulative_deficit", "Cumulative deficit (£)", MONEY),
        Column("hnb_income", "HNB income (£)", MONEY),
        Column("dfe_payments", "DfE payments (£)", MONEY),
        Column("council_contribution", "Council contribution (£)", MONEY),
        Column("schools_block_transfer", "Schools block transfer (£)", MONEY),
        Column("reflects", "Reflects", max_length=120),
    ),
    key=("agreement", "financial_year", "scenario"),
    help="High Needs Block figures by financial year and scenario.",
)

ROLLING = SheetSpec(
    "Rolling averages",
    (Column("measure", "Measure code"), Column("name", "Measure")),
    derived=True,
    help="12-month rolling averages of the actual line, for reading; import ignores this sheet.",
)

ROUND_MILESTONES = SheetSpec(
    "Round milestones",
    (
        *_round_cols(),
        Column("area", "Programme area", INT),
        Column("workstream", "Workstream"),
        Column("title", "Milestone"),
        Column("due_date", "Due date", DATE),
        Column("status", "Status"),
        Column("completed_on", "Completed on", DATE),
    ),
    derived=True,
    help="Each return's milestones as it reports them (a locked return as frozen), for reading; "
    "import ignores this sheet.",
)

OVERVIEWS = SheetSpec(
    "Overviews",
    (
        *_round_cols(),
        Column("overall_rag", "Overall RAG", RAG),
        Column("overall_narrative", "Overall narrative"),
        Column("deficit_this_year_on_track", "Deficit this year on track", ANSWER, choices=YesNo),
        Column("deficit_this_year_commentary", "Deficit this year commentary"),
        Column("zero_deficit_on_track", "Zero deficit on track", ANSWER, choices=YesNo),
        Column("zero_deficit_commentary", "Zero deficit commentary"),
        Column("capital_project_on_track", "Capital project on track", ANSWER, choices=YesNo),
        Column("capital_project_commentary", "Capital project commentary"),
        Column("adviser_support_requested", "Adviser support requested", ANSWER, choices=YesNo),
        Column("adviser_support_detail", "Support requested"),
    ),
    key=("agreement", "financial_year", "update_number"),
    help="Each return's overview: the on-track answers, the adviser-support request and the "
    "board's overall RAG (a locked return as frozen).",
)

HEADLINES = SheetSpec(
    "Headlines",
    (
        *_round_cols(),
        Column("kind", "Kind", CHOICE, required=True, choices=Headline.Kind),
        Column("position", "Position", INT, required=True, minimum=1, maximum=3),
        Column("text", "Headline", required=True),
    ),
    key=("agreement", "financial_year", "update_number", "kind", "position"),
    help="Each return's programme headlines: up to three drivers, barriers and engagement "
    "examples (a locked return as frozen).",
)

FROZEN_FIGURES = SheetSpec(
    "Frozen figures",
    (
        *_round_cols(),
        Column("measure", "Measure code"),
        Column("series", "Series"),
        Column("period", "Period", PERIOD),
        Column("value", "Value", FIGURE),
    ),
    derived=True,
    help="The key measure figures each locked return was frozen with (what was signed off and "
    "sent to DfE), for reading; import ignores this sheet.",
)

# Issue 19: the DSG deficit management plan's texts, governance and workstream log (read and
# written by workbook/dsg_text.py through the overview's and conditions' services).
DSG_TEXTS = SheetSpec(
    "DSG texts",
    (
        *_round_cols(),
        Column("topic", "Topic", required=True, help="A topic's key, e.g. financial_plan."),
        Column("text", "Text", required=True),
    ),
    key=("agreement", "financial_year", "update_number", "topic"),
    help="Each DSG plan round's narratives, stakeholder engagement and Schools Forum paper "
    "sections, one topic a row (Update is the term: 1 summer, 2 autumn, 3 spring).",
)

DSG_GOVERNANCE = SheetSpec(
    "DSG governance",
    (
        *_round_cols(),
        Column("schools_forum_date", "Schools Forum date", DATE),
        Column("next_review_date", "Next review date", DATE),
        Column("notes", "Notes"),
    ),
    key=("agreement", "financial_year", "update_number"),
    help="Each DSG plan round's Schools Forum meeting and next review; a blank cell keeps "
    "what is stored.",
)

WORKSTREAM_LOG = SheetSpec(
    "Workstream log",
    (
        Column("area", "Programme area", INT, required=True, minimum=1, maximum=32767),
        Column("workstream", "Workstream", required=True),
        Column("lead_role", "Lead (role)", max_length=120),
        Column("start_date", "Start date", DATE),
        Column("end_date", "End date", DATE),
        Column("status", "Status", CHOICE, choices=Workstream.Status),
        Column("dsg_line", "DSG line affected", max_length=200),
    ),
    key=("area", "workstream"),
    help="The DSG plan's workstream log: each workstream's lead (a role title), dates, status "
    "and the DSG line it affects; savings are on the Workstream savings sheet. A blank cell "
    "keeps what is stored.",
)

# Import order: a sheet may refer only to rows of sheets above it.
SHEETS: tuple[SheetSpec, ...] = (
    COUNCIL,
    RAG_DEFINITIONS,
    KEY_CONTACTS,
    AGREEMENTS,
    PAYMENTS,
    DEFICIT_CAPS,
    TIERS,
    ROUNDS,
    CONDITIONS,
    AREAS,
    WORKSTREAMS,
    MILESTONES,
    WORKSTREAM_SAVINGS,
    RISKS,
    DATA_SOURCES,
    SERIES,
    MEASURES,
    HEADLINE_CARDS,
    CONDITION_UPDATES,
    WORKSTREAM_UPDATES,
    RISK_UPDATES,
    OVERVIEWS,
    HEADLINES,
    VALUE_NOTES,
    VALUES_LONG,
    GRID,
    FINANCE,
    ROLLING,
    MITIGATION,
    ROUND_MILESTONES,
    FROZEN_FIGURES,
    DSG_TEXTS,
    DSG_GOVERNANCE,
    WORKSTREAM_LOG,
)
SHEET_BY_NAME = {spec.name.casefold(): spec for spec in SHEETS}
ABOUT_SHEET = "About"
# The blank template's first sheet: how to fill in the workbook, for reading; import skips it.
INSTRUCTIONS_SHEET = "Instructions"
# A row whose first cell begins with this word (in capitals) is an example: import skips it.
EXAMPLE_MARKER = "EXAMPLE"
