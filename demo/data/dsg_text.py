"""Issue 19 demo: the DSG plan's texts and governance for a round, and Wiltshire's workstream
log (its programme areas' workstreams from the board dashboard, each one's status as its RAG
there). The narrative is written for the demo in our own words from the figures the seeds give
(the £137.2m mitigated cumulative deficit at the end of the plan period, DfE's £67m and the
council's £70.2m, the £26.8m first payment); dates, leads' roles and DSG lines are illustrative."""

from __future__ import annotations

import datetime as dt

from conditions.models import Workstream
from demo.data.common import Tally, upsert
from overview.models import NarrativeTopic, RoundGovernance, RoundNarrative


def texts_round_load(round_, tally: Tally, *, texts: dict, governance: dict | None) -> None:
    """A round's texts by topic key and its governance, written straight into the rows (the
    demo seeds an empty database; it is not a door)."""
    topics = {t.key: t for t in NarrativeTopic.objects.filter(return_kind=round_.return_kind)}
    for key, text in texts.items():
        upsert(
            RoundNarrative,
            tally,
            lookup={"round": round_, "topic": topics[key]},
            values={"text": text},
        )
    if governance is not None:
        upsert(RoundGovernance, tally, lookup={"round": round_}, values=governance)


def log_load(council, tally: Tally, log: dict) -> None:
    """Each named workstream's log fields: name -> (start, end, status, DSG line)."""
    for workstream in Workstream.objects.filter(area__council=council):
        entry = log.get(workstream.name)
        if entry is None:
            continue
        start, end, status, line = entry
        upsert(
            Workstream,
            tally,
            lookup={"pk": workstream.pk},
            values={"start_date": start, "end_date": end, "status": status, "dsg_line": line},
        )


# --- Wiltshire ---------------------------------------------------------------------------------

ON, OFF = Workstream.Status.ON_TRACK, Workstream.Status.OFF_TRACK
TOP_UPS = "Mainstream top-up funding"
RESOURCED = "Resourced provision and SEN units"
INDEPENDENT = "Independent and non-maintained special schools"
POST16 = "Post-16 and further education"
SUPPORT = "SEN support and inclusion services"
EARLY = "Early years SEN inclusion"

_AGREED, _SEPT = dt.date(2024, 4, 1), dt.date(2024, 9, 1)
# The dashboard's January 2025 RAGs: "Green - On Track" is on track; the one "Amber / Green -
# Off Track" is off track, which makes programme area 2 the one area off track.
WILTSHIRE_LOG = {
    "Improved early support offer, building on the Family Hub pilot": (
        _AGREED,
        dt.date(2027, 3, 31),
        ON,
        EARLY,
    ),
    "Improved pathway navigation to ensure early support offer is fully utilised by early years": (
        _SEPT,
        dt.date(2026, 8, 31),
        ON,
        EARLY,
    ),
    "Multi-agency approach to supporting schools before an EHCP is issued": (
        _SEPT,
        dt.date(2027, 8, 31),
        OFF,
        TOP_UPS,
    ),
    "New Team of Inclusion Advisors working in schools": (
        _SEPT,
        dt.date(2028, 3, 31),
        ON,
        SUPPORT,
    ),
    "Additional Secondary Resource Bases": (_AGREED, dt.date(2027, 8, 31), ON, RESOURCED),
    "Further improvements to our Resource Base model": (
        _SEPT,
        dt.date(2026, 3, 31),
        ON,
        RESOURCED,
    ),
    "Proactive approach to bringing children back into a mainstream setting": (
        _SEPT,
        dt.date(2028, 3, 31),
        ON,
        INDEPENDENT,
    ),
    "Clear set of attractive employment options for young people with SEND, developed with "
    "employers": (_SEPT, dt.date(2027, 8, 31), ON, POST16),
    "Increase PfA capacity to allow more informed and proactive conversations about ceasing "
    "plans.": (_AGREED, dt.date(2026, 3, 31), ON, POST16),
    "To increase the options, support and information in order to better prepare young people "
    "with SEND for adulthood.": (_SEPT, dt.date(2028, 3, 31), ON, POST16),
    "Further development of our decision-making panels and review related processes": (
        _AGREED,
        dt.date(2025, 3, 31),
        ON,
        TOP_UPS,
    ),
    "Review of school SEND funding including special schools and top ups": (
        _AGREED,
        dt.date(2026, 3, 31),
        ON,
        TOP_UPS,
    ),
    "Clear the EHCNA backlog and create a Tribunals Team to effectively manage the process": (
        _AGREED,
        dt.date(2025, 8, 31),
        ON,
        SUPPORT,
    ),
    "Communications strategy for communicating with parent carers": (
        _SEPT,
        dt.date(2026, 3, 31),
        ON,
        SUPPORT,
    ),
    "Early Help Hub and Advice": (_SEPT, dt.date(2026, 8, 31), ON, SUPPORT),
    "Further integrated processes and paperwork in our system to drive efficiencies": (
        _AGREED,
        dt.date(2026, 3, 31),
        ON,
        SUPPORT,
    ),
}

WILTSHIRE_TEXTS = {
    "financial_plan": (
        "The plan brings the High Needs Block back to an in-year balance and removes the "
        "cumulative deficit by the end of the agreement. With every mitigation in place the "
        "cumulative deficit would still reach £137.2m by the end of the plan period. DfE is to "
        "contribute £67m towards it; the council has set up an earmarked reserve for the "
        "remaining £70.2m from its general fund. DfE's first payment, £26.8m, arrived in March "
        "2024 and was used at once to reduce the deficit carried out of 2023-24."
    ),
    "high_needs_trends": (
        "Plans are being issued faster than the plan assumed. The growth has been checked and "
        "is real, not an artefact of the data: demand is stronger than forecast. The savings "
        "from earlier support were not expected to show yet, so the gap was foreseen in the "
        "modelling, but senior officers now see the monitoring figures every week and further "
        "analysis is tracing where the pressure comes from."
    ),
    "outcomes": (
        "The first aim is better outcomes for children and young people with SEND; financial "
        "sustainability follows from meeting needs earlier and closer to home. Schools are "
        "seeing free SEND and inclusion training, inclusion advisers working alongside staff, "
        "an advice line for early help and better-supported SENCO networks."
    ),
    "schools_forum": (
        "The Schools Forum endorsed the sustainability plan before it went to DfE and receives "
        "a progress paper every term with the plan's summary table."
    ),
    "education_settings": (
        "Headteachers and SENCOs shaped the support offer: training and hands-on inclusion "
        "advice were what schools asked for most, and both start in the new academic year."
    ),
    "parents_carers": (
        "The parent carer council sits on the cross-sector board that endorsed the plan and is "
        "co-designing an inclusion charter with schools and the council."
    ),
    "children_young_people": (
        "Young people's views are gathered through the preparation for adulthood workstreams; "
        "a fuller approach is part of the voice of the child programme area, still being "
        "defined."
    ),
    "elected_members": (
        "The Children's Select Committee endorsed the plan, and members approved the earmarked "
        "reserve for the council's contribution in the budget."
    ),
    "health_partners": (
        "The integrated care board is a member of the cross-sector board, and the NHS "
        "neurodiversity training programme is working directly with twenty schools."
    ),
    "purpose": "To update the Schools Forum on the SEND transformation programme and the DSG "
    "deficit management plan that supports the Safety Valve agreement.",
    "recommendations": "That the Schools Forum notes the update on the High Needs "
    "sustainability plan and the changes schools will see from the new school year.",
    "background": (
        "The transformation programme joins the new SEND, inclusion and alternative provision "
        "strategy, the High Needs sustainability plan and the Safety Valve agreement into one "
        "plan with six priority areas. Overall the programme is rated Green, as are its "
        "financial projections; two areas are Amber: right support at the right time, because "
        "new special school places and capital funding are delayed, and preparation for "
        "adulthood, whose delivery plans are still in draft."
    ),
    "decisions": "",
}

WILTSHIRE_GOVERNANCE = {
    "schools_forum_date": dt.date(2025, 6, 26),
    "next_review_date": dt.date(2025, 10, 9),
    "notes": "Signed off by the S151 officer and the director of children's services before "
    "each term's Schools Forum.",
}


def wiltshire_log_load(council, tally: Tally) -> None:
    """Wiltshire's workstream log (plan-level: no round needed)."""
    log_load(council, tally, WILTSHIRE_LOG)


def wiltshire_text_round_load(round_, tally: Tally) -> None:
    """The texts and governance of one of Wiltshire's DSG plan rounds (any term)."""
    texts_round_load(round_, tally, texts=WILTSHIRE_TEXTS, governance=WILTSHIRE_GOVERNANCE)
