"""Money under an agreement: DfE's payment instalments, the deficit caps, and the High Needs
Block finance lines (actuals, forecasts and the agreement profile)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from svmonitor.choices import PaymentStatus
from svmonitor.fy import fy_label
from svmonitor.models import FY_RANGE, MONEY
from svmonitor.scoping import council_scoped


class PaymentInstalment(models.Model):
    """One DfE payment due under an agreement."""

    agreement = models.ForeignKey(
        "svmonitor.Agreement", on_delete=models.CASCADE, related_name="payments"
    )
    due_date = models.DateField()
    amount = models.DecimalField("Amount (£)", **MONEY)
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.EXPECTED
    )
    status_date = models.DateField(null=True, blank=True, help_text="When received or withheld")
    note = models.CharField(max_length=300, blank=True)

    objects = council_scoped("agreement__council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["agreement", "due_date"], name="%(app_label)s_%(class)s_one_per_date"
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,.0f} due {self.due_date} ({self.get_status_display()})"


class DeficitCap(models.Model):
    """The cumulative deficit an agreement allows at the end of one financial year."""

    agreement = models.ForeignKey(
        "svmonitor.Agreement", on_delete=models.CASCADE, related_name="deficit_caps"
    )
    financial_year = models.PositiveSmallIntegerField()
    cap = models.DecimalField("Cumulative deficit cap (£)", **MONEY)

    objects = council_scoped("agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "financial_year"], name="%(app_label)s_%(class)s_one_per_year"
            ),
            models.CheckConstraint(condition=FY_RANGE, name="%(app_label)s_%(class)s_year_valid"),
        ]

    def __str__(self) -> str:
        return f"{fy_label(self.financial_year)} cap £{self.cap:,.0f}"


class FinanceLine(models.Model):
    """High Needs Block figures for one financial year in one scenario."""

    class Scenario(models.TextChoices):
        AGREEMENT = "agreement", "Agreement profile"
        LATEST = "latest", "Latest forecast"
        UNMITIGATED = "unmitigated", "Unmitigated forecast"
        # What the year came to (its outturn): the "actual" the mitigation chart sets beside
        # the unmitigated and the latest forecasts (issue 18.3).
        ACTUAL = "actual", "Actual (outturn)"

    agreement = models.ForeignKey(
        "svmonitor.Agreement", on_delete=models.CASCADE, related_name="finance_lines"
    )
    financial_year = models.PositiveSmallIntegerField()
    scenario = models.CharField(max_length=12, choices=Scenario.choices)
    in_year_position = models.DecimalField(
        "In-year position (£, deficit negative)", null=True, blank=True, **MONEY
    )
    cumulative_deficit = models.DecimalField(
        "Cumulative deficit (£)", null=True, blank=True, **MONEY
    )
    hnb_income = models.DecimalField("HNB income (£)", null=True, blank=True, **MONEY)
    dfe_payments = models.DecimalField("DfE payments (£)", null=True, blank=True, **MONEY)
    council_contribution = models.DecimalField(
        "Council contribution (£)", null=True, blank=True, **MONEY
    )
    schools_block_transfer = models.DecimalField(
        "Schools block transfer (£)", null=True, blank=True, **MONEY
    )
    reflects = models.CharField(max_length=120, blank=True, help_text='e.g. "Q2 forecast"')
    version = models.PositiveIntegerField(default=1)

    objects = council_scoped("agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "financial_year", "scenario"],
                name="%(app_label)s_%(class)s_one_per_year_scenario",
            ),
            models.CheckConstraint(
                condition=Q(scenario__in=["agreement", "latest", "unmitigated", "actual"]),
                name="%(app_label)s_%(class)s_scenario_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.council} {self.financial_year} {self.get_scenario_display()}"


class ForecastReview(models.Model):
    """That a return's finance forecast was saved or confirmed unchanged while it was a draft:
    what marks the return's finance task completed (finance/sections.py)."""

    class How(models.TextChoices):
        SAVED = "saved", "Saved"
        CONFIRMED = "confirmed", "Confirmed unchanged"

    round = models.OneToOneField(
        "svmonitor.ReportingRound", on_delete=models.CASCADE, related_name="forecast_review"
    )
    how = models.CharField(max_length=10, choices=How.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    objects = council_scoped("round__agreement__council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(how__in=["saved", "confirmed"]),
                name="%(app_label)s_%(class)s_how_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: forecast {self.get_how_display().lower()}"


# The DSG management plan's financial summary lives beside the finance lines it feeds.
from finance.models_dsg import DsgPlanFigure, DsgPlanLine  # noqa: E402, F401
