"""Westbridge: a fictional council that keeps a DSG deficit management plan and has no Safety
Valve agreement (issue 19.7).

Its one Agreement row is the plan's container ("DSG deficit management plan", no contributions,
the plan's years). Its DSG rounds are termly: 2025-26 summer and autumn terms presented to its
Schools Forum (frozen, signed off by the S151 officer and the DCS, recorded as submitted), and
the spring term open as a draft. Each part's figures and words come from that part's own demo
module (demo/data/westbridge_<part>.py), called here before a round is frozen. Everything here
is invented for the demo (`is_fictional=True`).
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from demo.data.common import Tally, contacts_load, dsg_round_open, submitted_round_seal, upsert
from svmonitor.choices import ContactRole, RoundStatus
from svmonitor.models import Agreement, LocalAuthority, ReportingRound

SLUG = "westbridge"
COUNCIL_NAME = "Westbridge Council"
DSG_PLAN = "dsg_plan"
PLAN_TITLE = "DSG deficit management plan"
PLAN_AGREED = dt.date(2025, 3, 31)
PLAN_YEARS = (2025, 2029)  # 2025-26 to 2029-30

CONTACTS = [
    (ContactRole.S151_OFFICER, "Corporate Director of Resources (S151 Officer)"),
    (ContactRole.DCS, "Corporate Director of People (Director of Children's Services)"),
    (ContactRole.OTHER, "Finance Lead, High Needs and the DSG Plan"),
]

# (update number, date presented and recorded as submitted, or None for the open draft)
ROUNDS = [(1, dt.date(2025, 7, 10)), (2, dt.date(2025, 12, 10)), (3, None)]

# Each part's demo loaders, in its own module, "module:function". Plan-level ones take
# (agreement, tally): the first of a pair sets the plan as the summer term presented it (run
# before the summer term is frozen); the second, if any, moves it to the autumn term's figures
# (run once the summer term is frozen, before the autumn term is opened, so the autumn Schools
# Forum paper's forecast moves against the summer's; on a second load it stands in for the
# first, so a re-run writes nothing). Round ones take (round, tally) and run on each DSG round
# before it is frozen. A part whose module is not installed is left out.
PLAN_LOADERS = (
    (
        "demo.data.westbridge_finance:finance_load",
        "demo.data.westbridge_finance:finance_autumn_load",
    ),
    ("demo.data.westbridge_cyp:cyp_load", None),
    ("demo.data.westbridge_text:text_load", None),
)
ROUND_LOADERS = ("demo.data.westbridge_text:text_round_load",)


def _loaders(names) -> list:
    found = []
    for name in names:
        module_name, function = name.split(":")
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        if hasattr(module, function):
            found.append(getattr(module, function))
    return found


def council_upsert(tally: Tally) -> LocalAuthority:
    """The fictional council row: it runs the DSG plan only."""
    return upsert(
        LocalAuthority,
        tally,
        lookup={"slug": SLUG},
        values={
            "name": COUNCIL_NAME,
            "dfe_la_number": "",
            # Fictional (no authority has an E06999xxx code): the demo's illustrative SEN2 rows
            # (demo/data/westbridge_cyp.py) use it, so its EHCP comparators show.
            "ons_code": "E06999904",
            "is_fictional": True,
            "return_kinds": [DSG_PLAN],
        },
    )


def plan_upsert(council, tally: Tally) -> Agreement:
    """The council's DSG deficit management plan: its Agreement row, no contributions."""
    return upsert(
        Agreement,
        tally,
        lookup={"council": council, "date_signed": PLAN_AGREED},
        values={
            "title": PLAN_TITLE,
            "first_financial_year": PLAN_YEARS[0],
            "last_financial_year": PLAN_YEARS[1],
            "dfe_contribution": 0,
            "council_contribution": 0,
            "supersedes": None,
            "published_url": "",
        },
    )


def _summer_frozen(agreement) -> bool:
    return (
        ReportingRound.objects.dsg_plan()
        .filter(
            agreement=agreement,
            financial_year=2025,
            update_number=1,
            snapshots__isnull=False,
        )
        .exists()
    )


def westbridge_load(council, tally: Tally, *, users: dict) -> Agreement:
    """The plan, each part's figures and words, and the three 2025-26 termly rounds."""
    contacts_load(council, tally, contacts=CONTACTS, slug=SLUG)
    agreement = plan_upsert(council, tally)
    later = _summer_frozen(agreement)
    for summer, autumn in PLAN_LOADERS:
        for load in _loaders([autumn if later and autumn else summer]):
            load(agreement, tally)
    lead = users[f"lead.{SLUG}"]
    for number, presented in ROUNDS:
        round_ = dsg_round_open(agreement, tally, financial_year=2025, number=number, by=lead)
        for load in _loaders(ROUND_LOADERS):
            load(round_, tally)
        if presented is None:
            continue
        if round_.status == RoundStatus.DRAFT:
            ReportingRound.objects.filter(pk=round_.pk).update(
                status=RoundStatus.SUBMITTED, submitted_on=presented, submitted_recorded_by=lead
            )
            round_.refresh_from_db()
        submitted_round_seal(round_, tally, users=users, slug=SLUG)
        if number == 1 and not later:
            later = True
            for load in _loaders(autumn for _, autumn in PLAN_LOADERS if autumn):
                load(agreement, tally)
    return agreement
