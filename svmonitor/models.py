"""The spine: councils, agreements, reporting rounds, round overviews, memberships, audit."""

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from svmonitor.choices import (
    DFE_LEVELS,
    KPI_TABLE_MONTHS_MAX,
    RISK_KEY_LEVELS,
    ContactRole,
    FinanceEntryUnit,
    KpiGrouping,
    KpiTableLayout,
    MonitoringTier,
    Rag,
    RiskRegister,
    RoundOrigin,
    RoundStatus,
)
from svmonitor.due import round_due
from svmonitor.fy import fy_label
from svmonitor.return_kinds import return_kind, return_kind_choices, return_kinds
from svmonitor.roles import Role
from svmonitor.scoping import RoundScopedQuerySet, council_scoped
from svmonitor.sections import DSG_PLAN, SAFETY_VALVE

MONEY = {"max_digits": 16, "decimal_places": 2}
NOT_NEGATIVE = "This amount cannot be negative."
RATED_NEEDS_DFE_COLOUR = "A rated level must map to a DfE colour."
# A council's narrative limit (LocalAuthority.narrative_max): 10,000 unless it says otherwise
# (a real progress update runs to 6,600 characters).
NARRATIVE_MAX_DEFAULT = 10_000
NARRATIVE_MAX_FLOOR = 500
NARRATIVE_MAX_CEILING = 50_000
FY_RANGE = Q(financial_year__gte=2000) & Q(financial_year__lte=2100)


def risk_key_levels_parse(text: str) -> tuple[str, ...]:
    """A comma list of RAG levels as a tuple, spaces and empty parts dropped."""
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def risk_key_levels_normalise(text: str) -> str:
    """Key levels as stored: codes (a label such as "Amber/Red" is read as its code), lower
    case, comma-separated, no repeats; an unknown level is kept for clean() to name."""
    names = {str(label).lower(): value for value, label in Rag.choices}
    levels = [names.get(part.lower(), part.lower()) for part in risk_key_levels_parse(text)]
    return ",".join(dict.fromkeys(levels))


def return_kinds_default() -> list[str]:
    """A council runs the Safety Valve return unless its settings say otherwise."""
    return [SAFETY_VALVE]


def return_kinds_validate(value) -> None:
    """At least one kind, each a registered kind of return, none twice."""
    known = {kind.slug for kind in return_kinds()}
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one kind of return the council runs.")
    unknown = [item for item in value if item not in known]
    if unknown:
        raise ValidationError(f"Not a kind of return: {', '.join(map(str, unknown))}.")
    if len(set(value)) != len(value):
        raise ValidationError("A kind of return is listed twice.")


class LocalAuthority(models.Model):
    """A council that runs a Safety Valve return, a DSG deficit management plan, or both."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    dfe_la_number = models.CharField("DfE LA number", max_length=3, blank=True)
    ons_code = models.CharField("ONS code", max_length=9, blank=True)
    risk_score_threshold = models.PositiveSmallIntegerField(
        default=15, help_text="A scored register: risks scoring at or above this are key risks."
    )
    risk_register = models.CharField(
        max_length=10,
        choices=RiskRegister.choices,
        default=RiskRegister.SCORED,
        help_text="Scored: impact x likelihood 1-5. Rated: a RAG level only, no score.",
    )
    risk_key_levels = models.CharField(
        "Key risk levels",
        max_length=80,
        default=Rag.RED,
        blank=True,
        help_text=(
            "A rated register: the RAG levels that make a risk key, comma-separated "
            "(e.g. red or red,amber_red)."
        ),
    )
    is_fictional = models.BooleanField(default=False)
    # Which kinds of return the council runs (svmonitor/return_kinds.py): the Safety Valve
    # monitoring return, the DSG deficit management plan, or both.
    return_kinds = models.JSONField(
        default=return_kinds_default,
        validators=[return_kinds_validate],
        help_text="The kinds of return the council runs.",
    )
    kpi_grouping = models.CharField(
        "KPIs grouped by",
        max_length=12,
        choices=KpiGrouping.choices,
        default=KpiGrouping.AREAS,
        help_text="What the dashboard and the reports list the key measures under.",
    )
    finance_entry_unit = models.CharField(
        "Finance forecasts entered in",
        max_length=10,
        choices=FinanceEntryUnit.choices,
        default=FinanceEntryUnit.THOUSANDS,
        help_text="The unit the finance forecast grid is typed in; figures are kept in pounds.",
    )
    kpi_table_layout = models.CharField(
        "Key-measure tables",
        max_length=8,
        choices=KpiTableLayout.choices,
        default=KpiTableLayout.SERIES,
        help_text=(
            "How the DfE report tables the key measures: plan, actual and same period last "
            "year by month of the financial year, with a chart; or a grid of the last months, "
            "one row per measure."
        ),
    )
    kpi_table_months = models.PositiveSmallIntegerField(
        "Months in the grid",
        default=13,
        help_text=f"A grid of the last months: how many (1-{KPI_TABLE_MONTHS_MAX}), up to the "
        "latest month with figures.",
    )
    # Issue 18.1: how far the recorded stock of EHCPs may stray from opening stock + plans
    # issued - plans ceased before the return flags the month (metrics/stock_flow.py).
    stock_flow_gap_percent = models.DecimalField(
        "Stock and flow gap threshold (%)",
        # As a figure is kept (MeasureValue.value), so the workbook reads it as it reads one.
        max_digits=18,
        decimal_places=4,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="The return flags a month whose EHCPs in force differ from last month's + "
        "plans issued - plans ceased by more than this per cent (0-100).",
    )
    # How long a narrative may be (a progress update, commentary, a headline), in characters:
    # every door (the browser, the workbook, the admin) checks it through the same services.
    narrative_max = models.PositiveIntegerField(
        "Narrative limit (characters)",
        default=NARRATIVE_MAX_DEFAULT,
        validators=[
            MinValueValidator(NARRATIVE_MAX_FLOOR),
            MaxValueValidator(NARRATIVE_MAX_CEILING),
        ],
        help_text=f"The longest progress update or commentary the council's returns accept "
        f"({NARRATIVE_MAX_FLOOR:,}-{NARRATIVE_MAX_CEILING:,}).",
    )
    # Moves on every change to the council's data that goes through the one door (every
    # service records its history with svmonitor.audit.audit_record, which bumps it). A frozen
    # return remembers the version it was last compared with live data at
    # (reports.RoundSnapshot.compared_at_version), so "changed since frozen" is a live build
    # only after something was written.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Issue 15.7: DfE advisers read only submitted returns unless the council shares its drafts.
    # Changed by the programme lead or a site administrator (council_drafts_sharing_set).
    drafts_shared_with_dfe = models.BooleanField(
        "Share draft returns with DfE advisers",
        default=False,
        help_text="When on, the council's DfE advisers may read its returns before they are "
        "submitted; when off, only submitted returns.",
    )

    # Issue 18.2: drift that suggests. A measure linked to a risk or condition that has moved
    # against its baseline (by its polarity) by more than `drift_threshold_pct` per cent for
    # `drift_months` months in a row suggests a change on that risk's or condition's task page
    # (reports/drift); a number in a narrative more than `narrative_tolerance_pct` per cent
    # from the cited measure's figure is flagged there. A measure may set its own threshold.
    drift_threshold_pct = models.DecimalField(
        "Drift threshold (%)",
        max_digits=5,
        decimal_places=2,
        default=5,
        validators=[MinValueValidator(0)],
        help_text="How far (per cent) a linked measure must be on the wrong side of its "
        "baseline for a month to count towards a suggestion.",
    )
    drift_months = models.PositiveSmallIntegerField(
        "Drift months in a row",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="How many months in a row a measure must drift before it suggests a change.",
    )
    narrative_tolerance_pct = models.DecimalField(
        "Narrative figure tolerance (%)",
        max_digits=5,
        decimal_places=2,
        default=5,
        validators=[MinValueValidator(0)],
        help_text="How far (per cent) a figure in a narrative may be from the data before it "
        "is flagged.",
    )

    objects = council_scoped("id")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_score_threshold__gte=1) & Q(risk_score_threshold__lte=25),
                name="%(app_label)s_%(class)s_threshold_in_range",
            ),
            models.CheckConstraint(
                condition=Q(kpi_grouping__in=KpiGrouping.values),
                name="%(app_label)s_%(class)s_kpi_grouping_valid",
            ),
            models.CheckConstraint(
                condition=Q(kpi_table_layout__in=KpiTableLayout.values)
                & Q(kpi_table_months__gte=1)
                & Q(kpi_table_months__lte=KPI_TABLE_MONTHS_MAX),
                name="%(app_label)s_%(class)s_kpi_tables_valid",
            ),
            models.CheckConstraint(
                condition=Q(narrative_max__gte=NARRATIVE_MAX_FLOOR)
                & Q(narrative_max__lte=NARRATIVE_MAX_CEILING),
                name="%(app_label)s_%(class)s_narrative_max_in_range",
            ),
            models.CheckConstraint(
                condition=Q(finance_entry_unit__in=FinanceEntryUnit.values),
                name="%(app_label)s_%(class)s_finance_entry_unit_valid",
            ),
            models.CheckConstraint(
                condition=Q(risk_register__in=RiskRegister.values),
                name="%(app_label)s_%(class)s_risk_register_valid",
            ),
            models.CheckConstraint(
                condition=Q(drift_threshold_pct__gte=0)
                & Q(narrative_tolerance_pct__gte=0)
                & Q(drift_months__gte=1)
                & Q(drift_months__lte=24),
                name="%(app_label)s_%(class)s_drift_settings_valid",
            ),
            models.CheckConstraint(
                condition=Q(stock_flow_gap_percent__gte=0) & Q(stock_flow_gap_percent__lte=100),
                name="%(app_label)s_%(class)s_stock_flow_gap_percent_in_range",
            ),
            # A rated register names at least one key level.
            models.CheckConstraint(
                condition=Q(risk_register=RiskRegister.SCORED) | ~Q(risk_key_levels=""),
                name="%(app_label)s_%(class)s_rated_has_key_levels",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def runs_safety_valve(self) -> bool:
        """Whether the council runs the Safety Valve monitoring return."""
        return SAFETY_VALVE in (self.return_kinds or ())

    @property
    def runs_dsg_plan(self) -> bool:
        """Whether the council keeps a DSG deficit management plan in svmonitor."""
        return DSG_PLAN in (self.return_kinds or ())

    @property
    def risks_scored(self) -> bool:
        """Whether the council scores its risks (impact x likelihood) rather than rating them."""
        return self.risk_register != RiskRegister.RATED

    @property
    def risk_key_level_list(self) -> tuple[str, ...]:
        """The RAG levels that make a risk key in a rated register, in the order given."""
        return risk_key_levels_parse(self.risk_key_levels)

    def clean(self) -> None:
        """Key levels are known RAG levels, and a rated register names at least one."""
        levels = list(risk_key_levels_parse(risk_key_levels_normalise(self.risk_key_levels)))
        unknown = [level for level in levels if level not in RISK_KEY_LEVELS]
        if unknown:
            raise ValidationError(
                {
                    "risk_key_levels": (
                        f"Not a RAG level: {', '.join(unknown)}. Use any of "
                        f"{', '.join(Rag(level).label for level in RISK_KEY_LEVELS)}, "
                        "separated by commas."
                    )
                }
            )
        if self.risk_register == RiskRegister.RATED and not levels:
            raise ValidationError(
                {"risk_key_levels": "A rated register needs at least one key level, e.g. Red."}
            )
        # Stored one way whichever door wrote it: lower case, no spaces, no repeats.
        self.risk_key_levels = ",".join(dict.fromkeys(levels))


class KeyContact(models.Model):
    """One of a council's key personnel for the programme, by role."""

    council = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(max_length=20, choices=ContactRole.choices)
    job_title = models.CharField(max_length=160)
    name = models.CharField(max_length=120, blank=True)  # optional: the role is what DfE needs
    email = models.EmailField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = council_scoped("council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=ContactRole.values), name="%(app_label)s_%(class)s_role_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_title}: {self.name}" if self.name else self.job_title


class RagDefinition(models.Model):
    """How one council words and labels a RAG level, and which DfE level it reports as."""

    council = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="rag_definitions"
    )
    level = models.CharField(max_length=12, choices=Rag.choices)
    label = models.CharField(max_length=40, help_text="As the council writes it, e.g. 'A/G'.")
    definition = models.TextField()
    dfe_level = models.CharField(max_length=12, choices=Rag.choices)

    objects = council_scoped("council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "level"], name="%(app_label)s_%(class)s_one_per_level"
            ),
            models.CheckConstraint(
                condition=Q(level__in=Rag.values), name="%(app_label)s_%(class)s_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(dfe_level__in=[level.value for level in DFE_LEVELS]),
                name="%(app_label)s_%(class)s_dfe_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council}: {self.label}"

    def clean(self) -> None:
        if self.level != Rag.NOT_RATED and self.dfe_level == Rag.NOT_RATED:
            raise ValidationError({"dfe_level": RATED_NEEDS_DFE_COLOUR})


class Agreement(models.Model):
    """A Safety Valve agreement; a revision is a new row that supersedes the original."""

    council = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(max_length=160, default="Safety Valve agreement")
    date_signed = models.DateField()
    first_financial_year = models.PositiveSmallIntegerField(help_text="Start year, 2023 = 2023-24")
    last_financial_year = models.PositiveSmallIntegerField(help_text="Year balance is due")
    dfe_contribution = models.DecimalField("DfE total contribution (£)", **MONEY)
    council_contribution = models.DecimalField("Council contribution (£)", **MONEY)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text="The agreement this revision replaces; the original is kept as it was.",
    )
    published_url = models.URLField(blank=True)

    objects = council_scoped("council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(last_financial_year__gte=models.F("first_financial_year")),
                name="%(app_label)s_%(class)s_years_ordered",
            ),
            models.CheckConstraint(
                condition=Q(dfe_contribution__gte=0) & Q(council_contribution__gte=0),
                name="%(app_label)s_%(class)s_contributions_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council} {self.title} ({self.date_signed:%B %Y})"

    def clean(self) -> None:
        # Named per field, so every door shows it beside the amount (the constraint cannot).
        errors = {
            name: NOT_NEGATIVE
            for name in ("dfe_contribution", "council_contribution")
            if getattr(self, name) is not None and getattr(self, name) < 0
        }
        if errors:
            raise ValidationError(errors)

    @property
    def period_label(self) -> str:
        """The agreement's years as text."""
        return f"{fy_label(self.first_financial_year)} to {fy_label(self.last_financial_year)}"


class MonitoringTierChange(models.Model):
    """An entry in an agreement's monitoring-tier history; the latest one is in force."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="tier_changes")
    tier = models.CharField(max_length=10, choices=MonitoringTier.choices)
    effective_from = models.DateField()
    reason = models.TextField(blank=True)

    objects = council_scoped("agreement__council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(tier__in=MonitoringTier.values),
                name="%(app_label)s_%(class)s_tier_valid",
            ),
            models.UniqueConstraint(
                fields=["agreement", "effective_from"], name="%(app_label)s_%(class)s_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} from {self.effective_from}"


def round_label(financial_year: int, update_number: int, kind: str = SAFETY_VALVE) -> str:
    """A round's label from its year and update, e.g. "2024-25 Update 3 (November)" (for
    reads that take values rather than instances)."""
    return return_kind(kind).label(financial_year, update_number)


class ReportingRoundQuerySet(RoundScopedQuerySet):
    """Reporting rounds, scoped as RoundScopedQuerySet, with one name per kind of return."""

    def of_kind(self, kind: str):
        """Only the rounds of one kind of return (svmonitor/return_kinds.py)."""
        return self.filter(return_kind=kind)

    def safety_valve(self):
        """Only the Safety Valve monitoring return's rounds."""
        return self.of_kind(SAFETY_VALVE)

    def dsg_plan(self):
        """Only the DSG deficit management plan's rounds."""
        return self.of_kind(DSG_PLAN)


class ReportingRound(models.Model):
    """One quarterly return to DfE: Update 1 (May), 2 (August) or 3 (November) of a year."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="rounds")
    # Which kind of return this round is (svmonitor/return_kinds.py): the Safety Valve
    # monitoring return, or the DSG deficit management plan, on the same lifecycle.
    return_kind = models.CharField(
        max_length=24, choices=return_kind_choices, default=SAFETY_VALVE, db_index=True
    )
    financial_year = models.PositiveSmallIntegerField()
    update_number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    data_as_at = models.DateField(
        null=True, blank=True, help_text="The month the round's data runs to (first of month)."
    )
    status = models.CharField(max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    ready_at = models.DateTimeField(null=True, blank=True)
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_on = models.DateField(null=True, blank=True)
    submitted_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    # A return submitted before the council used svmonitor, imported from its records
    # (svmonitor.services.rounds.round_record_imported): frozen at import and read-only.
    origin = models.CharField(
        max_length=14, choices=RoundOrigin.choices, default=RoundOrigin.RECORDED_HERE
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_from = models.CharField(
        max_length=255, blank=True, help_text="The name of the workbook the return came in."
    )
    # Sign-offs as the council recorded them, when its workbook gave them: a list of
    # {"capacity": "s151" | "dcs", "name": ..., "signed_on": "YYYY-MM-DD" or null}. svmonitor
    # did not record these; they print as "as recorded by the council".
    council_sign_offs = models.JSONField(default=list, blank=True)

    # Issue 15.7: .for_user() also hides a round not yet submitted from those who may not read
    # the council's drafts (a DfE adviser, unless the council shares them). .safety_valve(),
    # .dsg_plan() and .of_kind() name the kind of return rather than filtering by hand; not
    # use_in_migrations, so migrations do not carry the manager.
    objects = ReportingRoundQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "return_kind", "financial_year", "update_number"],
                name="%(app_label)s_%(class)s_one_per_kind_update",
            ),
            models.CheckConstraint(
                condition=Q(return_kind__in=[SAFETY_VALVE, DSG_PLAN]),
                name="%(app_label)s_%(class)s_return_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(origin__in=RoundOrigin.values),
                name="%(app_label)s_%(class)s_origin_valid",
            ),
            # An imported return is a submitted one, with the date it came in.
            models.CheckConstraint(
                condition=Q(origin=RoundOrigin.RECORDED_HERE)
                | (Q(status=RoundStatus.SUBMITTED) & Q(imported_at__isnull=False)),
                name="%(app_label)s_%(class)s_imported_is_submitted",
            ),
            models.CheckConstraint(
                condition=Q(update_number__gte=1) & Q(update_number__lte=3),
                name="%(app_label)s_%(class)s_update_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(condition=FY_RANGE, name="%(app_label)s_%(class)s_year_valid"),
            models.CheckConstraint(
                condition=~Q(status=RoundStatus.SUBMITTED) | Q(submitted_on__isnull=False),
                name="%(app_label)s_%(class)s_submitted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.council} {self.label}"

    @property
    def fy(self) -> str:
        """The financial year as text, as used in URLs."""
        return fy_label(self.financial_year)

    @property
    def label(self) -> str:
        """E.g. "2024-25 Update 3 (November)", or "2025-26 DSG plan, autumn term (December)"."""
        return round_label(self.financial_year, self.update_number, self.return_kind)

    @property
    def kind(self):
        """The round's kind of return (svmonitor.return_kinds.ReturnKind)."""
        return return_kind(self.return_kind)

    @property
    def status_label(self) -> str:
        """The status in words; a submitted round says where it went, as its kind has it
        ("Submitted to DfE", a DSG plan update "Presented to the Schools Forum")."""
        if self.status == RoundStatus.SUBMITTED:
            return self.kind.submitted_label
        return self.get_status_display()

    @property
    def is_safety_valve(self) -> bool:
        """Whether the round is a Safety Valve monitoring return."""
        return self.return_kind == SAFETY_VALVE

    @property
    def is_locked(self) -> bool:
        """From ready-for-sign-off on, the return refuses edits."""
        return self.status != RoundStatus.DRAFT

    @property
    def due(self):
        """Where the return stands against its due date today (svmonitor.due.round_due):
        `.is_overdue`, `.days_overdue`, `.label` ("3 days overdue", "Due in 14 days")."""
        return round_due(self)

    @property
    def is_imported(self) -> bool:
        """Whether the return was submitted before svmonitor and imported from the council's
        records (read-only; svmonitor recorded neither its text being written nor its
        sign-offs)."""
        return self.origin == RoundOrigin.IMPORTED

    @property
    def council_sign_off_rows(self) -> list[dict]:
        """An imported return's sign-offs as the council recorded them: capacity,
        capacity_label, name and signed_on (a date or None), S151 officer first."""
        labels = dict(SignOff.Capacity.choices)
        rows = []
        for entry in self.council_sign_offs or ():
            day = entry.get("signed_on")
            rows.append(
                {
                    "capacity": entry["capacity"],
                    "capacity_label": labels.get(entry["capacity"], entry["capacity"]),
                    "name": entry.get("name") or "",
                    "signed_on": dt.date.fromisoformat(day) if day else None,
                }
            )
        return rows

    @property
    def origin_label(self) -> str:
        """The one line every page, export and PDF prints for an imported return, else ""."""
        return round_origin_label(
            origin=self.origin, imported_at=self.imported_at, submitted_on=self.submitted_on
        )


def round_origin_label(*, origin: str, imported_at, submitted_on) -> str:
    """ "Imported from the council's records on 6 December 2026; submitted to DfE on 30 May
    2024 before svmonitor" for an imported return; "" for one recorded in svmonitor."""
    if origin != RoundOrigin.IMPORTED:
        return ""
    day = timezone.localtime(imported_at).date() if imported_at else None
    parts = ["Imported from the council's records"]
    if day is not None:
        parts.append(f" on {day:%-d %B %Y}")
    parts.append("; submitted to DfE")
    if submitted_on is not None:
        parts.append(f" on {submitted_on:%-d %B %Y}")
    parts.append(" before svmonitor")
    return "".join(parts)


class SignOff(models.Model):
    """A statutory officer's sign-off of a round, with the snapshot hash it signed."""

    class Capacity(models.TextChoices):
        S151 = "s151", "S151 officer"
        DCS = "dcs", "Director of children's services"

    round = models.ForeignKey(ReportingRound, on_delete=models.PROTECT, related_name="sign_offs")
    capacity = models.CharField(max_length=4, choices=Capacity.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    signed_at = models.DateTimeField()
    snapshot_sha256 = models.CharField(max_length=64)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    objects = council_scoped("round__agreement__council")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__in=["s151", "dcs"]),
                name="%(app_label)s_%(class)s_capacity_valid",
            ),
            # One live sign-off per capacity; voided ones stay as history.
            models.UniqueConstraint(
                fields=["round", "capacity"],
                condition=Q(voided_at__isnull=True),
                name="%(app_label)s_%(class)s_one_live_per_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_capacity_display()} sign-off of {self.round}"


class RoundEvent(models.Model):
    """A lifecycle step of a round (ready, signed, submitted, reopened), kept for good."""

    round = models.ForeignKey(ReportingRound, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, choices=RoundStatus.choices)
    to_status = models.CharField(max_length=12, choices=RoundStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    objects = council_scoped("round__agreement__council")

    def __str__(self) -> str:
        return f"{self.round}: {self.action} at {self.at:%Y-%m-%d %H:%M}"


class Membership(models.Model):
    """A role a user holds for one council; DfE advisers hold the adviser role per council."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    council = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)

    objects = council_scoped("council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "council", "role"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="%(app_label)s_%(class)s_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} for {self.council}"


class AccountSettings(models.Model):
    """A user's own choices about their account: whether svmonitor e-mails them reminders.

    A user with no row has the defaults (reminders on). Changed only through
    svmonitor.services.account.account_reminders_set, which records the change in history.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_settings"
    )
    email_reminders = models.BooleanField(
        "E-mail reminders",
        default=True,
        help_text="Returns due and overdue, waiting for sign-off, or signed off and not yet sent.",
    )

    class Meta:
        verbose_name_plural = "account settings"

    def __str__(self) -> str:
        return f"{self.user}: reminders {'on' if self.email_reminders else 'off'}"


class ReminderKind(models.TextChoices):
    """The reminders `manage.py send_reminders` sends about a return."""

    DUE_14 = "due_14", "Due in 14 days"
    DUE_3 = "due_3", "Due in 3 days"
    OVERDUE = "overdue", "Overdue"
    SIGN_OFF = "sign_off", "Ready for your sign-off"
    SEND = "send", "Signed off, ready to send to DfE"


class ReminderSent(models.Model):
    """One reminder e-mailed to one user about one return: the record that stops a second.

    The unique constraint is the guard: two runs of send_reminders at once both try to insert
    the row before sending, and only the one that inserts it sends.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    sent_at = models.DateTimeField()

    objects = council_scoped("round__agreement__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "round", "kind"], name="%(app_label)s_%(class)s_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user} about {self.round_id}"


class AuditEvent(models.Model):
    """An append-only record of who did what, when, with before and after."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: the table refuses UPDATE (a database trigger), so SET_NULL could not run, and
    # history must keep who and where. Deactivate a user with history instead of deleting them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    username = models.CharField(max_length=150, blank=True, help_text="As typed, for sign-ins")
    council = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(
        max_length=200,
        blank=True,
        help_text='The door the change came through when not the browser: "via workbook '
        'wiltshire.xlsx", "via admin", "via command import_workbook".',
    )

    objects = council_scoped("council")

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or self.user_id} {self.action}"

    def save(self, *args, **kwargs):
        # History is never edited: only the first save (an insert) is allowed.
        if self.pk is not None:
            raise ValidationError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events cannot be deleted.")


class PendingSubmission(models.Model):
    """A form's fields posted after its author's session ended, kept a few hours for that
    author alone to check and save again (svmonitor/pending.py). Never saved on their behalf."""

    token = models.CharField(max_length=64, unique=True)
    # Only this user, signed in again, is shown the kept fields.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    url_name = models.CharField(max_length=200, help_text="The named URL the form was posted to")
    posted_to = models.CharField(max_length=500)
    shown_at = models.CharField(max_length=500, help_text="The page that shows the form again")
    fields = models.JSONField(help_text="Field name -> list of values, without the CSRF token")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="%(app_label)s_%(class)s_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.posted_to} until {self.expires_at:%Y-%m-%d %H:%M}"


class ImportPreview(models.Model):
    """An uploaded workbook kept between its preview and its confirm, in the database so any
    app server (or worker) can confirm it; deleted on confirm or refusal, or after a day."""

    token = models.CharField(max_length=64, unique=True)
    # Only this user may confirm it (from any of their sessions, on any server).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    council_slug = models.SlugField(max_length=100, help_text="The council the import is for")
    create = models.BooleanField(default=False, help_text="The import sets up a new council")
    filename = models.CharField(max_length=255)
    content = models.BinaryField(help_text="The uploaded file's bytes, as previewed")
    sha256 = models.CharField(max_length=64)
    stamps = models.JSONField(
        default=dict, blank=True, help_text="How each row to change stood in the preview"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.filename} for {self.council_slug} by {self.user} at {self.created_at}"


class JobStatus(models.TextChoices):
    """Where a background job is: waiting, being worked on, finished, or given up."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class BackgroundJob(models.Model):
    """One piece of background work someone asked for (a render, an import, a reminder run):
    what it is, who asked, where it stands, and its result (svmonitor/jobs.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, help_text="The registered handler (svmonitor.jobs)")
    council = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    round = models.ForeignKey(
        ReportingRound, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A finished job with the same key is served again instead of running another ("" for work
    # that is never reused, such as a draft's render or an import).
    key = models.CharField(max_length=200, blank=True, db_index=True)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True, help_text="Why it failed, in words fit to show")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Bumped by the worker while it works: a running job whose heartbeat stops is dead.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    # What the result page and the download's audit event say (JSON-safe).
    result_meta = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "heartbeat_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        """Whether the job is done or failed (its page stops polling)."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class RenderSlot(models.Model):
    """One of RENDER_SLOTS leases: a render runs only while it holds one, so at most that many
    run at once across every worker of the deployment. A lease not renewed by `held_until`
    (its worker died) is free again."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    job = models.ForeignKey(
        BackgroundJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"render slot {self.number}: {self.job_id or 'free'}"
