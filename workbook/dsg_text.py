"""The DSG plan's text sheets (issue 19): "DSG texts" (a round's narratives, stakeholder
engagement and Schools Forum paper, a topic a row), "DSG governance" and "Workstream log".
Import plans every row (a bad one named by sheet, row and column, nothing written) and writes
through the overview's and conditions' services; export writes what is stored. Called from
importer.py, exporter.py and template.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError

from conditions.models import Workstream
from conditions.services import WORKSTREAM_LOG_FIELDS, workstream_log_save
from overview.models import NarrativeTopic, RoundGovernance, RoundNarrative
from overview.services import (
    GOVERNANCE_FIELDS,
    round_governance_save,
    round_narrative_save,
)
from svmonitor.choices import RoundStatus
from svmonitor.errors import StaleEdit
from svmonitor.fy import fy_label
from svmonitor.models import ReportingRound
from svmonitor.sections import DSG_PLAN
from workbook import format as fmt
from workbook.plan import NEW_ROW, ChangeLine, row_key, show

DSG = DSG_PLAN
NO_DSG_ROUND = "no DSG plan round {year} term {n}: open it in svmonitor first"
ROUND_LOCKED = "the DSG plan round {year} term {n} is not a draft: its texts cannot be changed"
UNKNOWN_TOPIC = "not a topic of the DSG plan: use one of {keys}"
UNKNOWN_WORKSTREAM = (
    "no workstream '{name}' in programme area {area}: add it on the Workstreams sheet"
)
DUPLICATE = "duplicate row: same key as row {first}"

EXAMPLES = {
    fmt.DSG_TEXTS.name: {
        "agreement": None,
        "financial_year": "2025-26",
        "update_number": 1,
        "topic": "financial_plan",
        "text": "How the plan brings the High Needs Block back into balance.",
    },
    fmt.DSG_GOVERNANCE.name: {
        "agreement": None,
        "financial_year": "2025-26",
        "update_number": 1,
        "schools_forum_date": dt.date(2025, 6, 12),
        "next_review_date": dt.date(2025, 10, 9),
        "notes": "Presented termly.",
    },
    fmt.WORKSTREAM_LOG.name: {
        "area": 1,
        "workstream": "Inclusion advisers in schools",
        "lead_role": "Head of inclusion",
        "start_date": dt.date(2025, 9, 1),
        "end_date": dt.date(2027, 8, 31),
        "status": "On track",
        "dsg_line": "Mainstream top-up funding",
    },
}


@dataclass
class _Writes:
    """The service calls the plan found needed, with where each row came from."""

    calls: list = field(default_factory=list)  # (sheet, row, key column, call)


def _dsg_rounds(plan) -> dict:
    """The council's DSG rounds by (agreement id, financial year, update), one query."""
    if getattr(plan, "_dsg_rounds", None) is None:
        plan._dsg_rounds = {}
        if plan.council is not None and plan.council.pk is not None:
            for r in (
                ReportingRound.objects.dsg_plan()
                .filter(agreement__council=plan.council)
                .select_related("agreement__council")
            ):
                plan._dsg_rounds[(r.agreement_id, r.financial_year, r.update_number)] = r
    return plan._dsg_rounds


def _round(plan, spec, row):
    agreement = plan.agreement_of(spec, row)
    if agreement is None:
        return None
    year, n = row.values["financial_year"], row.values["update_number"]
    found = _dsg_rounds(plan).get((agreement.pk, year, n))
    if found is None:
        plan.error(spec.name, row, "financial_year", NO_DSG_ROUND.format(year=fy_label(year), n=n))
    elif found.status != RoundStatus.DRAFT:
        plan.error(spec.name, row, "financial_year", ROUND_LOCKED.format(year=fy_label(year), n=n))
        return None
    return found


def _unique(plan, spec, row, key, seen: dict) -> bool:
    if key in seen:
        plan.error(spec.name, row, spec.key[-1], DUPLICATE.format(first=seen[key]))
        return False
    seen[key] = row.number
    return True


def _change(plan, spec, row, summary, old: dict | None, new: dict, labels: dict) -> bool:
    """Count the row as created, changed or unchanged and list its changes; True if it changes."""
    if old is None:
        summary.created += 1
        plan.result.add_change(
            ChangeLine(spec.name, row.number, row_key(spec.name, row), NEW_ROW, "", "")
        )
        return True
    moved = [name for name, value in new.items() if value != old.get(name)]
    if not moved:
        summary.unchanged += 1
        return False
    summary.changed += 1
    for name in moved:
        plan.result.add_change(
            ChangeLine(
                spec.name,
                row.number,
                row_key(spec.name, row),
                labels.get(name, name),
                show(old.get(name)),
                show(new[name]),
            )
        )
    return True


def _plan_texts(plan, writes: _Writes) -> None:
    spec, summary = fmt.DSG_TEXTS, plan.summary(fmt.DSG_TEXTS)
    rows = plan.rows(spec)
    if not rows:
        return
    topics = {t.key: t for t in NarrativeTopic.objects.filter(return_kind=DSG)}
    stored = {
        (n.round_id, n.topic_id): n
        for n in RoundNarrative.objects.filter(
            round__in=list(_dsg_rounds(plan).values()), topic__in=list(topics.values())
        )
    }
    seen: dict = {}
    for row in rows:
        topic = topics.get((row.values.get("topic") or "").strip())
        if topic is None and row.values.get("topic"):
            keys = ", ".join(topics)
            plan.error(spec.name, row, "topic", UNKNOWN_TOPIC.format(keys=keys))
        round_ = _round(plan, spec, row)
        if None in (round_, topic) or not plan.row_ok(spec, row):
            continue
        if not _unique(plan, spec, row, (round_.pk, topic.pk), seen):
            continue
        text = row.values["text"].strip()
        current = stored.get((round_.pk, topic.pk))
        old = {"text": current.text} if current is not None else None
        if _change(plan, spec, row, summary, old, {"text": text}, {"text": topic.title}):
            version = current.version if current is not None else 0
            writes.calls.append(
                (
                    spec.name,
                    row,
                    "text",
                    lambda by, r=round_, t=topic, v=version, x=text: round_narrative_save(
                        round=r, topic=t, expected_version=v, text=x, by=by
                    ),
                )
            )


def _plan_governance(plan, writes: _Writes) -> None:
    spec, summary = fmt.DSG_GOVERNANCE, plan.summary(fmt.DSG_GOVERNANCE)
    rows = plan.rows(spec)
    if not rows:
        return
    stored = {
        g.round_id: g
        for g in RoundGovernance.objects.filter(round__in=list(_dsg_rounds(plan).values()))
    }
    seen: dict = {}
    for row in rows:
        round_ = _round(plan, spec, row)
        if round_ is None or not plan.row_ok(spec, row):
            continue
        if not _unique(plan, spec, row, round_.pk, seen):
            continue
        current = stored.get(round_.pk)
        old = {name: getattr(current, name) for name in GOVERNANCE_FIELDS} if current else None
        # A blank cell keeps what is stored.
        given = {name: row.values.get(name) for name in GOVERNANCE_FIELDS}
        new = {
            name: value if value not in (None, "") else (old or {}).get(name)
            for name, value in given.items()
        }
        new["notes"] = (new["notes"] or "").strip()
        labels = {name: spec.header(name) for name in GOVERNANCE_FIELDS}
        if _change(plan, spec, row, summary, old, new, labels):
            version = current.version if current is not None else 0
            writes.calls.append(
                (
                    spec.name,
                    row,
                    "schools_forum_date",
                    lambda by, r=round_, v=version, values=new: round_governance_save(
                        round=r, expected_version=v, by=by, **values
                    ),
                )
            )


def _plan_log(plan, writes: _Writes) -> None:
    spec, summary = fmt.WORKSTREAM_LOG, plan.summary(fmt.WORKSTREAM_LOG)
    rows = plan.rows(spec)
    if not rows:
        return
    seen: dict = {}
    for row in rows:
        # The Workstreams sheet's rows, stored or planned by this import.
        workstream = plan.workstream_of(spec, row)
        if workstream is None or not plan.row_ok(spec, row):
            continue
        if not _unique(plan, spec, row, id(workstream), seen):
            continue
        old = {name: getattr(workstream, name) for name in WORKSTREAM_LOG_FIELDS}
        new = {
            key: value if value not in (None, "") else old[key]
            for key, value in ((k, row.values.get(k)) for k in WORKSTREAM_LOG_FIELDS)
        }
        labels = {key: spec.header(key) for key in WORKSTREAM_LOG_FIELDS}
        if _change(plan, spec, row, summary, old, new, labels):
            writes.calls.append(
                (
                    spec.name,
                    row,
                    "workstream",
                    lambda by, w=workstream, v=workstream.version, values=new: workstream_log_save(
                        workstream=w, expected_version=v, by=by, **values
                    ),
                )
            )


def dsg_text_plan(plan) -> None:
    """Plan the three sheets (called by the import's plan, after every other sheet)."""
    plan.dsg_text_writes = _Writes()
    _plan_texts(plan, plan.dsg_text_writes)
    _plan_governance(plan, plan.dsg_text_writes)
    _plan_log(plan, plan.dsg_text_writes)


def dsg_text_write(plan) -> None:
    """Write the planned rows through their services; a refusal is reported at its row."""
    writes = getattr(plan, "dsg_text_writes", None)
    for sheet, row, key_column, call in writes.calls if writes else ():
        try:
            call(plan.by)
        except (ValidationError, PermissionDenied, StaleEdit) as refusal:
            plan._refused(sheet, row, key_column, refusal)


# --- export ---------------------------------------------------------------------------------


def dsg_text_sheets(council, rounds) -> dict:
    """The three sheets' (headers, rows) for the export: `rounds` are the rounds the user may
    read (a queryset of the council's rounds)."""
    dsg_rounds = list(
        rounds.dsg_plan().select_related("agreement").order_by("financial_year", "update_number")
    )
    order = {r.pk: i for i, r in enumerate(dsg_rounds)}
    by_pk = {r.pk: r for r in dsg_rounds}

    def round_cols(round_id):
        r = by_pk[round_id]
        return [r.agreement.date_signed, fy_label(r.financial_year), r.update_number]

    texts = sorted(
        RoundNarrative.objects.filter(round_id__in=list(by_pk)).select_related("topic"),
        key=lambda n: (order[n.round_id], n.topic.group, n.topic.position),
    )
    governance = sorted(
        RoundGovernance.objects.filter(round_id__in=list(by_pk)), key=lambda g: order[g.round_id]
    )
    log = Workstream.objects.filter(area__council=council).select_related("area")
    headers = {spec.name: [c.header for c in spec.columns] for spec in _SPECS}
    return {
        fmt.DSG_TEXTS.name: (
            headers[fmt.DSG_TEXTS.name],
            [[*round_cols(n.round_id), n.topic.key, n.text] for n in texts if n.text],
        ),
        fmt.DSG_GOVERNANCE.name: (
            headers[fmt.DSG_GOVERNANCE.name],
            [
                [*round_cols(g.round_id), g.schools_forum_date, g.next_review_date, g.notes]
                for g in governance
            ],
        ),
        fmt.WORKSTREAM_LOG.name: (
            headers[fmt.WORKSTREAM_LOG.name],
            [
                [
                    w.area.number,
                    w.name,
                    w.lead_role,
                    w.start_date,
                    w.end_date,
                    w.get_status_display() if w.status else "",
                    w.dsg_line,
                ]
                for w in log.order_by("area__number", "order", "pk")
            ],
        ),
    }


_SPECS = (fmt.DSG_TEXTS, fmt.DSG_GOVERNANCE, fmt.WORKSTREAM_LOG)
