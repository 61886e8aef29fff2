"""The DSG deficit management plan's workstream log (issue 19): each workstream's lead, dates,
status, the DSG line it affects and its savings by year (the same WorkstreamSaving rows the
Safety Valve finance chart stacks), as one task of a DSG round and the fragment the round
freezes. The log is the plan's, not a round's: nothing is carried forward. Registered by
conditions.sections."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse

from conditions.models import Workstream, WorkstreamSaving
from conditions.selectors import saving_years
from svmonitor.fy import fy_label
from svmonitor.roles import Action
from svmonitor.section_views import history_url, task_url, with_next
from svmonitor.sections import (
    DSG_PLAN,
    TASK_COMPLETED,
    TASK_IN_PROGRESS,
    TASK_NOT_STARTED,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    SummaryCard,
    SummaryRow,
)

LOG_TASK = "dsg-workstreams"
LOG_SECTION = "workstream_log"
# Worst first: an area's status is its worst workstream's.
STATUS_ORDER = ("off_track", "at_risk", "on_track", "not_started", "stopped", "complete")


def log_workstreams(council_ids) -> list[Workstream]:
    """The councils' workstreams with their area and savings (two queries), in programme order."""
    return list(
        Workstream.objects.filter(area__council_id__in=list(council_ids))
        .select_related("area")
        .prefetch_related(
            Prefetch("savings", queryset=WorkstreamSaving.objects.order_by("financial_year"))
        )
        .order_by("area__number", "order", "pk")
    )


def _gaps(workstream) -> list[str]:
    missing = []
    if not workstream.status:
        missing.append("status not given")
    if workstream.start_date is None:
        missing.append("start date not given")
    if not workstream.lead_role.strip():
        missing.append("lead not given")
    return missing


def log_completeness(round, carried: bool) -> list[CompletenessGap]:
    """Each workstream without a status, start date or lead."""
    if round.return_kind != DSG_PLAN:
        return []
    return [
        CompletenessGap("workstream_log", w.name, problem, w.pk)
        for w in log_workstreams([round.agreement.council_id])
        for problem in _gaps(w)
    ]


def log_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """(workstreams complete, workstreams) per round, in one query."""
    rounds = [r for r in rounds if r.return_kind == DSG_PLAN]
    by_council: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for w in Workstream.objects.filter(
        area__council_id__in={r.agreement.council_id for r in rounds}
    ).values("area__council_id", "status", "start_date", "lead_role"):
        counts = by_council[w["area__council_id"]]
        counts[1] += 1
        if w["status"] and w["start_date"] and w["lead_role"].strip():
            counts[0] += 1
    return {r.pk: tuple(by_council[r.agreement.council_id]) for r in rounds}


def log_tasks(round, carried: bool) -> list[ReturnTask]:
    """One task: every workstream's log entry given."""
    if round.return_kind != DSG_PLAN:
        return []
    workstreams = log_workstreams([round.agreement.council_id])
    given = [bool(w.status or w.start_date or w.dsg_line) for w in workstreams]
    done = workstreams and not any(_gaps(w) for w in workstreams)
    status = TASK_COMPLETED if done else TASK_IN_PROGRESS if any(given) else TASK_NOT_STARTED
    return [
        ReturnTask(
            key=LOG_TASK,
            group="Plan narrative and governance",
            title="Workstream log",
            hint="Lead, dates, status, DSG line and savings of each workstream",
            status=status,
        )
    ]


def log_edit_url(council_slug: str, pk: int) -> str:
    """The edit page of one workstream's log entry."""
    return reverse("conditions:workstream_log_edit", args=[council_slug, pk])


def _date_text(value) -> str:
    return f"{value.day} {value:%B %Y}" if value else "Not given"


def _money_text(amount: Decimal) -> str:
    return f"£{amount:,.0f}"


def log_task_summary(round, key: str) -> list[SummaryCard] | None:
    """A card per workstream (its log entry, each row with its Change link) and the savings
    grid's link; a fixed number of queries whatever the number of workstreams."""
    if key != LOG_TASK:
        return None
    council = round.agreement.council
    back = task_url(round, key)
    savings_url = with_next(reverse("conditions:savings_grid", args=[council.slug]), back)
    cards = []
    for w in log_workstreams([council.pk]):
        edit = with_next(log_edit_url(council.slug, w.pk), back)
        savings = "; ".join(
            f"{fy_label(s.financial_year)}: {_money_text(s.saving)}" for s in w.savings.all()
        )
        rows = (
            SummaryRow("Programme area", f"{w.area.number} - {w.area.name}"),
            SummaryRow("Lead", w.lead_role or "Not given", edit, "lead"),
            SummaryRow("Start date", _date_text(w.start_date), edit, "start date"),
            SummaryRow("End date", _date_text(w.end_date), edit, "end date"),
            SummaryRow(
                "Status",
                w.get_status_display() if w.status else "Not given",
                edit,
                "status",
            ),
            SummaryRow("DSG line affected", w.dsg_line or "Not given", edit, "DSG line"),
            SummaryRow("Savings", savings or "None", savings_url, "savings", Action.EDIT_FINANCE),
        )
        cards.append(
            SummaryCard(title=w.name, rows=rows, history_url=history_url(round, LOG_SECTION, w.pk))
        )
    return cards


def log_found_in(round, pk: int) -> tuple[str, str] | None:
    """Workstream `pk`'s log title and the log's task page, if it is a workstream of a DSG
    round's council (the log is the council's, kept across its rounds)."""
    if round.return_kind != DSG_PLAN:
        return None
    workstream = Workstream.objects.filter(area__council_id=round.agreement.council_id, pk=pk)
    name = workstream.values_list("name", flat=True).first()
    return (f"Workstream log: {name}", task_url(round, LOG_TASK)) if name is not None else None


def _money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def log_snapshot(round) -> dict:
    """The workstream log as it stands: areas with their worst status, workstreams with their
    log fields and savings by year, totals per year (pounds as strings)."""
    workstreams = log_workstreams([round.agreement.council_id])
    years = list(saving_years(round.agreement))
    labels = dict(Workstream.Status.choices)
    areas: dict[int, dict] = {}
    totals: dict[int, Decimal] = defaultdict(Decimal)
    rows = []
    for w in workstreams:
        area = areas.setdefault(
            w.area.number, {"number": w.area.number, "name": w.area.name, "statuses": []}
        )
        if w.status:
            area["statuses"].append(w.status)
        savings = {s.financial_year: s.saving for s in w.savings.all()}
        for year, amount in savings.items():
            totals[year] += amount
        rows.append(
            {
                "id": w.pk,
                "area_number": w.area.number,
                "area": w.area.name,
                "name": w.name,
                "lead_role": w.lead_role,
                "start_date": w.start_date.isoformat() if w.start_date else None,
                "end_date": w.end_date.isoformat() if w.end_date else None,
                "status": w.status,
                "status_label": labels.get(w.status, "Not given"),
                "dsg_line": w.dsg_line,
                "savings": {str(y): _money(a) for y, a in sorted(savings.items())},
                "savings_total": _money(sum(savings.values(), Decimal(0))),
            }
        )
    area_rows = []
    for area in areas.values():
        worst = min(area.pop("statuses"), key=STATUS_ORDER.index, default="")
        area_rows.append({**area, "status": worst, "status_label": labels.get(worst, "Not given")})
    return {
        "years": years,
        "areas": area_rows,
        "workstreams": rows,
        "savings_totals": {str(y): _money(totals[y]) for y in sorted(totals)},
        "savings_total": _money(sum(totals.values(), Decimal(0))),
    }


PARTS = (
    ReturnPart(
        "dsg_workstreams",
        550,
        lambda new, previous, by: None,
        log_completeness,
        progress=log_progress,
        tasks=log_tasks,
        task_summary=log_task_summary,
        snapshot=log_snapshot,
        return_kind=DSG_PLAN,
    ),
)
