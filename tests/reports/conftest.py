"""A council built from factories at a chosen scale, for the snapshot and dashboard tests."""

import datetime as dt
from decimal import Decimal

import pytest

from metrics.models import Series
from svmonitor.choices import DEFAULT_DFE_MAPPING, Rag, RoundStatus
from svmonitor.fy import fy_of
from svmonitor.roles import Role
from tests.factories import (
    AgreementConditionFactory,
    AgreementFactory,
    ConditionUpdateFactory,
    DataSourceFactory,
    DeficitCapFactory,
    FinanceLineFactory,
    HeadlineCardFactory,
    HeadlineFactory,
    MeasureFactory,
    MeasureValueFactory,
    MembershipFactory,
    MilestoneFactory,
    MonitoringTierChangeFactory,
    PaymentInstalmentFactory,
    ProgrammeAreaFactory,
    RagDefinitionFactory,
    ReportingRoundFactory,
    RiskFactory,
    RiskUpdateFactory,
    RoundOverviewFactory,
    SeriesFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamUpdateFactory,
)

RAG_CYCLE = [Rag.GREEN, Rag.AMBER_GREEN, Rag.AMBER, Rag.AMBER_RED, Rag.RED, Rag.BLUE]
WORDS = {
    Rag.BLUE: "Blue - Complete",
    Rag.GREEN: "Green - On Track",
    Rag.AMBER_GREEN: "Amber / Green - Off Track",
    Rag.AMBER: "Amber",
    Rag.AMBER_RED: "Amber / Red - At Risk",
    Rag.RED: "Red",
    Rag.NOT_RATED: "Not rated",
}


def month(start: dt.date, offset: int) -> dt.date:
    """The first of the month `offset` months after `start`."""
    index = start.year * 12 + start.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def build_council(*, scale: int = 1, council=None):
    """A council with 3n conditions, 4n risks, 2n measures and 6n months, over three rounds.

    Returns the latest round (2024-25 Update 3).
    """
    months = 6 * scale
    first = month(dt.date(2024, 12, 1), -(months - 1))
    # Figures may only be for the agreement's years: at scale 10 they go back to 2020.
    agreement = AgreementFactory(
        first_financial_year=min(2023, fy_of(first)), **({"council": council} if council else {})
    )
    council = agreement.council
    for level in Rag.values:
        RagDefinitionFactory(
            council=council,
            level=level,
            label=WORDS[level],
            dfe_level=DEFAULT_DFE_MAPPING[level],
        )
    rounds = [
        ReportingRoundFactory(
            agreement=agreement,
            financial_year=2024,
            update_number=n,
            due_date=due,
            data_as_at=as_at,
            status=RoundStatus.SUBMITTED,
            submitted_on=due,
        )
        for n, due, as_at in [
            (1, dt.date(2024, 5, 31), dt.date(2024, 4, 1)),
            (2, dt.date(2024, 8, 31), dt.date(2024, 7, 1)),
            (3, dt.date(2024, 11, 30), dt.date(2024, 12, 1)),
        ]
    ]
    latest = rounds[-1]
    overview = RoundOverviewFactory(
        round=latest, overall_rag=Rag.AMBER_RED, overall_narrative="Overall Amber/Red - At Risk."
    )
    HeadlineFactory(overview=overview, kind="driver", position=1, text="Early help works")
    conditions = [AgreementConditionFactory(agreement=agreement) for _ in range(3 * scale)]
    for i, condition in enumerate(conditions):
        for j, rnd in enumerate(rounds):
            ConditionUpdateFactory(
                round=rnd, condition=condition, rag=RAG_CYCLE[(i + j) % len(RAG_CYCLE)]
            )
    areas = [ProgrammeAreaFactory(council=council) for _ in range(2)]
    for i in range(3 * scale):
        ws = WorkstreamFactory(area=areas[i % 2])
        WorkstreamUpdateFactory(round=latest, workstream=ws, rag=RAG_CYCLE[i % len(RAG_CYCLE)])
        MilestoneFactory(workstream=ws, due_date=dt.date(2024, 10, 1), status="overdue")
        MilestoneFactory(
            workstream=ws,
            due_date=dt.date(2024, 9, 1),
            status="complete",
            completed_on=dt.date(2024, 9, 1),
        )
    for i in range(4 * scale):
        risk = RiskFactory(council=council, impact=1 + i % 5, likelihood=1 + (i * 2) % 5)
        RiskUpdateFactory(
            round=latest,
            risk=risk,
            impact=5 - i % 3,
            likelihood=4,
            rag=Rag.AMBER,
        )
    source = DataSourceFactory(council=council, name="MI", last_refreshed=dt.date(2025, 1, 7))
    actual = SeriesFactory(council=council, kind=Series.Kind.ACTUAL, name="Actual", slug="actual")
    plan = SeriesFactory(council=council, kind="baseline", name="SV forecast", slug="sv-forecast")
    last_year = SeriesFactory(council=council, kind="last_year", name="Last year", slug="ly")
    measures = [
        MeasureFactory(
            council=council,
            data_source=source,
            programme_area=areas[i % 2],
            reading="rolling_12" if i == 0 else "point",
        )
        for i in range(2 * scale)
    ]
    for m in measures:
        for k in range(months):
            period = month(first, k)
            MeasureValueFactory(measure=m, series=actual, period=period, value=Decimal(6000 + k))
            MeasureValueFactory(measure=m, series=plan, period=period, value=Decimal(5700 + k))
            MeasureValueFactory(measure=m, series=last_year, period=period, value=Decimal(5400))
    HeadlineCardFactory(
        council=council,
        title="Number of EHCPs",
        measure=measures[0],
        comparator=plan,
        comparator_label="Forecast to date",
        subject="plans",
    )
    for year in (2023, 2024, 2025):
        FinanceLineFactory(
            agreement=agreement, financial_year=year, scenario="latest", reflects="Q2 forecast"
        )
        FinanceLineFactory(
            agreement=agreement,
            financial_year=year,
            scenario="agreement",
            in_year_position=Decimal("-5000000"),
            cumulative_deficit=Decimal("60000000"),
        )
        DeficitCapFactory(agreement=agreement, financial_year=year)
    PaymentInstalmentFactory(
        agreement=agreement, status="received", status_date=dt.date(2024, 3, 30)
    )
    PaymentInstalmentFactory(
        agreement=agreement, status="withheld", status_date=dt.date(2024, 12, 30)
    )
    MonitoringTierChangeFactory(
        agreement=agreement, tier="enhanced", effective_from=dt.date(2024, 6, 1)
    )
    return latest


@pytest.fixture
def latest_round(council):
    """The `council` fixture's latest round at scale 1."""
    return build_council(council=council)


@pytest.fixture
def adviser(council, other_council):
    """A DfE adviser for `council` only."""
    user = UserFactory(username="dfe-adviser")
    MembershipFactory(user=user, council=council, role=Role.ADVISER)
    return user
