"""A council with something in every table, and its people: the fixture the access tests share.

The URLconf-generated tests fill URL kwargs from `CouncilGraph.objects`, so a new model a view
looks up by id should get an entry here (see OBJECT_KWARGS in tests/accounts/urlwalk.py).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.utils import timezone

from reports.freeze import round_snapshot_freeze
from svmonitor.choices import Rag, RoundStatus
from svmonitor.models import AuditEvent, BackgroundJob, Membership, RoundEvent, SignOff
from svmonitor.roles import Role
from svmonitor.scoping import CouncilScopedQuerySet
from tests import factories as f

FY = 2024
MONTHS = [dt.date(2024, month, 1) for month in range(4, 13)]


@dataclass
class CouncilGraph:
    """One council's rows, its users by role, and a user holding every role."""

    council: object
    objects: dict[str, models.Model] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    everything: object = None

    @property
    def round(self):
        """The open round (2024-25 Update 3, draft) that URLs with fy/n name."""
        return self.objects["round"]

    @property
    def plan_round(self):
        """The DSG plan's open update (2024-25 autumn term, draft) the reports:dsg_* URLs name."""
        return self.objects["plan_round"]


def build_council(tag: str) -> CouncilGraph:
    """A council called `tag` with an agreement, three rounds of 2024-25 and every section."""
    council = f.LocalAuthorityFactory(name=f"Council {tag}", slug=f"council-{tag.lower()}")
    graph = CouncilGraph(council=council)
    o = graph.objects
    o["council"] = council
    o["rag_definition"] = f.RagDefinitionFactory(council=council)
    f.RagDefinitionFactory(council=council, level=Rag.AMBER, label="Amber", dfe_level=Rag.AMBER)
    o["key_contact"] = f.KeyContactFactory(council=council)

    for role in Role.values:
        user = f.UserFactory(username=f"{tag.lower()}-{role}")
        f.MembershipFactory(user=user, council=council, role=role)
        graph.users[role] = user
    graph.everything = f.UserFactory(username=f"{tag.lower()}-everything")
    for role in Role.values:
        f.MembershipFactory(user=graph.everything, council=council, role=role)
    o["membership"] = Membership.objects.filter(council=council).first()

    agreement = f.AgreementFactory(council=council)
    o["agreement"] = agreement
    o["payment"] = f.PaymentInstalmentFactory(agreement=agreement)
    o["deficit_cap"] = f.DeficitCapFactory(agreement=agreement, financial_year=FY)
    o["tier_change"] = f.MonitoringTierChangeFactory(agreement=agreement)

    lead = graph.users[Role.LEAD]
    now = timezone.now()
    rounds = {
        1: f.ReportingRoundFactory(
            agreement=agreement,
            financial_year=FY,
            update_number=1,
            due_date=dt.date(2024, 5, 31),
            status=RoundStatus.SUBMITTED,
            submitted_on=dt.date(2024, 5, 30),
            submitted_recorded_by=lead,
        ),
        2: f.ReportingRoundFactory(
            agreement=agreement,
            financial_year=FY,
            update_number=2,
            due_date=dt.date(2024, 8, 31),
            status=RoundStatus.SIGNED_OFF,
        ),
        3: f.ReportingRoundFactory(
            agreement=agreement, financial_year=FY, update_number=3, due_date=dt.date(2024, 11, 30)
        ),
    }
    o["round"] = rounds[3]
    # Issue 19: the council keeps a DSG deficit management plan too; its autumn-term update is
    # a draft round of the other kind, named by the reports:dsg_* routes.
    council.return_kinds = ["safety_valve", "dsg_plan"]
    council.save(update_fields=["return_kinds"])
    o["plan_round"] = f.ReportingRoundFactory(
        agreement=agreement,
        return_kind="dsg_plan",
        financial_year=FY,
        update_number=2,
        due_date=dt.date(2024, 12, 15),
    )
    for number, round_ in rounds.items():
        overview = f.RoundOverviewFactory(
            round=round_, overall_rag=Rag.AMBER, overall_narrative=f"Overall {tag} {number}"
        )
        headline = f.HeadlineFactory(overview=overview, text=f"Driver {tag} {number}")
        if number == 3:
            o["overview"], o["headline"] = overview, headline
    o["sign_off"] = SignOff.objects.create(
        round=rounds[2],
        capacity=SignOff.Capacity.S151,
        signed_by=graph.users[Role.S151],
        signed_at=now,
        snapshot_sha256="0" * 64,
    )
    o["round_event"] = RoundEvent.objects.create(
        round=rounds[1], action="submitted", from_status="signed_off", to_status="submitted", at=now
    )
    # A real frozen payload: every surface reads a locked round from it.
    o["snapshot"] = round_snapshot_freeze(round=rounds[2], by=lead)
    # A render the lead asked for, of a submitted round, still waiting for a worker.
    o["job"] = BackgroundJob.objects.create(
        kind="report_pdf", council=council, round=rounds[1], requested_by=lead
    )

    conditions = [
        f.AgreementConditionFactory(agreement=agreement, label=str(n), order=n) for n in (1, 2)
    ]
    o["condition"] = conditions[0]
    area = f.ProgrammeAreaFactory(council=council, summary=f"Area summary {tag}")
    o["programme_area"] = area
    workstream = f.WorkstreamFactory(area=area, lead_role="Head of SEND")
    workstream.conditions.add(conditions[0])
    o["workstream"] = workstream
    o["milestone"] = f.MilestoneFactory(workstream=workstream)
    risks = [f.RiskFactory(council=council, mitigation="Mitigate", action_required="Act")]
    risks.append(f.RiskFactory(council=council, impact=5, likelihood=4))
    o["risk"] = risks[0]

    source = f.DataSourceFactory(council=council, basis="Q2 forecast")
    o["data_source"] = source
    actual = f.SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
    baseline = f.SeriesFactory(council=council, name="SV forecast", slug="sv-forecast")
    o["series"] = baseline
    measures = [
        f.MeasureFactory(council=council, data_source=source, programme_area=area, order=n)
        for n in (1, 2)
    ]
    measures[0].conditions.add(conditions[0])
    o["measure"] = measures[0]
    for measure in measures:
        for month in MONTHS:
            value = f.MeasureValueFactory(
                measure=measure, period=month, series=actual, value=Decimal(100 + month.month)
            )
            f.MeasureValueFactory(measure=measure, period=month, series=baseline, value=100)
    o["measure_value"] = value
    o["headline_card"] = f.HeadlineCardFactory(
        council=council, measure=measures[0], comparator=baseline, subject="plans"
    )
    for year in range(2023, 2029):
        for scenario in ("agreement", "latest"):
            line = f.FinanceLineFactory(
                agreement=agreement, financial_year=year, scenario=scenario, reflects="Q2"
            )
            if year == FY and scenario == "latest":
                o["finance_line"] = line

    for number, round_ in rounds.items():
        for condition in conditions:
            update = f.ConditionUpdateFactory(
                round=round_, condition=condition, narrative=f"Progress {tag} {number}"
            )
            update.key_measures.add(measures[0])
            if number == 3 and condition is conditions[0]:
                o["condition_update"] = update
        for risk in risks:
            update = f.RiskUpdateFactory(round=round_, risk=risk, narrative=f"Risk {tag} {number}")
            if number == 3 and risk is risks[0]:
                o["risk_update"] = update
        update = f.WorkstreamUpdateFactory(
            round=round_, workstream=workstream, narrative=f"Workstream {tag} {number}"
        )
        if number == 3:
            o["workstream_update"] = update
    o["audit_event"] = AuditEvent.objects.create(
        council=council, action="seeded", object_repr=f"Seed {tag}"
    )
    return graph


def scoped_models() -> list[type[models.Model]]:
    """Every model whose rows belong to a council (its manager scopes with .for_user)."""
    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), CouncilScopedQuerySet)
    ]


def council_state(council) -> dict[str, list[dict]]:
    """Every row a council owns, as plain values: compare before and after a request."""
    state = {}
    for model in scoped_models():
        if model is AuditEvent:  # refusals are audited; that is the point, not a change
            continue
        rows = model._default_manager.for_council(council.pk).order_by("pk").values()
        state[model._meta.label] = list(rows)
    return state
