"""The demo's DSG texts and workstream logs (issue 19): Westbridge's and Wiltshire's load into
the rows the parts freeze, and a second run changes nothing."""

import pytest

from conditions.models import Workstream
from demo.data.common import Tally
from demo.data.dsg_text import WILTSHIRE_LOG, wiltshire_log_load, wiltshire_text_round_load
from demo.data.westbridge_text import text_load, text_round_load
from svmonitor.sections import return_parts
from tests import factories as f

pytestmark = pytest.mark.django_db
DSG = "dsg_plan"


def _fragments(round):
    return {p.name: p.snapshot(round) for p in return_parts(DSG) if p.snapshot is not None}


def _open(agreement, n=1):
    round = f.ReportingRoundFactory(
        agreement=agreement, financial_year=2025, update_number=n, return_kind=DSG
    )
    for part in return_parts(DSG):
        part.carry_forward(round, None, None)
    return round


def test_westbridges_log_and_term_texts_fill_every_fragment():
    agreement = f.AgreementFactory(first_financial_year=2025, last_financial_year=2029)
    text_load(agreement, Tally())
    autumn = _open(agreement, 2)
    text_round_load(autumn, Tally())
    parts = _fragments(autumn)
    assert all(t["text"] for t in parts["dsg_narrative"]["topics"])
    assert all(t["text"] for t in parts["dsg_stakeholders"]["topics"])
    decisions = parts["dsg_forum_paper"]["topics"][-1]
    assert decisions["key"] == "decisions" and decisions["text"]
    assert parts["dsg_governance"]["schools_forum_date"] == "2025-10-16"
    log = parts["dsg_workstreams"]
    assert len(log["workstreams"]) == 5
    assert {a["status"] for a in log["areas"]} == {"on_track", "at_risk", "not_started"}
    assert all(w["lead_role"] and w["start_date"] for w in log["workstreams"])
    # Loading again changes nothing.
    again = Tally()
    text_load(agreement, again)
    text_round_load(autumn, again)
    assert _fragments(autumn) == parts


def test_wiltshires_log_names_only_its_own_workstreams_and_its_text_has_the_seed_figures():
    agreement = f.AgreementFactory()
    area = f.ProgrammeAreaFactory(council=agreement.council, number=2)
    name = "Multi-agency approach to supporting schools before an EHCP is issued"
    workstream = f.WorkstreamFactory(area=area, name=name)
    wiltshire_log_load(agreement.council, Tally())
    workstream.refresh_from_db()
    assert (workstream.status, workstream.start_date) == ("off_track", WILTSHIRE_LOG[name][0])
    round = _open(agreement)
    wiltshire_text_round_load(round, Tally())
    plan = _fragments(round)["dsg_narrative"]["topics"][0]["text"]
    assert "£137.2m" in plan and "£26.8m" in plan
    assert Workstream.objects.filter(area__council=agreement.council).count() == 1
