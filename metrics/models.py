"""Key measures (KPIs), their values by period and series, and High Needs Block finance."""

from django.db import models
from django.db.models import Q

from metrics.periods import PeriodKind, period_label
from svmonitor.scoping import council_scoped


class DataSource(models.Model):
    """Where a council's figures come from (MI, Finance, Commissioning, SEN2) and how fresh."""

    council = models.ForeignKey(
        "svmonitor.LocalAuthority", on_delete=models.CASCADE, related_name="data_sources"
    )
    name = models.CharField(max_length=80)
    last_refreshed = models.DateField(null=True, blank=True)
    basis = models.CharField(
        max_length=120, blank=True, help_text='What the figures reflect, e.g. "Q2 forecast".'
    )

    objects = council_scoped("council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """A line of figures: the actual, a named baseline, last year, or statistical neighbours."""

    class Kind(models.TextChoices):
        ACTUAL = "actual", "Actual"
        BASELINE = "baseline", "Baseline"
        LAST_YEAR = "last_year", "Same period last year"
        STAT_NEIGHBOUR = "stat_neighbour", "Statistical neighbour"

    council = models.ForeignKey(
        "svmonitor.LocalAuthority", on_delete=models.CASCADE, related_name="series"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=80, help_text='e.g. "SV forecast", "Revised plan"')
    slug = models.SlugField(max_length=40)
    order = models.PositiveSmallIntegerField(default=0)

    objects = council_scoped("council")

    class Meta:
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "slug"], name="%(app_label)s_%(class)s_unique_slug"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["actual", "baseline", "last_year", "stat_neighbour"]),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            # One actual line per council: every "actual" figure means the same thing.
            models.UniqueConstraint(
                fields=["council"],
                condition=Q(kind="actual"),
                name="%(app_label)s_%(class)s_one_actual",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    """A key measure a council tracks: what it counts, which way is better, where it comes from."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percent"
        GBP = "gbp", "£"
        GBP_M = "gbp_m", "£m"
        WEEKS = "weeks", "Weeks"

    class Polarity(models.TextChoices):
        HIGHER_BETTER = "higher", "Higher is better"
        LOWER_BETTER = "lower", "Lower is better"
        NEUTRAL = "neutral", "Neither"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        TERMLY = "termly", "Termly"
        ANNUAL = "annual", "Annual"

    class Reading(models.TextChoices):
        POINT = "point", "Point value"
        ROLLING_12 = "rolling_12", "12-month rolling average"
        RUNNING_TOTAL = "running_total", "Running total"

    class StockFlowRole(models.TextChoices):
        """What a measure is in the EHCP stock and flow (issue 18.1): a flow, the stock, or
        neither. Plans issued and ceased reconcile the stock month by month (stock_flow.py)."""

        NONE = "", "None"
        REQUESTS = "requests", "Requests for assessment (flow)"
        AGREED = "agreed", "Assessments agreed (flow)"
        ISSUED = "issued", "Plans issued (flow)"
        CEASED = "ceased", "Plans ceased (flow)"
        STOCK = "stock", "EHCPs in force (stock)"

    council = models.ForeignKey(
        "svmonitor.LocalAuthority", on_delete=models.CASCADE, related_name="measures"
    )
    code = models.SlugField(max_length=60, help_text="Stable key used by imports")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=8, choices=Unit.choices)
    polarity = models.CharField(max_length=8, choices=Polarity.choices)
    data_source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="measures")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default="monthly")
    reading = models.CharField(max_length=14, choices=Reading.choices, default="point")
    programme_area = models.ForeignKey(
        "conditions.ProgrammeArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
    )
    conditions = models.ManyToManyField(
        "conditions.AgreementCondition", blank=True, related_name="measures"
    )
    # Issue 18.2: the risks a measure evidences (as `conditions` for conditions): drift in
    # the measure suggests a change on the risk's task page (reports/drift).
    risks = models.ManyToManyField("risks.Risk", blank=True, related_name="measures")
    drift_threshold_pct = models.DecimalField(
        "Drift threshold (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Blank: the council's drift threshold. How far (per cent) the measure must "
        "be on the wrong side of its baseline for a month to count as drift.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    show_chart = models.BooleanField(
        "Chart in the DfE report",
        default=True,
        help_text="Off: the DfE report prints the measure's figures as a table, without a chart.",
    )
    stock_flow_role = models.CharField(
        "Stock and flow role",
        max_length=10,
        choices=StockFlowRole.choices,
        blank=True,
        default="",
        help_text="A flow (requests, assessments agreed, plans issued, plans ceased) or the "
        "stock (EHCPs in force): the dashboard reconciles them month by month. One measure "
        "a role.",
    )

    objects = council_scoped("council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "code"], name="%(app_label)s_%(class)s_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=["count", "percent", "gbp", "gbp_m", "weeks"])
                & Q(polarity__in=["higher", "lower", "neutral"])
                & Q(frequency__in=["monthly", "termly", "annual"])
                & Q(reading__in=["point", "rolling_12", "running_total"]),
                name="%(app_label)s_%(class)s_choices_valid",
            ),
            models.CheckConstraint(
                condition=Q(drift_threshold_pct__isnull=True) | Q(drift_threshold_pct__gte=0),
                name="%(app_label)s_%(class)s_drift_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    stock_flow_role__in=["", "requests", "agreed", "issued", "ceased", "stock"]
                ),
                name="%(app_label)s_%(class)s_stock_flow_role_valid",
            ),
            # One measure a role: the reconciliation reads exactly one stock and one of each flow.
            models.UniqueConstraint(
                fields=["council", "stock_flow_role"],
                condition=~Q(stock_flow_role=""),
                name="%(app_label)s_%(class)s_one_per_stock_flow_role",
                violation_error_message="Another of the council's measures already has this "
                "stock and flow role.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeasureValue(models.Model):
    """One figure: a measure's value for one period in one series, or why there is none."""

    PeriodKind = PeriodKind

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    period = models.DateField(
        help_text="First day of the period: the month, or the academic (September) or "
        "financial (April) year the figure is for"
    )
    period_kind = models.CharField(
        max_length=14, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(
        max_digits=18, decimal_places=4, null=True, blank=True, help_text="Blank when not available"
    )
    not_available_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text='Why there is no figure, e.g. "Not available" or "SEN2 not yet published"',
    )
    note = models.CharField(max_length=200, blank=True, help_text='e.g. "pro rata"')

    objects = council_scoped("measure__council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period", "period_kind", "series"],
                name="%(app_label)s_%(class)s_one_per_cell",
            ),
            # A figure, or no figure and the reason why: never both, never neither.
            models.CheckConstraint(
                condition=Q(value__isnull=False, not_available_reason="")
                | (Q(value__isnull=True) & ~Q(not_available_reason="")),
                name="%(app_label)s_%(class)s_value_or_reason",
                violation_error_message="Enter a figure, or leave it blank and give the reason "
                "it is not available.",
            ),
            # A known kind. That a year starts on its first day (1 September, 1 April) is the
            # services' rule (measure_value_address_errors): a date part in a CHECK would need
            # Django's own SQL functions in SQLite, which other tools reading the file lack.
            models.CheckConstraint(
                condition=Q(period_kind__in=["month", "academic_year", "financial_year"]),
                name="%(app_label)s_%(class)s_period_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["measure", "series", "period"])]

    def __str__(self) -> str:
        shown = self.value if self.value is not None else self.not_available_reason
        return f"{self.measure} {self.period_label} {self.series}: {shown}"

    @property
    def period_label(self) -> str:
        """The period as the council writes it: "Sep 2023", "2023-24 AY", "2023-24"."""
        return period_label(self.period, self.period_kind)


class HeadlineCard(models.Model):
    """A headline figure a council puts at the top of its dashboard, against a comparator."""

    council = models.ForeignKey(
        "svmonitor.LocalAuthority", on_delete=models.CASCADE, related_name="headline_cards"
    )
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=120)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    comparator = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="+")
    comparator_label = models.CharField(max_length=80, help_text='e.g. "Forecast to date"')
    subject = models.CharField(
        max_length=60, help_text='Noun for the variance sentence, e.g. "plans"', blank=True
    )

    objects = council_scoped("council")

    def __str__(self) -> str:
        return self.title


# Issue 19: the DSG deficit management plan's children and young people tables, and DfE's
# published EHC plan figures (SEN2) that set a council beside its statistical neighbours.


class CypCategory(models.Model):
    """A named row or column of the CYP tables, as DfE's template names it (abstract)."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ("order", "pk")

    def __str__(self) -> str:
        return self.name


class CypPlacement(CypCategory):
    """One of DfE's seven placement categories (mainstream, resourced provision, ...)."""

    class Meta(CypCategory.Meta):
        verbose_name = "CYP placement category"


class CypAgeGroup(CypCategory):
    """One of DfE's age groups of the CYP tables (under 5, 5-10, 11-15, 16-19, 20-25)."""

    class Meta(CypCategory.Meta):
        verbose_name = "CYP age group"


class CypNeed(CypCategory):
    """One of DfE's primary needs of the CYP tables (ASD, HI, ..., SEN support)."""

    class Meta(CypCategory.Meta):
        verbose_name = "CYP primary need"


class CypYear(models.Model):
    """One January census year of a council's CYP tables, and whether it is actual or projected."""

    class Basis(models.TextChoices):
        ACTUAL = "actual", "Actual"
        PROJECTION = "projection", "Projection"

    council = models.ForeignKey(
        "svmonitor.LocalAuthority", on_delete=models.CASCADE, related_name="cyp_years"
    )
    census_year = models.PositiveSmallIntegerField(help_text="The January census: 2025 = Jan 2025")
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.ACTUAL)
    version = models.PositiveIntegerField(default=1)

    objects = council_scoped("council")

    class Meta:
        verbose_name = "CYP census year"
        ordering = ("council", "census_year")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "census_year"], name="%(app_label)s_%(class)s_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"January {self.census_year} ({self.get_basis_display().lower()})"


class CypFigure(models.Model):
    """How many EHCPs one placement held in one census year, in one age group or one need."""

    year = models.ForeignKey(CypYear, on_delete=models.CASCADE, related_name="figures")
    placement = models.ForeignKey(CypPlacement, on_delete=models.PROTECT)
    age_group = models.ForeignKey(CypAgeGroup, on_delete=models.PROTECT, null=True, blank=True)
    need = models.ForeignKey(CypNeed, on_delete=models.PROTECT, null=True, blank=True)
    count = models.PositiveIntegerField()
    version = models.PositiveIntegerField(default=1)

    objects = council_scoped("year__council")

    class Meta:
        verbose_name = "CYP figure"
        constraints = [
            models.CheckConstraint(
                condition=Q(age_group__isnull=True, need__isnull=False)
                | Q(age_group__isnull=False, need__isnull=True),
                name="%(app_label)s_%(class)s_age_or_need",
            ),
            models.UniqueConstraint(
                fields=["year", "placement", "age_group"],
                condition=Q(age_group__isnull=False),
                name="%(app_label)s_%(class)s_unique_age",
            ),
            models.UniqueConstraint(
                fields=["year", "placement", "need"],
                condition=Q(need__isnull=False),
                name="%(app_label)s_%(class)s_unique_need",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id}/{self.age_group_id or self.need_id}: {self.count}"


class Sen2Figure(models.Model):
    """DfE's published EHC plan figures (SEN2) for one local authority or England in one year."""

    class Level(models.TextChoices):
        LOCAL_AUTHORITY = "la", "Local authority"
        ENGLAND = "england", "England"

    level = models.CharField(max_length=8, choices=Level.choices)
    area_code = models.CharField(
        max_length=9, help_text="The ONS code: new_la_code, or E92000001 for England."
    )
    old_la_code = models.CharField("DfE LA number", max_length=3, blank=True)
    name = models.CharField(max_length=120)
    census_year = models.PositiveSmallIntegerField(help_text="The January census: 2025 = Jan 2025")
    ehc_plans = models.PositiveIntegerField("EHC plans at January", null=True, blank=True)
    new_plans = models.PositiveIntegerField(
        "New EHC plans in the calendar year before", null=True, blank=True
    )
    population_0_25 = models.PositiveIntegerField("Population aged 0 to 25", null=True, blank=True)
    illustrative = models.BooleanField(
        default=False, help_text="Made-up demo figures, not DfE's: said so wherever shown."
    )
    source = models.CharField(max_length=200, blank=True)
    loaded_at = models.DateTimeField()

    class Meta:
        verbose_name = "SEN2 figure"
        ordering = ("census_year", "level", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "census_year"], name="%(app_label)s_%(class)s_unique_year"
            )
        ]
        indexes = [models.Index(fields=["old_la_code", "census_year"])]

    def __str__(self) -> str:
        return f"{self.name}, January {self.census_year}"


class StatisticalNeighbour(models.Model):
    """One local authority a council compares itself with (by its ONS code in the SEN2 figures)."""

    council = models.ForeignKey(
        "svmonitor.LocalAuthority", on_delete=models.CASCADE, related_name="statistical_neighbours"
    )
    area_code = models.CharField(max_length=9, help_text="The neighbour's ONS code (new_la_code).")
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    objects = council_scoped("council")

    class Meta:
        ordering = ("council", "order", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "area_code"], name="%(app_label)s_%(class)s_unique_area"
            )
        ]

    def __str__(self) -> str:
        return self.name
