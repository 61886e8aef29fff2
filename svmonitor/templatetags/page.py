"""`{% error_title_prefix %}`: "Error: " at the start of a page's <title> when the page shows
errors (GOV.UK: a screen reader hears it first, with or without JavaScript).

Automatic for any form or formset in the template's context that has errors, so a new form view
gets it for free. A page whose errors are not held in a form passes one of ERROR_KEYS
(`page_has_errors=True` for a new one). htmx swaps update the title in static/js/app.js.
"""

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

register = template.Library()

# Context names that hold errors shown in an error summary when they are truthy.
ERROR_KEYS = (
    "page_has_errors",
    "errors",
    "error",
    "lifecycle_errors",
    "signin_error",
    "round_error",
    "conflict",
    "expired",
)


def _has_errors(value) -> bool:
    # type() and not isinstance(): a lazy object (the user, the CSRF token) is left unevaluated.
    kind = type(value)
    if issubclass(kind, BaseForm):
        return value.is_bound and bool(value.errors)
    if issubclass(kind, BaseFormSet):
        return value.is_bound and (bool(value.non_form_errors()) or any(value.errors))
    return False


def page_has_errors(context) -> bool:
    """Whether the page rendered with `context` shows errors."""
    flat = context.flatten()
    if any(flat.get(key) for key in ERROR_KEYS):
        return True
    # The workbook's preview and result: a preview with problems, an import not applied.
    preview, result = flat.get("preview"), flat.get("result")
    if preview is not None and getattr(preview, "ok", True) is False:
        return True
    if result is not None and getattr(result, "applied", True) is False:
        return True
    for value in flat.values():
        if _has_errors(value):
            return True
        if type(value) in (list, tuple) and any(_has_errors(item) for item in value):
            return True
        if type(value) is dict and any(_has_errors(item) for item in value.values()):
            return True
    return False


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    """ "Error: " when the page shows errors, else nothing."""
    return "Error: " if page_has_errors(context) else ""


@register.filter
def allows(council_can, action) -> bool:
    """`{% if council_can|allows:action %}`: whether the user may do `action` (an Action value)
    at the council the view loaded, from the `council_can` map of svmonitor.access."""
    return bool((council_can or {}).get(action))
