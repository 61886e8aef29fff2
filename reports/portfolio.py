"""The DfE portfolio: each council the user may see, at its latest submitted return.

A row per council is stored (reports.models.PortfolioEntry) and stands while the council's
data version and the day stand; the page reads them in one query and builds again, in a fixed
number of queries, only the rows of councils whose data changed since (or on another day).
What a row shows comes from the record: a submitted round's frozen payload, or for a round
never frozen (history loaded as submitted) its rows as they stand.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import NamedTuple

from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from finance.models import FinanceLine
from metrics import variance as fmt
from reports.models import PortfolioEntry
from reports.models import RoundSnapshot as FrozenSnapshot
from svmonitor.choices import (
    DEFAULT_DFE_MAPPING,
    RAG_CSS,
    RAG_RANK,
    Rag,
    RoundOrigin,
    RoundStatus,
)
from svmonitor.due import RoundDue
from svmonitor.fy import fy_label
from svmonitor.models import LocalAuthority, MonitoringTierChange, round_label
from svmonitor.sections import SAFETY_VALVE


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
        return mark_safe("".join([_condition_html(c.label, c.code) for c in self.conditions]))  # noqa: S308

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


@functools.lru_cache(maxsize=1024)
def _condition_html(label: str, code: str) -> str:
    """A condition's label and its DfE level's word on its colour, escaped (kept: councils'
    conditions are "1" to "9" or so, at a handful of levels, in hundreds of cells)."""
    level = _level(label, "", code)
    return (
        f'<li><span class="app-condition-rags__label">{escape(label)}</span> '
        f'<strong class="app-rag {escape(level.css)}">{escape(level.word)}</strong></li>'
    )


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


# --- reading the stored rows ------------------------------------------------------------------


def portfolio_rows(*, user, sort: str = "name", today: dt.date | None = None) -> list[PortfolioRow]:
    """Each council the user may see, at its latest submitted round: one query while every
    council's stored row stands, and the fixed few of portfolio_entries_build (for all the
    councils whose rows do not) otherwise."""
    today = today or dt.date.today()
    councils = list(  # 1
        LocalAuthority.objects.for_user(user)
        .order_by("name")
        .values_list(
            "pk",
            "name",
            "slug",
            "data_version",
            "portfolio_entry__data_version",
            "portfolio_entry__built_on",
            "portfolio_entry__row",
        )
    )
    stale = {
        pk: version
        for pk, _, _, version, entry_version, built_on, row in councils
        if entry_version != version or built_on != today or row.get("shape") != ROW_SHAPE
    }
    built = portfolio_entries_build(stale, today=today) if stale else {}
    rows = [
        portfolio_entry_row(name, slug, built[pk] if pk in stale else stored)
        for pk, name, slug, _, _, _, stored in councils
    ]
    rows.sort(key=PORTFOLIO_SORTS.get(sort, PORTFOLIO_SORTS["name"]))
    return rows


# The stored row's fields: a row stored by code that wrote other fields is built again (move
# this on whenever portfolio_entries_build writes a field differently).
ROW_SHAPE = 1
_RAG_WORDS = {code: Rag(code).label for code in Rag.values}
_TIER_LABELS = dict(MonitoringTierChange._meta.get_field("tier").choices)


def _level(label: str, title: str, code: str) -> PortfolioCondition:
    return PortfolioCondition(label, title, code, _RAG_WORDS[code])


def portfolio_entry_row(name: str, slug: str, row: dict) -> PortfolioRow:
    """A council's portfolio row from its stored fields (PortfolioEntry.row)."""
    conditions = tuple(_level(*c) for c in row["conditions"])
    counts = Counter(c.code for c in conditions)
    tier = row["tier"]
    deficit, cap, submitted_on = row["deficit"], row["cap"], row["submitted_on"]
    return PortfolioRow(
        name=name,
        slug=slug,
        round_label=row["round_label"],
        round_key=row["round_key"],
        submitted_on=dt.date.fromisoformat(submitted_on) if submitted_on else None,
        conditions=conditions,
        rag_counts=tuple(
            (code, _RAG_WORDS[code], counts[code])
            for code in sorted(counts, key=lambda c: RAG_RANK.get(c, 99))
        ),
        deficit=Decimal(deficit) if deficit is not None else None,
        cap=Decimal(cap) if cap is not None else None,
        tier=_TIER_LABELS.get(tier, "Not recorded"),
        tier_rank=TIER_RANK.get(tier, -1),
        overall=_level("Overall", "Overall RAG", row["overall"]) if row["overall"] else None,
        overall_before=(
            _level("Overall", "Overall RAG", row["overall_before"])
            if row["overall_before"]
            else None
        ),
        first_submission=row["first_submission"],
        overdue=row["overdue"],
    )


# --- building them ----------------------------------------------------------------------------


def _frozen_finance(finance: list[dict], year: int) -> tuple[str | None, str | None]:
    for row in finance or []:
        if row["financial_year"] == year:
            latest = row["latest"] or {}
            deficit, cap = latest.get("cumulative_deficit"), row["cap"]
            return (
                str(Decimal(deficit)) if deficit is not None else None,
                str(Decimal(cap)) if cap is not None else None,
            )
    return None, None


def _due(rnd: tuple, today: dt.date) -> RoundDue:
    due_date, submitted = rnd[7], rnd[5] == RoundStatus.SUBMITTED
    return RoundDue(due_date=due_date, submitted=submitted, days_left=(due_date - today).days)


def _overdue_text(rnd: tuple, today: dt.date) -> str:
    """ "2024-25 Update 3: 12 days overdue" for the council's earliest overdue return."""
    return f"{fy_label(rnd[3])} Update {rnd[4]}: {_due(rnd, today).label}"


def _newest_first(rnd: tuple) -> tuple:
    # (-year, -update, -submitted on, -pk), as "latest submitted" has always been ordered.
    pk, _, _, year, update, _, submitted_on, *_ = rnd
    return (year, update, submitted_on or dt.date.min, pk)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


# Why plain SQL for the build's reads: each is a flat SELECT of a few columns (joined on their
# foreign keys) and the database answers all six in ~0.1 ms, while building and compiling them
# as querysets cost ~1.5 ms, most of the page after a write (bench/run.py's portfolio line).
# Money comes back as text (CAST), so SQLite and PostgreSQL give the same Decimal. The frozen
# payloads' keys (JSON, which the backends spell differently) and the upsert stay in the ORM.
# Only the rounds a row can show: each agreement's two newest submitted returns (its unique
# year-and-update index walked backwards, two rows each) and every return not yet sent (the
# earliest overdue is among them); a council's nine years of returns are not fetched, and
# nothing is sorted in the database (a window over every council's returns cost 1.6 ms of the
# page's 9 at forty councils; this costs 0.3).
_ROUNDS = """
    SELECT r.id, a.council_id, r.agreement_id, r.financial_year, r.update_number, r.status,
           r.submitted_on, r.due_date, r.origin, o.overall_rag,
           EXISTS (SELECT 1 FROM reports_roundsnapshot s WHERE s.round_id = r.id)
    FROM svmonitor_agreement a
    JOIN svmonitor_reportinground r ON r.agreement_id = a.id
    LEFT JOIN overview_roundoverview o ON o.round_id = r.id
    WHERE a.council_id IN ({councils}) AND r.id IN (
        SELECT n.id FROM svmonitor_reportinground n
        WHERE n.agreement_id = a.id AND n.return_kind = %s AND n.status = %s
        ORDER BY n.financial_year DESC, n.update_number DESC
        LIMIT 2
    )
    UNION ALL
    SELECT r.id, a.council_id, r.agreement_id, r.financial_year, r.update_number, r.status,
           r.submitted_on, r.due_date, r.origin, o.overall_rag,
           EXISTS (SELECT 1 FROM reports_roundsnapshot s WHERE s.round_id = r.id)
    FROM svmonitor_reportinground r
    JOIN svmonitor_agreement a ON a.id = r.agreement_id
    LEFT JOIN overview_roundoverview o ON o.round_id = r.id
    WHERE a.council_id IN ({councils}) AND r.return_kind = %s AND r.status <> %s
"""
_TIERS = """
    SELECT a.council_id, t.effective_from, t.id, t.tier
    FROM svmonitor_monitoringtierchange t
    JOIN svmonitor_agreement a ON a.id = t.agreement_id
    WHERE a.council_id IN ({councils}) AND t.effective_from <= %s
"""
_WORDS = """
    SELECT council_id, level, dfe_level
    FROM svmonitor_ragdefinition WHERE council_id IN ({councils})
"""
_LEVELS = """
    SELECT c."order", c.label, u.round_id, c.label, c.title, u.rag
    FROM conditions_conditionupdate u
    JOIN conditions_agreementcondition c ON c.id = u.condition_id
    WHERE u.round_id IN ({rounds})
"""
# The forecast cumulative deficit and the cap of each round's own year (each is one row per
# agreement and year, at most): 40 rows, not the nine years of every agreement.
_FINANCE = """
    SELECT r.id, CAST(f.cumulative_deficit AS TEXT), CAST(c.cap AS TEXT)
    FROM svmonitor_reportinground r
    LEFT JOIN finance_financeline f ON f.agreement_id = r.agreement_id
        AND f.financial_year = r.financial_year AND f.scenario = %s
    LEFT JOIN finance_deficitcap c ON c.agreement_id = r.agreement_id
        AND c.financial_year = r.financial_year
    WHERE r.id IN ({rounds})
"""
# The stored rows, one statement (INSERT ... ON CONFLICT, which SQLite and PostgreSQL both speak):
# bulk_create(update_conflicts=True) built the same statement in ~1 ms of Python.
_UPSERT = """
    INSERT INTO {table} (council_id, data_version, built_on, "row") VALUES {values}
    ON CONFLICT (council_id) DO UPDATE SET data_version = excluded.data_version,
        built_on = excluded.built_on, "row" = excluded."row"
"""


def _entries_store(councils: dict[int, int], built: dict[int, dict], today: dt.date) -> None:
    """Store the built rows (PortfolioEntry), each with the version read before its build."""
    field = PortfolioEntry._meta.get_field("row")
    params = []
    for pk, version in councils.items():
        # The JSON field's own adaptation: text on SQLite, jsonb on PostgreSQL.
        params += [pk, version, today, field.get_db_prep_save(built[pk], connection)]
    values = ", ".join(["(%s, %s, %s, %s)"] * len(councils))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=PortfolioEntry._meta.db_table, values=values), params)


def portfolio_entries_build(councils: dict[int, int], *, today: dt.date) -> dict[int, dict]:
    """The portfolio rows of `councils` ({council id: its data version, read before this
    build}) on `today`, stored (one upsert) and returned by council id.

    At most six reads whatever the number of councils: their rounds; the tiers in force;
    the frozen payloads of the rounds shown (if any was frozen); and for rounds never frozen
    their councils' RAG words, condition levels, and forecasts with caps. A row is stored with the
    version read before the build: a write during it leaves the row stale, built again on the
    next read.
    """
    ids = list(councils)
    # Each council's Safety Valve returns, once each (a row per frozen payload; none: never
    # frozen).
    rounds: dict[int, dict[int, tuple]] = defaultdict(dict)
    ever_frozen = set()
    sent = RoundStatus.SUBMITTED.value
    params = [*ids, SAFETY_VALVE, sent, *ids, SAFETY_VALVE, sent]
    for *rnd, was_frozen in _rows(_ROUNDS.format(councils=_in(ids)), params):  # 1
        rounds[rnd[1]][rnd[0]] = tuple(rnd)
        if was_frozen:
            ever_frozen.add(rnd[0])
    tiers: dict[int, str] = {}
    for council_id, _, _, tier in sorted(  # 2: the latest change in force wins
        _rows(_TIERS.format(councils=_in(ids)), [*ids, today])
    ):
        tiers[council_id] = tier
    shown: dict[int, tuple] = {}  # council id: (latest, previous, earliest overdue)
    for council_id in ids:
        own = rounds[council_id].values()
        submitted = sorted(
            (r for r in own if r[5] == RoundStatus.SUBMITTED), key=_newest_first, reverse=True
        )
        # The earliest return past its due date and not sent (svmonitor.due's rule).
        overdue = [r for r in own if _due(r, today).is_overdue]
        shown[council_id] = (
            submitted[0] if submitted else None,
            submitted[1] if len(submitted) > 1 else None,
            min(overdue, key=lambda r: (r[7], r[3], r[4])) if overdue else None,
        )
    # 3: the latest frozen payload of each round shown that has one, only the keys the row
    # shows.
    frozen: dict[int, tuple] = {}
    shown_ids = [r[0] for s in shown.values() for r in s[:2] if r and r[0] in ever_frozen]
    if shown_ids:
        for round_id, *keys in (
            FrozenSnapshot.objects.filter(round_id__in=shown_ids)
            .order_by("round_id", "-created_at", "-pk")
            .values_list(
                "round_id",
                "payload__conditions",
                "payload__finance",
                "payload__overview__overall__dfe_code",
            )
        ):
            frozen.setdefault(round_id, keys)
    # Rounds never frozen are shown from their rows: the council's RAG words, the condition
    # levels, and the forecast and cap of the round's year.
    # (A frozen payload without an overall level shows its overview's, in the council's words.)
    live = [
        r
        for s in shown.values()
        for r in s[:2]
        if r and (r[0] not in frozen or (frozen[r[0]][2] is None and r[9]))
    ]
    live_latest = [s[0] for s in shown.values() if s[0] and s[0][0] not in frozen]
    words: dict[tuple[int, str], str] = {}
    updates = defaultdict(list)
    year_finance: dict[int, tuple[str | None, str | None]] = {}
    if live:
        live_councils = list({r[1] for r in live})
        words = {  # 4
            (council_id, level): dfe_level
            for council_id, level, dfe_level in _rows(
                _WORDS.format(councils=_in(live_councils)), live_councils
            )
        }
    if live_latest:
        round_ids = [r[0] for r in live_latest]
        for _, _, round_id, label, title, rag in sorted(  # 5: in the conditions' order
            _rows(_LEVELS.format(rounds=_in(round_ids)), round_ids)
        ):
            updates[round_id].append((label, title, rag))
        year_finance = {  # 6
            round_id: (deficit, cap)
            for round_id, deficit, cap in _rows(
                _FINANCE.format(rounds=_in(round_ids)),
                [FinanceLine.Scenario.LATEST.value, *round_ids],
            )
        }

    def dfe(council_id: int, level: str) -> str:
        # DfE's own word, not the council's label: councils are compared side by side here,
        # and "G" beside "Green - On Track" would read as two different ratings.
        return words.get((council_id, level), DEFAULT_DFE_MAPPING[level])

    def overall_of(rnd) -> str | None:
        # Frozen as the DfE level, else the overview's own level through the council's words.
        if rnd is None:
            return None
        if rnd[0] in frozen:
            return frozen[rnd[0]][2] or (dfe(rnd[1], rnd[9]) if rnd[9] else None)
        return dfe(rnd[1], rnd[9]) if rnd[9] else None

    built: dict[int, dict] = {}
    for council_id in ids:
        latest, previous, overdue = shown[council_id]
        row = {
            "shape": ROW_SHAPE,
            "round_label": "None submitted",
            "round_key": "",
            "submitted_on": None,
            "conditions": [],
            "deficit": None,
            "cap": None,
            "tier": tiers.get(council_id, ""),
            "overall": overall_of(latest),
            "overall_before": overall_of(previous),
            "first_submission": latest is not None and previous is None,
            "overdue": _overdue_text(overdue, today) if overdue else "",
        }
        if latest is not None:
            pk, _, _, year, number, _, submitted_on, _, origin, _ = latest
            label = round_label(year, number)
            if origin == RoundOrigin.IMPORTED:
                label = f"{label} (submitted before svmonitor)"
            row["round_label"], row["round_key"] = label, f"{fy_label(year)}/{number}"
            row["submitted_on"] = submitted_on.isoformat() if submitted_on else None
            if pk in frozen:
                conditions, finance, _ = frozen[pk]
                row["conditions"] = [
                    [c["label"], c["title"], c["rating"]["dfe_code"]] for c in conditions or []
                ]
                row["deficit"], row["cap"] = _frozen_finance(finance, year)
            else:
                row["conditions"] = [
                    [label, title, dfe(council_id, rag)] for label, title, rag in updates[pk]
                ]
                deficit, cap = year_finance.get(pk, (None, None))
                row["deficit"] = str(Decimal(deficit)) if deficit is not None else None
                row["cap"] = str(Decimal(cap)) if cap is not None else None
        built[council_id] = row
    _entries_store(councils, built, today)
    return built
