"""Issue 14: the portfolio reads a stored row per council (reports.models.PortfolioEntry).

A row stands while its council's data version and the day stand. After every write through
the one door (a submission, a reopening, a tier change, a RAG definition, a finance line) the
portfolio shows what a build from the record with nothing stored shows; a council nobody
wrote to is not built again.
"""

import datetime as dt
from decimal import Decimal

import pytest

from finance.models import FinanceLine
from finance.services import finance_line_save
from reports.models import PortfolioEntry
from reports.portfolio import ROW_SHAPE, portfolio_rows
from svmonitor.choices import Rag, RoundStatus
from svmonitor.roles import Role
from svmonitor.sections import DSG_PLAN
from svmonitor.services import round_reopen
from svmonitor.services.council import monitoring_tier_upsert, rag_definition_upsert
from tests import factories as f
from tests.reports.test_dashboard_views import _submitted_council
from tests.round_builders import programme, round_in

pytestmark = pytest.mark.django_db


def _built_afresh(user, today=None):
    """The rows as built from the record with no stored row at all."""
    PortfolioEntry.objects.all().delete()
    return portfolio_rows(user=user, today=today)


def _shown(user, today=None):
    """The rows the portfolio shows, checked against a build with nothing stored (which
    stores the rows the next write must move on)."""
    shown = portfolio_rows(user=user, today=today)
    assert shown == _built_afresh(user, today)
    return shown


def test_the_portfolio_is_right_after_a_submission_a_reopening_and_a_tier_change():
    prog = programme()
    agreement = prog.agreement
    adviser, admin = f.UserFactory(), f.UserFactory(is_superuser=True)
    f.MembershipFactory(user=adviser, council=agreement.council, role=Role.ADVISER)
    (row,) = _shown(adviser)
    assert (row.round_label, row.tier) == ("None submitted", "Not recorded")
    # Submitted through the lifecycle services (frozen when marked ready).
    submitted = round_in(RoundStatus.SUBMITTED, prog)
    (row,) = _shown(adviser)
    assert row.round_label == submitted.label
    assert row.submitted_on == submitted.submitted_on
    assert row.overall_change == "First submission"
    assert [c.label for c in row.conditions] == ["1", "2"]
    assert row.overdue == ""
    # Reopened: nothing submitted any more, and the return is past its due date.
    round_reopen(round=submitted, by=prog.officer, reason="A figure was wrong.")
    (row,) = _shown(adviser)
    assert row.round_label == "None submitted"
    assert row.conditions == ()
    assert row.overdue.startswith("2024-25 Update 1: ")
    # A tier change.
    monitoring_tier_upsert(
        agreement=agreement,
        change=None,
        by=admin,
        tier="enhanced",
        effective_from=dt.date(2024, 4, 1),
    )
    (row,) = _shown(adviser)
    assert row.tier == "Enhanced monitoring and support"


def test_a_stored_row_is_read_alone_until_a_write_to_its_council(django_assert_num_queries):
    admin = f.UserFactory(is_superuser=True)
    changed = _submitted_council("Changeshire", deficit="90", cap="100", rags=(Rag.AMBER_GREEN,))
    other = _submitted_council("Othershire", deficit="90", cap="100")
    portfolio_rows(user=admin)
    other_entry = PortfolioEntry.objects.get(council=other)
    # Nothing written since: the councils with their stored rows, and nothing else.
    with django_assert_num_queries(1):
        rows = {row.name: row for row in portfolio_rows(user=admin)}
    assert [c.code for c in rows["Changeshire"].conditions] == [Rag.AMBER]
    # The council's programme administrator reports Amber/Green as Green to DfE from now on.
    rag_definition_upsert(
        council=changed,
        rag_definition=None,
        by=admin,
        level=Rag.AMBER_GREEN,
        label="A/G",
        definition="Mostly on track.",
        dfe_level=Rag.GREEN,
    )
    # The stored rows; that council's rounds, tier, RAG words, condition levels, and its
    # round's forecast with its cap (its rounds were never frozen); its row stored (INSERT ...
    # ON CONFLICT UPDATE).
    with django_assert_num_queries(1 + 5 + 1):
        rows = {row.name: row for row in portfolio_rows(user=admin)}
    assert [c.code for c in rows["Changeshire"].conditions] == [Rag.GREEN]
    # The other council's row was not built again.
    assert PortfolioEntry.objects.get(council=other).row is not None
    assert PortfolioEntry.objects.get(council=other).data_version == other_entry.data_version
    assert rows == {row.name: row for row in _built_afresh(admin)}


def test_a_forecast_saved_after_a_submission_never_frozen_is_shown():
    # History loaded as submitted, never frozen: its row is its live rows, as on its dashboard.
    council = _submitted_council("Liveshire", deficit="90000000", cap="100000000")
    finance = f.UserFactory()
    f.MembershipFactory(user=finance, council=council, role=Role.FINANCE)
    adviser = f.UserFactory()
    f.MembershipFactory(user=adviser, council=council, role=Role.ADVISER)
    (row,) = _shown(adviser)
    assert row.against_cap == "£10.00m within the cap"
    line = FinanceLine.objects.get(agreement__council=council)
    finance_line_save(
        line=line, expected_version=line.version, by=finance, cumulative_deficit="105000000"
    )
    (row,) = _shown(adviser)
    assert row.deficit == Decimal("105000000")
    assert row.against_cap == "£5.00m over the cap"


def test_a_row_stored_on_another_day_is_built_again_for_today():
    admin = f.UserFactory(is_superuser=True)
    agreement = f.AgreementFactory()
    f.ReportingRoundFactory(agreement=agreement, update_number=2, due_date=dt.date(2024, 8, 31))
    (row,) = portfolio_rows(user=admin, today=dt.date(2024, 9, 12))
    assert row.overdue == "2024-25 Update 2: 12 days overdue"
    # No write in between: the day alone moves what is overdue (and the tier in force).
    (row,) = portfolio_rows(user=admin, today=dt.date(2024, 9, 13))
    assert row.overdue == "2024-25 Update 2: 13 days overdue"
    assert PortfolioEntry.objects.get().built_on == dt.date(2024, 9, 13)


def test_rows_of_frozen_returns_are_built_in_the_same_queries_for_one_council_or_three(
    django_assert_num_queries,
):
    admin = f.UserFactory(is_superuser=True)
    for councils in (1, 3):
        while len(PortfolioEntry.objects.all()) < councils:
            round_in(RoundStatus.SUBMITTED)
            portfolio_rows(user=admin)
        PortfolioEntry.objects.all().delete()
        # The councils with their stored rows (none); their rounds, tiers and the frozen
        # payloads of the rounds shown; the rows stored (one upsert).
        with django_assert_num_queries(1 + 3 + 1):
            rows = portfolio_rows(user=admin)
        assert [len(row.conditions) for row in rows] == [2] * councils


def test_a_row_stored_in_an_earlier_shape_is_built_again():
    admin = f.UserFactory(is_superuser=True)
    council = _submitted_council("Shapeshire", deficit="90", cap="100")
    (built,) = portfolio_rows(user=admin)
    # As code that stored other fields left it, at the council's version, today.
    PortfolioEntry.objects.filter(council=council).update(row={"round": "2024-25/2"})
    assert portfolio_rows(user=admin) == [built]
    assert PortfolioEntry.objects.get(council=council).row["shape"] == ROW_SHAPE


def test_the_portfolio_shows_safety_valve_returns_only():
    admin = f.UserFactory(is_superuser=True)
    council = _submitted_council("Kindshire", deficit="90", cap="100")
    agreement = council.agreements.get()
    # A DSG plan's round sent later, and one past its due date: neither is the Safety Valve
    # return DfE's portfolio compares, nor overdue as one.
    f.ReportingRoundFactory(
        agreement=agreement,
        return_kind=DSG_PLAN,
        financial_year=2025,
        update_number=1,
        status=RoundStatus.SUBMITTED,
        submitted_on=dt.date(2025, 9, 1),
    )
    f.ReportingRoundFactory(
        agreement=agreement,
        return_kind=DSG_PLAN,
        financial_year=2025,
        update_number=2,
        due_date=dt.date(2025, 11, 30),
    )
    (row,) = portfolio_rows(user=admin, today=dt.date(2026, 1, 1))
    assert row.round_label == "2024-25 Update 2 (August)"
    # The Safety Valve draft after it is the one overdue.
    assert row.overdue.startswith("2024-25 Update 3: ")
