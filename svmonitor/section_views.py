"""Helpers every section view of a return shares, whichever app owns the section: the round
named in a URL, URLs of a round and its sections, focus for a swapped-in form, and the responses
after a save, a conflict or a lock. Apps register their sections' URL names here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_htmx.http import trigger_client_event

from svmonitor.access import council_for_user
from svmonitor.errors import StaleEdit, round_locked_message
from svmonitor.fy import fy_label, fy_parse
from svmonitor.pending import restored_data
from svmonitor.roles import Action
from svmonitor.sections import SAFETY_VALVE
from svmonitor.selectors import round_for_user

# Only the programme lead (the submit action) can reopen: everyone else is told who can. The
# lead reads the services' own words, as the workbook and the admin show them.
LOCKED_NOTE_ASK = (
    "This return is {state} and can no longer be edited. "
    "Ask the programme lead to reopen it if it needs to change."
)


# kind -> (edit URL name, show URL name), namespaced; filled by section_urls_register.
_URL_NAMES: dict[str, tuple[str, str]] = {}


def section_urls_register(kind: str, *, edit: str, show: str) -> None:
    """Say which named URLs edit and show one kind of section ("risk", "milestone"...)."""
    _URL_NAMES[kind] = (edit, show)


def _args(round) -> list:
    return [round.agreement.council.slug, round.fy, round.update_number]


# The round-level pages every kind of return has (reports views, named per kind:
# svmonitor.return_kinds.ReturnKind.url_name).
ROUND_PAGES = {
    "round": "round_detail",
    "tasks": "task_list",
    "confirm_unchanged": "tasks_confirm_unchanged",
    "status": "round_status",
    "changes": "round_changes",
    "ready": "round_ready",
    "sign_off": "round_sign_off",
    "submit": "round_submit",
    "reopen": "round_reopen",
}


def round_urls(round) -> dict[str, str]:
    """Every round-level URL a page of the return links to."""
    args = _args(round)
    kind = round.kind
    names = {key: kind.url_name(page) for key, page in ROUND_PAGES.items()}
    if round.is_safety_valve:
        names["overview_edit"] = "overview:overview_edit"
        names["overview_show"] = "overview:overview_show"
    urls = {key: reverse(name, args=args) for key, name in names.items()}
    urls["list"] = reverse("reports:round_list", args=[args[0]])
    urls["kpis"] = reverse("metrics:kpi_grid", args=[args[0]])
    return urls


# A stand-in for a section's key: a round page links to hundreds of sections, and reverse()
# walks the URLconf each time, so each URL name is reversed once per round with this in place
# of the key and the key is put in after (`_reverse_keyed`).
_KEY = "918273645"


@functools.lru_cache(maxsize=512)
def _keyed_url(urlconf: str, name: str, args: tuple) -> str | None:
    url = reverse(name, args=[*args, int(_KEY)])
    # Used only where the stand-in shows exactly once (a slug holding it falls back).
    return url if url.count(_KEY) == 1 else None


def _reverse_keyed(name: str, args: list, key) -> str:
    """reverse(name, args=[*args, key]) for an int or slug-like key, at a fraction of the cost."""
    if isinstance(key, int) or (isinstance(key, str) and key.replace("_", "").isalnum()):
        keyed = _keyed_url(str(settings.ROOT_URLCONF), name, tuple(args))
        if keyed is not None:
            return keyed.replace(_KEY, str(key))
    return reverse(name, args=[*args, key])


def task_url(round, key: str) -> str:
    """The page of one task on the return's task list (its summary of answers)."""
    return _reverse_keyed(round.kind.url_name("task_detail"), _args(round), key)


def round_page_url(round) -> str:
    """The round's own page (its kind's: a Safety Valve return's or a DSG plan update's)."""
    return reverse(round.kind.url_name("round_detail"), args=_args(round))


def tasks_url(round) -> str:
    """The round's task list."""
    return reverse(round.kind.url_name("task_list"), args=_args(round))


def with_next(url: str, next_url: str) -> str:
    """A section's edit URL that comes back to `next_url` (a task's page) on save or cancel."""
    return f"{url}?{urlencode({'next': next_url})}"


def next_url(request) -> str:
    """Where a section's edit page was asked to return to (a task's page), if it is a path on
    this site; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def history_url(round, section: str, pk: int) -> str:
    """The history page of one section."""
    return _reverse_keyed(round.kind.url_name("section_history"), [*_args(round), section], pk)


def section_urls(round, kind: str, key, history_pk: int | None = None) -> dict[str, str]:
    """Edit, show and history URLs of one section (`key` is a pk, or a headline kind)."""
    edit, show = _URL_NAMES[kind]
    args = _args(round)
    urls = {"edit": _reverse_keyed(edit, args, key), "show": _reverse_keyed(show, args, key)}
    if kind == "headlines":
        if history_pk is not None:
            urls["history"] = history_url(round, key, history_pk)
    else:
        urls["history"] = history_url(round, kind, key)
    return urls


def focus_first(form) -> None:
    """Focus the first field of a swapped-in form (htmx honours `autofocus`) unless it has
    errors, when the error summary takes focus instead."""
    if form.errors:
        return
    for bound in form.visible_fields():
        bound.field.widget.attrs["autofocus"] = True
        return


def service_errors_to_form(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors beside their fields."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def round_for_request(
    request, slug: str, fy: str, n: int, action: str = Action.VIEW, kind: str = SAFETY_VALVE
):
    """The round of that kind named in the URL, if the user may do `action` at its council;
    else 404/403."""
    council_for_user(request, slug, action)
    try:
        year = fy_parse(fy)
    except ValueError:
        raise Http404("No such financial year.") from None
    if fy != fy_label(year):
        # One address per round: "2024-25", not "2024/25" or "2024-2025".
        raise Http404("No such financial year.")
    if n not in (1, 2, 3):
        raise Http404("No such update.")
    found = round_for_user(
        user=request.user,
        council=request.council,
        financial_year=year,
        update_number=n,
        action=action,
        actions=request.council_actions,
        return_kind=kind,
    )
    if found is None:
        raise Http404("No such return.")
    return found


def partial_template(request, template: str, name: str) -> str:
    """The template, or its named fragment for an htmx swap."""
    # A boosted navigation wants the whole page; a section swap wants only the fragment.
    if request.htmx and not request.htmx.boosted:
        return f"{template}#{name}"
    return template


def locked_response(request, round, anchor: str, row_response):
    """A section of a return past draft: its row with a note, or back to the page."""
    may_reopen = Action.SUBMIT in getattr(request, "council_actions", ())
    if may_reopen or round.is_imported:
        note = round_locked_message(round)
    else:
        state = round.get_status_display().lower().replace("dfe", "DfE")
        note = LOCKED_NOTE_ASK.format(state=state)
    if request.htmx:
        return row_response(note=note)
    messages.error(request, note)
    return redirect(next_url(request) or f"{round_urls(round)['round']}#{anchor}")


def conflict_form(form_class, data, anchor, stale, version_field="version", **form_kwargs):
    """The user's own input, re-bound to the version now stored, so saving again reconciles."""
    rebound = data.copy()
    rebound[version_field] = str(stale.current_version)
    form = form_class(rebound, auto_id=f"{anchor}-%s", **form_kwargs)
    form.is_valid()
    return form, {"message": stale.message, "current": stale.current}


class Edit(NamedTuple):
    """A section's edit form after the request: its conflict if the save was stale."""

    form: object
    conflict: dict | None
    saved: bool


def edit_form_submit(
    request,
    form_class,
    *,
    anchor: str,
    initial: Callable[[], dict],
    save: Callable[[dict], object],
    theirs: Callable[[StaleEdit], dict],
    version_field: str = "version",
    **form_kwargs,
) -> Edit:
    """The edit form of a section: on GET bound to `initial()` (or to the fields kept when the
    user's session ended: svmonitor.pending); on a valid POST, `save(data)`.

    A stale save re-binds the user's input over the stored version, with their saved version
    described by `theirs(stale)`; a service's ValidationError goes beside the form's fields.
    """
    auto_id = f"{anchor}-%s"
    conflict = None
    kept = restored_data(request) if request.method == "GET" else None
    if kept is not None:
        # What the user typed before their session ended, shown again to check and save.
        form = form_class(kept, auto_id=auto_id, **form_kwargs)
        form.is_valid()
    elif request.method == "GET":
        form = form_class(initial=initial(), auto_id=auto_id, **form_kwargs)
    else:
        form = form_class(request.POST, auto_id=auto_id, **form_kwargs)
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except StaleEdit as stale:
                form, conflict = conflict_form(
                    form_class, request.POST, anchor, stale, version_field, **form_kwargs
                )
                conflict.update(theirs(stale))
            except ValidationError as error:
                service_errors_to_form(form, error)
            else:
                return Edit(form, None, saved=True)
    if request.htmx and not conflict:
        focus_first(form)
    return Edit(form, conflict, saved=False)


def row_renderer(request, template: str, context: Callable[..., dict]):
    """The `row_response(**extra)` the responses below take: the section's row fragment,
    rendered with `context(**extra)` (saved, refocus or a lock note)."""

    def row_response(**extra):
        return render(request, template, context(**extra))

    return row_response


def shown_response(request, round, anchor: str, row_response):
    """Where Cancel goes: the section's row for htmx (focus back on its Edit link), else the
    section on the round page."""
    if not request.htmx:
        return redirect(next_url(request) or f"{round_urls(round)['round']}#{anchor}")
    return row_response(refocus=True)


def saved_response(request, round, anchor: str, row_response):
    """After a save: the row and a refresh event for htmx, else back to the section."""
    if not request.htmx:
        messages.success(request, "Your changes were saved.")
        # From a task's page, back to it; else to the section on the round page.
        return redirect(next_url(request) or f"{round_urls(round)['round']}#{anchor}")
    response = row_response(saved=True)
    # The completeness panel listens for this and reloads itself.
    return trigger_client_event(response, "round-changed")
