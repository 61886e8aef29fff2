"""What the round page reads: its completeness panel is worked out from the sections the page
has read (svmonitor.sections.RoundRows) and says exactly what round_completeness says from the
database; a frozen previous update is laid over its sections without a query per section."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conditions.models import ConditionUpdate, WorkstreamUpdate
from overview.models import RoundOverview
from reports.return_page import round_page_build
from risks.models import RiskUpdate
from svmonitor.choices import Rag, RoundStatus
from svmonitor.sections import RoundRows
from svmonitor.selectors import round_completeness
from svmonitor.services import round_open_next
from tests import factories as f
from tests.round_builders import complete, programme, round_in
from tests.round_page.conftest import client_for, round_url

pytestmark = pytest.mark.django_db


def _from_rows(round) -> list[str]:
    read = RoundRows(
        conditions=list(
            ConditionUpdate.objects.filter(round=round)
            .select_related("condition")
            .order_by("condition__order", "condition__label", "pk")
        ),
        risks=list(
            RiskUpdate.objects.filter(round=round).select_related("risk").order_by("risk__number")
        ),
        workstreams=list(
            WorkstreamUpdate.objects.filter(round=round)
            .select_related("workstream")
            .order_by("workstream__area__number", "workstream__order", "workstream__name")
        ),
        overview=RoundOverview.objects.filter(round=round).first(),
        overview_read=True,
    )
    return [str(gap) for gap in round_completeness(round, read=read)]


def _page_gaps(round, user) -> list[str]:
    return [gap.text for gap in round_page_build(round=round, user=user).gaps]


def test_the_panel_from_the_pages_rows_lists_what_the_database_lists():
    prog = programme()
    draft = round_in(RoundStatus.DRAFT, prog)
    expected = [str(gap) for gap in round_completeness(draft)]
    assert "Condition 1: not rated" in expected and "Risk 1: not rated" in expected
    assert _from_rows(draft) == expected
    assert _page_gaps(draft, prog.officer) == expected
    # A condition and an open risk added after the round opened have no row in it.
    f.AgreementConditionFactory(agreement=prog.agreement, label="3", order=3)
    f.RiskFactory(council=prog.agreement.council, number=2)
    expected = [str(gap) for gap in round_completeness(draft)]
    assert "Condition 3: not rated" in expected and "Risk 2: not rated" in expected
    assert _from_rows(draft) == expected
    assert _page_gaps(draft, prog.officer) == expected
    # Rated, then an Amber left without words and an unanswered commentary.
    complete(draft, prog.officer)
    ConditionUpdate.objects.filter(round=draft, condition__label="2").update(
        rag=Rag.AMBER_GREEN, narrative=" "
    )
    RoundOverview.objects.filter(round=draft).update(zero_deficit_commentary="")
    expected = [str(gap) for gap in round_completeness(draft)]
    assert expected == [
        "Condition 2: rated Amber/Green without a progress update",
        "Condition 3: not rated",
        "Risk 2: not rated",
        "Zero deficit on track: commentary missing",
    ]
    assert _from_rows(draft) == expected
    assert _page_gaps(draft, prog.officer) == expected


def test_the_panel_from_the_pages_rows_knows_what_was_carried_forward_and_not_reviewed():
    prog = programme()
    round_in(RoundStatus.SUBMITTED, prog)
    second = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=2, by=prog.officer
    )
    expected = [str(gap) for gap in round_completeness(second)]
    assert "Overview: not yet reviewed for this update" in expected
    assert len(expected) == 5
    assert _page_gaps(second, prog.officer) == expected
    # A round with no overview at all says so from the rows as from the database.
    RoundOverview.objects.filter(round=second).delete()
    expected = [str(gap) for gap in round_completeness(second)]
    assert "Overview: not started" in expected
    assert _from_rows(second) == expected
    assert _page_gaps(second, prog.officer) == expected


def test_the_round_page_reads_a_frozen_previous_updates_sections_in_fixed_queries():
    counts = []
    for extra in (0, 4):
        prog = programme()
        for n in range(extra):
            f.AgreementConditionFactory(agreement=prog.agreement, label=f"x{n}", order=10 + n)
            f.RiskFactory(council=prog.agreement.council, number=10 + n)
        round_in(RoundStatus.SUBMITTED, prog)  # frozen when marked ready
        second = round_open_next(
            agreement=prog.agreement, financial_year=2024, update_number=2, by=prog.officer
        )
        client = client_for(prog.officer)
        client.get(round_url(second))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(round_url(second)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
