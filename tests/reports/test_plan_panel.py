"""The DSG deficit management plan on the dashboard (issue 19): a council that keeps one sees its
latest update marked ready, as frozen; a council that keeps none sees nothing new and makes no
extra query."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.freeze import round_snapshot_freeze
from reports.models import RoundSnapshot
from svmonitor.choices import RoundStatus
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.round_page.conftest import client_for

pytestmark = pytest.mark.django_db


def _plan_figures(agreement):
    """High needs allocation and spending for 2025-26 and 2026-27, mitigated and unmitigated:
    the block runs a deficit both years."""
    allocation = f.DsgPlanLineFactory(agreement=agreement, kind="allocation", name="Allocation")
    spend = f.DsgPlanLineFactory(agreement=agreement, kind="expenditure", name="Top-ups")
    for year in (2025, 2026):
        for scenario, spent in (("mitigated", "52000000"), ("unmitigated", "55000000")):
            f.DsgPlanFigureFactory(
                line=allocation, financial_year=year, scenario=scenario, amount=Decimal(50000000)
            )
            f.DsgPlanFigureFactory(
                line=spend, financial_year=year, scenario=scenario, amount=Decimal(spent)
            )
    return spend


@pytest.fixture
def plan_council(agreement):
    council = agreement.council
    council.return_kinds = ["safety_valve", "dsg_plan"]
    council.save(update_fields=["return_kinds"])
    return council


def _submitted_plan(agreement, by):
    plan = f.ReportingRoundFactory(
        agreement=agreement,
        return_kind="dsg_plan",
        financial_year=2025,
        update_number=2,
        due_date=dt.date(2025, 12, 15),
        status=RoundStatus.SUBMITTED,
        submitted_on=dt.date(2025, 12, 10),
    )
    round_snapshot_freeze(round=plan, by=by)
    return plan


def _dashboard(user, council) -> str:
    response = client_for(user).get(reverse("reports:council_dashboard", args=[council.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_shows_the_plan_as_frozen_not_as_live(plan_council, agreement, board_member):
    spend = _plan_figures(agreement)
    plan = _submitted_plan(agreement, board_member)
    frozen = RoundSnapshot.objects.get(round=plan).payload["parts"]["dsg_finance"]
    assert frozen["end_of_plan"]["label"] == "2026-27"
    # Two years of £2m (mitigated) and £5m (unmitigated) deficits.
    assert frozen["end_of_plan"]["mitigated_carried_forward"] == "-4000000.00"
    # Live data moves on after the Schools Forum was given the plan.
    spend.figures.filter(scenario="mitigated").update(amount=Decimal(60000000))

    page = _dashboard(board_member, plan_council)

    assert "DSG deficit management plan" in page
    assert plan.label in page
    assert "Cumulative balance at the end of 2026-27, mitigated" in page
    assert "£4.0m deficit" in page and "£10.0m deficit" in page
    assert "£20.0m deficit" not in page  # the live figure, never shown here


def test_a_plan_never_marked_ready_says_so(plan_council, agreement, board_member):
    f.ReportingRoundFactory(agreement=agreement, return_kind="dsg_plan", update_number=2)
    page = _dashboard(board_member, plan_council)
    assert "No update of the plan has been marked ready yet" in page


def test_an_adviser_reads_the_submitted_plan_only(plan_council, agreement, board_member):
    _plan_figures(agreement)
    plan = _submitted_plan(agreement, board_member)
    adviser = _member(plan_council, Role.ADVISER, "dfe-adviser")
    ready = f.ReportingRoundFactory(
        agreement=agreement,
        return_kind="dsg_plan",
        financial_year=2025,
        update_number=3,
        due_date=dt.date(2026, 3, 15),
        status=RoundStatus.READY,
    )
    round_snapshot_freeze(round=ready, by=board_member)
    page = _dashboard(adviser, plan_council)
    assert plan.label in page and ready.label not in page
    assert ready.label in _dashboard(board_member, plan_council)


def test_a_council_without_a_plan_gets_no_panel_and_no_extra_query(agreement, board_member):
    client = client_for(board_member)
    url = reverse("reports:council_dashboard", args=[agreement.council.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as without:
        page = client.get(url).content.decode()
    assert "DSG deficit management plan" not in page
    council = agreement.council
    council.return_kinds = ["safety_valve", "dsg_plan"]
    council.save(update_fields=["return_kinds"])
    with CaptureQueriesContext(connection) as with_plan:
        client.get(url)
    # One query finds that no update was marked ready.
    assert len(with_plan) == len(without) + 1
