"""overview 0002: the adviser-support request from a yes/no box to Yes / No / not answered."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories as f

BEFORE = [("overview", "0001_initial")]
AFTER = [("overview", "0002_adviser_support_answer")]


@pytest.mark.django_db(transaction=True)
def test_requested_becomes_yes_and_not_requested_not_answered_in_a_draft_no_once_frozen():
    # Rounds from today's models (the spine's tables stay at their latest migration).
    rounds = {
        number: f.ReportingRoundFactory(financial_year=2024, update_number=number, status=status)
        for number, status in ((1, "draft"), (2, "draft"), (3, "ready"))
    }
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("overview", "RoundOverview")
    for number, asked in ((1, True), (2, False), (3, False)):
        old.objects.create(
            round_id=rounds[number].pk,
            adviser_support_requested=asked,
            adviser_support_detail="x" if asked else "",
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("overview", "RoundOverview")
    answers = {
        number: new.objects.get(round_id=rnd.pk).adviser_support_requested
        for number, rnd in rounds.items()
    }

    assert answers == {1: "yes", 2: "", 3: "no"}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
