"""Wiltshire's DSG deficit management plan updates (issue 19.7): the council runs both returns
on its one agreement, so the plan's high needs figures are the Safety Valve forecast's
(FinanceLine) and its workstream savings are the programme's. The plan's figures, words and
workstream log are loaded by their parts' demo modules (demo/data/dsg_finance.py, dsg_text.py,
dsg_cyp.py); here its rounds: the 2025-26 summer term presented to the Schools Forum on 26 June
2025 (frozen, signed off by the S151 officer and the DCS, recorded as submitted) and the
autumn term open as a draft carried forward from it."""

from __future__ import annotations

import datetime as dt

from demo.data.common import Tally, dsg_round_open, submitted_round_seal
from demo.data.dsg_text import wiltshire_text_round_load
from svmonitor.choices import RoundStatus
from svmonitor.models import ReportingRound

YEAR = 2025
SUMMER, AUTUMN = 1, 2
PRESENTED = dt.date(2025, 6, 26)


def wiltshire_dsg_rounds_load(agreement, tally: Tally, *, users: dict, slug: str) -> None:
    """The summer term presented (frozen and signed), then the autumn term as a draft."""
    lead = users[f"lead.{slug}"]
    summer = dsg_round_open(agreement, tally, financial_year=YEAR, number=SUMMER, by=lead)
    if summer.status == RoundStatus.DRAFT:
        wiltshire_text_round_load(summer, tally)
        # Loaded as presented, as the demo's Safety Valve returns are: the seal below gives it
        # the frozen record and the two sign-offs a return reaches "submitted" with.
        ReportingRound.objects.filter(pk=summer.pk).update(
            status=RoundStatus.SUBMITTED, submitted_on=PRESENTED, submitted_recorded_by=lead
        )
        summer.refresh_from_db()
    submitted_round_seal(summer, tally, users=users, slug=slug)
    dsg_round_open(agreement, tally, financial_year=YEAR, number=AUTUMN, by=lead)
