"""Issue 19 demo: Westbridge's (a fictional council with a DSG plan and no Safety Valve
agreement) programme areas, workstream log and savings, and each term's texts and governance.
Every word and figure is illustrative. Called by demo/data/westbridge.py."""

from __future__ import annotations

import datetime as dt

from conditions.models import ProgrammeArea, Workstream, WorkstreamSaving
from demo.data.common import Tally, money_m, upsert
from demo.data.dsg_text import texts_round_load

S = Workstream.Status
# number -> (area, [(workstream, lead role, start, end, status, DSG line, {year: £m saved})]).
AREAS = {
    1: (
        "Inclusive mainstream",
        [
            (
                "Inclusion outreach from special schools",
                "Head of inclusion",
                dt.date(2025, 4, 1),
                dt.date(2028, 3, 31),
                S.ON_TRACK,
                "Mainstream top-up funding",
                {2025: "0.40", 2026: "0.90", 2027: "1.20"},
            ),
            (
                "Ordinarily available provision guidance and training",
                "SEND training and development manager",
                dt.date(2025, 4, 1),
                dt.date(2026, 8, 31),
                S.COMPLETE,
                "SEN support and inclusion services",
                {2025: "0.20", 2026: "0.30"},
            ),
        ],
    ),
    2: (
        "Local specialist places",
        [
            (
                "Two new secondary resource bases",
                "Head of SEND commissioning",
                dt.date(2025, 9, 1),
                dt.date(2027, 8, 31),
                S.AT_RISK,
                "Resourced provision and SEN units",
                {2026: "0.80", 2027: "1.60", 2028: "1.80"},
            ),
            (
                "Fewer placements in independent special schools",
                "Head of SEND commissioning",
                dt.date(2025, 4, 1),
                dt.date(2029, 3, 31),
                S.ON_TRACK,
                "Independent and non-maintained special schools",
                {2025: "0.50", 2026: "1.20", 2027: "1.90", 2028: "2.40", 2029: "2.60"},
            ),
        ],
    ),
    3: (
        "Preparing for adulthood",
        [
            (
                "Supported internships with local employers",
                "Preparation for adulthood lead",
                dt.date(2025, 9, 1),
                dt.date(2028, 8, 31),
                S.NOT_STARTED,
                "Post-16 and further education",
                {2027: "0.30", 2028: "0.50"},
            ),
        ],
    ),
}

# Term (update number) -> texts by topic key and governance.
_COMMON = {
    "financial_plan": (
        "Westbridge's plan returns the High Needs Block to an in-year balance in 2028-29 by "
        "meeting more needs in mainstream schools and local specialist places. The cumulative "
        "deficit peaks in 2027-28 and then falls; the council is setting money aside towards "
        "it each year."
    ),
    "high_needs_trends": (
        "Requests for assessment rose again this year, mostly for autism and social, emotional "
        "and mental health needs, and the share of children placed in independent special "
        "schools is above the statistical neighbours' average."
    ),
    "outcomes": (
        "More children with plans are taught in their local mainstream school, and the "
        "proportion of plans issued within 20 weeks has improved each term."
    ),
    "schools_forum": "The Schools Forum receives the plan and a progress paper every term.",
    "education_settings": (
        "Headteacher and SENCO reference groups meet each half term and test each workstream's "
        "delivery plan before it starts."
    ),
    "parents_carers": (
        "The parent carer forum co-chairs the inclusion workstream and reviewed the new "
        "ordinarily available provision guidance."
    ),
    "children_young_people": (
        "A young people's panel advised on the supported internships offer and its publicity."
    ),
    "elected_members": (
        "The lead member is briefed monthly; the children's scrutiny committee reviewed the "
        "plan in the autumn."
    ),
    "health_partners": (
        "The integrated care board funds therapy outreach in resource bases and sits on the "
        "plan's programme board."
    ),
    "recommendations": "That the Schools Forum notes the DSG deficit management plan's "
    "position and the progress of its workstreams.",
    "background": (
        "The council's Dedicated Schools Grant is in deficit because of growing high needs "
        "spending. The plan was agreed in March 2025 and is reviewed by the Schools Forum every "
        "term."
    ),
    "decisions": "",
}
TERMS = {
    1: (
        {
            **_COMMON,
            "purpose": "To present the summer term update of the DSG deficit management plan.",
        },
        {"schools_forum_date": dt.date(2025, 6, 19), "next_review_date": dt.date(2025, 10, 16)},
    ),
    2: (
        {
            **_COMMON,
            "purpose": "To present the autumn term update of the DSG deficit management plan "
            "and the movement in the forecast since the summer.",
            "decisions": "The Schools Forum is asked to agree that the central school services "
            "block funds the inclusion outreach coordinator for 2026-27.",
        },
        {"schools_forum_date": dt.date(2025, 10, 16), "next_review_date": dt.date(2026, 1, 22)},
    ),
    3: (
        {
            **_COMMON,
            "purpose": "To present the spring term update of the DSG deficit management plan.",
        },
        # The spring term's meeting is not yet fixed in the open draft.
        {"schools_forum_date": None, "next_review_date": dt.date(2026, 6, 18)},
    ),
}


def text_load(agreement, tally: Tally) -> None:
    """Westbridge's programme areas, workstreams with their log entries, and their savings."""
    council = agreement.council
    for number, (name, workstreams) in AREAS.items():
        area = upsert(
            ProgrammeArea,
            tally,
            lookup={"council": council, "number": number},
            values={"name": name},
        )
        for order, (ws_name, lead, start, end, status, line, savings) in enumerate(
            workstreams, start=1
        ):
            workstream = upsert(
                Workstream,
                tally,
                lookup={"area": area, "name": ws_name},
                values={
                    "lead_role": lead,
                    "order": order,
                    "start_date": start,
                    "end_date": end,
                    "status": status,
                    "dsg_line": line,
                },
            )
            for year, amount in savings.items():
                upsert(
                    WorkstreamSaving,
                    tally,
                    lookup={"workstream": workstream, "financial_year": year},
                    values={"saving": money_m(amount)},
                )


def text_round_load(round_, tally: Tally) -> None:
    """One term's texts and governance, before the round is frozen."""
    texts, governance = TERMS.get(round_.update_number, TERMS[1])
    texts_round_load(round_, tally, texts=texts, governance={**governance, "notes": ""})
