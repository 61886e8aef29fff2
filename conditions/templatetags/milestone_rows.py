"""`{% milestone_rows milestones %}`: a workstream's milestones as the rows of its table.

Built in Python: the round page holds seventy of these, and as an include of a template partial
each (two `date` filters, a dozen lookups) they were a tenth of its rendering time. The output is
conditions/milestone_edit.html's `milestone-row` partial, byte for byte, which calls the same
code for the single row an htmx save returns. Every text from data is escaped.
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from conditions.models import Milestone

register = template.Library()


@functools.lru_cache(maxsize=1024)
def _day(day: dt.date, language: str) -> str:
    """The `date:"j M Y"` filter's text (kept per date and language)."""
    return date_filter(day, "j M Y")


def _get(obj, name: str, default=""):
    """A template's lookup of `obj.name`: a key, else an attribute; `default` when absent."""
    if obj is None:
        return default
    try:
        return obj[name]
    except (TypeError, KeyError, AttributeError, IndexError):
        return getattr(obj, name, default)


# A status's words, escaped, as Milestone.get_status_display gives them (a stored value
# outside the choices shows as itself).
_STATUS_TEXT = {value: escape(str(label)) for value, label in Milestone.Status.choices}


def milestone_row_html(
    milestone, *, can_edit: bool, saved=False, note="", refocus=False, language: str = ""
) -> str:
    """One milestone's row: title, due date, status as a tag, completion date, and its Edit
    (for an editor of an open return) and History links (`language`: get_language(), when
    the caller building many rows has asked it)."""
    pk = milestone.pk
    title = escape(milestone.title)
    urls = _get(milestone, "urls", None)
    language = language or get_language()
    status = (' <span class="govuk-body-s" role="status">(saved)</span>' if saved else "") + (
        f' <span class="govuk-body-s" role="status">{conditional_escape(note)}</span>'
        if note
        else ""
    )
    due = _day(milestone.due_date, language) if milestone.due_date else ""
    completed = (
        _day(milestone.completed_on, language)
        if milestone.completed_on
        else '<span class="govuk-visually-hidden">Not completed</span>'
    )
    edit = ""
    if can_edit:
        edit_url = escape(str(_get(urls, "edit")))
        edit = (
            f'<a class="govuk-link" href="{edit_url}" hx-get="{edit_url}" '
            f'hx-target="#milestone-{pk}" hx-swap="outerHTML"'
            f"{' autofocus' if saved or refocus else ''}>Edit<span "
            f'class="govuk-visually-hidden"> milestone {title}</span></a><br>'
        )
    history = escape(str(_get(urls, "history")))
    return (
        f'\n<tr class="govuk-table__row" id="milestone-{pk}">\n'
        f'  <th scope="row" class="govuk-table__header">{title}{status}</th>\n'
        f'  <td class="govuk-table__cell">{due}</td>\n'
        f'  <td class="govuk-table__cell"><strong class="govuk-tag '
        f'{escape(str(_get(milestone, "status_tag")))}">'
        f"{_STATUS_TEXT.get(milestone.status) or escape(str(milestone.status))}</strong></td>\n"
        f'  <td class="govuk-table__cell">{completed}</td>\n'
        '  <td class="govuk-table__cell">\n'
        f"    {edit}\n"
        f'    <a class="govuk-link" href="{history}">History<span class="govuk-visually-hidden">'
        f" of milestone {title}</span></a>\n"
        "  </td>\n</tr>\n"
    )


def _can_edit(context) -> bool:
    return bool(_get(context.get("council_can"), "edit", False)) and not _get(
        context.get("round"), "is_locked", False
    )


@register.simple_tag(takes_context=True)
def milestone_row(context, milestone) -> SafeString:
    """One milestone's row, saying it was saved (`saved`) or why (`note`) when asked."""
    return mark_safe(  # noqa: S308 - every text from data is escaped
        milestone_row_html(
            milestone,
            can_edit=_can_edit(context),
            saved=bool(context.get("saved")),
            note=context.get("note") or "",
            refocus=bool(context.get("refocus")),
        )
    )


@register.simple_tag(takes_context=True)
def milestone_rows(context, milestones) -> SafeString:
    """Every milestone's row, as `milestone_row` builds each."""
    can_edit = _can_edit(context)
    saved = bool(context.get("saved"))
    note = context.get("note") or ""
    refocus = bool(context.get("refocus"))
    language = get_language()
    return mark_safe(  # noqa: S308 - every text from data is escaped
        "".join(
            [
                milestone_row_html(
                    m,
                    can_edit=can_edit,
                    saved=saved,
                    note=note,
                    refocus=refocus,
                    language=language,
                )
                for m in milestones
            ]
        )
    )
