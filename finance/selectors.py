"""Reads for the finance lines page: an agreement's High Needs Block figures by year and scenario,
with its deficit caps and DfE payments, ready to print."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finance.dsg_summary import dsg_computed_finance_fields
from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from svmonitor.choices import FINANCE_UNIT_POUNDS, FinanceEntryUnit
from svmonitor.fy import fy_label
from svmonitor.models import Agreement

# The rows of a line's card, in reading order: (field, label, hint).
FINANCE_ROWS = (
    ("in_year_position", "In-year position", "A deficit is negative, e.g. -28210000."),
    ("cumulative_deficit", "Cumulative deficit", ""),
    ("hnb_income", "High Needs Block income", ""),
    ("dfe_payments", "DfE payments", ""),
    ("council_contribution", "Council contribution", ""),
    ("schools_block_transfer", "Schools block transfer", ""),
)
SCENARIOS = tuple(FinanceLine.Scenario)


def money_text(amount: Decimal | None) -> str:
    """£ to the penny, pennies only when there are some: "£84,500,000", "-£1,200.50"."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    text = f"{amount:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return f"{sign}£{text}"


def money_input(amount: Decimal | None) -> str:
    """An amount as the edit box shows it: plain digits, pennies only when there are some."""
    if amount is None:
        return ""
    text = f"{amount:.2f}"
    return text[:-3] if text.endswith(".00") else text


@dataclass
class FinanceFigure:
    """One figure of a line, labelled and formatted."""

    name: str
    label: str
    display: str


@dataclass
class FinanceLineCard:
    """One scenario's figures for one year (or the gap where none are recorded)."""

    financial_year: int
    scenario: str
    scenario_label: str
    line: FinanceLine | None
    figures: list[FinanceFigure] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The element id of the card."""
        if self.line is not None:
            return f"finance-line-{self.line.pk}"
        return f"finance-{self.financial_year}-{self.scenario}"

    @property
    def year_label(self) -> str:
        """E.g. "2024-25"."""
        return fy_label(self.financial_year)

    @property
    def title(self) -> str:
        """E.g. "2024-25: Latest forecast"."""
        return f"{self.year_label}: {self.scenario_label}"


@dataclass
class FinanceYear:
    """A financial year: its deficit cap and one card per scenario."""

    financial_year: int
    cap: str
    cards: list[FinanceLineCard]

    @property
    def label(self) -> str:
        """E.g. "2024-25"."""
        return fy_label(self.financial_year)


@dataclass
class FinancePage:
    """The finance lines page of one agreement."""

    agreement: Agreement | None
    years: list[FinanceYear]
    payments: list[PaymentInstalment]
    payments_total: str


def finance_card(line: FinanceLine) -> FinanceLineCard:
    """The card of one saved line (also what a save returns to the page)."""
    return FinanceLineCard(
        financial_year=line.financial_year,
        scenario=line.scenario,
        scenario_label=line.get_scenario_display(),
        line=line,
        figures=[
            FinanceFigure(name, label, money_text(getattr(line, name)))
            for name, label, _hint in FINANCE_ROWS
        ],
    )


def finance_agreement_for(*, council) -> Agreement | None:
    """The council's agreement in force: the latest one no revision has replaced."""
    return (
        Agreement.objects.filter(council=council, superseded_by__isnull=True)
        .order_by("-date_signed", "-pk")
        .first()
    )


def finance_page_build(*, council) -> FinancePage:
    """Every year of the agreement (and any later forecast year) with its lines (four queries)."""
    agreement = finance_agreement_for(council=council)
    if agreement is None:
        return FinancePage(agreement=None, years=[], payments=[], payments_total="")
    lines = {
        (line.financial_year, line.scenario): line
        for line in FinanceLine.objects.filter(agreement=agreement).select_related(
            "agreement__council"
        )
    }
    caps = dict(DeficitCap.objects.filter(agreement=agreement).values_list("financial_year", "cap"))
    payments = list(PaymentInstalment.objects.filter(agreement=agreement).order_by("due_date"))
    first = min([agreement.first_financial_year, *(year for year, _ in lines)])
    last = max([agreement.last_financial_year, *(year for year, _ in lines)])
    years = []
    for year in range(first, last + 1):
        cards = []
        for scenario in SCENARIOS:
            line = lines.get((year, scenario.value))
            if line is not None:
                cards.append(finance_card(line))
            else:
                cards.append(FinanceLineCard(year, scenario.value, scenario.label, None))
        years.append(FinanceYear(year, money_text(caps.get(year)), cards))
    return FinancePage(
        agreement=agreement,
        years=years,
        payments=payments,
        payments_total=money_text(sum((p.amount for p in payments), Decimal(0))),
    )


# --- the forecast grid: one scenario's lines, a year per column, in the council's unit --------


@dataclass
class GridCell:
    """One figure of the grid: its field name in the form, and the figure as typed."""

    name: str
    typed: str
    year_label: str
    error: str = ""
    # Computed from the DSG management plan's high needs block: shown, not typed here.
    computed: bool = False

    @property
    def input_id(self) -> str:
        """The box's element id, which the error summary links to."""
        return f"grid-{self.name}"


@dataclass
class GridRow:
    """One line of the forecast (a field), across the years."""

    label: str
    hint: str
    cells: list[GridCell]


@dataclass
class GridYear:
    """A column: the year, and the version of its line the grid was opened with (0 for none)."""

    financial_year: int
    version: int
    error: str = ""

    @property
    def label(self) -> str:
        """E.g. "2024-25"."""
        return fy_label(self.financial_year)


@dataclass
class ForecastGrid:
    """The forecast grid of one scenario of the agreement in force."""

    agreement: Agreement | None
    scenario: str
    scenario_label: str
    unit: str
    unit_label: str
    years: list[GridYear]
    rows: list[GridRow]

    @property
    def has_computed(self) -> bool:
        """Whether any figure of the grid is computed from the DSG management plan."""
        return any(cell.computed for row in self.rows for cell in row.cells)


def amount_in_unit(amount: Decimal | None, unit: str) -> str:
    """Pounds as typed in the council's unit: 28210000 in £000 is "28210", in £m "28.21"."""
    if amount is None:
        return ""
    scaled = (amount / FINANCE_UNIT_POUNDS[unit]).normalize()
    return format(scaled, "f") if scaled != 0 else "0"


def forecast_grid_build(*, council, scenario: str, posted: dict | None = None) -> ForecastGrid:
    """The grid of a scenario (three queries): a column per year of the agreement (and any later
    year with figures), a row per line; `posted` ({name: text}) replaces the stored figures
    when a refused form is shown again, and `posted["versions"]` the versions."""
    unit = council.finance_entry_unit
    unit_label = FinanceEntryUnit(unit).label
    label = FinanceLine.Scenario(scenario).label
    agreement = finance_agreement_for(council=council)
    if agreement is None:
        return ForecastGrid(None, scenario, label, unit, unit_label, [], [])
    lines = {
        line.financial_year: line
        for line in FinanceLine.objects.filter(agreement=agreement, scenario=scenario)
    }
    last = max([agreement.last_financial_year, *lines])
    posted = posted or {}
    versions = posted.get("versions", {})
    years = [
        GridYear(year, versions.get(year, lines[year].version if year in lines else 0))
        for year in range(agreement.first_financial_year, last + 1)
    ]

    def typed(year, name) -> str:
        key = f"y{year}-{name}"
        if key in posted:
            return posted[key]
        line = lines.get(year)
        if line is None:
            return ""
        return line.reflects if name == "reflects" else amount_in_unit(getattr(line, name), unit)

    computed = dsg_computed_finance_fields(agreement_id=agreement.pk)
    rows = [
        GridRow(
            f"{row_label} ({unit_label})",
            "A deficit is negative." if name == "in_year_position" else "",
            [
                GridCell(
                    f"y{y.financial_year}-{name}",
                    typed(y.financial_year, name),
                    y.label,
                    computed=name in computed.get((y.financial_year, scenario), ()),
                )
                for y in years
            ],
        )
        for name, row_label, hint in FINANCE_ROWS
    ]
    rows.append(
        GridRow(
            "What the figures reflect",
            'For example "Q2 forecast".',
            [
                GridCell(
                    f"y{y.financial_year}-reflects", typed(y.financial_year, "reflects"), y.label
                )
                for y in years
            ],
        )
    )
    return ForecastGrid(agreement, scenario, label, unit, unit_label, years, rows)
