"""`{% section_row row %}`: one rated section of a return (a condition, risk or workstream) as
the round page shows it, read-only, with its Edit and History links.

Built in Python: the round page holds about forty-five of these, and as an include of a
template partial each (a few dozen lookups, a date filter, two badges) they were a third of its
rendering time. The output is components/rated_section_edit.html's `section-row` partial as it
was written in the template, byte for byte; that partial calls this tag, so the row an htmx save
returns is the same code. Every text from data is escaped.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from conditions.templatetags.milestone_rows import _get, milestone_rows
from svmonitor.templatetags.rag import rag_badge

register = template.Library()

MILESTONES_HEAD = (
    '<caption class="govuk-table__caption govuk-table__caption--s">Milestones</caption>\n'
    '      <thead class="govuk-table__head">\n'
    '        <tr class="govuk-table__row">\n'
    '          <th scope="col" class="govuk-table__header">Milestone</th>\n'
    '          <th scope="col" class="govuk-table__header">Due</th>\n'
    '          <th scope="col" class="govuk-table__header">Status</th>\n'
    '          <th scope="col" class="govuk-table__header">Completed</th>\n'
    '          <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">'
    "Actions</span></th>\n"
    "        </tr>\n"
    "      </thead>\n"
)


TIMES = "\u00d7"  # the multiplication sign the template printed
SAVED = '<p class="govuk-body-s" role="status">Saved.</p>'


def _note(note) -> str:
    return f'<div class="govuk-inset-text" role="status">{_text(note)}</div>'


def _text(value) -> str:
    """`{{ value }}` in a template: localised, then escaped unless already safe."""
    if type(value) is int and -1000 < value < 1000:
        return str(value)  # a risk's impact, likelihood or score: no separator to place
    return conditional_escape(localize(value))


def _narrative(text, empty: str) -> str:
    if text:
        return linebreaksbr(text, autoescape=True)
    return f'<span class="app-muted">{empty}</span>'


def _score(update, not_scored: str) -> str:
    if update.score is not None:
        return (
            f"Impact {_text(update.impact)} {TIMES} likelihood {_text(update.likelihood)} = score "
            f"{_text(update.score)}"
        )
    return not_scored


def section_row_html(context, row) -> str:
    """The row, as the `section-row` partial wrote it (see the module's docstring)."""
    anchor = _text(row.anchor)
    title = _text(row.title)
    urls = _get(row, "urls", None)
    council = context.get("council")
    round = context.get("round")
    saved = context.get("saved")
    note = context.get("note")
    update = row.update
    scored = row.kind == "risk" and _get(council, "risks_scored", False)
    out = [
        f'\n<section id="{anchor}" class="govuk-summary-card" aria-labelledby="{anchor}-title">\n'
        '  <div class="govuk-summary-card__title-wrapper">\n'
        f'    <h3 class="govuk-summary-card__title" id="{anchor}-title">{title}</h3>\n'
        '    <ul class="govuk-summary-card__actions">\n'
        "      "
    ]
    if _get(context.get("council_can"), "edit", False) and not _get(round, "is_locked", False):
        edit = _text(_get(urls, "edit"))
        focus = " autofocus" if saved or context.get("refocus") else ""
        out.append(
            f'\n      <li class="govuk-summary-card__action"><a class="govuk-link" href="{edit}" '
            f'hx-get="{edit}" hx-target="#{anchor}" hx-swap="outerHTML"{focus}>Edit<span '
            f'class="govuk-visually-hidden"> {title}</span></a></li>\n      '
        )
    history = _text(_get(urls, "history"))
    out.append(
        "\n"
        f'      <li class="govuk-summary-card__action"><a class="govuk-link" href="{history}" '
        f'hx-get="{history}" hx-target="#{anchor}-history" hx-swap="innerHTML">History<span '
        f'class="govuk-visually-hidden"> of {title}</span></a></li>\n'
        "    </ul>\n"
        "  </div>\n"
        '  <div class="govuk-summary-card__content">\n'
        f"    {SAVED if saved else ''}\n"
        f"    {_note(note) if note else ''}\n"
        "    "
    )
    if row.kind == "condition":
        condition = update.condition
        out.append(
            '\n    <details class="govuk-details">\n'
            '      <summary class="govuk-details__summary">'
            '<span class="govuk-details__summary-text">'
            f"Wording of condition {_text(condition.label)}</span></summary>\n"
            '      <div class="govuk-details__text">'
            f"{linebreaksbr(condition.wording, autoescape=True)}</div>\n"
            "    </details>\n    "
        )
    elif row.kind == "risk":
        risk = update.risk
        owner = (
            f'<p class="govuk-body-s app-muted">Owner: {_text(risk.owner_role)}</p>'
            if risk.owner_role
            else ""
        )
        out.append(f'\n    <p class="govuk-body">{_text(risk.title)}</p>\n    {owner}\n    ')
    previous_label = f" ({_text(row.previous_label)})" if row.previous_label else ""
    out.append(
        "\n"
        '    <div class="govuk-grid-row">\n'
        '      <div class="govuk-grid-column-one-half">\n'
        f'        <h4 class="govuk-heading-s">Previous update{previous_label}</h4>\n'
        "        "
    )
    previous = row.previous
    if previous:
        score = f'<p class="govuk-body-s">{_score(previous, "Not scored.")}</p>' if scored else ""
        out.append(
            f'\n        <p class="govuk-body">{rag_badge(row.previous_badge)}</p>\n'
            f"        {score}\n"
            f'        <p class="govuk-body">{_narrative(previous.narrative, "No progress update.")}'
            "</p>\n        "
        )
    else:
        out.append(
            '\n        <p class="govuk-body app-muted">Not reported in the previous update.</p>'
            "\n        "
        )
    score = f'<p class="govuk-body-s">{_score(update, "Not scored yet.")}</p>' if scored else ""
    out.append(
        "\n"
        "      </div>\n"
        '      <div class="govuk-grid-column-one-half">\n'
        '        <h4 class="govuk-heading-s">This update</h4>\n'
        f'        <p class="govuk-body">{rag_badge(row.badge)}</p>\n'
        f"        {score}\n"
        f'        <p class="govuk-body">{_narrative(update.narrative, "No progress update yet.")}'
        "</p>\n"
        "        "
    )
    if row.as_submitted:
        out.append(
            '\n        <p class="govuk-body-s app-muted">As submitted to DfE before svmonitor, '
            "from the council's records.</p>\n        "
        )
    elif row.carried_forward:
        out.append(
            '\n        <p class="govuk-body-s app-muted">Carried forward; not revised in this '
            "update yet.</p>\n        "
        )
    elif update.updated_by:
        saved_at = date_filter(template_localtime(update.updated_at), "j F Y H:i")
        out.append(
            '\n        <p class="govuk-body-s app-muted">Last saved by '
            f"{_text(update.updated_by.get_username())}, {conditional_escape(saved_at)}.</p>"
            "\n        "
        )
    out.append("\n      </div>\n    </div>\n    ")
    if row.kind == "workstream":
        out.append("\n    ")
        if row.milestones:
            out.append(
                '\n    <div class="app-table-scroll" role="region" aria-label="Milestones of '
                f'{title}" tabindex="0">\n'
                '    <table class="govuk-table">\n'
                f"      {MILESTONES_HEAD}"
                '      <tbody class="govuk-table__body">\n'
                f"        {milestone_rows(context, row.milestones)}\n"
                "      </tbody>\n"
                "    </table>\n"
                "    </div>\n    "
            )
        else:
            out.append('\n    <p class="govuk-body-s app-muted">No milestones.</p>\n    ')
        out.append("\n    ")
    out.append(f'\n    <div id="{anchor}-history"></div>\n  </div>\n</section>\n')
    return "".join(out)


@register.simple_tag(takes_context=True)
def section_row(context, row) -> SafeString:
    """One rated section's read-only row (see the module's docstring)."""
    return mark_safe(section_row_html(context, row))  # noqa: S308 - every text is escaped
