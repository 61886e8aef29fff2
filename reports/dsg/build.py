"""The DSG deficit management plan and the termly Schools Forum paper as documents (blocks),
from a DSG round's record alone (reports.dsg.source)."""

from __future__ import annotations

from reports.dsg import parts as p
from reports.dsg.document import Document, Row, Section, Table, facts, table, text
from reports.dsg.figures import NONE, count, day, money
from reports.dsg.source import DsgSource
from svmonitor.fy import fy_label

PLAN_KIND = "DSG deficit management plan"
FORUM_KIND = "Schools Forum paper"
FORUM_FRONT = ("purpose", "recommendations", "background")
FORUM_END = ("decisions",)


def _council(source: DsgSource) -> str:
    return (source.payload.get("round") or {}).get("council") or (
        source.round.agreement.council.name
    )


def _round_label(source: DsgSource) -> str:
    return (source.payload.get("round") or {}).get("label") or source.round.label


def _plan_period(source: DsgSource) -> str:
    years = (source.payload.get("round") or {}).get("plan_years")
    if years and len(years) == 2:
        return f"{fy_label(years[0])} to {fy_label(years[1])}"
    return source.round.agreement.period_label


def _source_note(source: DsgSource) -> tuple[str, str]:
    """The cover's note on what the document is built from, and the margin's short form."""
    if source.frozen is not None:
        at = f"{source.frozen_at:%-d %B %Y, %H:%M}"
        return (
            f"Built from the record frozen for sign-off on {at} (SHA-256 {source.sha256}).",
            f"Frozen {source.frozen_at:%-d %b %Y %H:%M}, SHA-256 {source.sha256[:12]}",
        )
    at = f"{source.rendered_at:%-d %B %Y, %H:%M}"
    return (f"Built from live data on {at}.", f"Live data, {source.rendered_at:%-d %b %Y %H:%M}")


def _status(source: DsgSource) -> str:
    """The round's status in the plan's words: a submitted update was presented to its
    recipient (the kind's, the Schools Forum)."""
    round_ = source.round
    if round_.status == "submitted":
        recipient = getattr(getattr(round_, "kind", None), "recipient", "") or "Schools Forum"
        when = f" (recorded {day(round_.submitted_on)})" if round_.submitted_on else ""
        return f"Presented to the {recipient}{when}"
    return round_.get_status_display()


def _draft_notice(source: DsgSource, audience: str) -> str:
    if not source.is_draft:
        return ""
    status = source.round.get_status_display().lower()
    why = (
        ": it has not been signed off by both the S151 officer and the director of children's "
        "services"
        if source.round.status == "ready"
        else " and may still change"
    )
    return f"DRAFT. This plan update is {status}{why}. Do not {audience} it yet."


def plan_document(source: DsgSource) -> Document:
    """The DSG deficit management plan: cover with sign-offs, narratives, financial summary,
    CYP tables, comparators, workstream log, stakeholder engagement, governance."""
    parts = source.parts
    note, running = _source_note(source)
    governance = parts.get(p.GOVERNANCE)
    sections = (
        Section("narrative", "Narrative", tuple(p.topic_blocks(parts.get(p.NARRATIVE)))),
        Section("finance", "Financial summary", tuple(p.finance_blocks(parts.get(p.FINANCE)))),
        Section(
            "cyp", "Children and young people with EHCPs", tuple(p.cyp_blocks(parts.get(p.CYP)))
        ),
        Section("comparators", "Comparators", tuple(p.comparator_blocks(parts.get(p.CYP)))),
        Section(
            "workstreams", "Workstream log", tuple(p.workstream_blocks(parts.get(p.WORKSTREAMS)))
        ),
        Section(
            "stakeholders",
            "Stakeholder engagement",
            tuple(p.topic_blocks(parts.get(p.STAKEHOLDERS))),
        ),
        Section("governance", "Governance", tuple(_governance_blocks(source, governance))),
    )
    return Document(
        title=PLAN_KIND,
        subtitle=f"{_council(source)}, {_round_label(source)}",
        kind=PLAN_KIND,
        council=_council(source),
        is_draft=source.is_draft,
        draft_notice=_draft_notice(source, "publish or send"),
        source_note=note,
        running_source=running,
        cover_facts=(
            ("Local authority", _council(source)),
            ("Plan period", _plan_period(source)),
            ("Update", _round_label(source)),
            ("Status", _status(source)),
            *p.sign_off_facts(source),
            *[pair for pair in p.governance_facts(governance) if pair[0] != "Governance"][:1],
        ),
        sections=sections,
    )


def _governance_blocks(source: DsgSource, governance: dict | None):
    blocks = [facts([*p.sign_off_facts(source), *p.governance_facts(governance)])]
    if governance and governance.get("notes"):
        blocks.append(text(p.paragraphs(governance["notes"])))
    return blocks


# --- the Schools Forum paper ------------------------------------------------------------------


def _previous_parts(source: DsgSource) -> dict:
    return (source.previous.payload.get("parts") or {}) if source.previous else {}


def _year(source: DsgSource) -> str:
    return str(source.round.financial_year)


def _empty(rows) -> bool:
    return all(c in (NONE, "") for row in rows for c in row.cells)


def _previous_note(source: DsgSource) -> str:
    label = source.previous.label if source.previous else "no previous update"
    return (
        f"This financial year's figures. Previous forecast: {label}. Movement is the forecast "
        "less the previous forecast; variance is the forecast less the budget (an overspend is "
        "positive)."
    )


def position_table(source: DsgSource) -> Table | None:
    """This year's expenditure by funding block: budget, forecast, previous forecast, movement
    (forecast - previous forecast) and variance (forecast - budget)."""
    finance = source.parts.get(p.FINANCE)
    if finance is None:
        return None
    previous = _previous_parts(source).get(p.FINANCE)
    year = _year(source)
    rows = []
    for key in [*(b.get("key") for b in finance.get("blocks", [])), "total"]:
        block = p.block_by_key(finance, key)
        before = p.block_by_key(previous, key)
        budget = p.current_figure(block, year, "expenditure", scenario="budget")
        forecast = p.current_figure(block, year, "expenditure")
        prior = p.current_figure(before, year, "expenditure") if before else None
        rows.append(
            Row(
                block.get("label", key),
                (
                    money(budget),
                    money(forecast),
                    money(prior),
                    p.money_delta(forecast, prior),
                    p.money_delta(forecast, budget),
                ),
                "total" if key == "total" else "",
            )
        )
    if _empty(rows):
        return None
    return Table(
        caption=f"Expenditure by funding block, {source.round.financial_year}-"
        f"{(source.round.financial_year + 1) % 100:02d}, £",
        header=("Funding block", "Budget", "Forecast", "Previous forecast", "Movement", "Variance"),
        rows=tuple(rows),
        shares=(3, 1.4, 1.4, 1.4, 1.4, 1.4),
    )


def in_year_table(source: DsgSource) -> Table | None:
    """This year's in-year position by block: budget, forecast, previous, movement."""
    finance = source.parts.get(p.FINANCE)
    if finance is None:
        return None
    previous = _previous_parts(source).get(p.FINANCE)
    year = _year(source)
    rows = []
    for key in [*(b.get("key") for b in finance.get("blocks", [])), "total"]:
        block = p.block_by_key(finance, key)
        before = p.block_by_key(previous, key)
        budget = p.current_figure(block, year, "in_year", scenario="budget")
        forecast = p.current_figure(block, year, "in_year")
        prior = p.current_figure(before, year, "in_year") if before else None
        rows.append(
            Row(
                block.get("label", key),
                (money(budget), money(forecast), money(prior), p.money_delta(forecast, prior)),
                "total" if key == "total" else "",
            )
        )
    if _empty(rows):
        return None
    return Table(
        caption="In-year position by funding block, £ (a deficit is negative)",
        header=("Funding block", "Budget", "Forecast", "Previous forecast", "Movement"),
        rows=tuple(rows),
        shares=(3, 1.4, 1.4, 1.4, 1.4),
    )


def high_needs_table(source: DsgSource) -> Table | None:
    """High needs expenditure by provision type (the block's lines): budget, forecast,
    previous forecast, movement and variance."""
    high_needs = p.block_by_key(source.parts.get(p.FINANCE), "high_needs")
    if not high_needs:
        return None
    before = p.block_by_key(_previous_parts(source).get(p.FINANCE), "high_needs")
    year = _year(source)
    rows = []
    for line in high_needs.get("lines", []):
        if line.get("kind") != "expenditure":
            continue
        budget = p.line_figure(high_needs, year, line["id"], scenario="budget")
        forecast = p.line_figure(high_needs, year, line["id"])
        prior = p.line_figure(before, year, line["id"]) if before else None
        rows.append(
            Row(
                line["name"],
                (
                    money(budget),
                    money(forecast),
                    money(prior),
                    p.money_delta(forecast, prior),
                    p.money_delta(forecast, budget),
                ),
            )
        )
    if not rows or _empty(rows):
        return None
    budget = p.current_figure(high_needs, year, "expenditure", scenario="budget")
    forecast = p.current_figure(high_needs, year, "expenditure")
    prior = p.current_figure(before, year, "expenditure") if before else None
    rows.append(
        Row(
            "High needs expenditure",
            (
                money(budget),
                money(forecast),
                money(prior),
                p.money_delta(forecast, prior),
                p.money_delta(forecast, budget),
            ),
            "total",
        )
    )
    return Table(
        caption="High needs block expenditure by provision type, £",
        header=(
            "Provision type",
            "Budget",
            "Forecast",
            "Previous forecast",
            "Movement",
            "Variance",
        ),
        rows=tuple(rows),
        shares=(3, 1.4, 1.4, 1.4, 1.4, 1.4),
    )


def ehcp_demand_table(source: DsgSource) -> Table | None:
    """All EHCPs by census year, with the change on the year before."""
    cyp = source.parts.get(p.CYP)
    years = (cyp or {}).get("years") or []
    if not years:
        return None
    rows, last = [], None
    for y in years:
        total = (y.get("by_age") or {}).get("total")
        change = NONE
        if total is not None and last is not None:
            change = f"{total - last:+,}"
            if last:
                change += f" ({(total - last) / last * 100:+.1f}%)"
        rows.append(
            Row(
                y.get("label", ""),
                ("Actual" if y.get("basis") == "actual" else "Projection", count(total), change),
            )
        )
        last = total
    return Table(
        caption="EHCPs maintained by the council, by January census",
        header=("Census", "Basis", "EHCPs", "Change on the year before"),
        rows=tuple(rows),
        text_columns=1,
        shares=(2, 1.5, 1.2, 2),
    )


def trajectory_table(source: DsgSource) -> Table | None:
    """The total DSG's in-year position and cumulative balance by year, both scenarios."""
    finance = source.parts.get(p.FINANCE)
    total = (finance or {}).get("total")
    if not total:
        return None
    years = [(str(y["financial_year"]), y.get("label", "")) for y in finance.get("years", [])]
    rows = []
    for key in p.SCENARIO_ORDER:
        s = next((x for x in total.get("scenarios", []) if x.get("key") == key), None)
        if s is None:
            continue
        derived = s.get("derived") or {}
        for figure, label in (
            ("in_year", "in-year position"),
            ("carried_forward", "cumulative balance"),
        ):
            cells = tuple(money((derived.get(y) or {}).get(figure)) for y, _ in years)
            if any(c != NONE for c in cells):
                rows.append(
                    Row(
                        f"{s.get('label')}: {label}",
                        cells,
                        "total" if figure == "carried_forward" else "",
                    )
                )
    if not rows:
        return None
    return Table(
        caption="Total DSG: in-year position and cumulative balance by financial year, £ "
        "(a deficit is negative)",
        header=("Scenario and figure", *(label for _, label in years)),
        rows=tuple(rows),
        shares=(3.4, *([1.2] * len(years))),
    )


def workstream_progress_table(source: DsgSource) -> Table | None:
    """Each workstream's status, this year's saving and its saving over the plan."""
    log = source.parts.get(p.WORKSTREAMS)
    if not log or not log.get("workstreams"):
        return None
    year = _year(source)
    rows = [
        Row(
            w.get("name", ""),
            (
                w.get("lead_role") or NONE,
                w.get("status_label") or "Not given",
                money((w.get("savings") or {}).get(year)),
                money(w.get("savings_total")),
            ),
        )
        for w in log["workstreams"]
    ]
    rows.append(
        Row(
            "All workstreams",
            (
                "",
                "",
                money((log.get("savings_totals") or {}).get(year)),
                money(log.get("savings_total")),
            ),
            "total",
        )
    )
    return Table(
        caption="Progress on the plan's workstreams, savings in £",
        header=(
            "Workstream",
            "Lead",
            "Status",
            f"Saving {source.round.financial_year}-{(source.round.financial_year + 1) % 100:02d}",
            "Saving over the plan",
        ),
        rows=tuple(rows),
        text_columns=2,
        shares=(4, 2.5, 1.3, 1.5, 1.5),
    )


def _topics(fragment, keys):
    blocks = []
    for key in keys:
        found = p.topic_text(fragment, key)
        if found is not None:
            title, paras = found
            blocks.append((title, paras))
    return blocks


def forum_document(source: DsgSource) -> Document:
    """The termly Schools Forum paper: purpose, recommendations, background, position by
    funding block, high needs variances, EHCP demand, cumulative deficit and trajectory,
    progress on the workstreams, decisions sought."""
    parts = source.parts
    paper = parts.get(p.FORUM_PAPER)
    note, running = _source_note(source)
    sections: list[Section] = []
    own = [t.get("key") for t in (paper or {}).get("topics", [])]
    middle = [k for k in own if k not in FORUM_FRONT and k not in FORUM_END]
    for key in (*FORUM_FRONT, *middle):
        found = p.topic_text(paper, key)
        if found is not None:
            title, paras = found
            sections.append(Section(key, title, (text(paras, empty=p.NOT_WRITTEN),)))
    if paper is None:
        sections.append(Section("paper", "Purpose of the report", (text([p.NOT_IN_RECORD]),)))

    def tables(*found, empty):
        shown = [table(t) for t in found if t is not None]
        return tuple(shown) if shown else (text([empty]),)

    no_finance = "No financial summary figures are in this record."
    sections.append(
        Section(
            "position",
            "Position by funding block",
            (
                text([_previous_note(source)]),
                *tables(position_table(source), in_year_table(source), empty=no_finance),
            ),
        )
    )
    sections.append(
        Section(
            "high-needs",
            "High needs variances by provision type",
            tables(high_needs_table(source), empty=no_finance),
        )
    )
    comparators = p.comparators_table(parts.get(p.CYP))
    sections.append(
        Section(
            "ehcp",
            "EHCP demand",
            tables(
                ehcp_demand_table(source), comparators, empty="No EHCP figures are in this record."
            ),
        )
    )
    finance = parts.get(p.FINANCE)
    end = p.end_of_plan_facts(finance) if finance else []
    trajectory = (facts(end),) if end else ()
    sections.append(
        Section(
            "deficit",
            "Cumulative deficit and trajectory",
            trajectory + tables(trajectory_table(source), empty=no_finance),
        )
    )
    sections.append(
        Section(
            "workstreams",
            "Progress on the plan's workstreams",
            tables(
                workstream_progress_table(source), empty="No workstreams are recorded in the plan."
            ),
        )
    )
    for key in FORUM_END:
        found = p.topic_text(paper, key)
        if found is not None:
            title, paras = found
            sections.append(Section(key, title, (text(paras, empty=p.NOT_WRITTEN),)))
    governance = parts.get(p.GOVERNANCE) or {}
    meeting = day(governance.get("schools_forum_date"))
    return Document(
        title="Dedicated Schools Grant: deficit management plan update",
        subtitle=f"{_council(source)}, {_round_label(source)}"
        + (f". Schools Forum, {meeting}" if meeting else ""),
        kind=FORUM_KIND,
        council=_council(source),
        is_draft=source.is_draft,
        draft_notice=_draft_notice(source, "table"),
        source_note=note,
        running_source=running,
        cover_facts=(
            ("Meeting", f"Schools Forum, {meeting}" if meeting else "Schools Forum"),
            ("Report of", "Finance lead, high needs"),
            ("Plan period", _plan_period(source)),
            ("Update", _round_label(source)),
            ("Previous update", source.previous.label if source.previous else "None"),
            *p.sign_off_facts(source),
        ),
        sections=tuple(sections),
        section_pages=False,
    )
