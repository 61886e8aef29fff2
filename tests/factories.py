"""Shallow factory_boy factories, one per model."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    MilestoneUpdate,
    ProgrammeArea,
    Workstream,
    WorkstreamSaving,
    WorkstreamUpdate,
)
from finance.models import DeficitCap, DsgPlanFigure, DsgPlanLine, FinanceLine, PaymentInstalment
from metrics.models import DataSource, HeadlineCard, Measure, MeasureValue, Series
from overview.models import Headline, RoundOverview
from risks.models import Risk, RiskUpdate
from svmonitor.choices import Rag
from svmonitor.models import (
    Agreement,
    KeyContact,
    LocalAuthority,
    Membership,
    MonitoringTierChange,
    RagDefinition,
    ReportingRound,
)
from svmonitor.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    # Hashed before the insert: a post-generation set_password needs a second save, which
    # factory_boy deprecates (a DeprecationWarning, an error under filterwarnings=error).
    password = factory.django.Password("correct-horse-battery")


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority

    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")
    dfe_la_number = factory.Sequence(lambda n: f"{800 + n % 199}")
    ons_code = factory.Sequence(lambda n: f"E06{n:06d}")


class KeyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyContact

    council = factory.SubFactory(LocalAuthorityFactory)
    role = "s151_officer"
    job_title = "S151 Officer"
    name = "S151 Officer"
    email = "s151@example.org"


class RagDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RagDefinition

    council = factory.SubFactory(LocalAuthorityFactory)
    level = Rag.GREEN
    label = "Green"
    definition = "On target"
    dfe_level = Rag.GREEN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(LocalAuthorityFactory)
    role = Role.OFFICER


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    council = factory.SubFactory(LocalAuthorityFactory)
    date_signed = dt.date(2024, 3, 15)
    first_financial_year = 2023
    last_financial_year = 2028
    dfe_contribution = Decimal("67000000")
    council_contribution = Decimal("70200000")


class PaymentInstalmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentInstalment

    agreement = factory.SubFactory(AgreementFactory)
    due_date = factory.Sequence(lambda n: dt.date(2024, 3, 1) + dt.timedelta(days=n))
    amount = Decimal("5000000")


class DeficitCapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeficitCap

    agreement = factory.SubFactory(AgreementFactory)
    financial_year = 2024
    cap = Decimal("84500000")


class MonitoringTierChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringTierChange

    agreement = factory.SubFactory(AgreementFactory)
    tier = "standard"
    effective_from = factory.Sequence(lambda n: dt.date(2024, 3, 1) + dt.timedelta(days=n))


class ReportingRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingRound

    agreement = factory.SubFactory(AgreementFactory)
    financial_year = 2024
    update_number = 1
    due_date = dt.date(2024, 5, 31)


class RoundOverviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoundOverview

    round = factory.SubFactory(ReportingRoundFactory)


class HeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Headline

    overview = factory.SubFactory(RoundOverviewFactory)
    kind = "driver"
    position = 1
    text = "Schools engaged early"


class AgreementConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementCondition

    agreement = factory.SubFactory(AgreementFactory)
    label = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Condition title {n}")
    wording = "The authority undertakes to do the thing."
    order = factory.Sequence(lambda n: n)
    in_force_from = dt.date(2024, 3, 15)


class ConditionUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConditionUpdate

    round = factory.SubFactory(ReportingRoundFactory)
    condition = factory.SubFactory(
        AgreementConditionFactory, agreement=factory.SelfAttribute("..round.agreement")
    )
    rag = Rag.GREEN
    narrative = "On track."


class ProgrammeAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeArea

    council = factory.SubFactory(LocalAuthorityFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Programme area {n}")


class WorkstreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workstream

    area = factory.SubFactory(ProgrammeAreaFactory)
    name = factory.Sequence(lambda n: f"Workstream {n}")


class WorkstreamSavingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkstreamSaving

    workstream = factory.SubFactory(WorkstreamFactory)
    financial_year = 2024
    saving = Decimal("1000000")


class WorkstreamUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkstreamUpdate

    round = factory.SubFactory(ReportingRoundFactory)
    workstream = factory.SubFactory(WorkstreamFactory)
    rag = Rag.GREEN


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    workstream = factory.SubFactory(WorkstreamFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = dt.date(2024, 12, 31)


class MilestoneUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneUpdate

    milestone = factory.SubFactory(MilestoneFactory)
    round = factory.SubFactory(
        ReportingRoundFactory,
        agreement__council=factory.SelfAttribute("...milestone.workstream.area.council"),
    )
    due_date = factory.SelfAttribute("milestone.due_date")


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    council = factory.SubFactory(LocalAuthorityFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "There is a risk that demand outpaces the plan."
    owner_role = "Director of Education"
    impact = 4
    likelihood = 3


class RiskUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskUpdate

    round = factory.SubFactory(ReportingRoundFactory)
    risk = factory.SubFactory(
        RiskFactory, council=factory.SelfAttribute("..round.agreement.council")
    )
    rag = Rag.AMBER
    narrative = "Monitoring."
    impact = 4
    likelihood = 3


class DataSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSource

    council = factory.SubFactory(LocalAuthorityFactory)
    name = factory.Sequence(lambda n: f"Source {n}")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    council = factory.SubFactory(LocalAuthorityFactory)
    kind = "baseline"
    name = factory.Sequence(lambda n: f"Baseline {n}")
    slug = factory.Sequence(lambda n: f"baseline-{n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    council = factory.SubFactory(LocalAuthorityFactory)
    code = factory.Sequence(lambda n: f"measure-{n}")
    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = "count"
    polarity = "lower"
    data_source = factory.SubFactory(DataSourceFactory, council=factory.SelfAttribute("..council"))


class MeasureValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureValue

    measure = factory.SubFactory(MeasureFactory)
    period = dt.date(2024, 4, 1)
    series = factory.SubFactory(SeriesFactory, council=factory.SelfAttribute("..measure.council"))
    value = Decimal("100")


class HeadlineCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HeadlineCard

    council = factory.SubFactory(LocalAuthorityFactory)
    title = "Number of EHCPs"
    measure = factory.SubFactory(MeasureFactory, council=factory.SelfAttribute("..council"))
    comparator = factory.SubFactory(SeriesFactory, council=factory.SelfAttribute("..council"))
    comparator_label = "Forecast to date"


class FinanceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinanceLine

    agreement = factory.SubFactory(AgreementFactory)
    financial_year = 2024
    scenario = "latest"
    in_year_position = Decimal("-20000000")
    cumulative_deficit = Decimal("80000000")


def lead_of(council):
    """A user who leads the council's programme (may open, mark ready and reopen returns)."""
    membership = Membership.objects.filter(council=council, role=Role.LEAD).first()
    if membership is not None:
        return membership.user
    return MembershipFactory(council=council, role=Role.LEAD).user


class DsgPlanLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DsgPlanLine

    agreement = factory.SubFactory(AgreementFactory)
    block = "high_needs"
    kind = "expenditure"
    name = factory.Sequence(lambda n: f"Plan line {n}")


class DsgPlanFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DsgPlanFigure

    line = factory.SubFactory(DsgPlanLineFactory)
    financial_year = 2024
    scenario = "mitigated"
    amount = Decimal("1000000")
