"""The financial summary as a part of the DSG plan return (issue 19.1/19.2): its task and its
snapshot fragment; and the admin's door, which saves through the same service."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from finance.models import FinanceLine
from finance.models_dsg import DsgPlanFigure
from finance.sections_dsg import (
    dsg_finance_completeness,
    dsg_finance_progress,
    dsg_finance_snapshot,
    dsg_finance_tasks,
)
from finance.services_dsg import dsg_plan_figures_import
from svmonitor.roles import Role
from svmonitor.sections import return_parts
from tests import factories as f
from tests.conftest import _member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HN = "high_needs"
ALLOC = "DSG allocation after recoupment"
INMSS = "Independent and non-maintained special schools"


@pytest.fixture
def finance(council):
    return _member(council, Role.FINANCE, "finance-lead")


def _seed(agreement, by):
    dsg_plan_figures_import(
        agreement=agreement,
        entries={
            (HN, "mitigated", ALLOC, 2024): Decimal("80000000"),
            (HN, "mitigated", INMSS, 2024): Decimal("90000000"),
        },
        by=by,
    )


def test_the_part_is_registered_for_the_dsg_plan_return():
    parts = {part.name: part for part in return_parts("dsg_plan")}
    assert "dsg_finance" in parts
    assert "dsg_finance" not in {part.name for part in return_parts("safety_valve")}


def _plan_round(agreement, **fields):
    return f.ReportingRoundFactory(agreement=agreement, return_kind="dsg_plan", **fields)


def test_a_safety_valve_return_has_no_financial_summary_task_or_gap(agreement, finance):
    draft = f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=2)
    assert dsg_finance_tasks(draft) == []
    assert dsg_finance_completeness(draft, False) == []
    assert dsg_finance_progress([draft], set()) == {draft.pk: (0, 0)}


def test_the_task_is_completed_once_the_plan_is_saved_in_the_draft(agreement, finance):
    draft = _plan_round(agreement, financial_year=2024, update_number=2)
    assert [gap.item for gap in dsg_finance_completeness(draft, False)] == ["Financial summary"]
    (task,) = dsg_finance_tasks(draft)
    assert (task.title, task.status) == ("Financial summary", "not_started")
    _seed(agreement, finance)
    (task,) = dsg_finance_tasks(draft)
    assert task.status == "completed"
    assert dsg_finance_completeness(draft, False) == []
    assert dsg_finance_progress([draft], set()) == {draft.pk: (1, 1)}


def test_the_snapshot_holds_the_grid_as_entered_and_the_derived_figures(
    agreement, finance, django_assert_num_queries
):
    _seed(agreement, finance)
    draft = f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=2)
    # The agreement, the lines, the figures.
    with django_assert_num_queries(3):
        fragment = dsg_finance_snapshot(draft)
    high = next(b for b in fragment["blocks"] if b["key"] == HN)
    line_id = next(line["id"] for line in high["lines"] if line["name"] == INMSS)
    mitigated = next(s for s in high["scenarios"] if s["key"] == "mitigated")
    assert mitigated["figures"]["2024"][str(line_id)] == "90000000.00"
    assert mitigated["derived"]["2024"]["in_year"] == "-10000000.00"
    assert mitigated["derived"]["2024"]["in_year_pct_of_dsg"] == "-12.5"
    assert fragment["total"]["scenarios"][3]["derived"]["2024"]["carried_forward"] == (
        "-10000000.00"
    )
    assert fragment["end_of_plan"]["label"] == "2024-25"


def test_the_admin_saves_a_figure_through_the_service(agreement, finance):
    _seed(agreement, finance)
    figure = DsgPlanFigure.objects.get(line__name=INMSS)
    client = Client()
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    url = reverse("admin:finance_dsgplanfigure_change", args=[figure.pk])
    page = client.get(url).content.decode()
    assert page.count('name="amount"') == 1
    response = client.post(
        url, {"amount": "85000000", "seen_version": str(figure.version), "_save": "Save"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure.refresh_from_db()
    assert (figure.amount, figure.version) == (Decimal("85000000.00"), 2)
    line = FinanceLine.objects.get(scenario="latest", financial_year=2024)
    assert line.in_year_position == Decimal("-5000000.00")


def test_no_change_this_term_completes_the_task_from_the_grid(agreement, finance):
    from tests.round_page.conftest import client_for

    draft = _plan_round(agreement, financial_year=2025, update_number=2)
    council = agreement.council
    grid = reverse("finance:dsg_plan_grid", args=[council.slug])
    html = client_for(finance).get(grid).content.decode()
    assert "No change this term" in html
    url = reverse("finance:dsg_plan_confirm", args=[council.slug, draft.fy, 2])
    response = client_for(finance).post(url, {"block": "schools", "scenario": "budget"})
    assert response.status_code == 302 and "block=schools" in response["Location"]
    (task,) = dsg_finance_tasks(draft)
    assert task.status == "completed"
    assert "Confirmed unchanged" in task.hint


def test_no_change_this_term_names_a_plan_round_only(agreement, finance, other_la_officer):
    from tests.round_page.conftest import client_for

    sv = f.ReportingRoundFactory(agreement=agreement, financial_year=2025, update_number=1)
    council = agreement.council
    url = reverse("finance:dsg_plan_confirm", args=[council.slug, sv.fy, 1])
    assert client_for(finance).post(url).status_code == 404
    plan = _plan_round(agreement, financial_year=2025, update_number=1)
    assert client_for(other_la_officer).post(url).status_code == 404
    assert dsg_finance_tasks(plan)[0].status == "not_started"


def test_the_financial_summary_task_links_to_the_grid_only_for_whoever_may_edit_finance(
    agreement, finance, la_officer, board_member
):
    from tests.round_page.conftest import client_for

    draft = _plan_round(agreement, financial_year=2025, update_number=3)
    council = agreement.council
    tasks = reverse("reports:dsg_task_list", args=[council.slug, draft.fy, 3])
    grid = reverse("finance:dsg_plan_grid", args=[council.slug])
    page = reverse("reports:dsg_task_detail", args=[council.slug, draft.fy, 3, "dsg-finance"])
    assert f'href="{grid}"' in client_for(finance).get(tasks).content.decode()
    for reader in (la_officer, board_member):
        # The grid refuses them (403): the task's own page instead, which they may read.
        assert client_for(reader).get(grid).status_code == 403
        html = client_for(reader).get(tasks).content.decode()
        assert f'href="{grid}"' not in html
        assert f'href="{page}"' in html
        assert client_for(reader).get(page).status_code == 200


def test_the_round_pages_still_to_update_links_the_grid_only_for_whoever_may_edit_finance(
    agreement, finance, la_officer
):
    from tests.round_page.conftest import client_for

    draft = _plan_round(agreement, financial_year=2025, update_number=3)
    council = agreement.council
    round_page = reverse("reports:dsg_round_detail", args=[council.slug, draft.fy, 3])
    grid = reverse("finance:dsg_plan_grid", args=[council.slug])
    gap = "Financial summary: not saved or confirmed for this update"
    html = client_for(finance).get(round_page).content.decode()
    assert f'<a class="govuk-link" href="{grid}">{gap}</a>' in html
    html = client_for(la_officer).get(round_page).content.decode()
    assert gap in html and f'href="{grid}"' not in html


def test_a_new_terms_task_is_not_started_though_the_plan_has_figures_from_before():
    from svmonitor.sections import DSG_PLAN
    from svmonitor.services.rounds import round_open_next
    from tests.dsg_outputs.builders import dsg_plan

    plan = dsg_plan()
    finance = _member(plan.agreement.council, Role.FINANCE, "plan-finance-lead")
    _seed_year = {(HN, "mitigated", ALLOC, 2025): Decimal("80000000")}
    dsg_plan_figures_import(agreement=plan.agreement, entries=_seed_year, by=finance)
    # The figures are the plan's, saved before this term's update was opened: nothing of the
    # term's own has been done yet (it read "In progress").
    summer = round_open_next(
        agreement=plan.agreement, financial_year=2025, update_number=1, by=plan.lead,
        return_kind=DSG_PLAN,
    )  # fmt: skip
    (task,) = dsg_finance_tasks(summer)
    assert task.status == "not_started"
    dsg_plan_figures_import(
        agreement=plan.agreement,
        entries={(HN, "mitigated", INMSS, 2025): Decimal("90000000")},
        by=finance,
    )
    (task,) = dsg_finance_tasks(summer)
    assert task.status == "completed"  # saved in the draft: the term's summary is done
