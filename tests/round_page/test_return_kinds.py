"""A second kind of return on the same spine (issue 19.1): a DSG deficit management plan update
is a ReportingRound of kind "dsg_plan" under the council's agreement, with the same lifecycle
(draft, ready and frozen, signed off by the S151 officer and the DCS, submitted), the same
access rules and one record out: its record is its registered parts' fragments, frozen when it
is marked ready. The parts here are a test's own (the real DSG parts are tested in their apps),
so these tests pin the spine alone."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from finance.models import FinanceLine
from reports.models import RoundSnapshot
from reports.snapshot.parts import PartsRecord, parts_record_changes
from reports.snapshot.record import round_record
from svmonitor.choices import RoundStatus
from svmonitor.models import ReportingRound, SignOff
from svmonitor.return_kinds import return_kind
from svmonitor.sections import (
    DSG_PLAN,
    SAFETY_VALVE,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    return_part_register,
    return_part_unregister,
    return_parts,
)
from svmonitor.selectors import previous_round_for, round_completeness
from svmonitor.services import (
    round_mark_ready,
    round_open_next,
    round_record_submission,
    round_sign_off,
)
from tests import factories as f
from tests.round_page.conftest import client_for


@pytest.fixture
def plan_part():
    """The DSG plan's only part for the test: its cumulative deficit (finance's one table);
    complete once the figure is there. The apps' real DSG parts are set aside meanwhile."""
    kept = return_parts(DSG_PLAN)
    for part in kept:
        return_part_unregister(part.name)

    def gaps(round, carried, **_):
        if FinanceLine.objects.filter(
            agreement=round.agreement, financial_year=round.financial_year, scenario="latest"
        ).exists():
            return []
        return [CompletenessGap("test_plan", "Financial summary", "no forecast yet")]

    def tasks(round, carried):
        status = "not_started" if gaps(round, carried) else "completed"
        return [ReturnTask("test-plan", "Plan", "Financial summary", status)]

    def snapshot(round):
        line = FinanceLine.objects.filter(
            agreement=round.agreement, financial_year=round.financial_year, scenario="latest"
        ).first()
        return {"cumulative_deficit": str(line.cumulative_deficit) if line else None}

    part = ReturnPart(
        "test_plan",
        900,
        carry_forward=lambda *a: None,
        completeness=gaps,
        tasks=tasks,
        snapshot=snapshot,
        return_kind=DSG_PLAN,
    )
    return_part_register(part)
    yield part
    return_part_unregister(part.name)
    for part in kept:
        return_part_register(part)


@pytest.fixture
def runs_both(agreement):
    """The council runs the Safety Valve return and keeps a DSG plan."""
    council = agreement.council
    council.return_kinds = [SAFETY_VALVE, DSG_PLAN]
    council.save(update_fields=["return_kinds"])
    return agreement


def _plan_url(round, page="round_detail") -> str:
    return reverse(
        f"reports:dsg_{page}", args=[round.agreement.council.slug, round.fy, round.update_number]
    )


def _open_plan(agreement, lead, n=2) -> ReportingRound:
    return round_open_next(
        agreement=agreement, financial_year=2025, update_number=n, by=lead, return_kind=DSG_PLAN
    )


def test_a_plan_update_is_labelled_and_due_by_its_kind(runs_both, lead, plan_part):
    plan = _open_plan(runs_both, lead)
    assert plan.label == "2025-26 DSG plan, autumn term (December)"
    assert plan.due_date.isoformat() == "2025-12-15"
    assert plan.data_as_at.isoformat() == "2025-10-01"
    spring = return_kind(DSG_PLAN).due_date(2025, 3)
    assert spring.isoformat() == "2026-03-15"


def test_a_council_that_does_not_run_the_plan_cannot_open_one(agreement, lead, plan_part):
    with pytest.raises(ValidationError) as refused:
        _open_plan(agreement, lead)
    assert "does not run this kind of return" in str(refused.value)
    assert not ReportingRound.objects.filter(return_kind=DSG_PLAN).exists()


def test_both_kinds_have_the_same_year_and_number_side_by_side(runs_both, lead, plan_part):
    plan = _open_plan(runs_both, lead)
    update = round_open_next(agreement=runs_both, financial_year=2025, update_number=2, by=lead)
    assert update.return_kind == SAFETY_VALVE and plan.return_kind == DSG_PLAN
    # Each kind's previous round is its own: the plan's autumn term does not follow Update 2.
    plan.status = RoundStatus.READY
    plan.save(update_fields=["status"])
    spring = _open_plan(runs_both, lead, n=3)
    assert (
        previous_round_for(
            agreement=runs_both, financial_year=2025, update_number=3, return_kind=DSG_PLAN
        )
        == plan
    )
    assert spring.return_kind == DSG_PLAN
    lead_client = client_for(lead)
    sv_page = lead_client.get(
        reverse("reports:round_detail", args=[runs_both.council.slug, "2025-26", 2])
    )
    plan_page = lead_client.get(_plan_url(plan))
    assert sv_page.status_code == plan_page.status_code == 200
    assert "Quarterly return: 2025-26 Update 2 (August)" in sv_page.content.decode()
    assert "DSG plan update: 2025-26 DSG plan, autumn term (December)" in (
        plan_page.content.decode()
    )


def test_the_plan_task_list_holds_only_its_own_parts(runs_both, lead, plan_part):
    plan = _open_plan(runs_both, lead)
    page = client_for(lead).get(_plan_url(plan, "task_list")).content.decode()
    assert "Financial summary" in page
    # No Safety Valve part (conditions, risks, the overview) is a task of the plan.
    assert "Overview" not in page and "Condition" not in page
    assert [gap.section for gap in round_completeness(plan)] == ["test_plan"]


def test_a_plan_update_goes_through_the_shared_lifecycle_to_one_frozen_record(
    runs_both, lead, s151, dcs, finance, plan_part
):
    plan = _open_plan(runs_both, lead)
    with pytest.raises(ValidationError):
        round_mark_ready(round=plan, by=lead)  # the part has a gap: no forecast yet
    line = f.FinanceLineFactory(
        agreement=runs_both,
        financial_year=2025,
        scenario="latest",
        cumulative_deficit=Decimal("137200000"),
    )
    round_mark_ready(round=plan, by=lead)
    snapshot = RoundSnapshot.objects.get(round=plan)
    assert snapshot.payload["kind"] == DSG_PLAN
    assert snapshot.payload["parts"] == {"test_plan": {"cumulative_deficit": "137200000.00"}}
    assert snapshot.payload["round"]["label"] == plan.label
    round_sign_off(round=plan, by=s151, capacity="s151")
    round_sign_off(round=plan, by=dcs, capacity="dcs")
    plan.refresh_from_db()
    round_record_submission(round=plan, by=finance, submitted_on=dt.date.today())
    plan.refresh_from_db()
    assert plan.status == RoundStatus.SUBMITTED
    assert SignOff.objects.filter(round=plan, snapshot_sha256=snapshot.sha256).count() == 2

    # Live data moves on; the record of what the Schools Forum received does not.
    FinanceLine.objects.filter(pk=line.pk).update(cumulative_deficit=Decimal("140000000"))
    record = round_record(plan)
    assert isinstance(record, PartsRecord)
    assert record.is_frozen and record.sha256 == snapshot.sha256
    assert record.parts["test_plan"]["cumulative_deficit"] == "137200000.00"
    assert [s.capacity for s in record.sign_offs] == ["dcs", "s151"]
    changes = parts_record_changes(record)
    assert [(c.part, c.path, c.frozen, c.live) for c in changes] == [
        ("test_plan", "cumulative_deficit", "137200000.00", "140000000.00")
    ]
    page = client_for(lead).get(_plan_url(plan)).content.decode()
    assert snapshot.sha256 in page
    assert "Sent to Schools Forum on" in page
    assert "Figures or text have changed since this return was frozen" in page
    changes_page = client_for(lead).get(_plan_url(plan, "round_changes")).content.decode()
    assert "140000000.00" in changes_page and "137200000.00" in changes_page


def test_a_draft_plan_record_is_live(runs_both, lead, plan_part):
    plan = _open_plan(runs_both, lead)
    f.FinanceLineFactory(
        agreement=runs_both, financial_year=2025, scenario="latest", cumulative_deficit=5
    )
    record = round_record(plan)
    assert not record.is_frozen and record.is_draft
    assert record.parts["test_plan"]["cumulative_deficit"] == "5.00"


def test_another_councils_officer_gets_404_on_every_plan_page(
    runs_both, lead, plan_part, other_la_officer
):
    plan = _open_plan(runs_both, lead)
    client = client_for(other_la_officer)
    for page in ("round_detail", "task_list", "round_changes", "round_status"):
        assert client.get(_plan_url(plan, page)).status_code == 404, page
    # The Safety Valve address of the same year and number is not the plan either.
    own = client_for(lead).get(
        reverse("reports:round_detail", args=[runs_both.council.slug, "2025-26", 2])
    )
    assert own.status_code == 404


def test_the_round_list_shows_each_kind_with_its_own_next_round(runs_both, lead, plan_part):
    page = client_for(lead).get(reverse("reports:round_list", args=[runs_both.council.slug]))
    html = page.content.decode()
    assert "Returns and plans" in html
    assert "Safety Valve monitoring return" in html and "DSG deficit management plan" in html
    assert 'name="return_kind" value="dsg_plan"' in html
    response = client_for(lead).post(
        reverse("reports:round_open", args=[runs_both.council.slug]),
        {"financial_year": 2025, "update_number": 1, "return_kind": DSG_PLAN},
    )
    plan = ReportingRound.objects.get(return_kind=DSG_PLAN)
    assert response["Location"] == _plan_url(plan, "task_list")
