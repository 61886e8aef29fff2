"""Reads for the reports app: the dashboard page and the council list (the DfE portfolio is
reports.portfolio)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from metrics import variance as fmt
from reports import charts
from reports.figures_table import figures_table
from reports.mitigation import MitigationBlock, mitigation_block
from reports.snapshot import AreaSection, FinanceYear, MeasureData, Rating, RoundSnapshot
from reports.snapshot import groups as kpi_groups
from reports.snapshot.groups import KpiGroup
from svmonitor.choices import (
    Rag,
)
from svmonitor.models import (
    LocalAuthority,
    ReportingRound,
)


@dataclass(frozen=True)
class CouncilListRow:
    """A council the user may see, with its latest round."""

    name: str
    slug: str
    latest_round: str
    latest_status: str
    runs_dsg_plan: bool = False


def council_list_for_user(*, user) -> list[CouncilListRow]:
    """The councils a user may view, with each one's latest round (two queries): its latest
    Safety Valve return, or for a council with none, its latest DSG plan update."""
    councils = list(LocalAuthority.objects.for_user(user).order_by("name"))
    # Each council's latest round the user may read (an adviser: submitted, unless shared).
    rounds = ReportingRound.objects.filter(agreement__council__in=councils).readable_by(user)
    rounds = rounds.order_by("agreement__council_id", "-financial_year", "-update_number")
    latest_any: dict[int, ReportingRound] = {}
    latest_sv: dict[int, ReportingRound] = {}
    for rnd in rounds.select_related("agreement"):
        latest_any.setdefault(rnd.agreement.council_id, rnd)
        if rnd.is_safety_valve:
            latest_sv.setdefault(rnd.agreement.council_id, rnd)
    latest = {**latest_any, **latest_sv}
    return [
        CouncilListRow(
            name=c.name,
            slug=c.slug,
            latest_round=latest[c.pk].label if c.pk in latest else "No rounds yet",
            latest_status=latest[c.pk].status_label if c.pk in latest else "",
            runs_dsg_plan=c.runs_dsg_plan,
        )
        for c in councils
    ]


def _millions(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / Decimal(1_000_000)


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
