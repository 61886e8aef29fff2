"""Reading the parts' fragments of a DSG record (shapes in the parts' snapshot hooks), each as
document blocks. A part missing from the record (frozen before the part existed) prints as
"not in this record", never as an error."""

from __future__ import annotations

from reports.dsg.document import Block, Row, Table, facts, heading, note, table, text
from reports.dsg.figures import (
    NONE,
    count,
    day,
    decimal_or_none,
    money,
    paragraphs,
    percent,
    pounds,
    subtract,
    text_or_dash,
)
from svmonitor.fy import fy_label

FINANCE = "dsg_finance"
CYP = "cyp"
NARRATIVE = "dsg_narrative"
STAKEHOLDERS = "dsg_stakeholders"
FORUM_PAPER = "dsg_forum_paper"
GOVERNANCE = "dsg_governance"
WORKSTREAMS = "dsg_workstreams"

NOT_IN_RECORD = "Not in this record: the part had no figures when the round was frozen."
NOT_WRITTEN = "Nothing was written for this round."
SCENARIO_ORDER = ("actual", "budget", "unmitigated", "mitigated")
DERIVED_ROWS = (
    ("allocation", "DSG allocation after recoupment"),
    ("transfers", "Block transfers"),
    ("income", "Total income"),
    ("expenditure", "Total expenditure"),
    ("in_year", "In-year position"),
    ("brought_forward", "Cumulative balance brought forward"),
    ("adjustments", "Adjustments to the balance"),
    ("carried_forward", "Cumulative balance carried forward"),
)
CURRENT_FORECAST = ("mitigated", "unmitigated")


# --- text parts -------------------------------------------------------------------------------


def topic_blocks(fragment: dict | None, *, keys=None, empty: str = NOT_WRITTEN) -> list[Block]:
    """Each topic (or only those with `keys`, in the record's order) as a heading and its text."""
    if fragment is None:
        return [text([NOT_IN_RECORD])]
    blocks = []
    for topic in fragment.get("topics", []):
        if keys is not None and topic.get("key") not in keys:
            continue
        blocks.append(heading(topic.get("title") or topic.get("key", "")))
        blocks.append(text(paragraphs(topic.get("text", "")), empty=empty))
    return blocks


def topic_text(fragment: dict | None, key: str) -> tuple[str, list[str]] | None:
    """One topic's title and paragraphs, or None if the record has no such topic."""
    for topic in (fragment or {}).get("topics", []):
        if topic.get("key") == key:
            return topic.get("title") or key, paragraphs(topic.get("text", ""))
    return None


def sign_off_facts(source) -> list[tuple[str, str]]:
    """The S151 officer's and the DCS's sign-off of the frozen record, or "not signed off"."""
    by_capacity = {s.capacity: s for s in source.sign_offs}
    rows = []
    for capacity, label in (("s151", "S151 officer"), ("dcs", "Director of children's services")):
        s = by_capacity.get(capacity)
        rows.append(
            (
                label,
                f"Signed off by {s.signed_by} on {day(s.signed_at.date())}"
                if s
                else "Not signed off",
            )
        )
    return rows


def governance_facts(fragment: dict | None) -> list[tuple[str, str]]:
    """Schools Forum dates and the next review, from the governance part."""
    if fragment is None:
        return [("Governance", NOT_IN_RECORD)]
    dates = [day(d) for d in fragment.get("schools_forum_dates") or [] if d]
    return [
        (
            "Presented to Schools Forum this term",
            day(fragment.get("schools_forum_date")) or "No date recorded",
        ),
        ("Dates presented to Schools Forum", ", ".join(dates) or "None recorded"),
        ("Next review", day(fragment.get("next_review_date")) or "No date recorded"),
    ]


# --- finance ----------------------------------------------------------------------------------


def _scenarios(part: dict) -> list[dict]:
    order = {key: i for i, key in enumerate(SCENARIO_ORDER)}
    return sorted(part.get("scenarios", []), key=lambda s: order.get(s.get("key"), 99))


def _scenario(part: dict, key: str) -> dict | None:
    return next((s for s in part.get("scenarios", []) if s.get("key") == key), None)


def _years(finance: dict) -> list[tuple[str, str]]:
    return [
        (str(y["financial_year"]), y.get("label") or fy_label(int(y["financial_year"])))
        for y in finance.get("years", [])
    ]


def _has_figures(scenario: dict) -> bool:
    figures = scenario.get("figures") or {}
    derived = scenario.get("derived") or {}
    return any(
        value is not None
        for year in (*figures.values(), *derived.values())
        for value in year.values()
    )


def finance_block_table(finance: dict, part: dict) -> Table | None:
    """A block (or the total) with the years across: for each scenario its lines as entered
    and its derived figures; a dash where the scenario has no figure for the year. None when
    no scenario of the block has a figure."""
    years = _years(finance)
    rows: list[Row] = []
    notes = []
    for scenario in _scenarios(part):
        if not _has_figures(scenario):
            continue
        figures = scenario.get("figures") or {}
        derived = scenario.get("derived") or {}
        rows.append(Row(scenario.get("label", scenario.get("key", "")), style="group"))
        for line in part.get("lines", []):
            cells = tuple(money((figures.get(y) or {}).get(str(line["id"]))) for y, _ in years)
            if any(c != NONE for c in cells):
                rows.append(Row(line["name"], cells))
        for key, label in DERIVED_ROWS:
            cells = tuple(money((derived.get(y) or {}).get(key)) for y, _ in years)
            if any(c != NONE for c in cells):
                style = "total" if key in ("in_year", "carried_forward") else "derived"
                rows.append(Row(label, cells, style))
        pct = tuple(percent((derived.get(y) or {}).get("in_year_pct_of_dsg")) for y, _ in years)
        if any(c != NONE for c in pct):
            rows.append(Row("In-year position as % of DSG", pct, "derived"))
        if scenario.get("key") in ("unmitigated", "mitigated"):
            when = scenario.get("balances_in_label")
            notes.append(
                f"{scenario.get('label')}: the in-year position balances from {when}."
                if when
                else f"{scenario.get('label')}: the in-year position does not balance within "
                "the plan."
            )
    if not rows:
        return None
    return Table(
        caption=f"{part.get('label', '')}, £ (a deficit is negative)",
        header=("Line or figure", *(label for _, label in years)),
        rows=tuple(rows),
        notes=tuple(notes),
        shares=(3.2, *([1.2] * len(years))),
    )


def mitigation_table(finance: dict, part: dict) -> Table | None:
    """The mitigation gap: mitigated minus unmitigated, in-year and cumulative, by year."""
    gap = part.get("mitigation") or {}
    years = [(y, label) for y, label in _years(finance) if y in gap]
    values = [decimal_or_none(v) for y, _ in years for v in (gap[y] or {}).values()]
    if not any(values):  # no year, or no mitigation in any year: nothing to show
        return None
    return Table(
        caption=f"{part.get('label', '')}: effect of the mitigations (mitigated minus "
        "unmitigated), £",
        header=("Effect", *(label for _, label in years)),
        rows=(
            Row("In-year", tuple(money(gap[y].get("in_year")) for y, _ in years)),
            Row("Cumulative", tuple(money(gap[y].get("cumulative")) for y, _ in years)),
        ),
        shares=(3.2, *([1.2] * len(years))),
    )


def end_of_plan_facts(finance: dict) -> list[tuple[str, str]]:
    """The cumulative balance at the end of the plan period, both scenarios, and the year the
    in-year position balances (only what the record has figures for)."""
    end = finance.get("end_of_plan") or {}
    label = end.get("label") or ""
    pairs = []
    for key, words in (
        ("mitigated_carried_forward", "mitigated"),
        ("unmitigated_carried_forward", "unmitigated"),
    ):
        if label and end.get(key) is not None:
            pairs.append((f"Cumulative balance at the end of {label}, {words}", pounds(end[key])))
    before = end.get("mitigated_before_adjustments")
    if label and before is not None and before != end.get("mitigated_carried_forward"):
        pairs.append(
            (f"Mitigated, before adjustments to the balance, end of {label}", pounds(before))
        )
    total = finance.get("total") or {}
    for key in ("mitigated", "unmitigated"):
        s = _scenario(total, key)
        if s is not None and _has_figures(s):
            pairs.append(
                (
                    f"Year the in-year position balances, {key}",
                    s.get("balances_in_label") or "Not within the plan period",
                )
            )
    return pairs


def finance_blocks(finance: dict | None) -> list[Block]:
    """The financial summary: end-of-plan facts, then the total and each block, years across."""
    if finance is None:
        return [text([NOT_IN_RECORD])]
    blocks: list[Block] = []
    pairs = end_of_plan_facts(finance)
    if pairs:
        blocks.append(facts(pairs))
    for part in [finance.get("total"), *finance.get("blocks", [])]:
        if not part:
            continue
        found = finance_block_table(finance, part)
        if found is None:
            continue
        blocks.append(heading(part.get("label", "")))
        blocks.append(table(found))
        gap = mitigation_table(finance, part)
        if gap is not None:
            blocks.append(table(gap))
    if not blocks:
        return [text(["No figures are entered in the financial summary."])]
    return blocks


def current_figure(part: dict, year: str, key: str, *, scenario: str | None = None):
    """A derived figure of a block in a year: the budget's, or the current forecast's (the
    mitigated scenario, else the unmitigated)."""
    keys = (scenario,) if scenario else CURRENT_FORECAST
    for name in keys:
        s = _scenario(part, name)
        if s is None:
            continue
        value = ((s.get("derived") or {}).get(year) or {}).get(key)
        if value is not None:
            return value
    return None


def line_figure(part: dict, year: str, line_id, *, scenario: str | None = None):
    """A line's figure as entered in a year: the budget's, or the current forecast's."""
    keys = (scenario,) if scenario else CURRENT_FORECAST
    for name in keys:
        s = _scenario(part, name)
        if s is None:
            continue
        value = ((s.get("figures") or {}).get(year) or {}).get(str(line_id))
        if value is not None:
            return value
    return None


def block_by_key(finance: dict | None, key: str) -> dict | None:
    """A block of a finance fragment by its key ("high_needs"), or the total ("total")."""
    if not finance:
        return None
    if key == "total":
        return finance.get("total")
    return next((b for b in finance.get("blocks", []) if b.get("key") == key), None)


# --- children and young people ------------------------------------------------------------------


def _grid_table(year: dict, grid_key: str, columns: list[dict], what: str) -> Table | None:
    grid = year.get(grid_key) or {}
    if not grid.get("rows"):
        return None
    names = {c["code"]: c["name"] for c in columns}
    header = ("Placement", *(names.get(code, code) for code in grid.get("columns", [])), "Total")
    rows = [
        Row(
            r.get("name", r.get("placement", "")),
            (*(count(c) for c in r.get("cells", [])), count(r.get("total"))),
        )
        for r in grid["rows"]
    ]
    rows.append(
        Row(
            "Total",
            (*(count(c) for c in grid.get("column_totals", [])), count(grid.get("total"))),
            "total",
        )
    )
    basis = "actual" if year.get("basis") == "actual" else "projection"
    return Table(
        caption=f"EHCPs by placement and {what}, {year.get('label', year.get('census_year'))} "
        f"({basis})",
        header=header,
        rows=tuple(rows),
        shares=(3, *([1] * (len(header) - 1))),
    )


def cyp_totals_table(cyp: dict) -> Table | None:
    """EHCPs by placement with the census years across (each year's by-age totals)."""
    years = cyp.get("years") or []
    if not years:
        return None
    placements = cyp.get("placements") or []
    header = (
        "Placement",
        *(f"{y.get('label')}{'' if y.get('basis') == 'actual' else ' (p)'}" for y in years),
    )
    rows = []
    for placement in placements:
        cells = []
        for y in years:
            match = next(
                (
                    r
                    for r in (y.get("by_age") or {}).get("rows", [])
                    if r.get("placement") == placement["code"]
                ),
                None,
            )
            cells.append(count(match.get("total")) if match else NONE)
        rows.append(Row(placement["name"], tuple(cells)))
    rows.append(
        Row("All EHCPs", tuple(count((y.get("by_age") or {}).get("total")) for y in years), "total")
    )
    return Table(
        caption="EHCPs by placement and census year ((p): projection)",
        header=header,
        rows=tuple(rows),
        shares=(3, *([1] * len(years))),
    )


def cyp_blocks(cyp: dict | None) -> list[Block]:
    """The CYP tables: totals by census year, then each year's placement by age and by need."""
    if cyp is None:
        return [text([NOT_IN_RECORD])]
    blocks: list[Block] = []
    totals = cyp_totals_table(cyp)
    if totals is None:
        return [text(["No children and young people figures are recorded."])]
    blocks.append(table(totals))
    for year in cyp.get("years", []):
        basis = "actual" if year.get("basis") == "actual" else "projection"
        blocks.append(heading(f"{year.get('label')} ({basis})"))
        for key, columns, what in (
            ("by_age", cyp.get("age_groups") or [], "age group"),
            ("by_need", cyp.get("needs") or [], "primary need"),
        ):
            grid = _grid_table(year, key, columns, what)
            if grid is not None:
                blocks.append(table(grid))
        for mismatch in year.get("mismatches") or []:
            blocks.append(note(mismatch.get("text", "")))
    return blocks


ROLE_LABELS = {
    "council": "This council",
    "neighbour": "Statistical neighbour",
    "neighbour_median": "Neighbours' median",
    "england": "England",
}


def comparators_table(cyp: dict | None) -> Table | None:
    """EHCP numbers, rate and growth beside the neighbours and England."""
    comparators = (cyp or {}).get("comparators") or {}
    if not comparators.get("available") or not comparators.get("rows"):
        return None
    year, previous = comparators.get("year"), comparators.get("previous_year")
    notes = [f"Source: {comparators.get('source', '')}."]
    if comparators.get("illustrative"):
        notes.append("Illustrative figures, not DfE's statistics.")
    return Table(
        caption=f"EHCPs against statistical neighbours and England, January {year}",
        header=(
            "Authority",
            "Comparison",
            f"EHC plans {year}",
            f"New plans {year}",
            "Rate per 10,000 aged 0-25",
            f"Growth since {previous}",
        ),
        rows=tuple(
            Row(
                r.get("name", ""),
                (
                    ROLE_LABELS.get(r.get("role"), ""),
                    count(r.get("ehc_plans")),
                    count(r.get("new_plans")),
                    text_or_dash(r.get("rate_per_10k")),
                    percent(r.get("growth_pct")),
                ),
                "total" if r.get("role") in ("council", "england") else "",
            )
            for r in comparators["rows"]
        ),
        notes=tuple(notes),
        text_columns=1,
        shares=(3, 2, 1.2, 1.2, 1.2, 1.2),
    )


def comparator_blocks(cyp: dict | None) -> list[Block]:
    """The comparators table, or why there is none."""
    if cyp is None:
        return [text([NOT_IN_RECORD])]
    found = comparators_table(cyp)
    if found is None:
        return [text(["No published EHCP statistics are loaded for this council."])]
    return [table(found)]


# --- workstreams --------------------------------------------------------------------------------


def workstream_table(log: dict, *, years=None) -> Table:
    """The workstream log with its savings per year (grouped by programme area)."""
    years = [str(y) for y in (years if years is not None else log.get("years", []))]
    header = (
        "Workstream",
        "Lead",
        "Dates",
        "Status",
        "Line it affects",
        *(fy_label(int(y)) for y in years),
        "Total",
    )
    rows: list[Row] = []
    area = None
    for w in log.get("workstreams", []):
        if w.get("area") and w.get("area") != area:
            area = w["area"]
            rows.append(Row(f"{w.get('area_number', '')} {area}".strip(), style="group"))
        dates = " to ".join(d for d in (day(w.get("start_date")), day(w.get("end_date"))) if d)
        savings = w.get("savings") or {}
        rows.append(
            Row(
                w.get("name", ""),
                (
                    w.get("lead_role") or NONE,
                    dates or NONE,
                    w.get("status_label") or "Not given",
                    w.get("dsg_line") or NONE,
                    *(money(savings.get(y)) for y in years),
                    money(w.get("savings_total")),
                ),
            )
        )
    totals = log.get("savings_totals") or {}
    rows.append(
        Row(
            "All workstreams",
            (
                "",
                "",
                "",
                "",
                *(money(totals.get(y)) for y in years),
                money(log.get("savings_total")),
            ),
            "total",
        )
    )
    return Table(
        caption="Workstream log and savings per financial year, £",
        header=header,
        rows=tuple(rows),
        text_columns=4,
        shares=(3.4, 2, 2, 1.2, 2, *([1.3] * len(years)), 1.4),
    )


def workstream_blocks(log: dict | None) -> list[Block]:
    """The workstream log, or why there is none."""
    if log is None:
        return [text([NOT_IN_RECORD])]
    if not log.get("workstreams"):
        return [text(["No workstreams are recorded in the plan."])]
    return [table(workstream_table(log))]


def money_delta(a, b) -> str:
    """a - b as money, or a dash."""
    value = subtract(a, b)
    return money(value) if value is not None else NONE
