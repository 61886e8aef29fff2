"""Wiltshire's six programme areas, their workstreams, RAGs and milestones (board dashboard)."""

import datetime as dt

from conditions.models import (
    Milestone,
    ProgrammeArea,
    Workstream,
    WorkstreamSaving,
    WorkstreamUpdate,
)
from demo.data.common import Tally, money_m, upsert
from svmonitor.choices import Rag

G, AG = Rag.GREEN, Rag.AMBER_GREEN

LEAD = "Inclusion, SEND and AP Transformation Lead"
HEAD = "Head of SEND and Inclusion"
DIRECTOR = "Director of Education and Skills"
FINANCE = "High Needs Block Finance Lead"

# number -> (name, summary, conditions served, milestone counts, workstreams).
# Workstream names and RAGs are the dashboard's (January 2025). Milestone counts follow its
# "status of milestones due" figures, read as complete and still on track (area 3: 7 and 3,
# area 6: 12 and 5; areas 4 and 5: 10 complete). Area 2 shows no figure: its counts, like every
# milestone title and date, are illustrative.
AREAS = {
    1: (
        "Voice of the child and their family",
        "Workstreams and measures for this area are still being defined in the SEND strategy "
        "implementation plan.",
        (),
        {},
        [],
    ),
    2: (
        "Improving support, skills and practice",
        "Helping mainstream schools and early years settings meet needs earlier and well.",
        ("3.1",),
        {Milestone.Status.COMPLETE: 6, Milestone.Status.AT_RISK: 2},
        [
            ("Improved early support offer, building on the Family Hub pilot", G, HEAD),
            (
                "Improved pathway navigation to ensure early support offer is fully utilised "
                "by early years",
                G,
                HEAD,
            ),
            ("Multi-agency approach to supporting schools before an EHCP is issued", AG, LEAD),
            ("New Team of Inclusion Advisors working in schools", G, LEAD),
        ],
    ),
    3: (
        "Right support at the right time",
        "Enough local specialist places, and a return to mainstream when that is right for the "
        "child.",
        ("3.2", "3.3"),
        {Milestone.Status.COMPLETE: 7, Milestone.Status.ON_TRACK: 3},
        [
            ("Additional Secondary Resource Bases", G, HEAD),
            ("Further improvements to our Resource Base model", G, HEAD),
            ("Proactive approach to bringing children back into a mainstream setting", G, LEAD),
        ],
    ),
    4: (
        "Preparation for adulthood",
        "Clear routes into training, further education and work, and plans that end at the "
        "right time.",
        ("3.4",),
        {Milestone.Status.COMPLETE: 10},
        [
            (
                "Clear set of attractive employment options for young people with SEND, "
                "developed with employers",
                G,
                LEAD,
            ),
            (
                "Increase PfA capacity to allow more informed and proactive conversations about "
                "ceasing plans.",
                G,
                HEAD,
            ),
            (
                "To increase the options, support and information in order to better prepare "
                "young people with SEND for adulthood.",
                G,
                LEAD,
            ),
        ],
    ),
    5: (
        "Financial assurance in our SEND system",
        "Decisions and funding that are consistent, needs-led and predictable.",
        ("1", "2"),
        {Milestone.Status.COMPLETE: 10},
        [
            (
                "Further development of our decision-making panels and review related processes",
                G,
                FINANCE,
            ),
            ("Review of school SEND funding including special schools and top ups", G, FINANCE),
        ],
    ),
    6: (
        "Improving communication, processes and culture",
        "Timely assessments, clear communication with families, and a shared culture across "
        "the system.",
        ("3.2", "3.5"),
        {Milestone.Status.COMPLETE: 12, Milestone.Status.ON_TRACK: 5},
        [
            (
                "Clear the EHCNA backlog and create a Tribunals Team to effectively manage the "
                "process",
                G,
                HEAD,
            ),
            ("Communications strategy for communicating with parent carers", G, DIRECTOR),
            ("Early Help Hub and Advice", G, HEAD),
            (
                "Further integrated processes and paperwork in our system to drive efficiencies",
                G,
                LEAD,
            ),
        ],
    ),
}

# Issue 18.3: what each workstream is expected to save (£m) in 2023-24 and 2024-25. The seeds
# say only that the finance summary sets "savings targets associated with each of the agreement
# conditions" (Update 1); these figures are illustrative. In 2024-25 they come to £8.30m of the
# £9.20m between the unmitigated (-£52.40m) and the latest (-£43.20m) forecasts
# (wiltshire_metrics.finance_load), so the dashboard shows £0.90m not attributed to a workstream.
SAVINGS = {
    "Improved early support offer, building on the Family Hub pilot": {2024: "1.10"},
    "Multi-agency approach to supporting schools before an EHCP is issued": {2024: "0.90"},
    "New Team of Inclusion Advisors working in schools": {2024: "0.60"},
    "Additional Secondary Resource Bases": {2023: "1.50", 2024: "2.30"},
    "Proactive approach to bringing children back into a mainstream setting": {2024: "0.80"},
    "Increase PfA capacity to allow more informed and proactive conversations about ceasing "
    "plans.": {2023: "0.40", 2024: "0.70"},
    "Further development of our decision-making panels and review related processes": {
        2023: "1.20",
        2024: "1.40",
    },
    "Review of school SEND funding including special schools and top ups": {2024: "0.50"},
}

# Generic stages used as milestone titles, in delivery order.
STAGES = [
    "Scope and success measures agreed",
    "Co-design sessions with parent carers and schools held",
    "Delivery plan approved by the programme board",
    "Staff recruited and inducted",
    "Pilot started",
    "Pilot reviewed and changes agreed",
    "Rolled out county-wide",
    "First impact report to the programme board",
    "Process and guidance published",
]

WORKSTREAM_NARRATIVE = {
    G: "On track: milestones due this quarter were met.",
    AG: "Partly off track: joining up services around schools is slower than planned; "
    "recovery actions are agreed and expected to land by the next update.",
}


def _milestones_load(workstreams, counts: dict, tally: Tally) -> None:
    """Spread an area's milestone counts over its workstreams, dated by status."""
    statuses = [status for status, count in counts.items() for _ in range(count)]
    done_dates = [dt.date(2024, m, 28) for m in (4, 5, 6, 7, 9, 10, 11, 12)]
    # Still-open milestones fall due after the open draft's data month (April 2025): the board
    # dashboard counts none overdue, and an incomplete milestone past its due date is overdue.
    open_dates = [dt.date(2025, m, 28) for m in (5, 6, 7, 8, 9, 10)]
    used: dict[int, int] = {}
    for index, status in enumerate(statuses):
        workstream = workstreams[index % len(workstreams)]
        stage = used.get(workstream.pk, 0)
        used[workstream.pk] = stage + 1
        if status == Milestone.Status.COMPLETE:
            due = done_dates[index % len(done_dates)]
            completed_on = due - dt.timedelta(days=3)
        else:
            due = open_dates[index % len(open_dates)]
            completed_on = None
        upsert(
            Milestone,
            tally,
            lookup={"workstream": workstream, "title": STAGES[stage]},
            values={"due_date": due, "status": status, "completed_on": completed_on},
        )


def programme_load(council, tally: Tally, *, conditions: dict, round_) -> None:
    """Areas, workstreams serving conditions, milestones, and each workstream's RAG in `round_`."""
    for number, (name, summary, served, counts, workstreams) in AREAS.items():
        area = upsert(
            ProgrammeArea,
            tally,
            lookup={"council": council, "number": number},
            values={"name": name, "summary": summary},
        )
        rows = []
        for order, (ws_name, rag, lead_role) in enumerate(workstreams, start=1):
            workstream = upsert(
                Workstream,
                tally,
                lookup={"area": area, "name": ws_name},
                values={"lead_role": lead_role, "order": order},
                m2m={"conditions": [conditions[label] for label in served]},
            )
            upsert(
                WorkstreamUpdate,
                tally,
                lookup={"round": round_, "workstream": workstream},
                values={"rag": rag, "narrative": WORKSTREAM_NARRATIVE[rag]},
            )
            rows.append(workstream)
            for year, amount in SAVINGS.get(ws_name, {}).items():
                upsert(
                    WorkstreamSaving,
                    tally,
                    lookup={"workstream": workstream, "financial_year": year},
                    values={"saving": money_m(amount)},
                )
        if rows:
            _milestones_load(rows, counts, tally)
