"""KPI entry by month: a month's actual figure for every measure on one page, beside its
forecasts and the same month last year. A column pasted from Excel fills the boxes in the order
shown (static/js/kpi-month.js); without JavaScript each box is a plain input. Every box is
checked and every error listed in one summary; nothing is saved unless every box is valid."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from metrics.kpi_grid import month_add, month_key, period_parse
from metrics.month_entry import (
    MonthFigure,
    MonthRefused,
    measure_values_save_month,
    month_page_build,
)
from metrics.selectors import measure_span_for
from metrics.services import month_text
from svmonitor.access import council_action_required, council_for_user, user_can
from svmonitor.models import ReportingRound
from svmonitor.roles import Action

TEMPLATE = "metrics/kpi_month.html"


def month_url(council, period) -> str:
    """The month page of a council for a month (a date)."""
    return reverse("metrics:kpi_month", args=[council.slug, month_key(period)])


@council_action_required(Action.VIEW)
@require_GET
def kpi_month_latest(request, slug):
    """The month the council's latest return has figures to (else last month)."""
    council = request.council
    latest = (
        ReportingRound.objects.safety_valve()
        .filter(agreement__council=council, data_as_at__isnull=False)
        .order_by("-financial_year", "-update_number")
        .values_list("data_as_at", flat=True)
        .first()
    )
    period = latest or month_add(timezone.localdate().replace(day=1), -1)
    return redirect(month_url(council, period))


@council_action_required(Action.VIEW)
@require_http_methods(["GET", "POST"])
def kpi_month(request, slug, month):
    """One month's figures for every measure; a POST saves them all or none."""
    council = request.council
    period = period_parse(month)
    if period is None:
        raise Http404("No such month.")
    span = measure_span_for(council=council)
    outside = span is None or not span[0] <= period <= span[1]
    context = {
        "council": council,
        "month_text": month_text(period),
        "outside": outside,
        "span": span,
        "can_edit": user_can(request.user, council, Action.EDIT) and not outside,
        "errors": [],
    }
    if request.method == "POST":
        # The same right as a figure typed in the grid; refused and recorded like any other.
        council_for_user(request, slug, Action.EDIT)
        if outside:
            raise Http404("No figures may be kept for this month.")
        return _save(request, council, period, context)
    context["page"] = month_page_build(council=council, user=request.user, period=period)
    return render(request, TEMPLATE, context)


def _save(request, council, period, context):
    page = month_page_build(council=council, user=request.user, period=period)
    if page.actual is None:
        raise Http404("This council has no actual series.")
    posted = {
        row.measure.pk: (
            request.POST.get(row.name, "")[:300],
            request.POST.get(row.base_name, "")[:300],
        )
        for row in page.rows
    }
    figures = [MonthFigure(row.measure, *posted[row.measure.pk]) for row in page.rows]
    try:
        changed = measure_values_save_month(
            council=council, period=period, series=page.actual, figures=figures, by=request.user
        )
    except MonthRefused as refused:
        # Stale boxes now stand on the figure stored, so saving again replaces it knowingly.
        for pk, current in refused.current.items():
            posted[pk] = (posted[pk][0], current)
        page = month_page_build(council=council, user=request.user, period=period, posted=posted)
        for row in page.rows:
            row.error = refused.problems.get(row.measure.pk, "")
        context["errors"] = [(row.input_id, row.error) for row in page.rows if row.error]
        context["page"] = page
        return render(request, TEMPLATE, context)
    except ValidationError as error:
        page = month_page_build(council=council, user=request.user, period=period, posted=posted)
        context["errors"] = [("", message) for message in error.messages]
        context["page"] = page
        return render(request, TEMPLATE, context)
    noun = "figure" if changed == 1 else "figures"
    messages.success(request, f"{month_text(period)}: {changed} {noun} saved.")
    return redirect(month_url(council, period))
