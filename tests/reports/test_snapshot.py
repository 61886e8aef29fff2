"""The read model: what a snapshot holds and how it serialises."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from reports.snapshot import (
    round_for_council,
    round_key_parse,
    round_snapshot_build,
    snapshot_as_dict,
)
from svmonitor.choices import Rag
from tests.factories import ReportingRoundFactory


@pytest.mark.django_db
def test_it_serialises_to_json_with_iso_dates_and_decimal_strings(latest_round):
    data = snapshot_as_dict(round_snapshot_build(latest_round))
    text = json.dumps(data, sort_keys=True)
    assert data["round"]["data_as_at"] == "2024-12-01"
    assert data["agreement"]["dfe_contribution"] == "67000000.00"
    assert json.loads(text) == data


@pytest.mark.django_db
def test_it_shows_the_councils_words_and_the_dfe_level(latest_round):
    snap = round_snapshot_build(latest_round)
    assert snap.overview.overall.code == Rag.AMBER_RED
    assert snap.overview.overall.label == "Amber / Red - At Risk"
    assert snap.overview.overall.dfe_code == Rag.RED


@pytest.mark.django_db
def test_it_puts_update_1_2_3_side_by_side_with_the_change(latest_round):
    snap = round_snapshot_build(latest_round)
    first = snap.conditions[0]
    # The factory council cycles Green -> Amber/Green -> Amber over the three updates.
    assert [r.code for r in first.by_update] == [Rag.GREEN, Rag.AMBER_GREEN, Rag.AMBER]
    assert first.previous.code == Rag.AMBER_GREEN
    assert first.change == "worsened"
    assert first.previous_round_label == "2024-25 Update 2"


@pytest.mark.django_db
def test_an_earlier_round_hides_later_updates(latest_round):
    update_2 = latest_round.agreement.rounds.get(update_number=2)
    snap = round_snapshot_build(update_2)
    assert snap.conditions[0].by_update[2] is None
    assert snap.data_as_at == dt.date(2024, 7, 1)
    # Actual figures stop at the round's month.
    assert snap.measures[0].actual.points[-1].period == dt.date(2024, 7, 1)


@pytest.mark.django_db
def test_key_risks_follow_the_councils_threshold(latest_round):
    council = latest_round.agreement.council
    snap = round_snapshot_build(latest_round)
    assert all(r.score >= 15 for r in snap.key_risks)
    assert sum(sum(row) for row in snap.heat_map) == len(snap.risks)
    council.risk_score_threshold = 25
    council.save()
    assert round_snapshot_build(latest_round).key_risks == ()


@pytest.mark.django_db
def test_the_headline_compares_with_the_same_month_of_the_forecast(latest_round):
    card = round_snapshot_build(latest_round).headlines[0]
    assert card.value == Decimal(6005)
    assert card.comparator_value == Decimal(5705)
    assert card.difference_display == "+300"
    assert card.direction == "worse"
    assert card.sentence == "300 plans above forecast to date (+5.3%), worse than planned."
    assert card.period == dt.date(2024, 12, 1)


@pytest.mark.django_db
def test_the_kpi_table_has_the_last_four_periods_and_vs_last_year(latest_round):
    measure = round_snapshot_build(latest_round).measures[0]
    assert [row.period.month for row in measure.table] == [12, 11, 10, 9]
    assert measure.table[0].vs_last_year.display == "+605"
    assert measure.table[0].vs_stat_neighbour is None


@pytest.mark.django_db
def test_round_selection_picks_the_latest_or_the_named_round(latest_round):
    council = latest_round.agreement.council
    assert round_for_council(council=council) == latest_round
    assert round_for_council(council=council, key="2024-25/2").update_number == 2
    with pytest.raises(ValueError, match="no such round"):
        round_for_council(council=council, key="2019-20/1")
    with pytest.raises(ValueError, match="1, 2 or 3"):
        round_key_parse("2024-25/7")
    ReportingRoundFactory(agreement=latest_round.agreement, financial_year=2025)
    assert round_for_council(council=council).financial_year == 2025
