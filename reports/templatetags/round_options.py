"""The dashboard's round chooser options, built in Python: a council with nine years of returns
has 27, and a template loop's lookups per option were a measurable part of the page."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def round_options(rounds, chosen_id):
    """One <option> per round, latest first, the chosen one selected."""
    return format_html_join(
        "\n",
        '<option value="{}/{}"{}>{}{}</option>',
        (
            (
                r.fy,
                r.update_number,
                mark_safe(" selected") if r.pk == chosen_id else "",
                r.label,
                " (submitted before svmonitor)" if r.is_imported else "",
            )
            for r in rounds
        ),
    )
