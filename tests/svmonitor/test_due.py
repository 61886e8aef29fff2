"""svmonitor.due: the one rule for "overdue" and "due in N days" every surface uses."""

import datetime as dt

import pytest

from svmonitor.choices import RoundStatus
from svmonitor.due import (
    overdue_q,
    round_days_overdue,
    round_due,
    round_due_in_days,
    round_is_overdue,
)
from svmonitor.models import ReportingRound
from tests.factories import AgreementFactory, ReportingRoundFactory

DUE = dt.date(2024, 5, 31)


def _round(status=RoundStatus.DRAFT, **extra) -> ReportingRound:
    return ReportingRound(
        due_date=DUE, status=status, financial_year=2024, update_number=1, **extra
    )


def test_a_return_is_not_overdue_on_its_due_date_and_is_from_the_day_after():
    round = _round()
    assert not round_is_overdue(round, on=DUE)
    assert round_due(round, on=DUE).label == "Due today"
    assert round_is_overdue(round, on=DUE + dt.timedelta(days=1))
    assert round_days_overdue(round, on=DUE + dt.timedelta(days=1)) == 1
    assert round_due(round, on=DUE + dt.timedelta(days=1)).label == "1 day overdue"
    assert round_due(round, on=DUE + dt.timedelta(days=9)).label == "9 days overdue"


def test_it_counts_the_days_left_before_the_due_date():
    round = _round()
    assert round_due_in_days(round, on=DUE - dt.timedelta(days=14)) == 14
    assert round_due(round, on=DUE - dt.timedelta(days=14)).label == "Due in 14 days"
    assert round_days_overdue(round, on=DUE - dt.timedelta(days=14)) == 0


@pytest.mark.parametrize("status", [RoundStatus.READY, RoundStatus.SIGNED_OFF])
def test_a_return_signed_or_ready_but_not_sent_is_still_overdue(status):
    assert round_is_overdue(_round(status), on=DUE + dt.timedelta(days=3))


def test_a_submitted_return_is_never_overdue_even_when_sent_late():
    round = _round(RoundStatus.SUBMITTED, submitted_on=DUE + dt.timedelta(days=10))
    due = round_due(round, on=DUE + dt.timedelta(days=30))
    assert not due.is_overdue
    assert due.days_overdue == 0
    assert due.label == ""


@pytest.mark.django_db
def test_the_queryset_filter_agrees_with_the_helper():
    agreement = AgreementFactory()
    rounds = [
        ReportingRoundFactory(agreement=agreement, update_number=1, due_date=DUE),
        ReportingRoundFactory(
            agreement=agreement,
            update_number=2,
            due_date=DUE,
            status=RoundStatus.SUBMITTED,
            submitted_on=DUE,
        ),
        ReportingRoundFactory(
            agreement=agreement, update_number=3, due_date=DUE + dt.timedelta(days=5)
        ),
    ]
    on = DUE + dt.timedelta(days=2)
    flagged = set(ReportingRound.objects.filter(overdue_q(on=on)).values_list("pk", flat=True))
    assert flagged == {r.pk for r in rounds if round_is_overdue(r, on=on)} == {rounds[0].pk}
