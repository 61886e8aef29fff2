"""The database itself refuses data that must never be wrong (issue 2.6)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from conditions.models import ConditionUpdate, Milestone, WorkstreamUpdate
from finance.models import FinanceLine, PaymentInstalment
from metrics.models import Measure, MeasureValue, Series
from overview.models import Headline, RoundOverview
from risks.models import Risk, RiskUpdate
from svmonitor.choices import Rag
from svmonitor.models import (
    Agreement,
    KeyContact,
    LocalAuthority,
    Membership,
    RagDefinition,
    ReportingRound,
    SignOff,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def refused(action) -> None:
    """Assert the database refuses the write, inside its own savepoint."""
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


# --- RAG columns -----------------------------------------------------------------------------

RAG_COLUMNS = [
    (f.ConditionUpdateFactory, ConditionUpdate, "rag"),
    (f.WorkstreamUpdateFactory, WorkstreamUpdate, "rag"),
    (f.RiskUpdateFactory, RiskUpdate, "rag"),
    (f.RoundOverviewFactory, RoundOverview, "overall_rag"),
    (f.RagDefinitionFactory, RagDefinition, "level"),
    (f.RagDefinitionFactory, RagDefinition, "dfe_level"),
]


@pytest.mark.parametrize(("factory", "model", "column"), RAG_COLUMNS)
def test_every_rag_column_refuses_an_unknown_level_on_insert(factory, model, column):
    refused(lambda: factory(**{column: "purple"}))
    assert not model.objects.exists()


@pytest.mark.parametrize(("factory", "model", "column"), RAG_COLUMNS)
def test_every_rag_column_refuses_an_unknown_level_on_update(factory, model, column):
    row = factory()
    refused(lambda: model.objects.filter(pk=row.pk).update(**{column: "Red"}))
    row.refresh_from_db()
    assert getattr(row, column) in Rag.values


@pytest.mark.parametrize("level", Rag.values)
def test_every_known_level_is_accepted(level):
    assert f.ConditionUpdateFactory(rag=level).rag == level


def test_rag_definition_dfe_level_is_one_of_the_dfe_four_or_not_rated():
    refused(lambda: f.RagDefinitionFactory(level=Rag.AMBER_RED, dfe_level=Rag.AMBER_RED))


def test_one_rag_definition_per_level_per_council():
    first = f.RagDefinitionFactory(level=Rag.RED, dfe_level=Rag.RED)
    refused(lambda: f.RagDefinitionFactory(council=first.council, level=Rag.RED, dfe_level=Rag.RED))


# --- Risks: impact, likelihood and score ------------------------------------------------------


@pytest.mark.parametrize(("impact", "likelihood"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_risk_refuses_impact_or_likelihood_outside_1_to_5(impact, likelihood):
    refused(lambda: f.RiskFactory(impact=impact, likelihood=likelihood))
    assert not Risk.objects.exists()


@pytest.mark.parametrize(("impact", "likelihood"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_risk_update_refuses_impact_or_likelihood_outside_1_to_5(impact, likelihood):
    refused(lambda: f.RiskUpdateFactory(impact=impact, likelihood=likelihood))
    assert not RiskUpdate.objects.exists()


def test_risk_update_score_refuses_out_of_range_update_query():
    update = f.RiskUpdateFactory()
    refused(lambda: RiskUpdate.objects.filter(pk=update.pk).update(likelihood=9))


def test_risk_score_is_impact_times_likelihood_even_after_an_update_query():
    risk = f.RiskFactory(impact=4, likelihood=3)
    risk.refresh_from_db()
    assert risk.score == 12
    Risk.objects.filter(pk=risk.pk).update(impact=5, likelihood=5)
    risk.refresh_from_db()
    assert risk.score == 25


def test_risk_update_score_is_impact_times_likelihood_even_after_an_update_query():
    update = f.RiskUpdateFactory(impact=2, likelihood=3)
    update.refresh_from_db()
    assert update.score == 6
    RiskUpdate.objects.filter(pk=update.pk).update(impact=5)
    update.refresh_from_db()
    assert update.score == 15
    # Ordering and filtering by score happen in the database too.
    assert RiskUpdate.objects.filter(score__gte=15).get() == update


def test_one_risk_number_per_council():
    risk = f.RiskFactory(number=1)
    refused(lambda: f.RiskFactory(council=risk.council, number=1))


# --- One row per slot -------------------------------------------------------------------------


def test_second_update_for_the_same_round_and_condition_is_refused():
    update = f.ConditionUpdateFactory()
    refused(lambda: f.ConditionUpdateFactory(round=update.round, condition=update.condition))
    assert ConditionUpdate.objects.count() == 1


def test_second_update_for_the_same_round_and_risk_is_refused():
    update = f.RiskUpdateFactory()
    refused(lambda: f.RiskUpdateFactory(round=update.round, risk=update.risk))
    assert RiskUpdate.objects.count() == 1


def test_second_update_for_the_same_round_and_workstream_is_refused():
    update = f.WorkstreamUpdateFactory()
    refused(lambda: f.WorkstreamUpdateFactory(round=update.round, workstream=update.workstream))
    assert WorkstreamUpdate.objects.count() == 1


def test_second_value_for_the_same_measure_period_and_series_is_refused():
    value = f.MeasureValueFactory()
    refused(
        lambda: MeasureValue.objects.create(
            measure=value.measure, period=value.period, series=value.series, value=Decimal("1")
        )
    )
    assert MeasureValue.objects.get().value == Decimal("100")


def test_same_measure_and_period_in_another_series_is_fine():
    value = f.MeasureValueFactory()
    other = f.SeriesFactory(council=value.measure.council)
    f.MeasureValueFactory(measure=value.measure, period=value.period, series=other)
    assert MeasureValue.objects.count() == 2


def test_second_round_for_the_same_update_is_refused():
    round = f.ReportingRoundFactory()
    refused(lambda: f.ReportingRoundFactory(agreement=round.agreement))


@pytest.mark.parametrize("number", [0, 4])
def test_update_number_outside_1_to_3_is_refused(number):
    refused(lambda: f.ReportingRoundFactory(update_number=number))
    assert not ReportingRound.objects.exists()


def test_round_refuses_unknown_status_and_year_out_of_range():
    refused(lambda: f.ReportingRoundFactory(status="sent"))
    refused(lambda: f.ReportingRoundFactory(financial_year=1999))


def test_submitted_round_needs_its_date():
    refused(lambda: f.ReportingRoundFactory(status="submitted"))
    round = f.ReportingRoundFactory(status="submitted", submitted_on=dt.date(2024, 6, 1))
    refused(lambda: ReportingRound.objects.filter(pk=round.pk).update(submitted_on=None))


# --- Sign-offs --------------------------------------------------------------------------------


def _sign_off(round, capacity="s151", **extra):
    return SignOff.objects.create(
        round=round,
        capacity=capacity,
        signed_by=f.UserFactory(),
        signed_at=timezone.now(),
        snapshot_sha256="0" * 64,
        **extra,
    )


def test_two_live_sign_offs_of_the_same_capacity_are_refused():
    round = f.ReportingRoundFactory()
    _sign_off(round, "s151")
    refused(lambda: _sign_off(round, "s151"))
    _sign_off(round, "dcs")
    assert SignOff.objects.count() == 2


def test_a_voided_sign_off_leaves_room_for_a_new_one():
    round = f.ReportingRoundFactory()
    _sign_off(round, "s151", voided_at=timezone.now(), void_reason="Figures corrected")
    _sign_off(round, "s151")
    assert SignOff.objects.filter(voided_at__isnull=True).count() == 1


def test_sign_off_capacity_must_be_s151_or_dcs():
    refused(lambda: _sign_off(f.ReportingRoundFactory(), "ceo"))


# --- Headlines --------------------------------------------------------------------------------


@pytest.mark.parametrize("position", [0, 4])
def test_headline_position_outside_1_to_3_is_refused(position):
    refused(lambda: f.HeadlineFactory(position=position))
    assert not Headline.objects.exists()


def test_two_headlines_in_the_same_slot_are_refused():
    headline = f.HeadlineFactory(position=2)
    refused(lambda: f.HeadlineFactory(overview=headline.overview, position=2))
    f.HeadlineFactory(overview=headline.overview, kind="barrier", position=2)


def test_headline_kind_must_be_known():
    refused(lambda: f.HeadlineFactory(kind="gossip"))


def test_overview_answers_must_be_yes_no_or_blank():
    refused(lambda: f.RoundOverviewFactory(zero_deficit_on_track="n/a"))
    assert f.RoundOverviewFactory(zero_deficit_on_track="no").zero_deficit_on_track == "no"


def test_one_overview_per_round():
    overview = f.RoundOverviewFactory()
    refused(lambda: RoundOverview.objects.create(round=overview.round))


# --- Milestones -------------------------------------------------------------------------------


def test_completed_milestone_without_a_date_is_refused():
    refused(lambda: f.MilestoneFactory(status="complete"))
    assert not Milestone.objects.exists()


def test_milestone_not_completed_cannot_carry_a_completion_date():
    refused(lambda: f.MilestoneFactory(status="on_track", completed_on=dt.date(2024, 5, 1)))


def test_completed_milestone_with_a_date_is_fine_and_unknown_status_is_refused():
    f.MilestoneFactory(status="complete", completed_on=dt.date(2024, 5, 1))
    refused(lambda: f.MilestoneFactory(status="done"))


# --- Councils, agreements, money --------------------------------------------------------------


@pytest.mark.parametrize("threshold", [0, 26])
def test_risk_threshold_outside_1_to_25_is_refused(threshold):
    refused(lambda: f.LocalAuthorityFactory(risk_score_threshold=threshold))
    assert not LocalAuthority.objects.exists()


def test_agreement_years_must_be_in_order_and_contributions_not_negative():
    refused(lambda: f.AgreementFactory(first_financial_year=2028, last_financial_year=2023))
    refused(lambda: f.AgreementFactory(dfe_contribution=Decimal("-1")))
    assert not Agreement.objects.exists()


def test_payment_must_be_positive_with_a_known_status_and_one_per_date():
    refused(lambda: f.PaymentInstalmentFactory(amount=Decimal("0")))
    refused(lambda: f.PaymentInstalmentFactory(status="lost"))
    payment = f.PaymentInstalmentFactory()
    refused(
        lambda: f.PaymentInstalmentFactory(agreement=payment.agreement, due_date=payment.due_date)
    )
    assert PaymentInstalment.objects.count() == 1


def test_one_deficit_cap_per_year_and_tier_must_be_known():
    cap = f.DeficitCapFactory()
    refused(lambda: f.DeficitCapFactory(agreement=cap.agreement))
    refused(lambda: f.MonitoringTierChangeFactory(tier="relaxed"))


def test_condition_cannot_end_before_it_starts():
    refused(
        lambda: f.AgreementConditionFactory(
            in_force_from=dt.date(2024, 4, 1), in_force_to=dt.date(2024, 3, 1)
        )
    )


def test_one_actual_series_per_council():
    actual = f.SeriesFactory(kind="actual")
    refused(lambda: f.SeriesFactory(council=actual.council, kind="actual"))
    assert Series.objects.count() == 1


def test_measure_choices_and_finance_scenario_must_be_known():
    refused(lambda: f.MeasureFactory(unit="furlongs"))
    refused(lambda: f.MeasureFactory(polarity="sideways"))
    refused(lambda: f.FinanceLineFactory(scenario="hopeful"))
    line = f.FinanceLineFactory()
    refused(lambda: f.FinanceLineFactory(agreement=line.agreement))
    assert Measure.objects.count() == 0
    assert FinanceLine.objects.count() == 1


def test_contact_and_membership_roles_must_be_known():
    refused(lambda: f.KeyContactFactory(role="mayor"))
    refused(lambda: f.MembershipFactory(role="owner"))
    membership = f.MembershipFactory()
    refused(
        lambda: f.MembershipFactory(
            user=membership.user, council=membership.council, role=membership.role
        )
    )
    assert not KeyContact.objects.exists()
    assert Membership.objects.count() == 1
