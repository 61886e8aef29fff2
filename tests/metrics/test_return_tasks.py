"""The quarter's KPIs and finance forecast as tasks of a return's completeness (issue 15.4):
registered by metrics and finance with the spine's registry of a return's parts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from finance.services import finance_forecast_confirm
from metrics.month_entry import MonthFigure, measure_values_save_month
from metrics.sections import round_kpi_months
from svmonitor.roles import Role
from svmonitor.sections import (
    TASK_COMPLETED,
    TASK_IN_PROGRESS,
    TASK_NOT_STARTED,
    return_parts,
)
from svmonitor.selectors import round_completeness
from svmonitor.services import round_mark_ready, round_open_next
from tests import factories as f
from tests.round_builders import complete, programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def prog():
    return programme()


@pytest.fixture
def kpis(prog):
    """Two monthly measures and an annual one with an actual series."""
    council = prog.agreement.council
    actual = f.SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
    monthly = [f.MeasureFactory(council=council, name=f"Monthly {n}", order=n) for n in (1, 2)]
    f.MeasureFactory(council=council, name="Annual", frequency="annual", order=3)
    return actual, monthly


def _tasks(round):
    """The tasks the KPI and finance parts report, by part (the task list reads them alike)."""
    return {
        part.name: task
        for part in return_parts()
        if part.name in ("kpis", "finance")
        for task in part.tasks(round, False)
    }


def test_update_3_covers_the_months_after_update_2s_up_to_its_own(prog):
    agreement = prog.agreement
    f.ReportingRoundFactory(
        agreement=agreement,
        update_number=2,
        data_as_at=dt.date(2024, 7, 1),
        status="submitted",
        submitted_on=dt.date(2024, 8, 30),
    )
    third = f.ReportingRoundFactory(
        agreement=agreement, update_number=3, data_as_at=dt.date(2024, 10, 1)
    )
    assert round_kpi_months(third) == [
        dt.date(2024, 8, 1),
        dt.date(2024, 9, 1),
        dt.date(2024, 10, 1),
    ]


def test_a_first_return_covers_the_three_months_up_to_its_month(prog):
    first = f.ReportingRoundFactory(agreement=prog.agreement, data_as_at=dt.date(2024, 4, 1))
    assert round_kpi_months(first) == [
        dt.date(2024, 2, 1),
        dt.date(2024, 3, 1),
        dt.date(2024, 4, 1),
    ]


def test_kpis_are_completed_when_every_monthly_measure_has_a_figure_or_na(prog, kpis):
    actual, monthly = kpis
    round = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=1, by=prog.officer
    )  # data to April 2024, a first return: February to April
    assert _tasks(round)["kpis"].status == TASK_NOT_STARTED
    gaps = [gap for gap in round_completeness(round) if gap.section == "kpis"]
    assert [gap.item for gap in gaps] == [
        "Key measures, February 2024",
        "Key measures, March 2024",
        "Key measures, April 2024",
    ]
    assert gaps[0].url.endswith("/kpis/2024-02/")
    assert "Monthly 1, Monthly 2" in gaps[0].problem and "Annual" not in gaps[0].problem
    for month in (2, 3, 4):
        period = dt.date(2024, month, 1)
        figures = [MonthFigure(monthly[0], "12", ""), MonthFigure(monthly[1], "n/a: late", "")]
        if month == 4:
            figures = figures[:1]
        measures = measure_values_save_month(
            council=prog.agreement.council,
            period=period,
            series=actual,
            figures=figures,
            by=prog.officer,
        )
        assert measures == len(figures)
    task = _tasks(round)["kpis"]
    assert task.status == TASK_IN_PROGRESS and "1 figure to enter" in task.hint
    measure_values_save_month(
        council=prog.agreement.council,
        period=dt.date(2024, 4, 1),
        series=actual,
        figures=[MonthFigure(monthly[1], "-", "")],
        by=prog.officer,
    )
    assert _tasks(round)["kpis"].status == TASK_COMPLETED
    assert not [gap for gap in round_completeness(round) if gap.section == "kpis"]


def test_missing_kpis_stop_a_return_being_marked_ready(prog):
    round = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=1, by=prog.officer
    )
    complete(round, prog.officer)  # every section rated, the overview answered
    # Measures the council reports monthly, none of them entered for the round's months.
    council = prog.agreement.council
    f.SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
    f.MeasureFactory(council=council, name="Monthly 1")
    f.MeasureFactory(council=council, name="Monthly 2")
    with pytest.raises(ValidationError) as refused:
        round_mark_ready(round=round, by=prog.officer)
    assert "Key measures, April 2024: 2 measures have no figure or n/a" in str(refused.value)


def test_the_finance_forecast_is_a_task_once_the_council_keeps_finance_lines(prog):
    round = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=1, by=prog.officer
    )
    assert "finance" not in _tasks(round)  # no finance lines: money is in the narrative
    f.FinanceLineFactory(agreement=prog.agreement, financial_year=2024, scenario="latest")
    assert _tasks(round)["finance"].status == TASK_NOT_STARTED
    assert [gap.item for gap in round_completeness(round) if gap.section == "finance"] == [
        "Finance forecast"
    ]
    lead = f.UserFactory()
    f.MembershipFactory(user=lead, council=prog.agreement.council, role=Role.FINANCE)
    finance_forecast_confirm(round=round, by=lead)
    assert _tasks(round)["finance"].status == TASK_COMPLETED
    assert not [gap for gap in round_completeness(round) if gap.section == "finance"]


def test_a_new_return_needs_its_forecast_reviewed_again(prog):
    f.FinanceLineFactory(
        agreement=prog.agreement, financial_year=2024, scenario="latest", hnb_income=Decimal("1")
    )
    lead = f.UserFactory()
    f.MembershipFactory(user=lead, council=prog.agreement.council, role=Role.FINANCE)
    first = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=1, by=prog.officer
    )
    finance_forecast_confirm(round=first, by=lead)
    first.status = "submitted"
    first.submitted_on = dt.date(2024, 5, 30)
    first.save()
    second = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=2, by=prog.officer
    )
    assert _tasks(second)["finance"].status == TASK_NOT_STARTED


def test_the_round_pages_gap_links_to_the_month_page(prog, kpis):
    from tests.round_page.conftest import client_for, round_url

    round = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=1, by=prog.officer
    )
    html = client_for(prog.officer).get(round_url(round)).content.decode()
    month = f"/councils/{prog.agreement.council.slug}/kpis/2024-04/"
    assert f'href="{month}">Key measures, April 2024: 2 measures have no figure' in html


def test_the_home_pages_progress_counts_the_kpi_and_finance_tasks_as_completeness_does(prog, kpis):
    from svmonitor.selectors import round_progress

    f.FinanceLineFactory(agreement=prog.agreement, financial_year=2024, scenario="latest")
    round = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=1, by=prog.officer
    )
    before = round_progress(round)
    complete(round, prog.officer)  # sections, then the KPIs (n/a) and the forecast confirmed
    after = round_progress(round)
    assert not round_completeness(round)
    assert after.complete == after.total == before.total
    # Two more than the sections: the KPI task and the finance task.
    assert before.total - before.complete >= 2
