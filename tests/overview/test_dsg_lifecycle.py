"""The DSG plan's text parts and workstream log through the spine's lifecycle (issue 19): a DSG
round opened with round_open_next gets every topic, its task pages list them, marking it ready
freezes each part's fragment into the record, and the next term's round carries them forward."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from conditions.services import workstream_log_save
from finance.services_dsg import dsg_plan_figures_import
from metrics.services_cyp import cyp_categories_seed, cyp_table_save
from overview.models import NarrativeTopic, RoundNarrative
from overview.services import round_governance_save, round_narrative_save
from reports.snapshot.record import round_record
from svmonitor.choices import RoundStatus
from svmonitor.roles import Role
from svmonitor.sections import DSG_PLAN
from svmonitor.services.rounds import round_mark_ready, round_open_next
from tests import factories as f
from tests.conftest import _member

pytestmark = pytest.mark.django_db
PARTS = (
    "dsg_narrative",
    "dsg_stakeholders",
    "dsg_governance",
    "dsg_forum_paper",
    "dsg_workstreams",
)


@pytest.fixture
def plan():
    agreement = f.AgreementFactory(first_financial_year=2025, last_financial_year=2029)
    council = agreement.council
    council.return_kinds = [DSG_PLAN]
    council.save(update_fields=["return_kinds"])
    lead = f.UserFactory(username="plan-lead")
    f.MembershipFactory(user=lead, council=council, role=Role.LEAD)
    workstream = f.WorkstreamFactory(area=f.ProgrammeAreaFactory(council=council, number=1))
    return agreement, lead, workstream


def _complete(round, lead, workstream):
    for topic in NarrativeTopic.objects.filter(return_kind=DSG_PLAN, required=True):
        row = RoundNarrative.objects.get(round=round, topic=topic)
        round_narrative_save(
            round=round, topic=topic, expected_version=row.version, text=f"{topic.title}.", by=lead
        )
    round_governance_save(
        round=round,
        expected_version=round.governance.version,
        by=lead,
        schools_forum_date=dt.date(2025, 6, 12),
        next_review_date=dt.date(2025, 10, 9),
        notes="",
    )
    workstream.refresh_from_db()
    workstream_log_save(
        workstream=workstream,
        expected_version=workstream.version,
        by=lead,
        lead_role="Head of SEND",
        start_date=dt.date(2025, 4, 1),
        status="on_track",
    )


def test_a_dsg_round_freezes_each_parts_fragment_and_the_next_term_carries_the_texts(plan):
    agreement, lead, workstream = plan
    summer = round_open_next(
        agreement=agreement, financial_year=2025, update_number=1, by=lead, return_kind=DSG_PLAN
    )
    assert RoundNarrative.objects.filter(round=summer).count() == 13
    _complete(summer, lead, workstream)
    # The plan's children and young people part (metrics): an actual year with both tables.
    cyp_categories_seed()
    for table, column in (("age", "5-10"), ("need", "asd")):
        cyp_table_save(
            council=agreement.council,
            census_year=2025,
            table=table,
            cells={("mainstream", column): 10},
            by=lead,
        )
    # The plan's financial summary (finance): saved this term by the finance lead.
    finance = _member(agreement.council, Role.FINANCE, "finance-lead")
    dsg_plan_figures_import(
        agreement=agreement,
        entries={("high_needs", "mitigated", "DSG allocation after recoupment", 2025): 50e6},
        by=finance,
    )
    summer = round_mark_ready(round=summer, by=lead)
    assert summer.status == RoundStatus.READY
    record = round_record(summer)
    assert set(PARTS) <= set(record.parts)
    assert record.parts["dsg_narrative"]["topics"][0]["text"] == "Financial plan."
    assert record.parts["dsg_governance"]["schools_forum_dates"] == ["2025-06-12"]
    assert record.parts["dsg_workstreams"]["workstreams"][0]["status"] == "on_track"
    # A later edit of the plan-level log does not move the frozen record.
    workstream.refresh_from_db()
    workstream_log_save(
        workstream=workstream, expected_version=workstream.version, by=lead, status="complete"
    )
    assert round_record(summer).parts["dsg_workstreams"]["workstreams"][0]["status"] == "on_track"

    autumn = round_open_next(
        agreement=agreement, financial_year=2025, update_number=2, by=lead, return_kind=DSG_PLAN
    )
    carried = RoundNarrative.objects.get(round=autumn, topic__key="outcomes")
    assert (carried.text, carried.version) == ("Outcomes.", 1)
    assert autumn.governance.schools_forum_date is None


def test_the_task_list_and_pages_of_a_dsg_round_show_the_parts(client, plan):
    agreement, lead, workstream = plan
    summer = round_open_next(
        agreement=agreement, financial_year=2025, update_number=1, by=lead, return_kind=DSG_PLAN
    )
    client.force_login(lead)
    slug = agreement.council.slug
    tasks = client.get(reverse("reports:dsg_task_list", args=[slug, "2025-26", 1]))
    page = tasks.content.decode()
    for title in (
        "Narrative",
        "Stakeholder engagement",
        "Governance",
        "Schools Forum paper",
        "Workstream log",
    ):
        assert title in page
    narrative = client.get(
        reverse("reports:dsg_task_detail", args=[slug, "2025-26", 1, "dsg-narrative"])
    )
    body = narrative.content.decode()
    assert "High needs trends" in body
    assert reverse("overview:dsg_text_edit", args=[slug, "2025-26", 1, "outcomes"]) in body
    # Each Change link names its text once to a screen reader (was "financial plan of
    # Financial plan": the card and its one answer share the topic's title).
    hidden = re.findall(r'Change<span class="govuk-visually-hidden"> ([^<]*)</span>', body)
    assert hidden
    for words in hidden:
        first, _, card = words.partition(" of ")
        assert first.lower() != card.lower(), words
    log = client.get(
        reverse("reports:dsg_task_detail", args=[slug, "2025-26", 1, "dsg-workstreams"])
    )
    assert (
        reverse("conditions:workstream_log_edit", args=[slug, workstream.pk])
        in log.content.decode()
    )
    # The savings are the finance lead's (edit_finance): no link the lead would find refused.
    assert reverse("conditions:savings_grid", args=[slug]) not in log.content.decode()
    assert summer.pk
