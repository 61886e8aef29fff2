"""`{% rag_badge rating %}`: a RAG level as a word on its colour (never colour alone).

A tag rather than an include: the round page shows ninety of these. components/rag_badge.html
calls this tag too, so every badge reads the same.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def rag_badge(rating, dfe=False) -> SafeString:
    """`rating` (a reports.snapshot.Rating, or a row's badge with the same attributes) as its
    label on its colour; with `dfe`, the DfE level it reports as. A council's shorthand
    ("A/R") is followed by the standard name for screen readers. No rating: "No update"."""
    if not rating:
        return mark_safe('<span class="app-rag app-rag--none">No update</span>')
    if dfe:
        css, label = rating.dfe_css, rating.dfe_label
    else:
        css, label = rating.css, rating.label
    hidden = ""
    if len(label) < 4:
        standard = rating.dfe_standard_label if dfe else rating.standard_label
        hidden = f'<span class="govuk-visually-hidden"> ({escape(standard)})</span>'
    return mark_safe(  # noqa: S308 - the texts are escaped
        f'<strong class="app-rag {escape(css)}">{escape(label)}{hidden}</strong>'
    )
