"""Building a snapshot: one query per table, assembled in Python."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter, defaultdict

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    DecimalField,
    F,
    FilteredRelation,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils.dateparse import parse_date

from conditions.models import AgreementCondition, Milestone, ProgrammeArea, WorkstreamSaving
from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from overview.models import Headline, RoundOverview
from reports.models import RoundSnapshot as FrozenSnapshot
from reports.snapshot.groups import kpi_groups_build
from reports.snapshot.measures import _headlines, _measures, figures_present, headline_cards
from reports.snapshot.rounds import round_key, rounds_for_building
from reports.snapshot.scope import MeasureScope
from reports.snapshot.types import (
    UPDATE_MONTHS,
    AgreementInfo,
    AreaSection,
    ConditionRow,
    ContactInfo,
    CouncilInfo,
    CouncilSignOffInfo,
    FinanceFigures,
    FinanceYear,
    HeadlineItem,
    MilestoneRow,
    OverviewInfo,
    PaymentRow,
    RagDefinitionInfo,
    Rating,
    RiskRow,
    RoundInfo,
    RoundSnapshot,
    SavingFigure,
    SignOffInfo,
    StatusCount,
    TierInfo,
    WorkstreamRow,
    WorkstreamSavings,
)
from risks.models import Risk
from svmonitor.choices import (
    DEFAULT_DFE_MAPPING,
    RAG_RANK,
    MonitoringTier,
    PaymentStatus,
    Rag,
    RiskRegister,
    RoundStatus,
)
from svmonitor.fy import fy_bounds, fy_label
from svmonitor.models import (
    MONEY,
    Agreement,
    KeyContact,
    MonitoringTierChange,
    RagDefinition,
    ReportingRound,
    SignOff,
    risk_key_levels_parse,
)

# --- building --------------------------------------------------------------------------------


class _Ratings:
    """Turns RAG codes into Ratings in the council's own words."""

    def __init__(self, definitions: list[RagDefinitionInfo]):
        self.by_level = {d.level: d for d in definitions}

    def dfe_code(self, code: str) -> str:
        definition = self.by_level.get(code)
        return definition.dfe_level if definition else DEFAULT_DFE_MAPPING.get(code, code)

    def label(self, code: str) -> str:
        definition = self.by_level.get(code)
        return definition.label if definition else Rag(code).label

    def __call__(self, code: str | None) -> Rating:
        code = code or Rag.NOT_RATED
        dfe = self.dfe_code(code)
        return Rating(
            code, self.label(code), dfe, self.label(dfe) if dfe in self.by_level else Rag(dfe).label
        )


def _change(current: Rating, previous: Rating | None) -> str:
    if not current.is_rated:
        return "none"
    if previous is None or not previous.is_rated:
        return "new"
    if current.rank < previous.rank:
        return "improved"
    if current.rank > previous.rank:
        return "worsened"
    return "same"


def council_sign_offs_info(rnd: ReportingRound) -> tuple[CouncilSignOffInfo, ...]:
    # A return submitted before svmonitor: its sign-offs as the council recorded them.
    return tuple(CouncilSignOffInfo(**row) for row in rnd.council_sign_off_rows)


# (years back from the round's, update number) of the rounds whose updates the snapshot shows.
WINDOW_KEYS = tuple((back, n) for back in (-1, 0) for n in (1, 2, 3))


def round_loaded(round: ReportingRound) -> ReportingRound:
    """The round with what round_snapshot_build and round_record read of it: itself when it
    came from rounds_for_building or round_building_extras, else read so (one query)."""
    if hasattr(round, "tier_code") and "agreement" in round._state.fields_cache:
        return round
    return rounds_for_building().get(pk=round.pk)


def round_building_extras(round: ReportingRound) -> ReportingRound:
    """A copy of the round given what rounds_for_building adds to a round, in one query
    written out (the ORM's five subqueries cost more to compile than to run), for a round just
    read from the database with its agreement and council (round_list_for_council): its
    agreement and council are used as they are, so a round whose objects may have changed
    since they were read goes to round_loaded instead.
    """
    q = connection.ops.quote_name
    rounds = q(ReportingRound._meta.db_table)
    tiers = q(MonitoringTierChange._meta.db_table)
    agreements = q(Agreement._meta.db_table)
    frozen = q(FrozenSnapshot._meta.db_table)
    latest_tier = (
        f"FROM {tiers} t WHERE t.agreement_id = %s AND t.effective_from <= %s"
        " ORDER BY t.effective_from DESC LIMIT 1"
    )
    sql = (
        # Names from the models' metadata; every value is a parameter.
        f"SELECT (SELECT t.tier {latest_tier}), (SELECT t.effective_from {latest_tier}),"  # noqa: S608
        f" (SELECT MIN(a.first_financial_year) FROM {agreements} a WHERE a.council_id = %s),"
        f" (SELECT MAX(a.last_financial_year) FROM {agreements} a WHERE a.council_id = %s),"
        # The payload frozen when last marked ready (record.frozen_snapshot_for reads it).
        f" (SELECT f.id FROM {frozen} f WHERE f.round_id = %s"
        " ORDER BY f.created_at DESC, f.id DESC LIMIT 1)"
        # The agreement's rounds of this financial year and the last (one per update number):
        # the updates the conditions and risks show are of those.
        + "".join(
            f", (SELECT r.id FROM {rounds} r WHERE r.agreement_id = %s"  # noqa: S608
            " AND r.return_kind = %s AND r.financial_year = %s AND r.update_number = %s)"
            for _ in WINDOW_KEYS
        )
    )
    due = connection.ops.adapt_datefield_value(round.due_date)
    council_id = round.agreement.council_id
    params = [round.agreement_id, due, round.agreement_id, due, council_id, council_id, round.pk]
    window = [(round.financial_year + back, n) for back, n in WINDOW_KEYS]
    for year, update_number in window:
        params += [round.agreement_id, round.return_kind, year, update_number]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        tier, tier_from, first_year, last_year, frozen_id, *window_ids = cursor.fetchone()
    # A copy: the caller's round stays as it was (a payload frozen later must still be found).
    loaded = copy.copy(round)
    loaded.tier_code = tier
    # SQLite's driver gives a date from a subquery as text.
    loaded.tier_from = parse_date(tier_from) if isinstance(tier_from, str) else tier_from
    loaded.agreements_first_year, loaded.agreements_last_year = first_year, last_year
    loaded.frozen_snapshot_id = frozen_id
    loaded.window_round_ids = [
        (year, update_number, round_id)
        for (year, update_number), round_id in zip(window, window_ids, strict=True)
        if round_id is not None
    ]
    return loaded


def _joined_updates(rows, own, fields, *, agreement_id, window, extra) -> list[dict]:
    """`rows` (a queryset) as dicts of their `own` fields, their updates' `fields` (names after
    "updates__", keyed so) and the annotations `extra(name the updates go by)` gives: a row per
    update (or one without any).

    `window`, the (year, update number, id) of the agreement's rounds in the years a section
    shows (round_building_extras, for the dashboard's chosen round), joins only those rounds'
    updates, and their rounds' year, update number and agreement come from it rather than
    from a join (Django places a join beyond a filtered relation before it, which SQLite
    refuses); None joins every update."""
    if window is None:
        return list(rows.values(*own, *(f"updates__{f}" for f in fields), **extra("updates")))
    keys = {round_id: (year, number) for year, number, round_id in window}
    in_window = Q(updates__round_id__in=list(keys))
    # Not "window": a reserved word in PostgreSQL, where Django leaves a join's alias unquoted.
    rows = rows.annotate(shown_updates=FilteredRelation("updates", condition=in_window))
    direct = [f for f in fields if not f.startswith("round__")]
    if "round_id" not in direct:
        direct.append("round_id")
    found = []
    prefix = "shown_updates__"
    for row in rows.values(*own, *(f"{prefix}{f}" for f in direct), **extra("shown_updates")):
        row = {
            (f"updates__{k[len(prefix) :]}" if k.startswith(prefix) else k): v
            for k, v in row.items()
        }
        year, number = keys.get(row["updates__round_id"], (None, None))
        row["updates__round__financial_year"] = year
        row["updates__round__update_number"] = number
        row["updates__round__agreement_id"] = agreement_id if year is not None else None
        found.append(row)
    return found


def _in_force(condition: dict, day) -> bool:
    ends = condition["in_force_to"]
    return condition["in_force_from"] <= day and (ends is None or ends >= day)


def _conditions(rnd, ratings, rounds_seen, cited):
    # Query: the agreement's conditions, a row for each of their updates (or one without any).
    # Only updates of this financial year and the last are used; older ones come without their
    # narrative, which is most of a row's size.
    window = [rnd.financial_year - 1, rnd.financial_year]

    def narrative(u):
        if u == "shown_updates":
            # Only this year's and last year's rounds are joined: every narrative is wanted.
            return {"narrative": F("shown_updates__narrative")}
        return {
            "narrative": Case(
                When(updates__round__financial_year__in=window, then=F("updates__narrative")),
                default=Value(""),
                output_field=TextField(),
            )
        }

    rows = _joined_updates(
        AgreementCondition.objects.filter(agreement_id=rnd.agreement_id).order_by(
            "order", "label", "pk"
        ),
        ["pk", "label", "title", "wording", "in_force_from", "in_force_to"],
        ["rag", "round__financial_year", "round__update_number"],
        agreement_id=rnd.agreement_id,
        window=getattr(rnd, "window_round_ids", None),
        extra=narrative,
    )
    conditions: dict[int, dict] = {}
    by_condition = defaultdict(dict)
    for row in rows:
        conditions.setdefault(row["pk"], row)
        if row["updates__round__financial_year"] not in window:
            continue
        key = (row["updates__round__financial_year"], row["updates__round__update_number"])
        by_condition[row["pk"]][key] = {"rag": row["updates__rag"], "narrative": row["narrative"]}
        # Every update in the window counts, listed condition or not, to find the previous round.
        rounds_seen.add(key)
    this_key = (rnd.financial_year, rnd.update_number)
    # Listed: in force at the round's due date, or rated in this round all the same.
    conditions = {
        pk: cond
        for pk, cond in conditions.items()
        if this_key in by_condition[pk] or _in_force(cond, rnd.due_date)
    }
    earlier = sorted(k for k in rounds_seen if k < this_key)
    previous_key = earlier[-1] if earlier else None
    rows = []
    for cond in conditions.values():
        history = by_condition[cond["pk"]]
        current = history.get(this_key)
        rating = ratings(current["rag"] if current else None)
        by_update = tuple(
            ratings(history[(rnd.financial_year, n)]["rag"])
            if (rnd.financial_year, n) in history and n <= rnd.update_number
            else None
            for n in (1, 2, 3)
        )
        # Compared with the latest earlier update that rated the condition (an imported
        # return's too): "First rating" only when none did, not when the update just before
        # left it unrated or had no row for it.
        compared_key, previous = previous_key, None
        for key in reversed(earlier):
            found = history.get(key)
            if found is not None and ratings(found["rag"]).is_rated:
                compared_key, previous = key, ratings(found["rag"])
                break
        if previous is None and previous_key in history:
            previous = ratings(history[previous_key]["rag"])
        rows.append(
            ConditionRow(
                id=cond["pk"],
                label=cond["label"],
                title=cond["title"],
                wording=cond["wording"],
                rating=rating,
                narrative=current["narrative"] if current else "",
                by_update=by_update,
                previous=previous,
                previous_round_label=(
                    f"{fy_label(compared_key[0])} Update {compared_key[1]}" if compared_key else ""
                ),
                change=_change(rating, previous),
                key_measure_codes=tuple(cited.get(cond["pk"], ())),
            )
        )
    return tuple(rows)


def _milestone_field(name: str):
    # This round's record of the milestone if it has one, else the milestone as first set up
    # (a round loaded without records); Case rather than Coalesce, as a record's blank
    # completion date must not fall back to the milestone's.
    return Case(
        When(
            ms_this_round__pk__isnull=False,
            then=F(f"ms_this_round__{name}"),
        ),
        default=F(f"workstreams__milestones__{name}"),
    )


def _areas(rnd, ratings, council_id, as_at, measures, milestones=True):
    # Query: the programme structure in one go: each area, its workstreams with this round's
    # update, and their milestones with this round's record of each (an area or workstream
    # without any still comes, once). Without `milestones` (the dashboard's summary, which
    # shows workstreams' ratings only), a row per workstream and none of its milestones.
    rows = ProgrammeArea.objects.filter(council_id=council_id).annotate(
        this_round=FilteredRelation(
            "workstreams__updates", condition=Q(workstreams__updates__round_id=rnd.pk)
        ),
    )
    fields = [
        "pk",
        "number",
        "name",
        "summary",
        "workstreams__pk",
        "workstreams__name",
        "workstreams__lead_role",
        "this_round__rag",
        "this_round__narrative",
    ]
    if milestones:
        rows = rows.annotate(
            ms_this_round=FilteredRelation(
                "workstreams__milestones__updates",
                condition=Q(workstreams__milestones__updates__round_id=rnd.pk),
            ),
        ).annotate(
            ms_status=_milestone_field("status"),
            ms_due_date=_milestone_field("due_date"),
            ms_completed_on=_milestone_field("completed_on"),
        )
        fields += [
            "workstreams__milestones__pk",
            "workstreams__milestones__title",
            "ms_due_date",
            "ms_status",
            "ms_completed_on",
        ]
    rows = rows.order_by(
        "number", "workstreams__order", "workstreams__name", "workstreams__pk"
    ).values(*fields)
    status_labels = dict(Milestone.Status.choices)
    areas: dict[int, dict] = {}
    by_area_ws = defaultdict(dict)
    by_ws_ms = defaultdict(list)
    by_area_ms = defaultdict(list)
    for row in rows:
        area_id, ws_id = row["pk"], row["workstreams__pk"]
        areas.setdefault(area_id, row)
        if ws_id is None:
            continue
        if ws_id not in by_area_ws[area_id]:
            by_area_ws[area_id][ws_id] = row
        if not milestones or row["workstreams__milestones__pk"] is None:
            continue
        status = row["ms_status"]
        due = row["ms_due_date"]
        overdue = status == Milestone.Status.OVERDUE or (
            status != Milestone.Status.COMPLETE and as_at is not None and due < as_at
        )
        milestone = MilestoneRow(
            title=row["workstreams__milestones__title"],
            workstream=row["workstreams__name"],
            due_date=due,
            status=status,
            status_label=status_labels[status],
            completed_on=row["ms_completed_on"],
            is_overdue=overdue,
            id=row["workstreams__milestones__pk"],
        )
        order = (due, milestone.title, milestone.id)
        by_ws_ms[ws_id].append((order, milestone))
        by_area_ms[area_id].append((order, milestone))
    sections = []
    for area in areas.values():
        # Milestones by due date across the area's workstreams, as the overdue table lists them.
        ms_rows = [ms for _, ms in sorted(by_area_ms[area["pk"]], key=lambda entry: entry[0])]
        counts = Counter(m.status for m in ms_rows)
        workstreams = tuple(
            WorkstreamRow(
                id=ws_id,
                name=row["workstreams__name"],
                lead_role=row["workstreams__lead_role"],
                rating=ratings(row["this_round__rag"]),
                narrative=row["this_round__narrative"] or "",
                milestones=tuple(
                    ms for _, ms in sorted(by_ws_ms[ws_id], key=lambda entry: entry[0])
                ),
            )
            for ws_id, row in by_area_ws[area["pk"]].items()
        )
        sections.append(
            AreaSection(
                id=area["pk"],
                number=area["number"],
                name=area["name"],
                summary=area["summary"],
                workstreams=workstreams,
                milestone_counts=tuple(
                    StatusCount(code, label, counts.get(code, 0))
                    for code, label in Milestone.Status.choices
                ),
                overdue=tuple(m for m in ms_rows if m.is_overdue),
                measure_codes=tuple(m.code for m in measures if m.area_number == area["number"]),
            )
        )
    return tuple(sections)


def _risks(rnd, ratings, council):
    # Query: the council's risks, a row for each of their updates (or one without any); the
    # narrative only of this round's. Risks shown are the open ones and any rated this round.
    year_ids = getattr(rnd, "window_round_ids", None)
    rows = _joined_updates(
        Risk.objects.filter(council_id=council.pk).order_by("number", "pk"),
        [
            "pk",
            "number",
            "title",
            "impact_description",
            "owner_role",
            "impact",
            "likelihood",
            "mitigation",
            "action_required",
            "is_open",
        ],
        [
            "pk",
            "round_id",
            "round__agreement_id",
            "round__financial_year",
            "round__update_number",
            "impact",
            "likelihood",
            "rag",
            "in_dfe_report",
        ],
        agreement_id=rnd.agreement_id,
        # This year's rounds of the agreement: the earlier updates shown are of those.
        window=[w for w in year_ids if w[0] == rnd.financial_year] if year_ids else None,
        extra=lambda u: {
            "narrative": Case(
                When(**{f"{u}__round_id": rnd.pk}, then=F(f"{u}__narrative")),
                default=Value(""),
                output_field=TextField(),
            )
        },
    )
    scored = council.risk_register != RiskRegister.RATED
    key_levels = set(risk_key_levels_parse(council.risk_key_levels))
    risks: dict[int, dict] = {}
    this_round: dict[int, dict] = {}
    earlier: dict[int, dict[int, str]] = defaultdict(dict)
    for row in rows:
        risks.setdefault(row["pk"], row)
        if row["updates__pk"] is None:
            continue
        if row["updates__round_id"] == rnd.pk:
            this_round[row["pk"]] = row
        elif (
            row["updates__round__agreement_id"] == rnd.agreement_id
            and row["updates__round__financial_year"] == rnd.financial_year
            and row["updates__round__update_number"] < rnd.update_number
        ):
            earlier[row["pk"]][row["updates__round__update_number"]] = row["updates__rag"]
    result = []
    heat = [[0] * 5 for _ in range(5)]
    for pk, row in risks.items():
        this = this_round.get(pk)
        if this is None and not row["is_open"]:
            continue
        impact = this["updates__impact"] if this else row["impact"]
        likelihood = this["updates__likelihood"] if this else row["likelihood"]
        if not scored or impact is None or likelihood is None:
            # A rated register keeps no score, and none is shown even if one was once kept.
            impact = likelihood = score = None
        else:
            score = impact * likelihood
            heat[impact - 1][likelihood - 1] += 1
        rating = ratings(this["updates__rag"] if this else None)
        by_update = tuple(
            rating
            if n == rnd.update_number
            else (ratings(earlier[pk][n]) if n in earlier.get(pk, {}) else None)
            for n in (1, 2, 3)
        )
        result.append(
            RiskRow(
                id=pk,
                number=row["number"],
                title=row["title"],
                impact_description=row["impact_description"],
                owner_role=row["owner_role"],
                impact=impact,
                likelihood=likelihood,
                score=score,
                rating=rating,
                narrative=this["narrative"] if this else "",
                mitigation=row["mitigation"],
                action_required=row["action_required"],
                is_key=(
                    score is not None and score >= council.risk_score_threshold
                    if scored
                    else rating.code in key_levels
                ),
                ratings_by_update=by_update,
                in_dfe_report=_in_dfe_report(this),
            )
        )
    return tuple(result), tuple(tuple(r) for r in heat)


def _in_dfe_report(this: dict | None) -> bool:
    """Whether a risk goes into the DfE report's register (issue 15.8): the council's choice
    for the round, else whether it has an update in the round (a level or a narrative)."""
    if this is None:
        return False
    if this["updates__in_dfe_report"] is not None:
        return this["updates__in_dfe_report"]
    return this["updates__rag"] != Rag.NOT_RATED or bool(this["narrative"].strip())


_FINANCE_FIELDS = (
    "in_year_position",
    "cumulative_deficit",
    "hnb_income",
    "dfe_payments",
    "council_contribution",
    "schools_block_transfer",
    "reflects",
)


_CAP_ROW = "cap"
_SAVING_ROW = "saving"
# The last three columns of a workstream's saving row (NULL on the others): the workstream, its
# programme area's number and its order, which set the order the savings are stacked in.
_WORKSTREAM_COLUMNS = ("ws_id", "ws_area", "ws_order")


def _finance_rows(agreement_id, council_id):
    # Query: the finance lines, the deficit caps and the workstreams' forecast savings
    # together. A cap comes as a row of its own (scenario "cap", its amount in the cap
    # column), so a year with a cap and no lines shows; a saving as a row of its own (scenario
    # "saving", the amount first, the workstream's name where a line has what it reflects).
    money, number = DecimalField(**MONEY), BigIntegerField()
    blanks = {f"no_{name}": Value(None, money) for name in _FINANCE_FIELDS[:-1]}
    # Typed NULLs: PostgreSQL types an untyped NULL in a UNION's first two branches as text.
    no_workstream = {name: Cast(Value(None), number) for name in _WORKSTREAM_COLUMNS}
    lines = (
        FinanceLine.objects.filter(agreement_id=agreement_id)
        .annotate(cap_amount=Value(None, money), **no_workstream)
        .values_list(
            "financial_year", "scenario", *_FINANCE_FIELDS, "cap_amount", *_WORKSTREAM_COLUMNS
        )
    )
    caps = (
        DeficitCap.objects.filter(agreement_id=agreement_id)
        .annotate(scenario=Value(_CAP_ROW), **blanks, reflects=Value(""), **no_workstream)
        .values_list("financial_year", "scenario", *blanks, "reflects", "cap", *no_workstream)
    )
    after_saving = list(blanks)[1:]
    savings = (
        WorkstreamSaving.objects.filter(workstream__area__council_id=council_id)
        .annotate(
            scenario=Value(_SAVING_ROW),
            **{name: blanks[name] for name in after_saving},
            cap_amount=Value(None, money),
            ws_id=F("workstream_id"),
            ws_area=F("workstream__area__number"),
            ws_order=F("workstream__order"),
        )
        .values_list(
            "financial_year",
            "scenario",
            "saving",
            *after_saving,
            "workstream__name",
            "cap_amount",
            *_WORKSTREAM_COLUMNS,
        )
    )
    return lines.union(caps, savings, all=True)


def _finance(agreement_id, council_id):
    # Queries: finance lines with deficit caps and workstream savings, payments.
    caps = {}
    by_year: dict[int, dict[str, FinanceFigures]] = defaultdict(dict)
    saving_rows = []
    for year, scenario, *figures, cap, ws_id, ws_area, ws_order in _finance_rows(
        agreement_id, council_id
    ):
        if scenario == _CAP_ROW:
            caps[year] = cap
        elif scenario == _SAVING_ROW:
            saving_rows.append((ws_area, ws_order, ws_id, year, figures[-1], figures[0]))
        else:
            by_year[year][scenario] = FinanceFigures(*figures)
    years = sorted(set(by_year) | set(caps))
    finance = tuple(
        FinanceYear(
            financial_year=year,
            fy=fy_label(year),
            agreement=by_year[year].get(FinanceLine.Scenario.AGREEMENT),
            latest=by_year[year].get(FinanceLine.Scenario.LATEST),
            unmitigated=by_year[year].get(FinanceLine.Scenario.UNMITIGATED),
            cap=caps.get(year),
            actual=by_year[year].get(FinanceLine.Scenario.ACTUAL),
        )
        for year in years
    )
    labels = dict(PaymentStatus.choices)
    payments = tuple(
        PaymentRow(
            due_date=p["due_date"],
            amount=p["amount"],
            status=p["status"],
            status_label=labels[p["status"]],
            status_date=p["status_date"],
            note=p["note"],
        )
        for p in PaymentInstalment.objects.filter(agreement_id=agreement_id)
        .order_by("due_date")
        .values("due_date", "amount", "status", "status_date", "note")
    )
    return finance, payments, _workstream_savings(saving_rows)


def _workstream_savings(rows) -> tuple[WorkstreamSavings, ...]:
    """The savings rows (area number, order, workstream, year, name, saving) by workstream, in
    the order the mitigation chart stacks them: by programme area, then the workstream's order."""
    found: dict[int, tuple] = {}
    for _area, _order, workstream_id, year, name, saving in sorted(rows, key=lambda r: r[:4]):
        entry = found.setdefault(workstream_id, (name, _area, []))
        entry[2].append(SavingFigure(year, fy_label(year), saving))
    return tuple(
        WorkstreamSavings(id=pk, name=name, area_number=number, savings=tuple(figures))
        for pk, (name, number, figures) in found.items()
    )


_OVERVIEW_FIELDS = (
    "overall_rag",
    "overall_narrative",
    "deficit_this_year_on_track",
    "deficit_this_year_commentary",
    "zero_deficit_on_track",
    "zero_deficit_commentary",
    "capital_project_on_track",
    "capital_project_commentary",
    "adviser_support_requested",
    "adviser_support_detail",
)


def _overview(rnd, ratings):
    # Query: the overview page with its headlines (a row per headline, or one without any).
    kinds = dict(Headline.Kind.choices)
    rows = list(
        RoundOverview.objects.filter(round_id=rnd.pk)
        .order_by("headlines__kind", "headlines__position")
        .values(*_OVERVIEW_FIELDS, "headlines__kind", "headlines__position", "headlines__text")
    )
    if not rows:
        return OverviewInfo(ratings(None), "", "", "", "", "", "", "", "", "", ())
    headlines = tuple(
        HeadlineItem(
            row["headlines__kind"],
            kinds[row["headlines__kind"]],
            row["headlines__position"],
            row["headlines__text"],
        )
        for row in rows
        if row["headlines__kind"] is not None
    )
    overview = rows[0]
    return OverviewInfo(
        overall=ratings(overview["overall_rag"]),
        overall_narrative=overview["overall_narrative"],
        deficit_this_year_on_track=overview["deficit_this_year_on_track"],
        deficit_this_year_commentary=overview["deficit_this_year_commentary"],
        zero_deficit_on_track=overview["zero_deficit_on_track"],
        zero_deficit_commentary=overview["zero_deficit_commentary"],
        capital_project_on_track=overview["capital_project_on_track"],
        capital_project_commentary=overview["capital_project_commentary"],
        adviser_support_requested=overview["adviser_support_requested"],
        adviser_support_detail=overview["adviser_support_detail"],
        headlines=headlines,
    )


def _sign_offs(round_pk):
    # Query: live sign-offs with who signed.
    capacities = dict(SignOff.Capacity.choices)
    rows = (
        SignOff.objects.filter(round_id=round_pk, voided_at__isnull=True)
        .order_by("capacity")
        .values(
            "capacity",
            "signed_at",
            "snapshot_sha256",
            "signed_by__first_name",
            "signed_by__last_name",
            "signed_by__username",
        )
    )
    return tuple(
        SignOffInfo(
            capacity=r["capacity"],
            capacity_label=capacities[r["capacity"]],
            signed_by=(
                f"{r['signed_by__first_name']} {r['signed_by__last_name']}".strip()
                or r["signed_by__username"]
            ),
            signed_at=r["signed_at"],
            snapshot_sha256=r["snapshot_sha256"],
        )
        for r in rows
    )


def round_snapshot_build(
    round: ReportingRound, *, since: dt.date | None = None, scope: MeasureScope | None = None
) -> RoundSnapshot:
    """Build the read model of one round in a fixed number of queries: 13, one fewer for a round
    loaded by round_loaded; as many with the dashboard summary's scope, which also asks which
    measures have figures but reads neither key contacts nor sign-offs; 7 for another page of
    the dashboard, which shows no risks, headline cards, finance or overview either.

    `since` keeps only the key measures' figures from that month on (the dashboard's window);
    `scope` reads only the figures of the measures one dashboard page shows (the others are
    there without figures; the groups are as a full build makes them). A record of the round
    (freezing, the PDFs, the comparison with live data) passes neither.
    """
    rnd = round_loaded(round)  # 1, unless the round came loaded
    agreement, council = rnd.agreement, rnd.agreement.council
    definitions = [
        RagDefinitionInfo(**row)
        for row in RagDefinition.objects.filter(council_id=council.pk)  # 2
        .order_by("level")
        .values("level", "label", "definition", "dfe_level")
    ]
    definitions.sort(key=lambda d: RAG_RANK.get(d.level, 99))
    ratings = _Ratings(definitions)
    role_labels = dict(KeyContact._meta.get_field("role").choices)
    # A dashboard page (a scope) shows neither key contacts nor sign-offs: not read for it.
    contacts = (
        tuple(
            ContactInfo(role_label=role_labels.get(c["role"], c["role"]), **c)
            for c in KeyContact.objects.filter(council_id=council.pk)  # 3
            .order_by("order", "pk")
            .values("role", "job_title", "name", "email")
        )
        if scope is None
        else ()
    )
    fy_end = fy_bounds(rnd.financial_year)[1]
    cutoff = rnd.data_as_at or rnd.due_date
    # Figures outside the agreements' years (old data the services now refuse) are left out.
    span = (
        fy_bounds(rnd.agreements_first_year)[0],
        fy_bounds(rnd.agreements_last_year)[1],
    )
    horizon = max(fy_end, cutoff)
    # The headline cards, where the page shows them (a group's page does not).
    cards = headline_cards(council.pk) if scope is None or scope.is_summary else []  # 4
    wanted = None
    if scope is not None:
        card_ids = {card["measure_id"] for card in cards}

        def wanted(measure, attached_to):
            return scope.wants(measure, attached_to, card_ids, council.kpi_grouping)

    measures, cited, attached, left_out = _measures(  # 5, 6
        council.pk, cutoff, horizon, rnd.pk, span, since, wanted
    )
    shown = None
    if scope is None:
        # The month the data is as at: recorded on the round, else the latest actual figure.
        latest = max(
            (m.actual.points[-1].period for m in measures if m.actual and m.actual.points),
            default=None,
        )
    else:
        # Of every measure, not only those read: one query more.
        in_year, latest = figures_present(
            council.pk, cutoff, horizon, span, since, rnd.financial_year
        )
        shown = {m.code for m in measures if m.id in in_year}
    as_at = rnd.data_as_at or latest
    rounds_seen: set[tuple[int, int]] = {(rnd.financial_year, rnd.update_number)}
    conditions = _conditions(rnd, ratings, rounds_seen, cited)  # 7
    with_milestones = scope is None or not scope.is_summary
    areas = _areas(rnd, ratings, council.pk, as_at, measures, with_milestones)  # 8
    kpi_groups = kpi_groups_build(
        grouping=council.kpi_grouping,
        conditions=conditions,
        areas=areas,
        measures=measures,
        condition_measures=attached,
        financial_year=rnd.financial_year,
        shown=shown,
    )
    if scope is None or scope.is_summary:
        risks, heat_map = _risks(rnd, ratings, council)  # 9
        headlines = _headlines(council.pk, measures, rnd.financial_year, cards)
        finance, payments, workstream_savings = _finance(agreement.pk, council.pk)  # 10, 11
        overview = _overview(rnd, ratings)  # 12
    else:
        # A page of measures and workstreams shows no risks, headlines, finance or overview.
        risks, heat_map = (), tuple((0,) * 5 for _ in range(5))
        headlines, finance, payments, workstream_savings = (), (), (), ()
        overview = OverviewInfo(ratings(None), "", "", "", "", "", "", "", "", "", ())
    sign_offs = _sign_offs(rnd.pk) if scope is None else ()  # 13
    tier = (
        TierInfo(rnd.tier_code, MonitoringTier(rnd.tier_code).label, rnd.tier_from)
        if rnd.tier_code
        else None
    )
    return RoundSnapshot(
        council=CouncilInfo(
            id=council.pk,
            name=council.name,
            slug=council.slug,
            dfe_la_number=council.dfe_la_number,
            ons_code=council.ons_code,
            risk_score_threshold=council.risk_score_threshold,
            is_fictional=council.is_fictional,
            kpi_grouping=council.kpi_grouping,
            risk_register=council.risk_register,
            risk_key_levels=risk_key_levels_parse(council.risk_key_levels),
            kpi_table_layout=council.kpi_table_layout,
            kpi_table_months=council.kpi_table_months,
            stock_flow_gap_percent=council.stock_flow_gap_percent,
        ),
        agreement=AgreementInfo(
            id=agreement.pk,
            title=agreement.title,
            date_signed=agreement.date_signed,
            first_financial_year=agreement.first_financial_year,
            last_financial_year=agreement.last_financial_year,
            period_label=agreement.period_label,
            dfe_contribution=agreement.dfe_contribution,
            council_contribution=agreement.council_contribution,
            published_url=agreement.published_url,
            supersedes_id=agreement.supersedes_id,
        ),
        round=RoundInfo(
            id=rnd.pk,
            financial_year=rnd.financial_year,
            fy=rnd.fy,
            update_number=rnd.update_number,
            label=rnd.label,
            key=round_key(rnd.financial_year, rnd.update_number),
            due_date=rnd.due_date,
            data_as_at=as_at,
            status=rnd.status,
            status_label=RoundStatus(rnd.status).label,
            submitted_on=rnd.submitted_on,
            version=rnd.version,
            origin=rnd.origin,
            origin_label=rnd.origin_label,
            council_sign_offs=council_sign_offs_info(rnd),
        ),
        data_as_at=as_at,
        update_labels=tuple(f"Update {n} ({UPDATE_MONTHS[n]})" for n in (1, 2, 3)),
        tier=tier,
        contacts=contacts,
        rag_definitions=tuple(definitions),
        overview=overview,
        sign_offs=sign_offs,
        conditions=conditions,
        areas=areas,
        risks=risks,
        heat_map=heat_map,
        measures=measures,
        headlines=headlines,
        finance=finance,
        payments=payments,
        figures_left_out=left_out,
        kpi_groups=kpi_groups,
        workstream_savings=workstream_savings,
    )
