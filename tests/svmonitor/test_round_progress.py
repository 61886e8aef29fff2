"""A return's progress (sections complete of total) from the registry of its parts: it agrees
with round_completeness, and counts many rounds in the same number of queries as one."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conditions.models import ConditionUpdate
from conditions.services import condition_update_save
from svmonitor.choices import Rag, RoundStatus
from svmonitor.selectors import round_completeness, round_progress, rounds_progress
from tests import factories as f
from tests.round_builders import complete, programme, round_in

pytestmark = pytest.mark.django_db


def _incomplete_sections(round) -> int:
    """Sections with something still to do (an overview's questions are one section)."""
    return len({(gap.section, gap.object_id or gap.item) for gap in round_completeness(round)})


def test_a_new_draft_has_every_section_to_do():
    round = round_in(RoundStatus.DRAFT)
    # Two conditions, one risk, one workstream and the overview.
    progress = round_progress(round)
    assert (progress.complete, progress.total) == (0, 5)
    assert progress.label == "0 of 5 sections complete"
    assert _incomplete_sections(round) == 5


def test_a_saved_section_counts_as_complete_and_a_finished_return_is_all_complete():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    update = ConditionUpdate.objects.filter(round=round).order_by("pk").first()
    condition_update_save(
        update=update, expected_version=update.version, rag=Rag.GREEN, narrative="", by=prog.officer
    )
    assert round_progress(round).complete == 1
    complete(round, prog.officer)
    progress = round_progress(round)
    assert progress.is_complete and progress.total == 5
    assert round_completeness(round) == []


def test_a_condition_in_force_without_an_update_counts_as_a_section_to_do():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    complete(round, prog.officer)
    f.AgreementConditionFactory(
        agreement=prog.agreement, label="3", order=3, in_force_from=dt.date(2024, 4, 1)
    )
    progress = round_progress(round)
    assert (progress.complete, progress.total) == (5, 6)
    assert [gap.item for gap in round_completeness(round)] == ["Condition 3"]


def test_many_rounds_take_the_same_queries_as_one():
    rounds = [round_in(RoundStatus.DRAFT) for _ in range(3)]
    with CaptureQueriesContext(connection) as one:
        rounds_progress(rounds[:1])
    with CaptureQueriesContext(connection) as three:
        counted = rounds_progress(rounds)
    assert len(three) == len(one)
    assert [counted[r.pk].total for r in rounds] == [5, 5, 5]
