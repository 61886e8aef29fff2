"""Monthly KPI entry: a grid of a council's measures by month in one series, each cell edited
in place (htmx), or on its own page when JavaScript is off."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from metrics.kpi_grid import (
    UNIT_HINTS,
    kpi_cell_get,
    kpi_default_start,
    kpi_grid_build,
    kpi_series_options,
    kpi_sources,
    kpi_start_check,
    period_parse,
)
from metrics.models import Measure, Series
from metrics.periods import not_available_read
from metrics.selectors import figures_left_out, measure_span_for
from metrics.services import measure_value_save, month_text
from svmonitor.access import council_for_user, user_can
from svmonitor.errors import StaleEdit
from svmonitor.pending import restored_data
from svmonitor.roles import Action

GRID_TEMPLATE = "metrics/kpi_grid.html"
CELL_TEMPLATE = "metrics/kpi_cell.html"


class KpiCellForm(forms.Form):
    """The address of one cell (measure, month, series), the figure typed into it, and the
    figure the form was rendered with (`base`, as typed; blank for an empty cell): a save over
    a figure someone else saved since is refused rather than silently standing over it."""

    measure = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.CharField(widget=forms.HiddenInput, max_length=7)
    series = forms.SlugField(widget=forms.HiddenInput)
    value = forms.CharField(required=False, max_length=40, strip=True)
    base = forms.CharField(required=False, widget=forms.HiddenInput, max_length=300, strip=False)

    def clean_period(self):
        period = period_parse(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError("The month must be written like 2024-04.")
        return period


def _grid_url(council, series: Series, start_key: str, anchor: str = "") -> str:
    query = urlencode({"series": series.slug, "from": start_key})
    url = f"{reverse('metrics:kpi_grid', args=[council.slug])}?{query}"
    return f"{url}#{anchor}" if anchor else url


def _series(slug: str | None, options: list[Series]) -> Series:
    if slug:
        found = next((s for s in options if s.slug == slug), None)
        if found is None:
            raise Http404("No such series.")
        return found
    if not options:
        raise Http404("This council has no series of figures yet.")
    return options[0]


@login_required
@require_GET
def kpi_grid(request, slug):
    """The council's measures by month in the chosen series (actual, a baseline, ...)."""
    council = council_for_user(request, slug, Action.VIEW)
    options = kpi_series_options(council=council)
    if not options and not request.GET.get("series"):
        # Reached from the council's navigation before any figures exist: say so, not 404.
        return render(request, GRID_TEMPLATE, {"council": council, "grid": None, "errors": []})
    series = _series(request.GET.get("series"), options)
    start = period_parse(request.GET.get("from"))
    span = measure_span_for(council=council)
    errors = []
    if request.GET.get("from") and start is None:
        errors.append("Choose the first month like 2024-04; showing the latest figures instead.")
    elif start is not None and (outside := kpi_start_check(start, span)):
        errors.append(outside)
        start = None
    start = start or kpi_default_start(
        council=council, series=series, today=timezone.localdate(), span=span
    )
    grid = kpi_grid_build(council=council, series=series, start=start, options=options, span=span)
    # Old figures outside the agreement's years are not in the grid: say which.
    grid.left_out = figures_left_out(
        council=council, span=span, series=series, outside=grid.outside_span
    )
    context = {
        "council": council,
        "grid": grid,
        "errors": errors,
        # council_for_user has read the user's actions there already.
        "can_edit": Action.EDIT in request.council_actions,
    }
    return render(request, GRID_TEMPLATE, context)


def _cell_address(request, council, data, action):
    """The measure, series and month a request names, each scoped to the user's councils."""
    form = KpiCellForm(data)
    form.is_valid()
    if any(name in form.errors for name in ("measure", "series", "period")):
        raise Http404("No such cell.")
    measure = (
        Measure.objects.for_user(request.user, action)
        .filter(council=council, pk=form.cleaned_data["measure"])
        .select_related("data_source")
        .first()
    )
    series = (
        Series.objects.for_user(request.user, action)
        .filter(council=council, slug=form.cleaned_data["series"])
        .first()
    )
    if measure is None or series is None:
        raise Http404("No such cell.")
    return form, measure, series, form.cleaned_data["period"]


@login_required
@require_http_methods(["GET", "POST"])
def kpi_cell(request, slug):
    """One cell: GET shows its edit box (or, with show=1, its figure); POST saves it."""
    showing = request.method == "GET" and request.GET.get("show") == "1"
    action = Action.VIEW if showing else Action.EDIT
    council = council_for_user(request, slug, action)
    # A figure typed before the user's session ended comes back in its box, unsaved.
    kept = restored_data(request) if request.method == "GET" else None
    data = request.POST if request.method == "POST" else (kept or request.GET)
    form, measure, series, period = _cell_address(request, council, data, action)
    cell = kpi_cell_get(measure=measure, series=series, period=period)
    start_key = request.GET.get("from") or request.POST.get("from") or ""
    context = {
        "council": council,
        "cell": cell,
        "series": series,
        "start_key": start_key,
        "can_edit": user_can(request.user, council, Action.EDIT),
        "grid_url": _grid_url(council, series, start_key or cell.key, cell.anchor),
        "unit_hint": UNIT_HINTS.get(measure.unit, ""),
        "base": cell.raw,
    }
    if showing:
        if not request.htmx:
            return redirect(context["grid_url"])
        return render(request, f"{GRID_TEMPLATE}#kpi-cell", context)
    if kept is not None:
        context["base"] = form.data.get("base", "")
        context["form"] = form
        context["focus"] = False
        return render(request, CELL_TEMPLATE, context)
    if request.method == "GET":
        context["form"] = KpiCellForm(
            initial={
                "measure": measure.pk,
                "period": cell.key,
                "series": series.slug,
                "value": cell.raw,
            }
        )
        context["focus"] = bool(request.htmx)
        template = f"{GRID_TEMPLATE}#kpi-cell-form" if request.htmx else CELL_TEMPLATE
        return render(request, template, context)
    error, conflict = _save(request, form, measure, series, period)
    if error is None:
        if not request.htmx:
            messages.success(request, f"{measure.name}, {month_text(period)}: saved.")
            return redirect(context["grid_url"])
        context["cell"] = kpi_cell_get(measure=measure, series=series, period=period)
        context["saved"] = True
        context["sources"] = kpi_sources(council=council)
        response = render(request, f"{GRID_TEMPLATE}#kpi-cell-saved", context)
        return trigger_client_event(response, "kpi-changed")
    if conflict is None:
        # The form still stands on the figure it was opened with.
        context["base"] = form.data.get("base", "")
        error = f"{measure.name}, {month_text(period)}: {error}"
    else:
        # Someone else saved first: the form now stands on their figure, so saving again
        # replaces it knowingly; what this user typed stays in the box.
        context["base"] = conflict
    context.update(form=form, error=error, focus=bool(request.htmx))
    template = f"{GRID_TEMPLATE}#kpi-cell-form" if request.htmx else CELL_TEMPLATE
    return render(request, template, context)


def _save(request, form, measure, series, period) -> tuple[str | None, str | None]:
    """Save the typed figure: (None, None) when saved; else the error message (the value does
    not suit the unit, or someone else saved the cell since the form was opened) and, for the
    latter, the figure now stored as the form's new base."""
    if "value" in form.errors:
        return form.errors["value"][0], None
    if "base" in form.errors:
        return "This edit box is out of date. Cancel and open the figure again.", None
    typed = form.cleaned_data["value"] or ""
    # "n/a", "-" or "not available" (a reason may follow a colon) marks the figure not available.
    reason = not_available_read(typed) if typed else None
    try:
        measure_value_save(
            measure=measure,
            period=period,
            series=series,
            value=None if reason is not None else typed or None,
            not_available=reason,
            by=request.user,
            base=form.cleaned_data.get("base") or "",
        )
    except StaleEdit as stale:
        return stale.message, str(stale.current_version)
    except ValidationError as error:
        for name in ("value", "not_available_reason", "period"):
            if hasattr(error, "error_dict") and name in error.error_dict:
                return error.error_dict[name][0].messages[0], None
        return "; ".join(error.messages), None
    return None, None
