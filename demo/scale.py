"""Generate national-scale data (dozens of councils, years of months) for benchmarks."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    ProgrammeArea,
    Workstream,
    WorkstreamUpdate,
)
from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from metrics.models import DataSource, HeadlineCard, Measure, MeasureValue, Series
from overview.models import Headline, RoundOverview
from risks.models import Risk, RiskUpdate
from svmonitor.choices import (
    DEFAULT_DFE_MAPPING,
    DEFAULT_RAG_DEFINITIONS,
    MonitoringTier,
    PaymentStatus,
    Rag,
    RoundStatus,
)
from svmonitor.fy import fy_bounds
from svmonitor.models import (
    Agreement,
    KeyContact,
    LocalAuthority,
    MonitoringTierChange,
    RagDefinition,
    ReportingRound,
)

BATCH = 5000
RATED = [Rag.BLUE, Rag.GREEN, Rag.GREEN, Rag.AMBER_GREEN, Rag.AMBER, Rag.AMBER, Rag.RED]
_WORD_BANK = (
    "the authority has continued to work with schools and parent carers on inclusion and early "
    "support while demand for assessments remains high and the programme team reviews placements "
    "finance forecasts commissioning capacity and the pace at which new specialist places open "
    "the board has asked for further analysis of growth in plans and the effect of the backlog "
    "partners remain engaged and the next update will report on the revised trajectory"
)
WORDS = tuple(_WORD_BANK.split())
UNITS = [
    ("count", "lower"),
    ("percent", "lower"),
    ("percent", "higher"),
    ("gbp", "lower"),
    ("weeks", "lower"),
    ("count", "higher"),
]


def _figure(level: float, unit: str) -> Decimal:
    """A figure as the services accept it for its unit: a count is whole, the rest 2 places."""
    return Decimal(round(level)) if unit == "count" else Decimal(str(round(level, 2)))


ROUND_MONTHS = {1: (5, 31, 4), 2: (8, 31, 7), 3: (11, 30, 10)}


@dataclass(frozen=True)
class ScaleSpec:
    """How much data to generate."""

    councils: int = 40
    years: int = 9
    measures: int = 60
    first_year: int = 2020
    slug_prefix: str = "scale"
    seed: int = 2024
    # The first council's number: 2 adds councils 02, 03, ... beside an existing 01.
    first_number: int = 1


def _narrative(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _month_starts(first_year: int, years: int) -> list[dt.date]:
    start, _ = fy_bounds(first_year)
    months = []
    for i in range(years * 12):
        year, month = divmod(start.month - 1 + i, 12)
        months.append(dt.date(start.year + year, month + 1, 1))
    return months


def scale_data_generate(*, spec: ScaleSpec) -> dict[str, int]:
    """Create `spec.councils` councils with full programme data; returns row counts created."""
    counts: dict[str, int] = {}
    for index in range(spec.first_number - 1, spec.first_number - 1 + spec.councils):
        rng = random.Random(spec.seed + index)  # noqa: S311 - test data, not security
        with transaction.atomic():
            for key, value in _council_generate(spec, index, rng).items():
                counts[key] = counts.get(key, 0) + value
    return counts


def _council_generate(spec: ScaleSpec, index: int, rng: random.Random) -> dict[str, int]:
    slug = f"{spec.slug_prefix}-{index + 1:02d}"
    council = LocalAuthority.objects.create(
        name=f"Scale Test Council {index + 1:02d}",
        slug=slug,
        dfe_la_number=f"{900 + index % 99}",
        ons_code=f"E09{index:06d}",
        is_fictional=True,
    )
    RagDefinition.objects.bulk_create(
        RagDefinition(
            council=council,
            level=level,
            label=level.label,
            definition=DEFAULT_RAG_DEFINITIONS[level],
            dfe_level=DEFAULT_DFE_MAPPING[level],
        )
        for level in Rag
    )
    last_year = spec.first_year + spec.years - 1
    agreement = Agreement.objects.create(
        council=council,
        date_signed=dt.date(spec.first_year, 3, 15),
        first_financial_year=spec.first_year,
        last_financial_year=last_year,
        dfe_contribution=Decimal(rng.randrange(20, 120) * 1_000_000),
        council_contribution=Decimal(rng.randrange(5, 80) * 1_000_000),
    )
    MonitoringTierChange.objects.create(
        agreement=agreement, tier=MonitoringTier.STANDARD, effective_from=agreement.date_signed
    )
    # About one council in five has been moved to enhanced monitoring part way through.
    enhanced_from = None
    if rng.random() < 0.2:
        enhanced_from = dt.date(spec.first_year + rng.randrange(1, spec.years), 9, 1)
        MonitoringTierChange.objects.create(
            agreement=agreement,
            tier=MonitoringTier.ENHANCED,
            effective_from=enhanced_from,
            reason=_narrative(rng, 30),
        )
    KeyContact.objects.bulk_create(
        KeyContact(
            council=council,
            role=role,
            job_title=title,
            name=f"{title} of council {index + 1:02d}",
            email=f"{role.replace('_', '.')}@{slug}.example.org",
            order=order,
        )
        for order, (role, title) in enumerate(
            [
                ("chief_executive", "Chief Executive"),
                ("s151_officer", "Director of Finance (S151 Officer)"),
                ("dcs", "Director of Children's Services"),
            ]
        )
    )
    years = range(spec.first_year, last_year + 1)
    # "Now" for this council's data: the month its last (draft) round runs to.
    present = dt.date(last_year, ROUND_MONTHS[3][2], 1)
    deficit = Decimal(rng.randrange(40, 150) * 1_000_000)
    caps, payments, finance = [], [], []
    for n, year in enumerate(years):
        cap = deficit * Decimal(1 - n / spec.years)
        caps.append(DeficitCap(agreement=agreement, financial_year=year, cap=cap.quantize(1)))
        due = dt.date(year + 1, 3, 1)
        if year >= last_year - 2:
            status = PaymentStatus.EXPECTED
        elif enhanced_from is not None and due > enhanced_from:
            # Under enhanced monitoring DfE holds back instalments until the plan is back on track.
            status = PaymentStatus.WITHHELD
        else:
            status = PaymentStatus.RECEIVED
        payments.append(
            PaymentInstalment(
                agreement=agreement,
                due_date=due,
                amount=(agreement.dfe_contribution / spec.years).quantize(1),
                status=status,
                status_date=None if status == PaymentStatus.EXPECTED else due,
            )
        )
        for scenario, drift in (("agreement", 0), ("latest", rng.randrange(0, 20))):
            finance.append(
                FinanceLine(
                    agreement=agreement,
                    financial_year=year,
                    scenario=scenario,
                    in_year_position=Decimal(-rng.randrange(1, 20) * 1_000_000),
                    cumulative_deficit=(cap * Decimal(1 + drift / 100)).quantize(1),
                    hnb_income=Decimal(rng.randrange(60, 120) * 1_000_000),
                    reflects="Q2 forecast",
                )
            )
    DeficitCap.objects.bulk_create(caps)
    PaymentInstalment.objects.bulk_create(payments)
    FinanceLine.objects.bulk_create(finance)

    conditions = AgreementCondition.objects.bulk_create(
        AgreementCondition(
            agreement=agreement,
            label=str(i + 1),
            title=f"Condition {i + 1} of the agreement",
            wording=_narrative(rng, 30),
            order=i,
            in_force_from=agreement.date_signed,
        )
        for i in range(rng.randrange(6, 13))
    )
    risks = Risk.objects.bulk_create(
        Risk(
            council=council,
            number=i + 1,
            title="There is a risk that " + _narrative(rng, 15).lower(),
            impact_description=_narrative(rng, 20),
            owner_role="Director of Education",
            impact=rng.randint(1, 5),
            likelihood=rng.randint(1, 5),
            mitigation=_narrative(rng, 60),
            action_required=_narrative(rng, 25),
        )
        for i in range(rng.randrange(8, 16))
    )
    areas = ProgrammeArea.objects.bulk_create(
        ProgrammeArea(council=council, number=i + 1, name=f"Programme area {i + 1}")
        for i in range(6)
    )
    workstreams = Workstream.objects.bulk_create(
        Workstream(area=area, name=f"Workstream {area.number}.{j + 1}", order=j)
        for area in areas
        for j in range(rng.randrange(2, 6))
    )
    Milestone.objects.bulk_create(
        _milestone(rng, ws, k, years, present) for ws in workstreams for k in range(3)
    )

    rounds = []
    for year in years:
        for update in (1, 2, 3):
            month, day, data_month = ROUND_MONTHS[update]
            is_last = year == last_year and update == 3
            rounds.append(
                ReportingRound(
                    agreement=agreement,
                    financial_year=year,
                    update_number=update,
                    due_date=dt.date(year, month, day),
                    data_as_at=dt.date(year, data_month, 1),
                    status=RoundStatus.DRAFT if is_last else RoundStatus.SUBMITTED,
                    submitted_on=None if is_last else dt.date(year, month, day),
                )
            )
    rounds = ReportingRound.objects.bulk_create(rounds)
    overviews = RoundOverview.objects.bulk_create(
        RoundOverview(
            round=rnd,
            deficit_this_year_on_track=rng.choice(["yes", "no"]),
            deficit_this_year_commentary=_narrative(rng, 80),
            zero_deficit_on_track=rng.choice(["yes", "no"]),
            zero_deficit_commentary=_narrative(rng, 80),
            capital_project_on_track="yes",
            capital_project_commentary=_narrative(rng, 40),
            overall_rag=rng.choice(RATED),
            overall_narrative=_narrative(rng, 120),
        )
        for rnd in rounds
    )
    Headline.objects.bulk_create(
        Headline(overview=ov, kind=kind, position=p, text=_narrative(rng, 40))
        for ov in overviews
        for kind in ("driver", "barrier", "engagement")
        for p in (1, 2, 3)
    )
    ConditionUpdate.objects.bulk_create(
        (
            ConditionUpdate(
                round=rnd, condition=c, rag=rng.choice(RATED), narrative=_narrative(rng, 250)
            )
            for rnd in rounds
            for c in conditions
        ),
        batch_size=BATCH,
    )
    RiskUpdate.objects.bulk_create(
        (
            RiskUpdate(
                round=rnd,
                risk=r,
                rag=rng.choice(RATED),
                narrative=_narrative(rng, 80),
                impact=rng.randint(1, 5),
                likelihood=rng.randint(1, 5),
            )
            for rnd in rounds
            for r in risks
        ),
        batch_size=BATCH,
    )
    WorkstreamUpdate.objects.bulk_create(
        (
            WorkstreamUpdate(
                round=rnd, workstream=ws, rag=rng.choice(RATED), narrative=_narrative(rng, 60)
            )
            for rnd in rounds
            for ws in workstreams
        ),
        batch_size=BATCH,
    )
    measures = _measures_generate(spec, council, areas, conditions, rng)
    _key_measures_cite(rounds, conditions)
    return {
        "councils": 1,
        "rounds": len(rounds),
        "conditions": len(conditions),
        "risks": len(risks),
        "workstreams": len(workstreams),
        **measures,
    }


def _milestone(rng, workstream, k, years, present) -> Milestone:
    due = dt.date(rng.choice(list(years)) + 1, rng.randint(1, 12), 1)
    if due <= present:
        # Most past milestones were delivered, some a few weeks late; the rest are overdue.
        if rng.random() < 0.8:
            done = due + dt.timedelta(days=rng.randint(-30, 45))
            return Milestone(
                workstream=workstream,
                title=f"Milestone {k + 1} of {workstream.name}",
                due_date=due,
                status=Milestone.Status.COMPLETE,
                completed_on=min(done, present),
            )
        status = Milestone.Status.OVERDUE
    else:
        status = Milestone.Status.AT_RISK if rng.random() < 0.2 else Milestone.Status.ON_TRACK
    return Milestone(
        workstream=workstream,
        title=f"Milestone {k + 1} of {workstream.name}",
        due_date=due,
        status=status,
    )


def _key_measures_cite(rounds, conditions) -> None:
    # Each condition's update cites the measures linked to the condition, as returns do.
    through = ConditionUpdate.key_measures.through
    linked = Measure.conditions.through.objects.filter(agreementcondition__in=conditions)
    by_condition: dict[int, list[int]] = {}
    for link in linked:
        by_condition.setdefault(link.agreementcondition_id, []).append(link.measure_id)
    updates = ConditionUpdate.objects.filter(round__in=rounds).values_list("pk", "condition_id")
    through.objects.bulk_create(
        (
            through(conditionupdate_id=update, measure_id=measure)
            for update, condition in updates
            for measure in by_condition.get(condition, ())
        ),
        batch_size=BATCH,
    )


def _measures_generate(spec, council, areas, conditions, rng) -> dict[str, int]:
    sources = DataSource.objects.bulk_create(
        DataSource(council=council, name=name, last_refreshed=dt.date(2025, 1, 7))
        for name in ("MI", "Finance", "Commissioning", "SEN2")
    )
    series = Series.objects.bulk_create(
        [
            Series(council=council, kind="actual", name="Actual", slug="actual", order=0),
            Series(
                council=council, kind="baseline", name="SV forecast", slug="sv-forecast", order=1
            ),
            Series(
                council=council, kind="baseline", name="Revised plan", slug="revised-plan", order=2
            ),
            Series(council=council, kind="last_year", name="Last year", slug="last-year", order=3),
            Series(
                council=council,
                kind="stat_neighbour",
                name="Statistical neighbours",
                slug="stat-neighbour",
                order=4,
            ),
        ]
    )
    measures = []
    for i in range(spec.measures):
        unit, polarity = UNITS[i % len(UNITS)]
        measures.append(
            Measure(
                council=council,
                code=f"kpi-{i + 1:03d}",
                name=f"Key measure {i + 1}",
                unit=unit,
                polarity=polarity,
                data_source=sources[i % len(sources)],
                reading="rolling_12" if i % 7 == 0 else "point",
                programme_area=areas[i % len(areas)],
                order=i,
            )
        )
    measures = Measure.objects.bulk_create(measures)
    Measure.conditions.through.objects.bulk_create(
        Measure.conditions.through(measure_id=m.pk, agreementcondition_id=conditions[j].pk)
        for j, m in enumerate(measures[: len(conditions)])
    )
    HeadlineCard.objects.bulk_create(
        HeadlineCard(
            council=council,
            order=k,
            title=measures[k].name,
            measure=measures[k],
            comparator=series[1],
            comparator_label="Forecast",
        )
        for k in range(min(3, len(measures)))
    )
    months = _month_starts(spec.first_year, spec.years)
    values = []
    created = 0
    for m in measures:
        level = rng.uniform(50, 5000) if m.unit in ("count", "gbp") else rng.uniform(2, 60)
        for month in months:
            level *= rng.uniform(0.98, 1.03)
            for s, factor in ((series[0], 1), (series[1], 0.95), (series[3], 0.9)):
                values.append(
                    MeasureValue(
                        measure=m,
                        period=month,
                        series=s,
                        value=_figure(level * factor, m.unit),
                    )
                )
            if month.month == 3:
                values.append(
                    MeasureValue(
                        measure=m,
                        period=month,
                        series=series[4],
                        value=_figure(level * 0.97, m.unit),
                    )
                )
            if len(values) >= BATCH:
                MeasureValue.objects.bulk_create(values)
                created += len(values)
                values = []
    MeasureValue.objects.bulk_create(values)
    created += len(values)
    return {"measures": len(measures), "measure_values": created}


def scale_data_delete(*, prefix: str) -> None:
    """Delete councils generated with a slug prefix, children first (PROTECT foreign keys)."""
    councils = LocalAuthority.objects.filter(slug__startswith=f"{prefix}-", is_fictional=True)
    with transaction.atomic():
        MeasureValue.objects.filter(measure__council__in=councils).delete()
        for model, lookup in (
            (ConditionUpdate, "round__agreement__council__in"),
            (RiskUpdate, "round__agreement__council__in"),
            (WorkstreamUpdate, "round__agreement__council__in"),
            (RoundOverview, "round__agreement__council__in"),
            (ReportingRound, "agreement__council__in"),
            (HeadlineCard, "council__in"),
            (Measure, "council__in"),
            (Series, "council__in"),
            (DataSource, "council__in"),
            (Agreement, "council__in"),
        ):
            model.objects.filter(**{lookup: councils}).delete()
        councils.delete()
