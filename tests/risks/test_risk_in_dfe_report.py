"""The council chooses which risks go into the DfE report's register (issue 15.8): by default
those with an update in the round; the rest stay on the board's dashboard."""

import pytest

from reports.freeze import round_snapshot_freeze
from reports.pdf.render import board_pack_context, report_context
from reports.pdf.selectors import report_source_for_round
from reports.snapshot import round_snapshot_build
from reports.snapshot.hydrate import snapshot_from_dict
from reports.snapshot.serialise import snapshot_as_dict
from risks.models import RiskUpdate
from risks.services import risk_update_save
from svmonitor.choices import Rag
from svmonitor.models import AuditEvent
from svmonitor.services import round_mark_ready, round_open_next
from tests import factories as f
from tests.round_builders import complete, programme
from tests.round_page.conftest import client_for, round_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def prog():
    prog = programme()  # one risk (number 1) with its update
    f.RiskFactory(council=prog.agreement.council, number=2)
    f.RiskFactory(council=prog.agreement.council, number=3)
    return prog


@pytest.fixture
def draft(prog):
    return round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=1, by=prog.officer
    )


def _update(round, number) -> RiskUpdate:
    return RiskUpdate.objects.get(round=round, risk__number=number)


def _save(update, by, **changes):
    values = {"rag": Rag.AMBER, "narrative": "Watching.", "impact": 3, "likelihood": 3}
    values.update(changes)
    return risk_update_save(update=update, expected_version=update.version, by=by, **values)


def _in_report(round) -> list[int]:
    source = report_source_for_round(round=round)
    return [block.risk.number for block in report_context(source)["risks"]]


def test_by_default_the_report_has_the_risks_updated_in_the_round_and_the_board_has_all(
    prog, draft
):
    _save(_update(draft, 1), prog.officer)
    _save(_update(draft, 2), prog.officer, rag=Rag.NOT_RATED, narrative="Still watching.")
    # Risk 3 has nothing in this round: not rated, no words.
    snapshot = round_snapshot_build(draft)
    assert {r.number: r.in_dfe_report for r in snapshot.risks} == {1: True, 2: True, 3: False}
    assert _in_report(draft) == [1, 2]
    # The board's dashboard and its board pack keep every risk.
    board = board_pack_context(report_source_for_round(round=draft))
    assert [r.number for r in board["snap"].risks] == [1, 2, 3]


def test_the_council_chooses_on_the_risks_edit_page_and_the_history_records_it(prog, draft):
    update = _update(draft, 1)
    url = round_url(draft, f"risks/{update.pk}/edit/")
    page = client_for(prog.officer).get(url).content.decode()
    assert "In the DfE report&#x27;s risk register" in page or "In the DfE report's risk" in page
    response = client_for(prog.officer).post(
        url,
        {
            "version": update.version,
            "rag": Rag.RED,
            "narrative": "Escalated to the board.",
            "impact": 4,
            "likelihood": 4,
            "in_dfe_report": "False",
        },
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.in_dfe_report is False
    event = AuditEvent.objects.filter(action="risk_update.save").latest("pk")
    assert (event.before["in_dfe_report"], event.after["in_dfe_report"]) == (None, False)
    assert 1 not in _in_report(draft)
    # A risk with nothing in it can be put in all the same.
    _save(_update(draft, 3), prog.officer, rag=Rag.NOT_RATED, narrative="", in_dfe_report=True)
    assert _in_report(draft) == [3]


def test_a_door_that_does_not_say_leaves_the_choice_as_it_is(prog, draft):
    update = _save(_update(draft, 1), prog.officer, in_dfe_report=False)
    update = _save(update, prog.officer, narrative="Reworded.")
    assert update.in_dfe_report is False


def test_a_frozen_report_prints_what_was_chosen_when_it_was_frozen(prog, draft):
    complete(draft, prog.officer)
    _save(_update(draft, 2), prog.officer, in_dfe_report=False)
    ready = round_mark_ready(round=draft, by=prog.officer)
    assert _in_report(ready) == [1, 3]
    # The choice carries into the next return with the words.
    nxt = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=2, by=prog.officer
    )
    assert _update(nxt, 2).in_dfe_report is False


def test_a_payload_frozen_before_the_choice_existed_prints_every_risk(prog, draft):
    complete(draft, prog.officer)
    _save(_update(draft, 2), prog.officer, in_dfe_report=False)
    payload = snapshot_as_dict(round_snapshot_build(draft))
    for risk in payload["risks"]:
        del risk["in_dfe_report"]
    assert all(r.in_dfe_report for r in snapshot_from_dict(payload).risks)


def test_the_frozen_payload_carries_the_choice(prog, draft):
    complete(draft, prog.officer)
    _save(_update(draft, 3), prog.officer, in_dfe_report=False)
    frozen = round_snapshot_freeze(round=draft, by=prog.officer)
    assert {r["number"]: r["in_dfe_report"] for r in frozen.payload["risks"]} == {
        1: True,
        2: True,
        3: False,
    }
