"""The DSG deficit management plan's financial summary: per funding block, the plan's lines
(which are data: a council adds its own) and their amounts by financial year and scenario. Totals,
in-year positions and balances are computed (finance.dsg_summary), never stored."""

from django.db import models
from django.db.models import Q

from svmonitor.fy import fy_label
from svmonitor.models import FY_RANGE, MONEY
from svmonitor.scoping import council_scoped


class DsgBlock(models.TextChoices):
    """The four DSG funding blocks, in the order the plan shows them."""

    SCHOOLS = "schools", "Schools block"
    CENTRAL = "central", "Central school services block"
    EARLY_YEARS = "early_years", "Early years block"
    HIGH_NEEDS = "high_needs", "High needs block"


class DsgScenario(models.TextChoices):
    """Which figures a year's column holds: the outturn, the budget, or a forecast."""

    ACTUAL = "actual", "Actual (outturn)"
    BUDGET = "budget", "Budget"
    UNMITIGATED = "unmitigated", "Unmitigated forecast"
    MITIGATED = "mitigated", "Mitigated forecast"


class DsgLineKind(models.TextChoices):
    """How a line counts in the block's position."""

    ALLOCATION = "allocation", "Income: DSG allocation"
    TRANSFER = "transfer", "Income: block transfer"
    EXPENDITURE = "expenditure", "Expenditure"
    ADJUSTMENT = "adjustment", "Movement in the cumulative balance"
    OPENING = "opening", "Opening balance (used where the year before has no figures)"


class DsgPlanLine(models.Model):
    """One line of the plan's financial summary in one funding block of an agreement."""

    agreement = models.ForeignKey(
        "svmonitor.Agreement", on_delete=models.CASCADE, related_name="dsg_lines"
    )
    block = models.CharField(max_length=12, choices=DsgBlock.choices)
    kind = models.CharField(max_length=12, choices=DsgLineKind.choices)
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    objects = council_scoped("agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "block", "name"], name="%(app_label)s_%(class)s_one_per_name"
            ),
            models.CheckConstraint(
                condition=Q(block__in=DsgBlock.values), name="%(app_label)s_%(class)s_block_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DsgLineKind.values), name="%(app_label)s_%(class)s_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{DsgBlock(self.block).label}: {self.name}"


class DsgPlanFigure(models.Model):
    """The amount of one plan line for one financial year in one scenario (pounds)."""

    line = models.ForeignKey(DsgPlanLine, on_delete=models.CASCADE, related_name="figures")
    financial_year = models.PositiveSmallIntegerField()
    scenario = models.CharField(max_length=12, choices=DsgScenario.choices)
    amount = models.DecimalField("Amount (£)", null=True, blank=True, **MONEY)
    version = models.PositiveIntegerField(default=1)

    objects = council_scoped("line__agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line", "financial_year", "scenario"],
                name="%(app_label)s_%(class)s_one_per_year_scenario",
            ),
            models.CheckConstraint(
                condition=Q(scenario__in=DsgScenario.values),
                name="%(app_label)s_%(class)s_scenario_valid",
            ),
            models.CheckConstraint(condition=FY_RANGE, name="%(app_label)s_%(class)s_year_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.line} {fy_label(self.financial_year)} {self.get_scenario_display()}"
