"""The show and edit views every rated section (a condition's, risk's or workstream's update)
shares; each app's views pass the RatedKind of its own section."""

from __future__ import annotations

from functools import partial

from django.http import Http404
from django.shortcuts import render

from svmonitor.history import last_saved_by
from svmonitor.roles import Action
from svmonitor.section_rows import RatedKind, rag_badge, rag_labels, section_for_user, section_row
from svmonitor.section_views import (
    edit_form_submit,
    locked_response,
    partial_template,
    round_for_request,
    round_urls,
    row_renderer,
    saved_response,
    section_urls,
    shown_response,
)
from svmonitor.sections import round_freezer

RATED_TEMPLATE = "components/rated_section_edit.html"


def _rated_context(round, kind: RatedKind, update, **extra):
    row = section_row(round=round, kind=kind, update=update)
    # A locked return's section as frozen; one its frozen record lacks is not part of it.
    if not round_freezer().row_as_recorded(round=round, row=row):
        raise Http404("No such section in this return.")
    row.urls = section_urls(round, kind.kind, update.pk)
    if kind.decorate_row is not None:
        kind.decorate_row(round, row)
    return {
        "round": round,
        "council": round.agreement.council,
        "nav": round_urls(round),
        "row": row,
        "title": kind.title(update),
        **extra,
    }


def _rated_section(request, round, kind: RatedKind, pk: int, action: str):
    update = section_for_user(user=request.user, round=round, kind=kind, pk=pk, action=action)
    if update is None:
        raise Http404("No such section in this return.")
    return update


def _rated_row(request, round, kind: RatedKind, update):
    context = partial(_rated_context, round, kind, update)
    return row_renderer(request, f"{RATED_TEMPLATE}#section-row", context)


def rated_section_show(request, slug, fy, n, pk, kind: RatedKind):
    """A condition's, risk's or workstream's section as the round page shows it (where Cancel
    returns to). The owning app's GET view calls this with its kind."""
    round = round_for_request(request, slug, fy, n)
    update = _rated_section(request, round, kind, pk, Action.VIEW)
    return shown_response(
        request, round, f"{kind.kind}-{pk}", _rated_row(request, round, kind, update)
    )


def rated_section_edit(request, slug, fy, n, pk, kind: RatedKind):
    """Edit a section's assurance level and progress update in place (a risk's impact and
    likelihood too), through the kind's service. The owning app's view calls this."""
    fields = kind.fields
    round = round_for_request(request, slug, fy, n, Action.EDIT)
    update = _rated_section(request, round, kind, pk, Action.EDIT)
    anchor = f"{kind.kind}-{pk}"
    row_response = _rated_row(request, round, kind, update)
    if round.is_locked:
        return locked_response(request, round, anchor, row_response)

    def save(data):
        values = {name: data[name] for name in fields}
        kind.save(update=update, expected_version=data["version"], by=request.user, **values)

    def theirs(stale):
        labels = rag_labels(round.agreement.council_id)
        return _theirs_rated(kind, stale.current, update.pk, labels)

    edit = edit_form_submit(
        request,
        kind.form_class,
        anchor=anchor,
        initial=lambda: {
            **{name: getattr(update, name) for name in fields},
            "version": update.version,
        },
        save=save,
        theirs=theirs,
        council=round.agreement.council,
    )
    if edit.saved:
        return saved_response(request, round, anchor, row_response)
    context = _rated_context(
        round, kind, update, form=edit.form, conflict=edit.conflict, inline=bool(request.htmx)
    )
    return render(request, partial_template(request, RATED_TEMPLATE, "section-form"), context)


def _theirs_rated(kind: RatedKind, current: dict, pk: int, labels: dict) -> dict:
    who, when = last_saved_by(section=kind.kind, object_id=pk)
    return {
        "who": who,
        "when": when,
        "badge": rag_badge(current.get("rag"), labels),
        "narrative": current.get("narrative") or "",
        "impact": current.get("impact"),
        "likelihood": current.get("likelihood"),
    }
