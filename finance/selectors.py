"""Reads for the finance lines page: an agreement's High Needs Block figures by year and scenario,
with its deficit caps and DfE payments, ready to print."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finance.models import DeficitCap, FinanceLine, PaymentInstalment
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
