"""Reads for the reports app: the dashboard page, the council list and the DfE portfolio."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from html import escape
from typing import NamedTuple

from django.db.models import F, JSONField, OuterRef, Subquery
from django.utils.safestring import SafeString, mark_safe

from conditions.models import ConditionUpdate
from finance.models import DeficitCap, FinanceLine
from metrics import variance as fmt
from reports import charts
from reports.figures_table import figures_table
from reports.mitigation import MitigationBlock, mitigation_block
from reports.models import RoundSnapshot as FrozenSnapshot
from reports.snapshot import AreaSection, FinanceYear, MeasureData, Rating, RoundSnapshot
from reports.snapshot import groups as kpi_groups
from reports.snapshot.groups import KpiGroup
from svmonitor.choices import (
    DEFAULT_DFE_MAPPING,
    RAG_CSS,
    RAG_RANK,
    Rag,
    RoundOrigin,
    RoundStatus,
)
from svmonitor.due import RoundDue, overdue_q
from svmonitor.fy import fy_label
from svmonitor.models import (
    LocalAuthority,
    MonitoringTierChange,
    RagDefinition,
    ReportingRound,
    round_label,
)
from svmonitor.sections import SAFETY_VALVE


@dataclass(frozen=True)
class CouncilListRow:
    """A council the user may see, with its latest round."""

    name: str
    slug: str
    latest_round: str
    latest_status: str


def council_list_for_user(*, user) -> list[CouncilListRow]:
    """The councils a user may view, with each one's latest round (two queries)."""
    councils = list(LocalAuthority.objects.for_user(user).order_by("name"))
    # Each council's latest round the user may read (an adviser: submitted, unless shared).
    rounds = ReportingRound.objects.filter(
        agreement__council__in=councils, return_kind=SAFETY_VALVE
    ).readable_by(user)
    rounds = rounds.order_by("agreement__council_id", "-financial_year", "-update_number")
    latest: dict[int, ReportingRound] = {}
    for rnd in rounds.select_related("agreement"):
        latest.setdefault(rnd.agreement.council_id, rnd)
    return [
        CouncilListRow(
            name=c.name,
            slug=c.slug,
            latest_round=latest[c.pk].label if c.pk in latest else "No rounds yet",
            latest_status=latest[c.pk].get_status_display() if c.pk in latest else "",
        )
        for c in councils
    ]


class PortfolioCondition(NamedTuple):
    """One condition's DfE RAG in a council's latest submitted round (a named tuple: an
    adviser of every council sees hundreds)."""

    label: str
    title: str
    code: str
    word: str

    @property
    def css(self) -> str:
        """Colour class of the DfE level."""
        return RAG_CSS.get(self.code, RAG_CSS[Rag.NOT_RATED])


@dataclass(frozen=True)
class PortfolioRow:
    """One council on the adviser's portfolio page."""

    name: str
    slug: str
    round_label: str
    round_key: str
    submitted_on: dt.date | None
    conditions: tuple[PortfolioCondition, ...]
    rag_counts: tuple[tuple[str, str, int], ...]
    deficit: Decimal | None
    cap: Decimal | None
    tier: str
    tier_rank: int
    # Issue 15.10: the overall RAG of the latest submitted return (DfE's word and its colour)
    # and of the submission before it (None: none before; both None: none submitted).
    overall: PortfolioCondition | None = None
    overall_before: PortfolioCondition | None = None
    first_submission: bool = False
    # The council's earliest return past its due date and not yet sent to DfE
    # ("2024-25 Update 3: 12 days overdue"), or "" (svmonitor.due's rule).
    overdue: str = ""

    @property
    def overall_change(self) -> str:
        """Since the previous submission: "Amber, was Red", "No change" or "First submission"."""
        if self.overall is None:
            return ""
        if self.first_submission:
            return "First submission"
        if self.overall_before is None or self.overall_before.code == self.overall.code:
            return "No change"
        return f"{self.overall.word}, was {self.overall_before.word}"

    @property
    def conditions_html(self) -> SafeString:
        """The conditions' DfE levels as the list items of the RAG column, each level's word
        beside its colour. Built here, not in the template: an adviser of every council sees
        forty rows of dozens of conditions, which as template lookups were most of the page."""
        return mark_safe(  # noqa: S308 - every text is escaped
            "".join(
                f'<li><span class="app-condition-rags__label">{escape(c.label)}</span> '
                f"{_rag_word_html(c.css, c.word)}</li>"
                for c in self.conditions
            )
        )

    @property
    def headroom(self) -> Decimal | None:
        """Cap less the forecast cumulative deficit (negative means over the cap)."""
        if self.deficit is None or self.cap is None:
            return None
        return self.cap - self.deficit

    @property
    def deficit_display(self) -> str:
        """The forecast cumulative deficit in £m."""
        return fmt.format_value(_millions(self.deficit), fmt.GBP_M)

    @property
    def cap_display(self) -> str:
        """The year's deficit cap in £m."""
        return fmt.format_value(_millions(self.cap), fmt.GBP_M)

    @property
    def against_cap(self) -> str:
        """The deficit against the cap in words."""
        headroom = self.headroom
        if headroom is None:
            return "No forecast or cap recorded"
        amount = fmt.format_value(_millions(abs(headroom)), fmt.GBP_M)
        return f"{amount} over the cap" if headroom < 0 else f"{amount} within the cap"

    @property
    def is_over_cap(self) -> bool:
        """Whether the forecast deficit exceeds the cap."""
        return self.headroom is not None and self.headroom < 0


@functools.lru_cache(maxsize=64)
def _rag_word_html(css: str, word: str) -> str:
    """A DfE level's word on its colour (a handful of levels, hundreds of conditions)."""
    return f'<strong class="app-rag {escape(css)}">{escape(word)}</strong>'


def _millions(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / Decimal(1_000_000)


TIER_RANK = {"standard": 0, "revised": 1, "enhanced": 2, "suspended": 3}
PORTFOLIO_SORTS = {
    "name": lambda r: (r.name.lower(),),
    "submitted": lambda r: (r.submitted_on is None, r.submitted_on or dt.date.min, r.name),
    "deficit": lambda r: (r.headroom is None, r.headroom if r.headroom is not None else 0, r.name),
    "tier": lambda r: (-r.tier_rank, r.name),
    "red": lambda r: (-sum(n for code, _, n in r.rag_counts if code == Rag.RED), r.name),
}


def _frozen_finance(finance: list[dict], year: int) -> tuple[Decimal | None, Decimal | None]:
    for row in finance or []:
        if row["financial_year"] == year:
            latest = row["latest"] or {}
            deficit, cap = latest.get("cumulative_deficit"), row["cap"]
            return (
                Decimal(deficit) if deficit is not None else None,
                Decimal(cap) if cap is not None else None,
            )
    return None, None


def _overdue_text(due_date: dt.date | None, year, update, today: dt.date) -> str:
    """ "2024-25 Update 3: 12 days overdue" for the council's earliest overdue return, else ""."""
    if due_date is None:
        return ""
    due = RoundDue(due_date=due_date, submitted=False, days_left=(due_date - today).days)
    return f"{fy_label(year)} Update {update}: {due.label}"


def portfolio_rows(*, user, sort: str = "name", today: dt.date | None = None) -> list[PortfolioRow]:
    """Each council the user may see, at its latest submitted round, in a fixed four queries.

    A submitted round is shown as frozen (its conditions' DfE levels, the deficit forecast
    and cap it reported); a round never frozen (history loaded as submitted) from its rows.
    """
    today = today or dt.date.today()
    # With each council, its latest submitted round's id: a council has dozens of rounds, and
    # only that one is shown.
    newest = ReportingRound.objects.filter(
        agreement__council=OuterRef("pk"), return_kind=SAFETY_VALVE, status=RoundStatus.SUBMITTED
    ).order_by("-financial_year", "-update_number", "-submitted_on", "-pk")
    # And its monitoring tier on `today`.
    tier_now = MonitoringTierChange.objects.filter(
        agreement__council=OuterRef("pk"), effective_from__lte=today
    ).order_by("-effective_from")
    # Issue 15.10: its earliest overdue return, by the one rule (svmonitor.due.overdue_q).
    overdue = (
        ReportingRound.objects.filter(agreement__council=OuterRef("pk"), return_kind=SAFETY_VALVE)
        .filter(overdue_q(on=today))
        .order_by("due_date", "financial_year", "update_number")
    )
    # Values, not model instances: an adviser of every council reads forty of each.
    councils = list(  # 1
        LocalAuthority.objects.for_user(user)
        .annotate(
            latest_submitted_id=Subquery(newest.values("pk")[:1]),
            tier=Subquery(tier_now.values("tier")[:1]),
            # The submission before the latest, for the overall RAG's change (issue 15.10).
            previous_submitted_id=Subquery(newest.values("pk")[1:2]),
            # Its year, update and due date come with the rounds below.
            overdue_id=Subquery(overdue.values("pk")[:1]),
        )
        .order_by("name")
        .values_list(
            "pk",
            "name",
            "slug",
            "latest_submitted_id",
            "tier",
            "previous_submitted_id",
            "overdue_id",
        )
    )
    council_ids = [council[0] for council in councils]
    latest: dict[int, dict] = {}
    # With each round, the conditions and finance of its frozen payload (only those keys), and
    # its overall RAG (frozen, else its overview's); the previous submissions' too, and each
    # council's earliest overdue return (its due date, year and update only).
    payload = FrozenSnapshot.objects.filter(round=OuterRef("pk")).order_by("-created_at", "-pk")
    # Each council's latest submission by its id (so the rounds need not join their council).
    latest_ids = {council[3]: council[0] for council in councils if council[3]}
    previous_ids = {council[5] for council in councils if council[5]}
    overdue_ids = {council[6] for council in councils if council[6]}
    overall: dict[int, tuple[str | None, str | None]] = {}
    overdue_of: dict[int, tuple] = {}
    for rnd in (
        ReportingRound.objects.filter(pk__in=[*latest_ids, *previous_ids, *overdue_ids])  # 2
        .annotate(
            frozen_id=Subquery(payload.values("pk")[:1]),
            frozen_conditions=Subquery(
                payload.values("payload__conditions")[:1], output_field=JSONField()
            ),
            frozen_finance=Subquery(
                payload.values("payload__finance")[:1], output_field=JSONField()
            ),
            # A round never frozen: the latest forecast and the cap of its own year.
            deficit=Subquery(
                FinanceLine.objects.filter(
                    agreement=OuterRef("agreement"),
                    financial_year=OuterRef("financial_year"),
                    scenario=FinanceLine.Scenario.LATEST,
                ).values("cumulative_deficit")[:1]
            ),
            cap=Subquery(
                DeficitCap.objects.filter(
                    agreement=OuterRef("agreement"), financial_year=OuterRef("financial_year")
                ).values("cap")[:1]
            ),
            frozen_overall=Subquery(
                payload.values("payload__overview__overall__dfe_code")[:1],
                output_field=JSONField(),
            ),
        )
        .values(
            "pk",
            "financial_year",
            "update_number",
            "submitted_on",
            "due_date",
            "origin",
            "frozen_id",
            "frozen_conditions",
            "frozen_finance",
            "deficit",
            "cap",
            "frozen_overall",
            # Its overview's own level (one overview a round: a join, not a subquery).
            live_overall=F("overview__overall_rag"),
        )
    ):
        if rnd["pk"] in overdue_ids:
            overdue_of[rnd["pk"]] = (rnd["due_date"], rnd["financial_year"], rnd["update_number"])
        overall[rnd["pk"]] = (rnd["frozen_overall"], rnd["live_overall"])
        if rnd["pk"] in latest_ids:
            latest[latest_ids[rnd["pk"]]] = rnd
    rounds = list(latest.values())
    unfrozen = [r for r in rounds if r["frozen_id"] is None]
    words: dict[tuple[int, str], tuple[str, str]] = {
        (d["council_id"], d["level"]): (d["label"], d["dfe_level"])
        for d in RagDefinition.objects.filter(council__in=council_ids).values(  # 3
            "council_id", "level", "label", "dfe_level"
        )
    }
    updates = defaultdict(list)
    for round_id, label, title, rag in (
        ConditionUpdate.objects.filter(round__in=[r["pk"] for r in unfrozen])  # 4
        .order_by("condition__order", "condition__label")
        .values_list("round_id", "condition__label", "condition__title", "rag")
    ):
        updates[round_id].append((label, title, rag))
    tier_labels = dict(MonitoringTierChange._meta.get_field("tier").choices)
    rag_labels = {code: Rag(code).label for code in Rag.values}
    rows = []

    def overall_of(council_id, round_id) -> PortfolioCondition | None:
        # DfE's word, as for the conditions: frozen as the DfE level, else the overview's own
        # level through the council's definitions.
        frozen, live = overall.get(round_id, (None, None))
        if frozen is None and live is None:
            return None
        dfe = frozen or words.get((council_id, live), ("", DEFAULT_DFE_MAPPING[live]))[1]
        return PortfolioCondition("Overall", "Overall RAG", dfe, rag_labels[dfe])

    for council_id, name, slug, _latest_id, tier, previous_id, overdue_id in councils:
        rnd = latest.get(council_id)
        conditions = []
        # DfE's own word, not the council's label: councils are compared side by side here,
        # and "G" beside "Green - On Track" would read as two different ratings.
        if rnd is None:
            deficit = cap = None
        elif rnd["frozen_id"] is not None:
            for c in rnd["frozen_conditions"] or []:
                dfe = c["rating"]["dfe_code"]
                conditions.append(PortfolioCondition(c["label"], c["title"], dfe, rag_labels[dfe]))
            deficit, cap = _frozen_finance(rnd["frozen_finance"], rnd["financial_year"])
        else:
            for label, title, rag in updates[rnd["pk"]]:
                dfe = words.get((council_id, rag), ("", DEFAULT_DFE_MAPPING[rag]))[1]
                conditions.append(PortfolioCondition(label, title, dfe, rag_labels[dfe]))
            deficit, cap = rnd["deficit"], rnd["cap"]
        counts = Counter(c.code for c in conditions)
        tier = tier or ""
        if rnd is not None:
            fy, number = fy_label(rnd["financial_year"]), rnd["update_number"]
            label = round_label(rnd["financial_year"], number)
            if rnd["origin"] == RoundOrigin.IMPORTED:
                label = f"{label} (submitted before svmonitor)"
        rows.append(
            PortfolioRow(
                name=name,
                slug=slug,
                round_label=label if rnd else "None submitted",
                round_key=f"{fy}/{number}" if rnd else "",
                submitted_on=rnd["submitted_on"] if rnd else None,
                conditions=tuple(conditions),
                rag_counts=tuple(
                    (code, rag_labels[code], counts[code])
                    for code in sorted(counts, key=lambda c: RAG_RANK.get(c, 99))
                ),
                deficit=deficit,
                cap=cap,
                tier=tier_labels.get(tier, "Not recorded"),
                tier_rank=TIER_RANK.get(tier, -1),
                overall=overall_of(council_id, rnd["pk"]) if rnd else None,
                overall_before=overall_of(council_id, previous_id) if previous_id else None,
                first_submission=rnd is not None and not previous_id,
                overdue=_overdue_text(*overdue_of.get(overdue_id, (None, None, None)), today),
            )
        )
    rows.sort(key=PORTFOLIO_SORTS.get(sort, PORTFOLIO_SORTS["name"]))
    return rows


# --- the dashboard page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A figure to draw, its element id, and what it shows (for the accessible name)."""

    id: str
    figure: dict
    label: str


@dataclass(frozen=True)
class MeasureBlock:
    """A key measure with its trend chart, and the name its tables and regions go by."""

    measure: MeasureData
    chart_id: str
    # The chart's accessible name.
    chart_label: str
    # The measure's name; with its group's heading where it is listed under more than one,
    # so each region and disclosure on the page keeps a name of its own.
    name: str = ""

    @cached_property
    def chart(self) -> Chart:
        """The chart with every figure it draws (the PDF's; worked out when first asked for)."""
        return Chart(self.chart_id, charts.measure_trend_figure(self.measure), self.chart_label)

    @property
    def figures(self) -> str:
        """Every figure the chart draws, as one table (reports/figures_table.py)."""
        return figures_table(
            self.measure, f"Figures in the chart of {self.name}", chart_id=self.chart_id
        )

    @property
    def page_chart(self) -> Chart:
        """The chart as a web page embeds it: its lines' styles, without their figures.

        static/js/charts.js reads the figures from the table beside the chart (`figures`),
        which the page carries anyway: the dashboard's sixty charts would otherwise hold every
        figure twice. The PDF draws from `chart`, which keeps them.
        """
        full = charts.measure_trend_figure(self.measure, figures=False)
        layout = full["layout"]
        figure = {
            # Each line's name is its column's heading; "scatter" is plotly's default type.
            "data": full["data"],
            # What differs between trend charts; charts.js adds the rest (charts.LAYOUT).
            "layout": {k: v for k, v in layout.items() if k in ("height", "xaxis", "yaxis")},
            "from_table": True,
        }
        return Chart(self.chart_id, figure, self.chart_label)


@dataclass(frozen=True)
class AreaBlock:
    """A programme area's section: the area and its measures with charts."""

    area: AreaSection
    measures: tuple[MeasureBlock, ...]


@dataclass(frozen=True)
class GroupBlock:
    """A heading key measures are listed under (a condition, or other measures), with charts."""

    group: KpiGroup
    measures: tuple[MeasureBlock, ...]


@dataclass(frozen=True)
class CountRow:
    """A row of a counts table: a heading and one count per column."""

    heading: str
    counts: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class FinanceRow:
    """One financial year of the finance table, formatted in £m."""

    fy: str
    agreement_in_year: str
    latest_in_year: str
    agreement_cumulative: str
    latest_cumulative: str
    cap: str
    against_cap: str
    is_over_cap: bool
    reflects: str


OTHER_PART = kpi_groups.OTHER


@dataclass(frozen=True)
class DashboardPart:
    """One page of the dashboard after its summary, with its heading."""

    slug: str
    heading: str


@dataclass(frozen=True)
class DashboardPage:
    """Everything the dashboard template shows, drawn from one snapshot."""

    snapshot: RoundSnapshot
    status_levels: tuple[Rating, ...]
    workstream_rows: tuple[CountRow, ...]
    workstream_chart: Chart
    heat_rows: tuple[CountRow, ...]
    # A scored register's 5x5 heat map, or a rated register's count of risks per RAG level.
    heat_chart: Chart
    areas: tuple[AreaBlock, ...]
    finance_rows: tuple[FinanceRow, ...]
    finance_chart: Chart
    payments_chart: Chart
    payments_received: str
    payments_withheld: str
    # Key measures by agreement condition (for a council that groups them so), and those
    # attached to nothing the council groups by; a programme area's are in its AreaBlock.
    condition_groups: tuple[GroupBlock, ...] = ()
    other_measures: GroupBlock | None = None
    # Issue 18.3: the unmitigated forecast, each workstream's saving and the mitigated one.
    mitigation: MitigationBlock | None = None
    # The page of the dashboard shown ("" for the summary): a KpiGroup's or an area's slug.
    part: str = ""

    @property
    def parts(self) -> tuple[DashboardPart, ...]:
        """The dashboard's pages after its summary, in the order the board reads them: each
        condition's key measures, each programme area, then other measures."""
        found = [DashboardPart(b.group.slug, b.group.heading) for b in self.condition_groups]
        found += [
            DashboardPart(f"area-{b.area.id}", f"{b.area.number} - {b.area.name}")
            for b in self.areas
        ]
        if self.other_measures:
            found.append(DashboardPart(OTHER_PART, self.other_measures.group.heading))
        return tuple(found)

    @property
    def current(self) -> GroupBlock | AreaBlock | None:
        """The block of the page shown, or None for the summary (or a page with no such part)."""
        for block in (*self.condition_groups, *self.areas, self.other_measures):
            if block is None:
                continue
            slug = block.group.slug if isinstance(block, GroupBlock) else f"area-{block.area.id}"
            if slug == self.part:
                return block
        return None

    @property
    def measure_count(self) -> int:
        """How many different measures the page lists."""
        blocks = [
            *(mb for g in self.condition_groups for mb in g.measures),
            *(mb for a in self.areas for mb in a.measures),
            *(self.other_measures.measures if self.other_measures else ()),
        ]
        return len({mb.measure.code for mb in blocks})


def _m(value: Decimal | None) -> str:
    return fmt.format_value(_millions(value), fmt.GBP_M)


def _finance_row(year: FinanceYear) -> FinanceRow:
    latest = year.latest
    deficit = latest.cumulative_deficit if latest else None
    if deficit is None or year.cap is None:
        against, over = "no data", False
    else:
        headroom = year.cap - deficit
        over = headroom < 0
        against = f"{_m(abs(headroom))} {'over' if over else 'within'}"
    return FinanceRow(
        fy=year.fy,
        agreement_in_year=_m(year.agreement.in_year_position if year.agreement else None),
        latest_in_year=_m(latest.in_year_position if latest else None),
        agreement_cumulative=_m(year.agreement.cumulative_deficit if year.agreement else None),
        latest_cumulative=_m(deficit),
        cap=_m(year.cap),
        against_cap=against,
        is_over_cap=over,
        reflects=latest.reflects if latest else "",
    )


def measure_block(measure: MeasureData, *, chart_id: str = "", name: str = "") -> MeasureBlock:
    """A key measure with its trend chart, as the dashboard and the measure page show it."""
    name = name or measure.name
    return MeasureBlock(
        measure=measure,
        chart_id=chart_id or f"chart-measure-{measure.code}",
        chart_label=f"Trend of {measure.name}: actual against "
        + (", ".join(b.name for b in measure.baselines) or "no baseline"),
        name=name,
    )


def dashboard_page(snapshot: RoundSnapshot, part: str | None = None) -> DashboardPage:
    """The dashboard's tables and charts, all derived from the snapshot (no queries).

    `part` names one page of the dashboard ("" for its summary): only that page's key measures
    are made into blocks. None makes every block (the whole dashboard at once).
    """
    shown = [
        code
        for code in Rag.values
        if any(w.rating.code == code for a in snapshot.areas for w in a.workstreams)
    ]
    ratings = {w.rating.code: w.rating for a in snapshot.areas for w in a.workstreams}
    workstream_rows = tuple(
        CountRow(
            heading=f"Area {a.number} - {a.name}",
            counts=tuple(sum(1 for w in a.workstreams if w.rating.code == c) for c in shown),
            total=len(a.workstreams),
        )
        for a in snapshot.areas
        if a.workstreams
    )
    heat_rows = tuple(
        CountRow(
            heading=str(impact),
            counts=snapshot.heat_map[impact - 1],
            total=sum(snapshot.heat_map[impact - 1]),
        )
        for impact in range(5, 0, -1)
    )
    groups = snapshot.measure_groups
    listed = Counter(code for g in groups for code in g.measure_codes)
    seen: set[str] = set()

    def blocks(group: KpiGroup) -> tuple[MeasureBlock, ...]:
        # An area's page and its group of measures share the slug "area-<id>".
        if part is not None and group.slug != part:
            return ()
        out = []
        for m in snapshot.group_measures(group):
            again = m.code in seen
            seen.add(m.code)
            out.append(
                measure_block(
                    m,
                    chart_id=f"chart-measure-{m.code}" + (f"-{group.slug}" if again else ""),
                    name=f"{m.name} ({group.heading})" if listed[m.code] > 1 else m.name,
                )
            )
        return tuple(out)

    condition_groups = tuple(
        GroupBlock(g, blocks(g)) for g in groups if g.kind == kpi_groups.CONDITION
    )
    by_area = {g.ref_id: blocks(g) for g in groups if g.kind == kpi_groups.AREA}
    areas = tuple(
        AreaBlock(area=area, measures=by_area.get(area.id, ())) for area in snapshot.areas
    )
    other = next((g for g in groups if g.kind == kpi_groups.OTHER), None)
    received = sum((p.amount for p in snapshot.payments if p.status == "received"), Decimal(0))
    withheld = sum(
        (p.amount for p in snapshot.payments if p.status in ("withheld", "suspended")), Decimal(0)
    )
    return DashboardPage(
        snapshot=snapshot,
        status_levels=tuple(ratings[c] for c in shown),
        workstream_rows=workstream_rows,
        workstream_chart=Chart(
            "chart-workstreams",
            charts.workstream_status_figure(snapshot),
            "Stacked bar chart of workstreams by RAG in each programme area",
        ),
        heat_rows=heat_rows if snapshot.council.risks_scored else (),
        heat_chart=(
            Chart(
                "chart-risk-heat-map",
                charts.risk_heat_map_figure(snapshot),
                "Heat map of risks by impact and likelihood, with the number of risks in each cell",
            )
            if snapshot.council.risks_scored
            else Chart(
                "chart-risk-levels",
                charts.risk_levels_figure(snapshot),
                "Bar chart of the number of risks at each RAG level",
            )
        ),
        areas=areas,
        finance_rows=tuple(_finance_row(y) for y in snapshot.finance),
        finance_chart=Chart(
            "chart-finance",
            charts.finance_figure(snapshot),
            "High Needs Block in-year and cumulative position by financial year, with the cap",
        ),
        payments_chart=Chart(
            "chart-payments",
            charts.payments_figure(snapshot),
            "DfE payments by due date and status",
        ),
        payments_received=_m(received),
        payments_withheld=_m(withheld),
        condition_groups=condition_groups,
        other_measures=GroupBlock(other, blocks(other)) if other else None,
        part=part or "",
        mitigation=mitigation_block(snapshot),
    )
