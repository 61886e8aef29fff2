"""What the feed reads: a token's councils and rounds, and each round's record as rows.

"One record out": a ready, signed-off or submitted round is read from the payload frozen when it
was marked ready (the `reports.RoundSnapshot` that `round_record` reads, chosen the same way:
the round's latest); any other round through `round_record`, which builds it from live data.
Only the section a resource needs is read from a frozen payload (`payload -> 'conditions'`),
so a list of every round's ratings is one query however many rounds there are.

Both kinds of return are read so: a Safety Valve round's record is its snapshot (sections such
as `conditions`), a DSG deficit management plan round's is its parts' fragments
(reports.snapshot.parts.PartsRecord, `payload -> 'parts' -> 'dsg_finance'`).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.http import Http404
from rest_framework.exceptions import ValidationError

from finance.dsg_summary import DERIVED_FIELDS
from metrics.periods import period_label
from reports.models import RoundSnapshot
from reports.snapshot.record import LOCKED_STATES, round_record
from reports.snapshot.serialise import json_safe as section_as_data
from svmonitor.fy import fy_label
from svmonitor.models import LocalAuthority, ReportingRound
from svmonitor.sections import SAFETY_VALVE

# A live build for a section without figures skips the key measures' figures (the window
# `since` starts after any figure there can be).
_NO_FIGURES = dt.date(9000, 1, 1)
_ROUND_KEY = re.compile(r"^(\d{4})-\d{2}/(\d{1,2})$")
ROUND_KEY_FORMAT = (
    "{key!r} is not a round: give its financial year and update number, e.g. 2024-25/3."
)
FROZEN, LIVE = "frozen", "live"


def feed_councils(token):
    """The councils a token reaches: its own, where its user may still read."""
    return (
        LocalAuthority.objects.for_user(token.user).filter(api_tokens=token).order_by("name", "pk")
    )


def feed_council(token, slug: str) -> LocalAuthority:
    """One of the token's councils, or 404 (another council's is not there at all)."""
    council = feed_councils(token).filter(slug=slug).first()
    if council is None:
        raise Http404
    return council


def feed_rounds(token, council, kind: str = SAFETY_VALVE) -> list[ReportingRound]:
    """The council's rounds of one kind of return (the Safety Valve return unless told) that
    the token's user may read (drafts only where they read drafts)."""
    return list(
        ReportingRound.objects.for_user(token.user)
        .of_kind(kind)
        .filter(agreement__council=council)
        .order_by("financial_year", "update_number", "pk")
    )


def feed_round(rounds: list[ReportingRound], key: str | None) -> ReportingRound | None:
    """The round `?round=2024-25/3` names (404 if it is not one the token reads), else the
    latest readable round (None if there is none)."""
    if not key:
        return rounds[-1] if rounds else None
    match = _ROUND_KEY.match(key)
    if not match:
        # Not a round at all: say which parameter and what it takes (a 400), where a round
        # the token does not read is a 404 like any object it may not see.
        raise ValidationError({"round": [ROUND_KEY_FORMAT.format(key=key[:40])]})
    year, number = int(match[1]), int(match[2])
    for round_ in rounds:
        if (round_.financial_year, round_.update_number) == (year, number):
            return round_
    raise Http404


def frozen_records(rounds: list[ReportingRound]) -> dict[int, tuple[str, dt.datetime]]:
    """Each locked round's latest frozen payload: its SHA-256 and when it was frozen."""
    found: dict[int, tuple[str, dt.datetime]] = {}
    locked = [r.pk for r in rounds if r.status in LOCKED_STATES]
    rows = (
        RoundSnapshot.objects.filter(round_id__in=locked)
        .order_by("round_id", "-created_at", "-pk")
        .values_list("round_id", "sha256", "created_at")
    )
    for round_id, sha256, created_at in rows:
        found.setdefault(round_id, (sha256, created_at))
    return found


def _frozen_values(rounds: list[ReportingRound], path: str) -> dict[int, tuple[object, str]]:
    """One value of each locked round's latest frozen payload (`path`, a payload__ lookup), by
    round id, marked "frozen": one query, reading only that value."""
    found: dict[int, tuple[object, str]] = {}
    locked = [r.pk for r in rounds if r.status in LOCKED_STATES]
    rows = (
        RoundSnapshot.objects.filter(round_id__in=locked)
        .order_by("round_id", "-created_at", "-pk")
        .values_list("round_id", path)
    )
    for round_id, value in rows:
        found.setdefault(round_id, (value, FROZEN))
    return found


def record_sections(
    rounds: list[ReportingRound], key: str, *, figures: bool = False
) -> dict[int, tuple[object, str]]:
    """One section of each round's record, by round id: (its JSON data, "frozen" or "live").

    One query for every frozen round; a round never frozen (a draft) is built live through
    round_record (its fixed number of queries; without figures unless `figures`).
    """
    found = _frozen_values(rounds, f"payload__{key}")
    for round_ in rounds:
        if round_.pk not in found:
            record = round_record(round_, since=None if figures else _NO_FIGURES)
            # The snapshot's own JSON form, of the one section (not the whole snapshot).
            found[round_.pk] = (section_as_data(getattr(record.snapshot, key)), LIVE)
    return found


def record_parts(rounds: list[ReportingRound], name: str) -> dict[int, tuple[object, str]]:
    """One part of each DSG plan round's record, by round id: (its fragment, "frozen" or
    "live"); None where the record has no such part.

    As record_sections: one query for every frozen round, reading only that part of the
    payload; a round never frozen (a draft) through round_record, which builds its parts live.
    """
    found = _frozen_values(rounds, f"payload__parts__{name}")
    for round_ in rounds:
        if round_.pk not in found:
            found[round_.pk] = (round_record(round_).parts.get(name), LIVE)
    return found


# --- rows ------------------------------------------------------------------------------------
# Each row is a dict with the fields of its serializer (api/serializers.py), in that order, as
# JSON-ready values: dates and times as ISO text, figures as Decimal (a JSON number, exact in CSV).


def _number(text) -> Decimal | None:
    return None if text is None or text == "" else Decimal(text)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _round_columns(council, round_: ReportingRound, record: str) -> dict:
    return {
        "council": council.slug,
        "round": f"{round_.fy}/{round_.update_number}",
        "financial_year": round_.financial_year,
        "update_number": round_.update_number,
        "round_status": round_.status,
        "record": record,
    }


def _rating(rating: dict | None) -> dict:
    rating = rating or {}
    return {
        "rag": rating.get("code", ""),
        "rag_label": rating.get("label", ""),
        "dfe_rag": rating.get("dfe_code", ""),
    }


def round_rows(council, rounds: list[ReportingRound]) -> list[dict]:
    """One row per round: status and dates from the round, the frozen record's hash if any."""
    frozen = frozen_records(rounds)
    rows = []
    for round_ in rounds:
        sha256, frozen_at = frozen.get(round_.pk, ("", None))
        rows.append(
            {
                "council": council.slug,
                "round": f"{round_.fy}/{round_.update_number}",
                "financial_year": round_.financial_year,
                "fy": round_.fy,
                "update_number": round_.update_number,
                "label": round_.label,
                "status": round_.status,
                # Where a submitted round went, as its kind has it ("Submitted to DfE"; a DSG
                # plan update "Presented to the Schools Forum").
                "status_label": round_.status_label,
                "origin": round_.origin,
                "due_date": _iso(round_.due_date),
                "data_as_at": _iso(round_.data_as_at),
                "ready_at": _iso(round_.ready_at),
                "submitted_on": _iso(round_.submitted_on),
                "record": FROZEN if sha256 else LIVE,
                "frozen_at": _iso(frozen_at),
                "sha256": sha256,
            }
        )
    return rows


def condition_rating_rows(council, rounds: list[ReportingRound]) -> list[dict]:
    """One row per condition per round, as that round's record has it."""
    sections = record_sections(rounds, "conditions")
    rows = []
    for round_ in rounds:
        conditions, record = sections[round_.pk]
        for condition in conditions or ():
            rows.append(
                {
                    **_round_columns(council, round_, record),
                    "condition": condition["label"],
                    "title": condition["title"],
                    **_rating(condition.get("rating")),
                    "narrative": condition.get("narrative", ""),
                }
            )
    return rows


def risk_rating_rows(council, rounds: list[ReportingRound]) -> list[dict]:
    """One row per risk per round, as that round's record has it."""
    sections = record_sections(rounds, "risks")
    rows = []
    for round_ in rounds:
        risks, record = sections[round_.pk]
        for risk in risks or ():
            rows.append(
                {
                    **_round_columns(council, round_, record),
                    "risk": risk["number"],
                    "title": risk["title"],
                    "impact": risk.get("impact"),
                    "likelihood": risk.get("likelihood"),
                    "score": risk.get("score"),
                    **_rating(risk.get("rating")),
                    "is_key": risk.get("is_key", False),
                    "narrative": risk.get("narrative", ""),
                }
            )
    return rows


def measure_rows(council, round_: ReportingRound | None) -> list[dict]:
    """The key measures as one round's record has them."""
    if round_ is None:
        return []
    measures, record = record_sections([round_], "measures")[round_.pk]
    return [
        {
            **_round_columns(council, round_, record),
            "code": m["code"],
            "name": m["name"],
            "unit": m["unit"],
            "polarity": m["polarity"],
            "frequency": m["frequency"],
            "reading": m["reading"],
            "area_number": m.get("area_number"),
            "source_name": m.get("source_name", ""),
            "source_refreshed": m.get("source_refreshed"),
        }
        for m in measures or ()
    ]


def measure_value_rows(council, round_: ReportingRound | None) -> list[dict]:
    """Long form: one row per measure, series and period, as one round's record has them."""
    if round_ is None:
        return []
    measures, record = record_sections([round_], "measures", figures=True)[round_.pk]
    base = _round_columns(council, round_, record)
    rows = []
    for m in measures or ():
        for line in m.get("lines", ()):
            for point in line.get("points", ()):
                period = dt.date.fromisoformat(point["period"])
                kind = point.get("period_kind", "month")
                rows.append(
                    {
                        **base,
                        "measure": m["code"],
                        "measure_name": m["name"],
                        "unit": m["unit"],
                        "series": line["slug"],
                        "series_name": line["name"],
                        "series_kind": line["kind"],
                        "period": point["period"],
                        "period_kind": kind,
                        "period_label": period_label(period, kind),
                        "value": _number(point.get("value")),
                        "not_available": point.get("not_available", ""),
                        "note": point.get("note", ""),
                    }
                )
    return rows


_FIGURES = (
    "in_year_position",
    "cumulative_deficit",
    "hnb_income",
    "dfe_payments",
    "council_contribution",
    "schools_block_transfer",
)


def finance_line_rows(council, round_: ReportingRound | None) -> list[dict]:
    """One row per financial year and scenario, as one round's record has them."""
    if round_ is None:
        return []
    years, record = record_sections([round_], "finance")[round_.pk]
    base = _round_columns(council, round_, record)
    rows = []
    for year in years or ():
        for scenario in ("agreement", "latest", "unmitigated"):
            figures = year.get(scenario)
            if not figures:
                continue
            rows.append(
                {
                    **base,
                    "year": year["financial_year"],
                    "fy": year["fy"],
                    "scenario": scenario,
                    **{name: _number(figures.get(name)) for name in _FIGURES},
                    "reflects": figures.get("reflects", ""),
                    "deficit_cap": _number(year.get("cap")),
                }
            )
    return rows


# --- the DSG deficit management plan ----------------------------------------------------------

DSG_FINANCE = "dsg_finance"  # the financial summary's part (finance/sections_dsg.py)
DSG_WORKSTREAMS = "dsg_workstreams"  # the workstream log's part (conditions/sections_dsg.py)
DSG_CYP = "cyp"  # children and young people with EHC plans (metrics/cyp_part.py)
_DSG_DERIVED = DERIVED_FIELDS  # the summary's worked-out rows, as finance names them


def _dsg_blocks(fragment: dict | None) -> list[dict]:
    """The four DfE blocks, then the total of the DSG (which has no lines of its own)."""
    if not fragment:
        return []
    total = fragment.get("total")
    return [*fragment.get("blocks", ()), *([total] if total else [])]


def _dsg_years(fragment: dict) -> dict[int, str]:
    return {y["financial_year"]: y["label"] for y in fragment.get("years", ())}


def _by_year(figures: dict) -> list[tuple[int, dict]]:
    """A {"2025": ...} mapping as (2025, ...) pairs, earliest year first."""
    return sorted(((int(year), value) for year, value in (figures or {}).items()))


def dsg_finance_summary_rows(council, round_: ReportingRound | None) -> list[dict]:
    """One row per block (and the DSG total), scenario and financial year: the plan's balances
    as one DSG plan round's record has them."""
    if round_ is None:
        return []
    fragment, record = record_parts([round_], DSG_FINANCE)[round_.pk]
    base = _round_columns(council, round_, record)
    labels = _dsg_years(fragment or {})
    rows = []
    for block in _dsg_blocks(fragment):
        for scenario in block.get("scenarios", ()):
            for year, derived in _by_year(scenario.get("derived")):
                rows.append(
                    {
                        **base,
                        "block": block["key"],
                        "block_label": block["label"],
                        "scenario": scenario["key"],
                        "scenario_label": scenario["label"],
                        "year": year,
                        "fy": labels.get(year) or fy_label(year),
                        **{name: _number(derived.get(name)) for name in _DSG_DERIVED},
                        "balances_in": scenario.get("balances_in"),
                    }
                )
    return rows


def dsg_finance_figure_rows(council, round_: ReportingRound | None) -> list[dict]:
    """Long form: one row per block, line, scenario and financial year, the figure as entered
    in the plan, as one DSG plan round's record has it."""
    if round_ is None:
        return []
    fragment, record = record_parts([round_], DSG_FINANCE)[round_.pk]
    base = _round_columns(council, round_, record)
    labels = _dsg_years(fragment or {})
    rows = []
    for block in _dsg_blocks(fragment):
        for line in block.get("lines", ()):
            line_id = str(line["id"])
            for scenario in block.get("scenarios", ()):
                for year, by_line in _by_year(scenario.get("figures")):
                    if line_id not in by_line:
                        continue
                    rows.append(
                        {
                            **base,
                            "block": block["key"],
                            "block_label": block["label"],
                            "line_id": line["id"],
                            "line": line["name"],
                            "line_kind": line["kind"],
                            "scenario": scenario["key"],
                            "scenario_label": scenario["label"],
                            "year": year,
                            "fy": labels.get(year) or fy_label(year),
                            "amount": _number(by_line[line_id]),
                        }
                    )
    return rows


def dsg_workstream_rows(council, round_: ReportingRound | None) -> list[dict]:
    """One row per workstream of the plan's workstream log, as one DSG plan round's record
    has it (programme area, then the workstream's order)."""
    if round_ is None:
        return []
    fragment, record = record_parts([round_], DSG_WORKSTREAMS)[round_.pk]
    base = _round_columns(council, round_, record)
    return [
        {
            **base,
            "workstream_id": w["id"],
            "area_number": w["area_number"],
            "area": w["area"],
            "name": w["name"],
            "lead_role": w.get("lead_role", ""),
            "start_date": w.get("start_date"),
            "end_date": w.get("end_date"),
            "status": w.get("status", ""),
            "status_label": w.get("status_label", ""),
            "dsg_line": w.get("dsg_line", ""),
            "savings_total": _number(w.get("savings_total")),
        }
        for w in (fragment or {}).get("workstreams", ())
    ]


def dsg_workstream_saving_rows(council, round_: ReportingRound | None) -> list[dict]:
    """Long form: one row per workstream and financial year with a saving, as one DSG plan
    round's record has it."""
    if round_ is None:
        return []
    fragment, record = record_parts([round_], DSG_WORKSTREAMS)[round_.pk]
    base = _round_columns(council, round_, record)
    return [
        {
            **base,
            "workstream_id": w["id"],
            "workstream": w["name"],
            "area_number": w["area_number"],
            "year": year,
            "fy": fy_label(year),
            "saving": _number(saving),
        }
        for w in (fragment or {}).get("workstreams", ())
        for year, saving in _by_year(w.get("savings"))
    ]


# A CYP table's key in the record, its name in the feed, and the record's list of its columns.
_CYP_TABLES = (("by_age", "age", "age_groups"), ("by_need", "need", "needs"))


def dsg_cyp_rows(council, round_: ReportingRound | None) -> list[dict]:
    """Long form: one row per census year, table (by age group or by primary need), placement
    and column with a count, as one DSG plan round's record has them (an empty box is no row)."""
    if round_ is None:
        return []
    fragment, record = record_parts([round_], DSG_CYP)[round_.pk]
    fragment = fragment or {}
    base = _round_columns(council, round_, record)
    rows = []
    for year in fragment.get("years", ()):
        for key, table, names_key in _CYP_TABLES:
            grid = year.get(key) or {}
            names = {c["code"]: c["name"] for c in fragment.get(names_key, ())}
            columns = grid.get("columns", ())
            for placement in grid.get("rows", ()):
                for column, count in zip(columns, placement["cells"], strict=True):
                    if count is None:
                        continue
                    rows.append(
                        {
                            **base,
                            "census_year": year["census_year"],
                            "census_label": year["label"],
                            "basis": year["basis"],
                            "table": table,
                            "placement": placement["placement"],
                            "placement_name": placement["name"],
                            "category": column,
                            "category_name": names.get(column, column),
                            "count": count,
                        }
                    )
    return rows
