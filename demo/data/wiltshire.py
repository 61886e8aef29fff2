"""Wiltshire, loaded from the seed documents in /work/shared/seeds (see its README)."""

import datetime as dt

from conditions.models import ConditionUpdate
from demo.data.common import (
    AgreementSpec,
    RoundSpec,
    Tally,
    agreement_load,
    conditions_load,
    contacts_load,
    draft_round_open,
    money_m,
    overview_load,
    rag_definitions_load,
    round_load,
    submitted_round_seal,
    upsert,
)
from demo.data.dsg_finance import wiltshire_dsg_load
from demo.data.dsg_text import wiltshire_log_load
from demo.data.wiltshire_dsg import wiltshire_dsg_rounds_load
from demo.data.wiltshire_metrics import INSTALMENT, finance_load, metrics_load
from demo.data.wiltshire_overview import OVERVIEWS
from demo.data.wiltshire_programme import programme_load
from demo.data.wiltshire_text import (
    BOARD_RISKS,
    CONDITION_NARRATIVES,
    CONDITION_RAGS,
    CONDITIONS,
    RISKS,
)
from risks.models import Risk, RiskUpdate
from svmonitor.choices import ContactRole, MonitoringTier, PaymentStatus, Rag
from svmonitor.models import (
    LocalAuthority,
)

SLUG = "wiltshire"
# The seeds say the agreement was signed and the first payment received in March 2024; the
# days of the month are illustrative.
SIGNED = dt.date(2024, 3, 15)
FIRST_PAYMENT = dt.date(2024, 3, 28)

RAG_LABELS = {
    Rag.BLUE: "Blue - Complete",
    Rag.GREEN: "Green - On Track",
    Rag.AMBER_GREEN: "Amber / Green - Off Track",
    Rag.AMBER: "Amber - Off Track",
    Rag.AMBER_RED: "Amber / Red - At Risk",
    Rag.RED: "Red - Off Target",
    Rag.NOT_RATED: "Not rated",
}

# Key personnel by role title only: the seed's names and addresses stay out of the project.
CONTACTS = [
    (ContactRole.CHIEF_EXECUTIVE, "Chief Executive"),
    (ContactRole.S151_OFFICER, "S151 Officer"),
    (ContactRole.DCS, "Director of Children's Services"),
    (ContactRole.OTHER, "Director for Education and Skills"),
    (ContactRole.OTHER, "Interim Director for Children and Families"),
    (ContactRole.OTHER, "Inclusion, SEND and AP Transformation Lead"),
    (ContactRole.OTHER, "High Needs Block Finance Lead"),
    (ContactRole.OTHER, "Head of SEND and Inclusion"),
]

# Due dates are the ends of May, August and November; Update 3's submission date is the seed's,
# the others are illustrative. Data runs to April, July and October.
ROUNDS_2024 = [
    RoundSpec(2024, 1, dt.date(2024, 5, 31), dt.date(2024, 4, 1), dt.date(2024, 5, 31)),
    RoundSpec(2024, 2, dt.date(2024, 8, 31), dt.date(2024, 7, 1), dt.date(2024, 8, 30)),
    RoundSpec(2024, 3, dt.date(2024, 11, 30), dt.date(2024, 10, 1), dt.date(2024, 12, 11)),
]

# Measures each condition's update cites, by update number (Update 1's key-measure tables and
# the figures Update 3's narratives quote).
KEY_MEASURES = {
    1: {
        "3.1": ["ehcps", "ehcna-requests", "no-to-assess"],
        "3.2": ["moves-up", "issued-20-weeks"],
        "3.3": ["inmss-pct", "moves-down"],
    },
    2: {},
    3: {
        "1": ["hnb-overspend"],
        "3.1": ["ehcps"],
        "3.2": ["inmss-pct"],
        "3.3": ["special-places"],
        "3.4": ["ehcps-ceased"],
    },
}


def council_upsert(tally: Tally) -> LocalAuthority:
    """The council row, so users can be attached before the rest is loaded."""
    return upsert(
        LocalAuthority,
        tally,
        lookup={"slug": SLUG},
        values={
            "name": "Wiltshire Council",
            "dfe_la_number": "865",
            "ons_code": "E06000054",
            "risk_score_threshold": 15,
            "is_fictional": False,
            # Issue 19: it keeps its DSG deficit management plan in svmonitor too.
            "return_kinds": ["safety_valve", "dsg_plan"],
        },
    )


AGREEMENT = AgreementSpec(
    signed=SIGNED,
    title="Safety Valve agreement",
    years=(2023, 2028),
    dfe_contribution=money_m("67"),
    council_contribution=money_m("70.2"),
    published_url="https://www.gov.uk/government/news/"
    "dedicated-schools-grant-very-high-deficit-intervention",
    payments=[
        (
            FIRST_PAYMENT,
            money_m("26.8"),
            PaymentStatus.RECEIVED,
            "Used to reduce the cumulative deficit at the end of 2023-24.",
        ),
        *(
            (
                dt.date(year, 3, 31),
                INSTALMENT,
                PaymentStatus.EXPECTED,
                "Illustrative schedule: the rest of the £67m in five equal instalments.",
            )
            for year in range(2025, 2030)
        ),
    ],
    tiers=[(SIGNED, MonitoringTier.STANDARD, "Agreement signed.")],
    caps={2024: money_m("84.5")},
)


def _risks_load(council, tally: Tally) -> dict[int, Risk]:
    risks = {}
    for number, spec in RISKS.items():
        impact, likelihood = spec["scores"][-1]
        risks[number] = upsert(
            Risk,
            tally,
            lookup={"council": council, "number": number},
            values={
                "title": spec["title"],
                "impact_description": "",
                "owner_role": spec["owner_role"],
                "impact": impact,
                "likelihood": likelihood,
                "mitigation": spec["mitigation"],
                "action_required": "",
                "is_open": True,
            },
        )
    for number, spec in BOARD_RISKS.items():
        impact, likelihood = spec["score"]
        risks[number] = upsert(
            Risk,
            tally,
            lookup={"council": council, "number": number},
            values={
                "title": spec["title"],
                "impact_description": spec["impact_description"],
                "owner_role": spec["owner_role"],
                "impact": impact,
                "likelihood": likelihood,
                "mitigation": "",
                "action_required": spec["action_required"],
                "is_open": True,
            },
        )
    return risks


def _round_sections_load(round_, tally: Tally, *, conditions, risks, measures) -> None:
    """One 2024-25 update: every condition's and DfE risk's RAG and narrative, the overview."""
    index = round_.update_number - 1
    cited = KEY_MEASURES[round_.update_number]
    for label, condition in conditions.items():
        upsert(
            ConditionUpdate,
            tally,
            lookup={"round": round_, "condition": condition},
            values={
                "rag": CONDITION_RAGS[label][index],
                "narrative": CONDITION_NARRATIVES[label][index],
            },
            m2m={"key_measures": [measures[code] for code in cited.get(label, [])]},
        )
    for number, spec in RISKS.items():
        impact, likelihood = spec["scores"][index]
        upsert(
            RiskUpdate,
            tally,
            lookup={"round": round_, "risk": risks[number]},
            values={
                "rag": spec["rags"][index],
                "narrative": spec["narratives"][index],
                "impact": impact,
                "likelihood": likelihood,
            },
        )
    overview = OVERVIEWS[round_.update_number]
    overview_load(round_, tally, values=overview["values"], headlines=overview["headlines"])


def wiltshire_load(council, tally: Tally, *, users: dict) -> None:
    """Everything the seeds give for Wiltshire, then the 2025-26 draft carried forward."""
    rag_definitions_load(council, tally, labels=RAG_LABELS)
    contacts_load(council, tally, contacts=CONTACTS, slug=SLUG)
    agreement = agreement_load(council, tally, spec=AGREEMENT)
    finance_load(agreement, tally)
    # The DSG management plan's summary: its high needs block is the forecast above (one figure).
    wiltshire_dsg_load(agreement, tally, by=users.get(f"finance.{SLUG}"))
    conditions = conditions_load(
        agreement,
        tally,
        conditions=[(label, title, wording) for label, (title, wording) in CONDITIONS.items()],
    )
    risks = _risks_load(council, tally)
    lead = users.get(f"lead.{SLUG}")
    rounds = [round_load(agreement, tally, spec=spec, recorded_by=lead) for spec in ROUNDS_2024]
    update_3 = rounds[-1]
    # Workstream RAGs are the board dashboard's (January 2025), the nearest to Update 3; the
    # seeds give none for earlier rounds, so earlier rounds have no workstream updates.
    programme_load(council, tally, conditions=conditions, round_=update_3)
    wiltshire_log_load(council, tally)  # issue 19: the DSG plan's workstream log
    areas = {area.number: area for area in council.programme_areas.all()}
    measures = metrics_load(council, tally, areas=areas, conditions=conditions)
    for round_ in rounds:
        _round_sections_load(round_, tally, conditions=conditions, risks=risks, measures=measures)
    for round_ in rounds:
        submitted_round_seal(round_, tally, users=users, slug=SLUG)
    # 2025-26 Update 1 is open as a draft carried forward from Update 3.
    draft = draft_round_open(agreement, tally, financial_year=2025, update_number=1, by=lead)
    # Issue 19: the DSG plan's termly updates, on the same agreement.
    wiltshire_dsg_rounds_load(agreement, tally, users=users, slug=SLUG)
    # The board's two key risks arrived after Update 3 was sent: the draft is where they join.
    for number, spec in BOARD_RISKS.items():
        impact, likelihood = spec["score"]
        upsert(
            RiskUpdate,
            tally,
            lookup={"round": draft, "risk": risks[number]},
            values={
                "rag": spec["rag"],
                "narrative": spec["action_required"],
                "impact": impact,
                "likelihood": likelihood,
            },
        )
