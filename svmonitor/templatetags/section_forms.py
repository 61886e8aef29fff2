"""Template helpers for section forms: a radio's hint, and where a task's edit page returns to."""

from django import template

from svmonitor.section_views import next_url

register = template.Library()


@register.filter
def option_hint(field, value) -> str:
    """The hint of one radio option of a bound field (rag_radios_apply), or ""."""
    return getattr(field.field, "hints", {}).get(str(value), "")


@register.filter
def thousands(number) -> str:
    """10000 as "10,000" (the character count's limit, as GOV.UK writes numbers)."""
    try:
        return f"{int(number):,}"
    except (TypeError, ValueError):
        return str(number)


@register.simple_tag(takes_context=True)
def return_to(context) -> str:
    """The task page an edit page was opened from (a checked path on this site), or ""."""
    request = context.get("request")
    return next_url(request) if request is not None else ""
