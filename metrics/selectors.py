"""Reads of key-measure figures shared by the pages and exports above metrics."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, Q

from metrics.models import Measure, MeasureValue
from metrics.services import measure_period_span, month_text
from svmonitor.models import Agreement, LocalAuthority

# --- figures outside the agreement's years (old data, stored before the services refused it) ---

LEFT_OUT_SHOWN = 5


def left_out_text(count: int, shown) -> str:
    """ "2 figures outside the agreement's years were left out: ehcps, January 0001 (actual); ..."
    ("" when none were)."""
    if not count:
        return ""
    listed = "; ".join(shown)
    more = count - len(shown)
    if more > 0:
        listed += f"; and {more:,} more"
    noun = "figure" if count == 1 else "figures"
    verb = "was" if count == 1 else "were"
    return f"{count:,} {noun} outside the agreement's years {verb} left out: {listed}."


def left_out_label(code: str, period: dt.date, series: str) -> str:
    """One figure left out, as the note lists it: "ehcps, January 0001 (actual)"."""
    return f"{code}, {month_text(period)} ({series})"


def measure_span_for(*, council) -> tuple[dt.date, dt.date] | None:
    """The months the council's figures may be for (metrics.services.measure_period_span)."""
    return measure_period_span(
        Agreement.objects.filter(council=council).only(
            "first_financial_year", "last_financial_year"
        )
    )


def figures_left_out(*, council, span, series=None, outside: bool | None = None) -> str:
    """The note for the council's figures (of one series, if given) outside `span` (three
    queries when there are some, one when there are none). `outside`: whether there are any,
    when the caller has asked already (the KPI grid, with its measures): none is then no
    query, some two."""
    if span is not None and outside is False:
        return ""
    # By the council's measure ids (a subquery), so the (measure, series, period) index is used
    # instead of a scan of every figure of the series.
    figures = MeasureValue.objects.filter(
        measure__in=Measure.objects.filter(council=council).values("pk")
    )
    if series is not None:
        figures = figures.filter(series=series)
    if span is None:
        if not figures.values_list("pk")[:1]:
            return ""
    else:
        # Usually there are none. Asked first as two EXISTS probes in one query, one each side
        # of the span and without the joins the names need: each reads at most one entry of the
        # (measure, series, period) index per measure, where one probe of "before OR after"
        # walked every figure of the series (about 1 ms of the KPI grid at national scale).
        if outside is None:
            probes = LocalAuthority.objects.filter(pk=council.pk).values_list(
                Exists(figures.filter(period__lt=span[0])),
                Exists(figures.filter(period__gt=span[1])),
            )
            if not any(probes.get()):
                return ""
        figures = figures.filter(Q(period__lt=span[0]) | Q(period__gt=span[1]))
    shown = list(
        figures.order_by("period", "measure__code", "series__slug").values_list(
            "measure__code", "period", "series__slug"
        )[:LEFT_OUT_SHOWN]
    )
    if not shown:
        return ""
    count = len(shown) if len(shown) < LEFT_OUT_SHOWN else figures.count()
    return left_out_text(count, [left_out_label(*row) for row in shown])
