"""A council of the shape issue 13 describes, built from factories: nine conditions, eight
risks rated by letter only, 39 monthly KPIs grouped by condition with 13 months of actuals
(November 2023 to November 2024), three annual KPIs, value notes, no programme areas; its
2024-25 Update 3 with narrative of about the length a council writes (some 4,000 words)."""

import datetime as dt
from decimal import Decimal

from metrics.models import Series
from overview.models import RoundOverview
from risks.models import Risk
from svmonitor.choices import KpiGrouping, KpiTableLayout, Rag, RiskRegister, RoundStatus
from tests.factories import (
    AgreementConditionFactory,
    AgreementFactory,
    ConditionUpdateFactory,
    DataSourceFactory,
    FinanceLineFactory,
    HeadlineFactory,
    KeyContactFactory,
    LocalAuthorityFactory,
    MeasureFactory,
    MeasureValueFactory,
    RagDefinitionFactory,
    ReportingRoundFactory,
    RiskFactory,
    RiskUpdateFactory,
    RoundOverviewFactory,
    SeriesFactory,
)
from tests.reports.conftest import month

CONDITIONS = 9
RISKS = 8
MONTHLY = 39
ANNUAL = 3
FIRST_MONTH = dt.date(2023, 11, 1)
MONTHS = 13
# The letters the council rates by, and the DfE level each reports as.
LETTERS = {Rag.RED: "R", Rag.AMBER: "A", Rag.GREEN: "G", Rag.BLUE: "B"}

_TEXT = (
    "the authority has continued to work with schools and settings to strengthen inclusion "
    "in mainstream provision and the number of requests for statutory assessment has fallen "
    "since the spring while the service has cleared most of the backlog of annual reviews "
    "through additional caseworker capacity and a revised panel process that partners report "
    "is clearer and quicker than before and the specialist places programme remains on "
    "schedule with the second resource base opening in the new year"
)
_WORDS = _TEXT.split()


def words(count: int, seed: int) -> str:
    """`count` words of plausible narrative, a full stop every fifteen or so."""
    out = []
    for i in range(count):
        word = _WORDS[(seed * 7 + i) % len(_WORDS)]
        out.append(word.capitalize() if i % 15 == 0 else word)
        if i % 15 == 14 or i == count - 1:
            out[-1] += "."
    return " ".join(out)


def build_shaped_council(*, layout: str = KpiTableLayout.MONTHS, charts: int = 4, months: int = 13):
    """The council and its 2024-25 Update 3 (submitted); the first `charts` monthly measures
    keep their chart in the DfE report, the rest print as tables only."""
    council = LocalAuthorityFactory(
        name="Shaped Council",
        kpi_grouping=KpiGrouping.CONDITIONS,
        risk_register=RiskRegister.RATED,
        risk_key_levels="red",
        kpi_table_layout=layout,
        kpi_table_months=months,
    )
    for level, letter in LETTERS.items():
        RagDefinitionFactory(
            council=council, level=level, label=letter, definition=words(12, 1), dfe_level=level
        )
    for role, title in (("s151_officer", "S151 Officer"), ("dcs", "Director of Children's")):
        KeyContactFactory(council=council, role=role, job_title=title, name="", email="")
    agreement = AgreementFactory(council=council, first_financial_year=2022)
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
            (3, dt.date(2024, 12, 11), dt.date(2024, 11, 1)),
        ]
    ]
    latest = rounds[-1]
    overview = RoundOverviewFactory(round=latest)
    RoundOverview.objects.filter(pk=overview.pk).update(
        deficit_this_year_on_track="no",
        deficit_this_year_commentary=words(90, 2),
        zero_deficit_on_track="yes",
        zero_deficit_commentary=words(60, 3),
        capital_project_on_track="yes",
        capital_project_commentary=words(40, 4),
        adviser_support_requested="no",
    )
    for kind in ("driver", "barrier", "engagement"):
        for position in (1, 2, 3):
            HeadlineFactory(
                overview=overview, kind=kind, position=position, text=words(30, position)
            )
    levels = [Rag.GREEN, Rag.AMBER, Rag.RED]
    conditions = [
        AgreementConditionFactory(
            agreement=agreement,
            label=str(i + 1),
            title=f"Condition {i + 1} of the agreement",
            wording=words(45, i),
            order=i,
        )
        for i in range(CONDITIONS)
    ]
    for i, condition in enumerate(conditions):
        for j, rnd in enumerate(rounds):
            ConditionUpdateFactory(
                round=rnd,
                condition=condition,
                rag=levels[(i + j) % 3],
                narrative=words(220, i) if rnd is latest else words(40, i),
            )
    for i in range(RISKS):
        risk = RiskFactory(
            council=council,
            number=i + 1,
            title=f"There is a risk that {words(20, i).lower()}",
            impact=None,
            likelihood=None,
            mitigation=words(80, i + 3),
        )
        for j, rnd in enumerate(rounds):
            RiskUpdateFactory(
                round=rnd,
                risk=risk,
                rag=levels[(i + j) % 3],
                impact=None,
                likelihood=None,
                narrative=words(80, i + 5) if rnd is latest else "",
            )
    Risk.objects.filter(council=council).update(owner_role="")
    source = DataSourceFactory(council=council, name="Council MI")
    actual = SeriesFactory(council=council, kind=Series.Kind.ACTUAL, name="Actual", slug="actual")
    for i in range(MONTHLY):
        measure = MeasureFactory(
            council=council,
            code=f"kpi-{i + 1}",
            name=f"KPI {i + 1}: {words(8, i).rstrip('.').lower()}",
            unit="percent" if i % 3 == 0 else "count",
            data_source=source,
            order=i,
            show_chart=i < charts,
        )
        measure.conditions.set([conditions[i % CONDITIONS]])
        for k in range(MONTHS):
            MeasureValueFactory(
                measure=measure,
                series=actual,
                period=month(FIRST_MONTH, k),
                value=Decimal(40 + (i + k) % 50),
                note="provisional" if k == MONTHS - 1 and i % 10 == 0 else "",
            )
    for i in range(ANNUAL):
        measure = MeasureFactory(
            council=council,
            code=f"annual-{i + 1}",
            name=f"Annual KPI {i + 1}",
            frequency="annual",
            data_source=source,
            order=MONTHLY + i,
            show_chart=False,
        )
        measure.conditions.set([conditions[i]])
        MeasureValueFactory(
            measure=measure, series=actual, period=dt.date(2024, 4, 1), value=Decimal(120 + i)
        )
    for year in range(2022, 2029):
        FinanceLineFactory(agreement=agreement, financial_year=year, reflects="Q2 forecast")
    return latest
