"""`{% measure_block mb %}`: a key measure's block, built in Python (reports/measure_html.py)."""

from django import template

from reports.measure_html import measure_block_html

register = template.Library()


@register.simple_tag(takes_context=True)
def measure_block(context, mb):
    """The block of `mb` at the page's round: `council`, `snap` and (on the dashboard, whose
    charts are windowed) `window_from` come from the page's context."""
    snap = context["snap"]
    return measure_block_html(
        mb,
        council_slug=context["council"].slug,
        round_key=snap.round.key,
        as_at_label=snap.round.as_at_label,
        window_from=context.get("window_from"),
    )
