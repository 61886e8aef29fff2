"""Choice sets shared by every app: the RAG scale, round statuses, tiers and roles."""

from django.db import models


class Rag(models.TextChoices):
    """The assurance levels: DfE's four, the boards' two blended levels, and "not rated"."""

    BLUE = "blue", "Blue"
    GREEN = "green", "Green"
    AMBER_GREEN = "amber_green", "Amber/Green"
    AMBER = "amber", "Amber"
    AMBER_RED = "amber_red", "Amber/Red"
    RED = "red", "Red"
    NOT_RATED = "not_rated", "Not rated"


# The DfE report knows only Blue/Green/Amber/Red; these are the defaults for the blended
# levels, copied into each council's RagDefinition rows where the council may change them.
DFE_LEVELS = (Rag.BLUE, Rag.GREEN, Rag.AMBER, Rag.RED, Rag.NOT_RATED)
DEFAULT_DFE_MAPPING = {
    Rag.BLUE: Rag.BLUE,
    Rag.GREEN: Rag.GREEN,
    Rag.AMBER_GREEN: Rag.AMBER,
    Rag.AMBER: Rag.AMBER,
    Rag.AMBER_RED: Rag.RED,
    Rag.RED: Rag.RED,
    Rag.NOT_RATED: Rag.NOT_RATED,
}

# Order from best to worst, used to say whether a rating improved between updates.
RAG_RANK = {
    Rag.BLUE: 0,
    Rag.GREEN: 1,
    Rag.AMBER_GREEN: 2,
    Rag.AMBER: 3,
    Rag.AMBER_RED: 4,
    Rag.RED: 5,
}

RAG_CSS = {
    Rag.BLUE: "rag--blue",
    Rag.GREEN: "rag--green",
    Rag.AMBER_GREEN: "rag--amber-green",
    Rag.AMBER: "rag--amber",
    Rag.AMBER_RED: "rag--amber-red",
    Rag.RED: "rag--red",
    Rag.NOT_RATED: "rag--not-rated",
}

# The DfE wording from the monitoring template; each council's definitions start from these.
DEFAULT_RAG_DEFINITIONS = {
    Rag.BLUE: "Savings/cost avoidance and/or workstream(s) complete",
    Rag.GREEN: "Savings/cost avoidance and/or workstream(s) remains on target",
    Rag.AMBER_GREEN: "Off track in part; recovery in hand and expected within the next update",
    Rag.AMBER: (
        "Savings/cost avoidance and/or workstream(s) are currently off target, "
        "with plans to mitigate"
    ),
    Rag.AMBER_RED: "Off target and at risk; mitigation not yet shown to be enough",
    Rag.RED: "Savings/cost avoidance and/or workstream(s) are off target",
    Rag.NOT_RATED: "No rating was given for this update",
}


class RiskRegister(models.TextChoices):
    """How a council's risk register judges its risks."""

    SCORED = "scored", "Scored"  # impact x likelihood, 1 to 5 each
    RATED = "rated", "Rated"  # a RAG level only


# The levels a rated register may call key (a risk register has no "not rated" key level).
RISK_KEY_LEVELS = tuple(level for level in Rag.values if level != Rag.NOT_RATED)


class RoundStatus(models.TextChoices):
    """Where a quarterly return is in its life."""

    DRAFT = "draft", "Draft"
    READY = "ready", "Ready for sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    SUBMITTED = "submitted", "Submitted to DfE"


class RoundOrigin(models.TextChoices):
    """Where a return's record comes from: kept in svmonitor from opening to submission, or
    imported from the council's own records as a return submitted before svmonitor."""

    RECORDED_HERE = "recorded_here", "Recorded in svmonitor"
    IMPORTED = "imported", "Submitted before svmonitor"


class MonitoringTier(models.TextChoices):
    """How closely DfE is watching an agreement."""

    STANDARD = "standard", "Standard monitoring"
    ENHANCED = "enhanced", "Enhanced monitoring and support"
    SUSPENDED = "suspended", "Payments suspended"
    REVISED = "revised", "Revised agreement"


class PaymentStatus(models.TextChoices):
    """State of one DfE instalment."""

    EXPECTED = "expected", "Expected"
    RECEIVED = "received", "Received"
    WITHHELD = "withheld", "Withheld"
    SUSPENDED = "suspended", "Suspended"


class FinanceEntryUnit(models.TextChoices):
    """The unit a council types its finance forecasts in; stored figures stay in pounds."""

    THOUSANDS = "thousands", "£000"
    MILLIONS = "millions", "£m"


# Pounds in one of each entry unit.
FINANCE_UNIT_POUNDS = {FinanceEntryUnit.THOUSANDS: 1000, FinanceEntryUnit.MILLIONS: 1000000}


class KpiGrouping(models.TextChoices):
    """What a council groups its key measures (KPIs) under on the dashboard and in the reports."""

    CONDITIONS = "conditions", "Agreement condition"
    AREAS = "areas", "Programme area"
    BOTH = "both", "Condition and programme area"


class KpiTableLayout(models.TextChoices):
    """How the DfE report tables a council's key measures (LocalAuthority.kpi_table_layout)."""

    # A table per measure: a row per series (plan, actual, same period last year), the months
    # of the financial year to date as columns, and a chart (Wiltshire's report).
    SERIES = "series", "Plan, actual and same period last year"
    # A table per condition or area: a row per measure, its last N months as columns.
    MONTHS = "months", "Grid of the last months"


KPI_TABLE_MONTHS_MAX = 24


class ContactRole(models.TextChoices):
    """Roles of a council's key personnel named in the DfE report."""

    CHIEF_EXECUTIVE = "chief_executive", "Chief executive"
    S151_OFFICER = "s151_officer", "S151 officer"
    DCS = "dcs", "Director of children's services"
    OTHER = "other", "Other key contact"


class YesNo(models.TextChoices):
    """An on-track answer."""

    YES = "yes", "Yes"
    NO = "no", "No"
