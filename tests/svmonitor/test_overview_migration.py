"""overview 0002: the adviser-support request from a yes/no box to Yes / No / not answered."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("overview", "0001_initial")]
AFTER = [("overview", "0002_adviser_support_answer")]


@pytest.mark.django_db(transaction=True)
def test_requested_becomes_yes_and_not_requested_not_answered_in_a_draft_no_once_frozen():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    council = old.get_model("svmonitor", "LocalAuthority").objects.create(name="M", slug="m")
    agreement = old.get_model("svmonitor", "Agreement").objects.create(
        council=council,
        date_signed="2023-03-01",
        title="SV",
        first_financial_year=2023,
        last_financial_year=2027,
        dfe_contribution=1,
        council_contribution=1,
    )
    Round = old.get_model("svmonitor", "ReportingRound")
    Overview = old.get_model("overview", "RoundOverview")
    for number, asked, status in ((1, True, "draft"), (2, False, "draft"), (3, False, "ready")):
        rnd = Round.objects.create(
            agreement=agreement,
            financial_year=2024,
            update_number=number,
            due_date="2024-05-31",
            status=status,
        )
        Overview.objects.create(
            round=rnd, adviser_support_requested=asked, adviser_support_detail="x" if asked else ""
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("overview", "RoundOverview")
    answers = dict(new.objects.values_list("round__update_number", "adviser_support_requested"))

    assert answers == {1: "yes", 2: "", 3: "no"}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
