"""Headline cards compare like with like (issue 15.9): the actual and its comparator are for
the same period, which the card names; a finance goal is the round's financial year's."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from metrics.periods import PeriodKind
from reports.snapshot import round_snapshot_build
from reports.snapshot.hydrate import snapshot_from_dict
from reports.snapshot.serialise import snapshot_as_dict
from svmonitor.roles import Role
from tests import factories as f

pytestmark = pytest.mark.django_db
FY = PeriodKind.FINANCIAL_YEAR


def _council_at(financial_year: int):
    council = f.LocalAuthorityFactory(name="Cardshire", slug="cardshire")
    agreement = f.AgreementFactory(council=council)
    rnd = f.ReportingRoundFactory(
        agreement=agreement,
        financial_year=financial_year,
        update_number=3,
        due_date=dt.date(financial_year, 11, 30),
    )
    actual = f.SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
    plan = f.SeriesFactory(council=council, name="forecast", slug="forecast")
    return council, rnd, actual, plan


def test_a_card_compares_the_actual_with_the_forecast_for_the_same_month():
    council, rnd, actual, plan = _council_at(2025)
    measure = f.MeasureFactory(council=council, code="ehcps")
    for month in range(4, 11):  # actuals April to October 2025
        f.MeasureValueFactory(
            measure=measure, series=actual, period=dt.date(2025, month, 1), value=6300 + month
        )
    # Forecasts only for April and September: October has none.
    f.MeasureValueFactory(measure=measure, series=plan, period=dt.date(2025, 4, 1), value=6000)
    f.MeasureValueFactory(measure=measure, series=plan, period=dt.date(2025, 9, 1), value=6400)
    f.HeadlineCardFactory(
        council=council, measure=measure, comparator=plan, comparator_label="forecast"
    )

    card = round_snapshot_build(rnd).headlines[0]

    # September with September, not October's actual with an earlier month's forecast.
    assert (card.period, card.value, card.comparator_value) == (
        dt.date(2025, 9, 1),
        Decimal(6309),
        Decimal(6400),
    )
    assert card.period_name == "September 2025"
    assert card.comparison_text == (
        "September 2025 actual 6,309 against September 2025 forecast 6,400"
    )


def test_a_card_with_no_forecast_for_any_month_of_its_actuals_shows_no_comparator():
    council, rnd, actual, plan = _council_at(2025)
    measure = f.MeasureFactory(council=council, code="ehcps")
    f.MeasureValueFactory(measure=measure, series=actual, period=dt.date(2025, 10, 1), value=10)
    f.MeasureValueFactory(measure=measure, series=plan, period=dt.date(2025, 4, 1), value=9)
    f.HeadlineCardFactory(council=council, measure=measure, comparator=plan)
    card = round_snapshot_build(rnd).headlines[0]
    assert (card.period, card.value, card.comparator_value, card.difference) == (
        dt.date(2025, 10, 1),
        Decimal(10),
        None,
        None,
    )
    assert card.comparison_text == (
        "October 2025 actual 10; no Forecast to date figure for the same period"
    )


def test_a_finance_goal_is_the_rounds_financial_years_and_says_which_year():
    council, rnd, actual, goal = _council_at(2025)
    measure = f.MeasureFactory(council=council, code="deficit", unit="gbp_m")
    # The 2024-25 outturn is the latest actual; the goals are kept per financial year.
    for year, value in ((2024, "30.1"), (2025, "27.5")):
        f.MeasureValueFactory(
            measure=measure, series=goal, period=dt.date(year, 4, 1), period_kind=FY, value=value
        )
    f.MeasureValueFactory(
        measure=measure, series=actual, period=dt.date(2024, 4, 1), period_kind=FY, value="31.0"
    )
    f.HeadlineCardFactory(
        council=council, measure=measure, comparator=goal, comparator_label="goal"
    )

    card = round_snapshot_build(rnd).headlines[0]

    assert (card.period, card.period_kind, card.comparator_value) == (
        dt.date(2025, 4, 1),
        FY,
        Decimal("27.5"),
    )
    assert card.value is None  # no 2025-26 actual yet: never the 2024-25 one beside it
    assert card.period_name == "2025-26"
    assert "2025-26 goal" in card.comparison_text


def test_the_dashboard_card_names_the_period_and_an_older_payload_still_loads():
    council, rnd, actual, plan = _council_at(2025)
    measure = f.MeasureFactory(council=council, code="ehcps")
    f.MeasureValueFactory(measure=measure, series=actual, period=dt.date(2025, 10, 1), value=6357)
    f.MeasureValueFactory(measure=measure, series=plan, period=dt.date(2025, 10, 1), value=6400)
    f.HeadlineCardFactory(council=council, measure=measure, comparator=plan)
    board = f.UserFactory(username="board-cards")
    f.MembershipFactory(user=board, council=council, role=Role.BOARD)
    client = Client()
    client.force_login(board)
    html = client.get(reverse("reports:council_dashboard", args=[council.slug])).content.decode()
    assert "October 2025 actual 6,357 against October 2025 Forecast to date 6,400" in html

    # A payload frozen before issue 15.9 has no period kind: it reads as a month.
    payload = snapshot_as_dict(round_snapshot_build(rnd))
    for card in payload["headlines"]:
        del card["period_kind"]
    assert snapshot_from_dict(payload).headlines[0].period_name == "October 2025"
