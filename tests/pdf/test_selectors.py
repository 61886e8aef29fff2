"""Which snapshot a round's PDF is built from, and each risk's levels across the updates."""

import pytest

from reports.models import RoundSnapshot
from reports.pdf.selectors import report_source_for_round, risk_ratings_by_update
from risks.models import RiskUpdate
from svmonitor.choices import Rag, RoundStatus
from svmonitor.services import round_mark_ready, round_open_next
from tests.round_builders import complete, programme, round_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_updates():
    """Update 1 submitted (risk Amber), Update 2 frozen for sign-off (risk Amber again)."""
    prog = programme()
    update_1 = round_in(RoundStatus.SUBMITTED, prog)
    update_2 = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=2, by=prog.officer
    )
    complete(update_2, prog.officer)
    update_2 = round_mark_ready(round=update_2, by=prog.officer)
    return update_1, update_2


def test_a_draft_is_built_live_and_a_ready_round_from_its_frozen_payload(two_updates):
    update_1, update_2 = two_updates
    source = report_source_for_round(round=update_2)
    frozen = RoundSnapshot.objects.filter(round=update_2).get()
    assert source.frozen == frozen and source.sha256 == frozen.sha256
    assert source.is_draft  # frozen for sign-off, not yet signed
    # The submitted round: lifecycle facts recorded after the freeze are laid over it.
    source_1 = report_source_for_round(round=update_1)
    assert source_1.snapshot.round.status == RoundStatus.SUBMITTED
    assert source_1.snapshot.round.submitted_on == update_1.submitted_on
    assert {s.capacity for s in source_1.snapshot.sign_offs} == {"s151", "dcs"}
    assert not source_1.is_draft


def test_earlier_updates_levels_come_from_their_frozen_payloads(two_updates):
    update_1, update_2 = two_updates
    risk_update = RiskUpdate.objects.get(round=update_1)
    # A later change to Update 1's live record does not rewrite history in Update 2's report.
    RiskUpdate.objects.filter(pk=risk_update.pk).update(rag=Rag.RED)
    history = risk_ratings_by_update(source=report_source_for_round(round=update_2))
    update_1_level, update_2_level, update_3_level = history[risk_update.risk_id]
    assert update_1_level.code == Rag.AMBER
    assert update_2_level.code == Rag.AMBER
    assert update_3_level is None


def test_an_earlier_round_never_frozen_falls_back_to_its_recorded_levels(two_updates):
    update_1, update_2 = two_updates
    RoundSnapshot.objects.filter(round=update_1).delete()
    risk_update = RiskUpdate.objects.get(round=update_1)
    RiskUpdate.objects.filter(pk=risk_update.pk).update(rag=Rag.AMBER_RED)
    history = risk_ratings_by_update(source=report_source_for_round(round=update_2))
    level = history[risk_update.risk_id][0]
    assert level.code == Rag.AMBER_RED
    assert level.dfe_code == Rag.RED  # the default mapping, as no definitions are recorded


def test_the_risk_history_takes_two_queries_or_three_with_unfrozen_rounds(
    two_updates, django_assert_num_queries
):
    update_1, update_2 = two_updates
    source = report_source_for_round(round=update_2)
    # 1 the earlier rounds, 2 their frozen payloads.
    with django_assert_num_queries(2):
        risk_ratings_by_update(source=source)
    RoundSnapshot.objects.filter(round=update_1).delete()
    # ... and 3 the recorded levels of the earlier round that was never frozen.
    with django_assert_num_queries(3):
        risk_ratings_by_update(source=source)
