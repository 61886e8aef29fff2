"""The DSG deficit management plan on a council's dashboard (issue 19): the plan's latest
update that was marked ready, as frozen (what the Schools Forum was given), in a few lines with
a link to it and its documents. Read from the frozen record only: a draft's figures are the
task list's, not the board's."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from reports.snapshot.record import LOCKED_STATES, round_record
from svmonitor.models import ReportingRound
from svmonitor.sections import DSG_PLAN


@dataclass(frozen=True)
class PlanLine:
    """One line of the panel: what it is, and its value in words."""

    label: str
    value: str


@dataclass(frozen=True)
class PlanPanel:
    """What the dashboard shows of the council's DSG plan."""

    round: ReportingRound | None
    url: str
    lines: tuple[PlanLine, ...]
    outputs: tuple[dict, ...] = ()
    drafts_url: str = ""


def _money(text) -> str:
    """ "-43200000.00" as "£43.2m deficit"; "0.00" as "£0.0m"; None as "Not given"."""
    if text is None:
        return "Not given"
    amount = Decimal(text)
    words = " deficit" if amount < 0 else (" surplus" if amount > 0 else "")
    return f"£{abs(amount) / 1_000_000:,.1f}m{words}"


def _lines(parts: dict) -> tuple[PlanLine, ...]:
    lines = []
    finance = parts.get("dsg_finance")
    if finance:
        end = finance.get("end_of_plan") or {}
        label = end.get("label") or "the end of the plan"
        lines.append(
            PlanLine(
                f"Cumulative balance at the end of {label}, mitigated",
                _money(end.get("mitigated_carried_forward")),
            )
        )
        if end.get("mitigated_before_adjustments") not in (
            None,
            end.get("mitigated_carried_forward"),
        ):
            lines.append(
                PlanLine(
                    f"The same before contributions to the deficit ({label})",
                    _money(end.get("mitigated_before_adjustments")),
                )
            )
        lines.append(
            PlanLine(
                f"Cumulative balance at the end of {label}, unmitigated",
                _money(end.get("unmitigated_carried_forward")),
            )
        )
        high_needs = next(
            (b for b in finance.get("blocks", ()) if b.get("key") == "high_needs"), None
        )
        mitigated = next(
            (s for s in (high_needs or {}).get("scenarios", ()) if s.get("key") == "mitigated"),
            None,
        )
        if mitigated is not None:
            lines.append(
                PlanLine(
                    "High needs block in balance from",
                    mitigated.get("balances_in_label") or "Not within the plan's years",
                )
            )
    cyp = parts.get("cyp")
    if cyp and cyp.get("years"):
        actual = [y for y in cyp["years"] if y.get("basis") == "actual"] or cyp["years"]
        latest = actual[-1]
        total = latest.get("by_age", {}).get("total")
        if total is not None:
            lines.append(PlanLine(f"EHC plans, {latest['label']}", f"{total:,}"))
    workstreams = parts.get("dsg_workstreams")
    if workstreams and workstreams.get("savings_total") is not None:
        lines.append(
            PlanLine(
                "Savings planned by the plan's workstreams",
                f"£{Decimal(workstreams['savings_total']) / 1_000_000:,.1f}m",
            )
        )
    return tuple(lines)


def plan_panel(council, actions) -> PlanPanel | None:
    """The panel for a council that keeps a DSG plan, from its latest frozen update the user
    may read (`actions`: theirs at the council); None for a council that keeps none."""
    if not council.runs_dsg_plan:
        return None
    latest = (
        ReportingRound.objects.dsg_plan()
        .filter(agreement__council=council, status__in=LOCKED_STATES)
        .readable_with(actions)
        .select_related("agreement")
        .order_by("-financial_year", "-update_number", "-agreement__date_signed")
        .first()
    )
    plans = reverse("reports:round_list", args=[council.slug]) + f"#kind-{DSG_PLAN}"
    if latest is None:
        return PlanPanel(round=None, url=plans, lines=())
    latest.agreement.council = council
    record = round_record(latest)
    args = [council.slug, latest.fy, latest.update_number]
    outputs = tuple(
        {"label": label, "url": reverse(latest.kind.url_name(page), args=args), "is_word": word}
        for label, page, word in latest.kind.outputs
    )
    return PlanPanel(
        round=latest,
        url=reverse(latest.kind.url_name("round_detail"), args=args),
        lines=_lines(record.parts),
        outputs=outputs,
        drafts_url=plans,
    )
