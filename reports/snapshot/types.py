"""The frozen value objects a snapshot is made of."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from metrics import variance as fmt
from metrics.models import Series
from metrics.periods import PeriodKind, period_label, period_long
from reports.snapshot.groups import KpiGroup, kpi_groups_build
from svmonitor.choices import (
    RAG_CSS,
    RAG_RANK,
    Rag,
)

UPDATE_MONTHS = {1: "May", 2: "August", 3: "November"}
KPI_TABLE_PERIODS = 4
ROLLING_WINDOW = 12


# --- value objects -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    """A RAG level with the council's word for it and the DfE level it reports as."""

    code: str
    label: str
    dfe_code: str
    dfe_label: str

    @property
    def css(self) -> str:
        """Colour class of the council's level."""
        return RAG_CSS.get(self.code, RAG_CSS[Rag.NOT_RATED])

    @property
    def dfe_css(self) -> str:
        """Colour class of the DfE level."""
        return RAG_CSS.get(self.dfe_code, RAG_CSS[Rag.NOT_RATED])

    @property
    def standard_label(self) -> str:
        """The level's standard name, e.g. "Amber/Red" for a council that writes "A/R"."""
        return Rag(self.code).label

    @property
    def dfe_standard_label(self) -> str:
        """The DfE level's standard name."""
        return Rag(self.dfe_code).label

    @property
    def rank(self) -> int | None:
        """0 (Blue) to 5 (Red); None when not rated."""
        return RAG_RANK.get(self.code)

    @property
    def is_rated(self) -> bool:
        """Whether a level was given."""
        return self.code != Rag.NOT_RATED


@dataclass(frozen=True)
class CouncilInfo:
    """The council the snapshot is of."""

    id: int
    name: str
    slug: str
    dfe_la_number: str
    ons_code: str
    risk_score_threshold: int
    is_fictional: bool
    # Last, with a default: a payload frozen before councils chose grouped KPIs as they did.
    kpi_grouping: str = "areas"
    # Added in issue 13 (a payload frozen before holds neither: it was a scored register).
    risk_register: str = "scored"
    risk_key_levels: tuple[str, ...] = ()
    # Added in issue 13: how the DfE report tables key measures. A payload frozen before
    # printed each measure's plan, actual and last year by month, which is what it reads as.
    kpi_table_layout: str = "series"
    kpi_table_months: int = 13
    # Added in issue 18.1: the EHCP stock and flow gap (per cent) past which a month is
    # flagged; a payload frozen before reads with the default.
    stock_flow_gap_percent: Decimal = Decimal("2")

    @property
    def risks_scored(self) -> bool:
        """Whether the council scores its risks (impact x likelihood) rather than rating them."""
        return self.risk_register != "rated"


@dataclass(frozen=True)
class AgreementInfo:
    """The agreement the round reports against."""

    id: int
    title: str
    date_signed: dt.date
    first_financial_year: int
    last_financial_year: int
    period_label: str
    dfe_contribution: Decimal
    council_contribution: Decimal
    published_url: str
    supersedes_id: int | None


@dataclass(frozen=True)
class CouncilSignOffInfo:
    """A sign-off of a return submitted before svmonitor, as the council's records give it:
    svmonitor did not record it, and every surface says so."""

    capacity: str
    capacity_label: str
    name: str
    signed_on: dt.date | None


@dataclass(frozen=True)
class RoundInfo:
    """The reporting round, and the month its data runs to."""

    id: int
    financial_year: int
    fy: str
    update_number: int
    label: str
    key: str
    due_date: dt.date
    data_as_at: dt.date | None
    status: str
    status_label: str
    submitted_on: dt.date | None
    version: int
    # Last, with defaults: a payload frozen before they existed still rebuilds (as recorded
    # in svmonitor, which every return then was).
    origin: str = "recorded_here"
    # "Imported from the council's records on ...; submitted to DfE on ... before svmonitor".
    origin_label: str = ""
    council_sign_offs: tuple[CouncilSignOffInfo, ...] = ()

    @property
    def is_imported(self) -> bool:
        """Whether the return was submitted before svmonitor and imported from the council's
        records: its sign-offs, if shown, are the council's record, not svmonitor's."""
        return self.origin == "imported"

    @property
    def as_at_label(self) -> str:
        """E.g. "December 2024", or a plain statement when no month is recorded."""
        if self.data_as_at is None:
            return "no month recorded"
        return f"{self.data_as_at:%B %Y}"


@dataclass(frozen=True)
class TierInfo:
    """The monitoring tier in force at the round."""

    code: str
    label: str
    effective_from: dt.date


@dataclass(frozen=True)
class ContactInfo:
    """One of the council's key personnel."""

    role: str
    role_label: str
    job_title: str
    name: str
    email: str


@dataclass(frozen=True)
class RagDefinitionInfo:
    """How the council words one RAG level."""

    level: str
    label: str
    definition: str
    dfe_level: str


@dataclass(frozen=True)
class HeadlineItem:
    """A programme headline (driver, barrier or engagement example)."""

    kind: str
    kind_label: str
    position: int
    text: str


# The overview's yes/no questions as the dashboard lists them.
OVERVIEW_QUESTIONS = (
    ("deficit_this_year_on_track", "Deficit this year on track?"),
    ("zero_deficit_on_track", "Zero deficit by the end of the agreement on track?"),
    ("capital_project_on_track", "Capital project on track?"),
    ("adviser_support_requested", "Support requested from the DfE adviser?"),
)


def adviser_answer(value) -> str:
    """The adviser-support answer as stored now ("yes", "no" or ""), from a payload's value
    (a bool in payloads frozen before issue 13)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value or ""


@dataclass(frozen=True)
class OverviewInfo:
    """The overview page: on-track answers, adviser request and the board's overall RAG."""

    overall: Rating
    overall_narrative: str
    deficit_this_year_on_track: str
    deficit_this_year_commentary: str
    zero_deficit_on_track: str
    zero_deficit_commentary: str
    capital_project_on_track: str
    capital_project_commentary: str
    adviser_support_requested: str  # "yes", "no" or "" (not answered)
    adviser_support_detail: str
    headlines: tuple[HeadlineItem, ...]

    def __post_init__(self) -> None:
        # A payload frozen before issue 13 holds the request as true/false: what was signed
        # then said Yes or No, so it reads back as that answer.
        answer = self.adviser_support_requested
        if isinstance(answer, bool):
            object.__setattr__(self, "adviser_support_requested", adviser_answer(answer))

    @property
    def answers(self) -> tuple[tuple[str, str], ...]:
        """(question, answer) for the on-track questions and the adviser request, an answer
        nobody gave shown as "Not answered"."""
        shown = {"yes": "Yes", "no": "No"}
        return tuple(
            (question, shown.get(getattr(self, name), "Not answered"))
            for name, question in OVERVIEW_QUESTIONS
        )


@dataclass(frozen=True)
class SignOffInfo:
    """A live statutory sign-off of the round."""

    capacity: str
    capacity_label: str
    signed_by: str
    signed_at: dt.datetime
    snapshot_sha256: str


@dataclass(frozen=True)
class ConditionRow:
    """An agreement condition with its RAG this round, at Updates 1-3 and the change."""

    id: int
    label: str
    title: str
    wording: str
    rating: Rating
    narrative: str
    by_update: tuple[Rating | None, Rating | None, Rating | None]
    previous: Rating | None
    previous_round_label: str
    change: str
    key_measure_codes: tuple[str, ...]

    @property
    def change_text(self) -> str:
        """The change since the previous update in words."""
        return {
            "improved": "Improved",
            "worsened": "Worsened",
            "same": "No change",
            "new": "First rating",
            "none": "Not rated",
        }[self.change]


@dataclass(frozen=True)
class MilestoneRow:
    """A workstream milestone as the round reports it."""

    title: str
    workstream: str
    due_date: dt.date
    status: str
    status_label: str
    completed_on: dt.date | None
    is_overdue: bool
    # Last, with defaults: a payload frozen before they existed still rebuilds.
    id: int = 0


@dataclass(frozen=True)
class WorkstreamRow:
    """A workstream, its RAG this round and its milestones as this round reports them."""

    id: int
    name: str
    lead_role: str
    rating: Rating
    narrative: str
    milestones: tuple[MilestoneRow, ...] = ()


@dataclass(frozen=True)
class StatusCount:
    """How many milestones hold one status."""

    status: str
    label: str
    count: int


@dataclass(frozen=True)
class Point:
    """One figure in a series: its value, or (value None) the reason it is not available.

    A payload frozen before issue 13 has only months and values (the defaults)."""

    period: dt.date
    value: Decimal | None
    note: str
    period_kind: str = PeriodKind.MONTH
    not_available: str = ""

    @property
    def label(self) -> str:
        """The period as the council writes it: "Apr 2024", "2023-24 AY", "2023-24"."""
        return period_label(self.period, self.period_kind)

    @property
    def is_month(self) -> bool:
        """Whether the figure is for a month (not an academic or financial year)."""
        return self.period_kind == PeriodKind.MONTH


@dataclass(frozen=True)
class SeriesLine:
    """A line of figures for one measure: actual, a baseline, last year or neighbours."""

    slug: str
    name: str
    kind: str
    points: tuple[Point, ...]

    def at(self, period: dt.date, kind: str = PeriodKind.MONTH) -> Decimal | None:
        """The value for one period, if recorded (None too when marked not available)."""
        point = self.point_at(period, kind)
        return point.value if point is not None else None

    def point_at(self, period: dt.date, kind: str = PeriodKind.MONTH) -> Point | None:
        """The figure for one period, if recorded.

        A line holds at most one figure a period and kind (one value a cell in the database),
        so it is looked for from the latest end, where the tables' latest periods are.
        """
        for point in reversed(self.points):
            if point.period == period and point.period_kind == kind:
                return point
        return None


@dataclass(frozen=True)
class KpiCell:
    """A figure in a KPI table, formatted for its unit, with the number of its footnote (a
    note or the reason it is not available) under the table."""

    name: str
    value: Decimal | None
    display: str
    footnote: int | None = None


@dataclass(frozen=True)
class KpiRow:
    """One period of a KPI table: actual, baselines, and differences from last year and SN."""

    period: dt.date
    actual: KpiCell
    baselines: tuple[KpiCell, ...]
    vs_last_year: KpiCell | None
    vs_stat_neighbour: KpiCell | None
    period_kind: str = PeriodKind.MONTH

    @property
    def period_label(self) -> str:
        """The period as the council writes it: "Apr 2024", "2023-24 AY", "2023-24"."""
        return period_label(self.period, self.period_kind)


@dataclass(frozen=True)
class MeasureData:
    """A key measure with its lines up to the round's month and its last-four-periods table."""

    id: int
    code: str
    name: str
    unit: str
    polarity: str
    polarity_label: str
    frequency: str
    reading: str
    reading_label: str
    source_name: str
    source_refreshed: dt.date | None
    source_basis: str
    area_number: int | None
    lines: tuple[SeriesLine, ...]
    rolling: tuple[Point, ...]
    table: tuple[KpiRow, ...]
    has_last_year: bool
    has_stat_neighbour: bool
    # The table's notes and not-available reasons, numbered from 1 in the order of the cells'
    # footnote numbers (none in a payload frozen before issue 13).
    footnotes: tuple[str, ...] = ()
    # Whether the DfE report draws the measure's chart (Measure.show_chart); a payload frozen
    # before it was recorded drew every chart.
    show_chart: bool = True
    # Issue 18.1: the measure's part in the EHCP stock and flow (Measure.stock_flow_role:
    # "stock", "issued", "ceased", "requests", "agreed"); none in a payload frozen before.
    stock_flow_role: str = ""

    @property
    def actual(self) -> SeriesLine | None:
        """The actual line, if any figures are recorded."""
        return next((line for line in self.lines if line.kind == Series.Kind.ACTUAL), None)

    @property
    def baselines(self) -> tuple[SeriesLine, ...]:
        """Every baseline line (forecast, plan, goal)."""
        return tuple(line for line in self.lines if line.kind == Series.Kind.BASELINE)


@dataclass(frozen=True)
class HeadlineFigure:
    """A headline card: value, comparator, signed variance, direction, source and date."""

    title: str
    measure_code: str
    unit: str
    polarity: str
    period: dt.date | None
    value: Decimal | None
    comparator_label: str
    comparator_value: Decimal | None
    difference: Decimal | None
    percent: Decimal | None
    direction: str | None
    source_name: str
    source_refreshed: dt.date | None
    source_basis: str
    is_finance: bool
    sentence: str
    # The kind of period both figures are for (issue 15.9); "month" in a payload frozen before.
    period_kind: str = "month"

    @property
    def period_name(self) -> str:
        """The period both figures are for: "October 2025", "2025-26" or "2025-26 AY"."""
        if self.period is None:
            return ""
        if self.period_kind == "month":
            return period_long(self.period, self.period_kind)
        return period_label(self.period, self.period_kind)

    @property
    def comparison_text(self) -> str:
        """Actual and comparator, each naming its period: "October 2025 actual 6,357 against
        October 2025 SV forecast 6,400"."""
        name = self.period_name
        if self.value is not None:
            actual = f"{name} actual {self.value_display}"
        else:
            actual = f"No {name} actual figure yet" if name else "No actual figure yet"
        if self.comparator_value is None:
            return f"{actual}; no {self.comparator_label} figure for the same period"
        return f"{actual} against {name} {self.comparator_label} {self.comparator_display}"

    @property
    def value_display(self) -> str:
        """The value formatted for its unit."""
        return fmt.format_value(self.value, self.unit)

    @property
    def comparator_display(self) -> str:
        """The comparator formatted for its unit."""
        return fmt.format_value(self.comparator_value, self.unit)

    @property
    def difference_display(self) -> str:
        """The signed difference, e.g. "+650"."""
        return fmt.format_difference(self.difference, self.unit)

    @property
    def direction_text(self) -> str:
        """The better/worse mark as text, following the measure's polarity."""
        return {
            fmt.BETTER: "Better than planned",
            fmt.WORSE: "Worse than planned",
            fmt.LEVEL: "In line with plan",
        }.get(self.direction, "")


@dataclass(frozen=True)
class AreaSection:
    """A programme area: its workstreams, milestones and key measures."""

    id: int
    number: int
    name: str
    summary: str
    workstreams: tuple[WorkstreamRow, ...]
    milestone_counts: tuple[StatusCount, ...]
    overdue: tuple[MilestoneRow, ...]
    measure_codes: tuple[str, ...]


@dataclass(frozen=True)
class RiskRow:
    """A risk as it stood in the round: score (a scored register only), RAG and actions."""

    id: int
    number: int
    title: str
    impact_description: str
    owner_role: str
    impact: int | None
    likelihood: int | None
    score: int | None
    rating: Rating
    narrative: str
    mitigation: str
    action_required: str
    is_key: bool
    # The risk's level at Updates 1, 2 and 3 of the round's year (None: not rated in that
    # update, or not yet due). Empty in a payload frozen before issue 13.
    ratings_by_update: tuple[Rating | None, ...] = ()
    # Issue 15.8: whether the DfE report's register prints it (the council's choice, else
    # whether it has an update in the round). True in a payload frozen before: every risk
    # printed then, and a frozen report keeps what it said.
    in_dfe_report: bool = True


@dataclass(frozen=True)
class FinanceFigures:
    """High Needs Block figures for one year in one scenario (pounds; deficit negative)."""

    in_year_position: Decimal | None
    cumulative_deficit: Decimal | None
    hnb_income: Decimal | None
    dfe_payments: Decimal | None
    council_contribution: Decimal | None
    schools_block_transfer: Decimal | None
    reflects: str


@dataclass(frozen=True)
class FinanceYear:
    """One financial year: agreement profile, latest and unmitigated forecasts, and the cap."""

    financial_year: int
    fy: str
    agreement: FinanceFigures | None
    latest: FinanceFigures | None
    unmitigated: FinanceFigures | None
    cap: Decimal | None
    # What the year came to (issue 18.3); None in a payload frozen before it was kept.
    actual: FinanceFigures | None = None


@dataclass(frozen=True)
class SavingFigure:
    """What a workstream is expected to save in one financial year (pounds)."""

    financial_year: int
    fy: str
    saving: Decimal


@dataclass(frozen=True)
class WorkstreamSavings:
    """A workstream's forecast savings by financial year (issue 18.3), in the order the
    mitigation chart stacks them: by programme area, then the workstream's order."""

    id: int
    name: str
    area_number: int
    savings: tuple[SavingFigure, ...]


@dataclass(frozen=True)
class PaymentRow:
    """A DfE instalment: due, received, withheld or suspended."""

    due_date: dt.date
    amount: Decimal
    status: str
    status_label: str
    status_date: dt.date | None
    note: str


@dataclass(frozen=True)
class RiskLevelCount:
    """How many of a rated register's risks stand at one RAG level (derived, never frozen)."""

    code: str
    label: str
    css: str
    count: int
    is_key: bool


@dataclass(frozen=True)
class RoundSnapshot:
    """One council at one round: everything the dashboard, PDF and Excel export show."""

    council: CouncilInfo
    agreement: AgreementInfo
    round: RoundInfo
    data_as_at: dt.date | None
    update_labels: tuple[str, str, str]
    tier: TierInfo | None
    contacts: tuple[ContactInfo, ...]
    rag_definitions: tuple[RagDefinitionInfo, ...]
    overview: OverviewInfo
    sign_offs: tuple[SignOffInfo, ...]
    conditions: tuple[ConditionRow, ...]
    areas: tuple[AreaSection, ...]
    risks: tuple[RiskRow, ...]
    heat_map: tuple[tuple[int, ...], ...]
    measures: tuple[MeasureData, ...]
    headlines: tuple[HeadlineFigure, ...]
    finance: tuple[FinanceYear, ...]
    payments: tuple[PaymentRow, ...]
    # "2 figures outside the agreement's years were left out: ..." (old data), or "".
    figures_left_out: str = ""
    # The headings the key measures are listed under (reports/snapshot/groups.py); None in a
    # payload frozen before they were recorded, read as programme areas (measure_groups).
    kpi_groups: tuple[KpiGroup, ...] | None = None
    # Forecast savings per workstream (issue 18.3); none in a payload frozen before them.
    workstream_savings: tuple[WorkstreamSavings, ...] = ()

    @property
    def key_risks(self) -> tuple[RiskRow, ...]:
        """The council's key risks: in a scored register those scoring at or above its
        threshold, highest first; in a rated one those at its key levels, gravest first."""
        if not self.council.risks_scored:
            return tuple(
                sorted(
                    (r for r in self.risks if r.is_key),
                    key=lambda r: (-RAG_RANK.get(r.rating.code, -1), r.number),
                )
            )
        return tuple(
            sorted((r for r in self.risks if r.is_key), key=lambda r: (-(r.score or 0), r.number))
        )

    @property
    def risk_key_levels_label(self) -> str:
        """A rated register's key levels in the council's words, e.g. "Red or Amber/Red"."""
        labels = {d.level: d.label for d in self.rag_definitions}
        names = [labels.get(code) or Rag(code).label for code in self.council.risk_key_levels]
        return " or ".join(names)

    @property
    def risk_level_counts(self) -> tuple[RiskLevelCount, ...]:
        """A rated register's risks counted per RAG level, gravest first (the chart that stands
        in for the heat map): every level the council defines, and Not rated if any is."""
        counts = Counter(r.rating.code for r in self.risks)
        labels = {d.level: d.label for d in self.rag_definitions}
        for risk in self.risks:
            labels.setdefault(risk.rating.code, risk.rating.label)
        levels = [code for code in labels if code != Rag.NOT_RATED or counts[code]]
        levels.sort(key=lambda code: -RAG_RANK.get(code, -1))
        key = set(self.council.risk_key_levels)
        return tuple(
            RiskLevelCount(
                code=code,
                label=labels[code],
                css=RAG_CSS.get(code, RAG_CSS[Rag.NOT_RATED]),
                count=counts[code],
                is_key=code in key,
            )
            for code in levels
        )

    @property
    def finance_reflects(self) -> str:
        """What the latest finance forecast reflects (e.g. "Q2 forecast").

        That of the round's year if it has figures, else of the latest earlier year that does.
        """
        for year in reversed(self.finance):
            latest = year.latest
            if year.financial_year > self.round.financial_year or latest is None:
                continue
            if latest.in_year_position is not None or latest.cumulative_deficit is not None:
                return latest.reflects
        return ""

    def measure(self, code: str) -> MeasureData | None:
        """A measure by its code."""
        return next((m for m in self.measures if m.code == code), None)

    def area_measures(self, area: AreaSection) -> tuple[MeasureData, ...]:
        """The measures of one programme area, in order."""
        return tuple(m for m in self.measures if m.area_number == area.number)

    @property
    def measure_groups(self) -> tuple[KpiGroup, ...]:
        """The groups the key measures are listed under, as recorded or (payloads frozen
        before they were) worked out from the programme areas the measures belong to."""
        if self.kpi_groups is not None:
            return self.kpi_groups
        return kpi_groups_build(
            grouping=self.council.kpi_grouping,
            conditions=self.conditions,
            areas=self.areas,
            measures=self.measures,
            condition_measures={},
            financial_year=self.round.financial_year,
        )

    def group_measures(self, group: KpiGroup) -> tuple[MeasureData, ...]:
        """The measures listed under one group, in order."""
        by_code = {m.code: m for m in self.measures}
        return tuple(by_code[code] for code in group.measure_codes if code in by_code)
