"""Northdale: a clearly fictional council with a different shape, generated deterministically.

Everything here is invented for the demo (`is_fictional=True`). A fixed `random.Random` seed
means every run draws the same figures in the same order, so loading twice changes nothing.
"""

import datetime as dt
import random
from decimal import Decimal

from conditions.models import (
    ConditionUpdate,
    Milestone,
    ProgrammeArea,
    Workstream,
    WorkstreamUpdate,
)
from demo.data import northdale_text as text
from demo.data.common import (
    AgreementSpec,
    CatalogueSpec,
    RoundSpec,
    Tally,
    agreement_load,
    catalogue_load,
    conditions_load,
    contacts_load,
    draft_round_open,
    money_m,
    month,
    overview_load,
    rag_definitions_load,
    round_load,
    submitted_round_seal,
    upsert,
    values_load,
)
from demo.data.northdale_flows import stock_flow_load
from finance.models import FinanceLine
from metrics.models import Measure, Series
from risks.models import Risk, RiskUpdate
from svmonitor.choices import MonitoringTier, PaymentStatus, Rag, YesNo
from svmonitor.models import (
    Agreement,
    LocalAuthority,
)

SLUG = "northdale"
SEED = 20240401
SIGNED = dt.date(2023, 3, 16)
LADDER = [Rag.BLUE, Rag.GREEN, Rag.AMBER_GREEN, Rag.AMBER, Rag.AMBER_RED, Rag.RED]

# The month the open draft (2025-26 Update 1) has figures up to: the demo's "now".
DEMO_DATA_MONTH = dt.date(2025, 4, 1)

ROUNDS_2024 = [
    RoundSpec(2024, 1, dt.date(2024, 5, 31), dt.date(2024, 4, 1), dt.date(2024, 5, 29)),
    RoundSpec(2024, 2, dt.date(2024, 8, 30), dt.date(2024, 7, 1), dt.date(2024, 8, 28)),
    RoundSpec(2024, 3, dt.date(2024, 11, 29), dt.date(2024, 10, 1), dt.date(2024, 11, 27)),
]

# DfE £38.5m: £15.4m on signing, then £4.62m a half-year or year (fictional schedule).
PAYMENTS = [
    (dt.date(2023, 3, 24), "15.4", PaymentStatus.RECEIVED),
    (dt.date(2023, 9, 29), "4.62", PaymentStatus.RECEIVED),
    (dt.date(2024, 3, 28), "4.62", PaymentStatus.RECEIVED),
    (dt.date(2024, 9, 27), "4.62", PaymentStatus.RECEIVED),
    (dt.date(2025, 3, 28), "4.62", PaymentStatus.EXPECTED),
    (dt.date(2026, 3, 27), "4.62", PaymentStatus.EXPECTED),
]
CAPS = {2022: "33.0", 2023: "31.0", 2024: "27.5", 2025: "21.0", 2026: "12.0", 2027: "0"}

SOURCES = {
    "performance": ("Performance and Insight", dt.date(2025, 1, 10), ""),
    "finance": ("Finance", dt.date(2024, 12, 13), "Month 8 forecast"),
    "commissioning": ("Commissioning", dt.date(2024, 12, 2), ""),
}
SERIES = {
    "actual": (Series.Kind.ACTUAL, "Actual", 0),
    "revised-plan": (Series.Kind.BASELINE, "Revised plan", 1),
    "last-year": (Series.Kind.LAST_YEAR, "Last year", 2),
    "stat-neighbour": (Series.Kind.STAT_NEIGHBOUR, "Statistical neighbour average", 3),
}
M = Measure
# code -> (name, unit, polarity, source, frequency, reading, area, conditions, series,
#          periods, (start, step range, decimals))
MONTHS = [month(2024, m) for m in range(4, 13)]
TERMS = [month(2024, 1), month(2024, 4), month(2024, 9)]
QUARTERS = [month(2024, 6), month(2024, 9), month(2024, 11)]
MEASURES = {
    "tribunal-appeals": ("SEND tribunal appeals registered", M.Unit.COUNT,
                         M.Polarity.LOWER_BETTER, "performance", "monthly", "point", 3, ("7",),
                         ("actual", "revised-plan", "last-year"), MONTHS, (14, (-3, 3), 0)),
    "mainstream-inclusion": ("Pupils with EHCPs in mainstream schools (%)", M.Unit.PERCENT,
                             M.Polarity.HIGHER_BETTER, "performance", "termly", "point", 1,
                             ("3",), ("actual", "revised-plan", "stat-neighbour"), TERMS,
                             (412, (-6, 12), 1)),
    "placement-cost": ("Average annual cost per specialist placement (£)", M.Unit.GBP,
                       M.Polarity.LOWER_BETTER, "finance", "monthly", "rolling_12", 2, ("4",),
                       ("actual", "revised-plan"), MONTHS, (54800, (-300, 900), 0)),
    "weeks-to-decision": ("Average weeks from request to EHCP decision", M.Unit.WEEKS,
                          M.Polarity.LOWER_BETTER, "performance", "monthly", "point", 3, ("6",),
                          ("actual", "revised-plan", "last-year", "stat-neighbour"), MONTHS,
                          (224, (-12, 6), 1)),
    "resourced-places": ("Resourced provision places (running total)", M.Unit.COUNT,
                         M.Polarity.HIGHER_BETTER, "commissioning", "termly", "running_total", 2,
                         ("5",), ("actual", "revised-plan"), TERMS, (40, (0, 16), 0)),
    "hnb-overspend": ("HNB in-year overspend (£m)", M.Unit.GBP_M, M.Polarity.LOWER_BETTER,
                      "finance", "annual", "point", None, ("1", "2"),
                      ("actual", "revised-plan"), QUARTERS, (61, (2, 9), 1)),
}  # fmt: skip
HEADLINE_CARDS = [
    ("SEND tribunal appeals this month", "tribunal-appeals", "revised-plan", "Plan", "appeals"),
    ("Pupils with EHCPs in mainstream", "mainstream-inclusion", "stat-neighbour",
     "Statistical neighbours", ""),
    ("HNB overspend 2024-25 (£m)", "hnb-overspend", "revised-plan", "Revised plan", ""),
]  # fmt: skip


def council_upsert(tally: Tally) -> LocalAuthority:
    """The fictional council row, with a lower key-risk threshold than the default."""
    return upsert(
        LocalAuthority,
        tally,
        lookup={"slug": SLUG},
        values={
            "name": text.COUNCIL_NAME,
            "dfe_la_number": "",
            # Fictional, no real authority's code: matches its illustrative EHCP comparators.
            "ons_code": "E06999902",
            "risk_score_threshold": 12,
            "is_fictional": True,
        },
    )


def _series_points(rng: random.Random, periods, start: int, steps, decimals: int) -> dict:
    """A random walk from `start`, in units of 10**-decimals, as Decimals (no floats)."""
    scale = Decimal(10) ** -decimals
    value, points = start, {}
    for period in periods:
        value = max(value + rng.randint(*steps), 0)
        points[period] = Decimal(value) * scale
    return points


def _comparator(rng: random.Random, actual: dict, slug: str, decimals: int) -> dict:
    """A plan, last-year or neighbour line near the actual, drawn from the same generator."""
    scale = Decimal(10) ** -decimals
    spread = {"revised-plan": (-8, 2), "last-year": (-12, 4), "stat-neighbour": (-5, 5)}[slug]
    return {
        period: max(value + rng.randint(*spread) * scale * max(value // 100, 1), Decimal(0))
        for period, value in actual.items()
    }


CATALOGUE = CatalogueSpec(
    sources=SOURCES,
    series=SERIES,
    measures={code: spec[:8] for code, spec in MEASURES.items()},
    cards=HEADLINE_CARDS,
)


def _metrics_load(council, tally: Tally, rng: random.Random, *, areas, conditions) -> None:
    measures, series = catalogue_load(
        council, tally, spec=CATALOGUE, areas=areas, conditions=conditions
    )
    for code, spec in MEASURES.items():
        slugs, periods, (start, steps, decimals) = spec[8:]
        actual = _series_points(rng, periods, start, steps, decimals)
        values_load(measures[code], series["actual"], tally, points=actual)
        for slug in slugs[1:]:
            points = _comparator(rng, actual, slug, decimals)
            values_load(measures[code], series[slug], tally, points=points)
    # Issue 18.1: the stock of EHCPs and its flows (fictional), under area 3 and condition 6
    # with the weeks to an EHCP decision. No random figures: the generator's sequence is kept.
    stock_flow_load(
        council,
        tally,
        actual=series["actual"],
        area=areas[3],
        conditions=[conditions["6"]],
        first_order=len(MEASURES) + 1,
    )


AGREEMENT = AgreementSpec(
    signed=SIGNED,
    title="Safety Valve agreement (fictional)",
    years=(2022, 2027),
    dfe_contribution=money_m("38.5"),
    council_contribution=money_m("9.6"),
    payments=[(due, money_m(amount), status, "") for due, amount, status in PAYMENTS],
    tiers=[
        (SIGNED, MonitoringTier.STANDARD, "Agreement signed."),
        (
            dt.date(2024, 9, 2),
            MonitoringTier.ENHANCED,
            "In-year overspend and EHCP growth above the agreed profile in two returns running.",
        ),
    ],
    caps={year: money_m(cap) for year, cap in CAPS.items()},
)


def _agreement_load(council, tally: Tally, rng: random.Random) -> Agreement:
    agreement = agreement_load(council, tally, spec=AGREEMENT)
    drift = Decimal(0)
    for year, cap in CAPS.items():
        upsert(
            FinanceLine,
            tally,
            lookup={"agreement": agreement, "financial_year": year, "scenario": "agreement"},
            values={"cumulative_deficit": money_m(cap), "reflects": "Agreement, March 2023"},
        )
        # The latest forecast runs above the profile from 2024-25 and drifts further each year.
        if year >= 2024:
            drift += Decimal(rng.randint(15, 40)) / 10
        upsert(
            FinanceLine,
            tally,
            lookup={"agreement": agreement, "financial_year": year, "scenario": "latest"},
            values={
                "cumulative_deficit": money_m(str(Decimal(cap) + drift)),
                "in_year_position": money_m(str(-drift)) if year >= 2024 else None,
                "hnb_income": money_m(str(Decimal("41.0") + Decimal(year - 2022) * 2)),
                "reflects": "Month 8 forecast",
            },
        )
    return agreement


def _rag_walk(rng: random.Random, start: int) -> list[str]:
    """Three ratings, each at most one step from the last on the ladder."""
    position, rags = start, []
    for _ in range(3):
        position = min(max(position + rng.choice((-1, 0, 0, 1)), 0), len(LADDER) - 1)
        rags.append(LADDER[position])
    return rags


def _narrative(rng: random.Random, opening: str, rag: str) -> str:
    return f"{opening} {rng.choice(text.RAG_PHRASES[rag])}"


def _structure_load(council, agreement, tally: Tally):
    conditions = conditions_load(
        agreement,
        tally,
        conditions=[
            (label, title, wording) for label, (title, wording, _) in text.CONDITIONS.items()
        ],
    )
    areas, workstreams = {}, []
    for number, (name, summary, served, names) in text.AREAS.items():
        areas[number] = upsert(
            ProgrammeArea,
            tally,
            lookup={"council": council, "number": number},
            values={"name": name, "summary": summary},
        )
        for order, ws_name in enumerate(names, start=1):
            workstreams.append(
                upsert(
                    Workstream,
                    tally,
                    lookup={"area": areas[number], "name": ws_name},
                    values={"lead_role": "Head of SEND Services", "order": order},
                    m2m={"conditions": [conditions[label] for label in served]},
                )
            )
    return conditions, areas, workstreams


def _milestones_load(workstreams, tally: Tally, rng: random.Random) -> None:
    for workstream in workstreams:
        for stage, title in enumerate(text.MILESTONE_STAGES):
            due = dt.date(2024, 6, 30) + dt.timedelta(days=91 * stage + rng.randint(0, 20))
            if due < dt.date(2024, 12, 1):
                status = rng.choice([Milestone.Status.COMPLETE] * 3 + [Milestone.Status.OVERDUE])
            else:
                status = rng.choice([Milestone.Status.ON_TRACK] * 2 + [Milestone.Status.AT_RISK])
            if status != Milestone.Status.COMPLETE and due < DEMO_DATA_MONTH:
                # Past due and not complete is overdue (as milestone_save insists); decided
                # after the draw so the generator's sequence, and all that follows, is unchanged.
                status = Milestone.Status.OVERDUE
            done = due - dt.timedelta(days=5) if status == Milestone.Status.COMPLETE else None
            upsert(
                Milestone,
                tally,
                lookup={"workstream": workstream, "title": title},
                values={"due_date": due, "status": status, "completed_on": done},
            )


def _risks_load(council, tally: Tally, rng: random.Random) -> list[tuple[Risk, list]]:
    """Six risks, each with three generated (RAG, impact, likelihood) readings."""
    risks = []
    for number, (title, impact_text, owner, mitigation) in enumerate(text.RISKS, start=1):
        history = [(rag, rng.randint(2, 5), rng.randint(2, 5)) for rag in _rag_walk(rng, 2)]
        _, impact, likelihood = history[-1]
        risk = upsert(
            Risk,
            tally,
            lookup={"council": council, "number": number},
            values={
                "title": title,
                "impact_description": impact_text,
                "owner_role": owner,
                "impact": impact,
                "likelihood": likelihood,
                "mitigation": mitigation,
                "action_required": "Reviewed monthly at the programme board.",
                "is_open": True,
            },
        )
        risks.append((risk, history))
    return risks


OVERALL = [Rag.AMBER_GREEN, Rag.AMBER, Rag.AMBER_RED]
ON_TRACK = [(YesNo.YES, YesNo.YES), (YesNo.NO, YesNo.YES), (YesNo.NO, YesNo.NO)]


def _overview_values(index: int) -> dict:
    this_year, end_point = ON_TRACK[index]
    return {
        "deficit_this_year_on_track": this_year,
        "deficit_this_year_commentary": (
            "The forecast is within this year's profile."
            if this_year == YesNo.YES
            else "The forecast overspend is above this year's profile; see the finance lines."
        ),
        "zero_deficit_on_track": end_point,
        "zero_deficit_commentary": (
            "The plan still reaches in-year balance by 2027-28."
            if end_point == YesNo.YES
            else "In-year balance now looks a year later than agreed; options are being costed."
        ),
        # Northdale has no Safety Valve capital project, so the question is left unanswered.
        "capital_project_on_track": "",
        "capital_project_commentary": "",
        "adviser_support_requested": "yes" if index == 2 else "no",
        "adviser_support_detail": (
            "Help from the inclusion adviser to review the graduated response toolkit."
            if index == 2
            else "Not needed this quarter."
        ),
        "overall_rag": OVERALL[index],
        "overall_narrative": f"Overall {text.RAG_LABELS[OVERALL[index]]}: "
        + text.RAG_PHRASES[OVERALL[index]][0],
    }


def northdale_load(council, tally: Tally, *, users: dict) -> None:
    """The fictional council's agreement, structure, 2024-25 returns and the 2025-26 draft."""
    rng = random.Random(SEED)  # noqa: S311 - demo figures, not security
    rag_definitions_load(council, tally, labels=text.RAG_LABELS)
    contacts_load(council, tally, contacts=text.CONTACTS, slug=SLUG)
    agreement = _agreement_load(council, tally, rng)
    conditions, areas, workstreams = _structure_load(council, agreement, tally)
    _milestones_load(workstreams, tally, rng)
    _metrics_load(council, tally, rng, areas=areas, conditions=conditions)
    risks = _risks_load(council, tally, rng)
    histories = {label: _rag_walk(rng, rng.randint(1, 3)) for label in conditions}
    # Condition 9 was added late in the negotiation and had no baseline at Update 1.
    histories["9"][0] = Rag.NOT_RATED
    ws_histories = [_rag_walk(rng, rng.randint(1, 3)) for _ in workstreams]
    lead = users.get(f"lead.{SLUG}")
    rounds = [round_load(agreement, tally, spec=spec, recorded_by=lead) for spec in ROUNDS_2024]
    for index, round_ in enumerate(rounds):
        for label, condition in conditions.items():
            rag = histories[label][index]
            opening = text.CONDITIONS[label][2]
            upsert(
                ConditionUpdate,
                tally,
                lookup={"round": round_, "condition": condition},
                values={"rag": rag, "narrative": _narrative(rng, opening, rag)},
            )
        for risk, history in risks:
            rag, impact, likelihood = history[index]
            upsert(
                RiskUpdate,
                tally,
                lookup={"round": round_, "risk": risk},
                values={
                    "rag": rag,
                    "narrative": _narrative(rng, "Reviewed at the board.", rag),
                    "impact": impact,
                    "likelihood": likelihood,
                },
            )
        for workstream, history in zip(workstreams, ws_histories, strict=True):
            upsert(
                WorkstreamUpdate,
                tally,
                lookup={"round": round_, "workstream": workstream},
                values={
                    "rag": history[index],
                    "narrative": rng.choice(text.RAG_PHRASES[history[index]]),
                },
            )
        headlines = {kind: rng.sample(options, k=2) for kind, options in text.HEADLINES.items()}
        overview_load(round_, tally, values=_overview_values(index), headlines=headlines)
    for round_ in rounds:
        submitted_round_seal(round_, tally, users=users, slug=SLUG)
    # 2025-26 Update 1 is open as a draft carried forward from Update 3.
    draft_round_open(agreement, tally, financial_year=2025, update_number=1, by=lead)
