"""The round page of a return built from registered parts (a DSG deficit management plan
update): its lifecycle panel (the same partial as the Safety Valve return's), its tasks while
a draft, what its frozen record holds, and the documents made from that record."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from reports.return_page import round_gaps, sign_off_state
from reports.snapshot.parts import parts_record_changes
from reports.snapshot.record import round_record
from reports.task_list import return_tasks
from svmonitor.section_views import round_urls


def round_outputs(round) -> list[dict]:
    """The documents the round's kind makes from its record, with their URLs."""
    args = [round.agreement.council.slug, round.fy, round.update_number]
    return [
        {"label": label, "url": reverse(round.kind.url_name(page), args=args), "is_word": word}
        for label, page, word in round.kind.outputs
    ]


def parts_round_context(request, round) -> dict:
    """What the parts round page and its status panel show."""
    record = round_record(round)
    sign_offs = sign_off_state(
        round=round, user=request.user, roles=getattr(request, "council_roles", None)
    )
    return {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "record": record,
        "gaps": round_gaps(round) if not round.is_locked else [],
        "tasks": (
            return_tasks(round, actions=getattr(request, "council_actions", None))
            if not round.is_locked
            else None
        ),
        "sign_offs": sign_offs,
        "outputs": round_outputs(round),
        "changed_since_frozen": bool(parts_record_changes(record)),
    }


def render_parts_round(request, round, *, status: int = 200, lifecycle_forms=None, **extra):
    """The full round page of a parts-built return."""
    context = {**parts_round_context(request, round), **(lifecycle_forms or {}), **extra}
    return render(request, "reports/parts_round.html", context, status=status)


def parts_round_changes(request, round):
    """What live data has changed in each part since the round was frozen."""
    record = round_record(round)
    context = {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "record": record,
        "changes": parts_record_changes(record),
    }
    return render(request, "reports/parts_round_changes.html", context)
