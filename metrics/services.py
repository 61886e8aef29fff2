"""Writes for key-measure figures typed into the app (the Excel import calls these too)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from metrics.models import DataSource, Measure, MeasureValue, Series
from svmonitor.audit import audit_record
from svmonitor.numbers import (  # noqa: F401 - re-exported for the KPI forms
    BAD_GROUPING,
    PERCENT_SIGN_ONLY,
    POUND_SIGN_ONLY,
    number_parse,
)
from svmonitor.numbers import decimal_places as _decimal_places

# The value column holds 18 digits, 4 after the point.
_MAX_ABS = Decimal("1e14")
_PLACES = {
    Measure.Unit.GBP: (2, "Enter pounds to the penny (at most 2 decimal places)."),
    Measure.Unit.GBP_M: (4, "Enter £m to at most 4 decimal places (£100)."),
}


def _as_decimal(value, unit: str) -> Decimal:
    money = unit in (Measure.Unit.GBP, Measure.Unit.GBP_M)
    return number_parse(value, percent=unit == Measure.Unit.PERCENT, pounds=money)


def measure_value_validate(*, unit: str, value) -> Decimal:
    """The value as a Decimal if it suits the measure's unit; else a ValidationError on "value"."""
    number = _as_decimal(value, unit)
    places, places_message = _PLACES.get(unit, (4, "Enter at most 4 decimal places."))
    if abs(number) >= _MAX_ABS:
        message = "This number is too large to store."
    elif unit == Measure.Unit.PERCENT and not 0 <= number <= 100:
        message = "A percentage must be between 0 and 100."
    elif unit == Measure.Unit.COUNT and (number < 0 or number != number.to_integral_value()):
        message = "A count must be a whole number, 0 or more."
    elif unit == Measure.Unit.WEEKS and number < 0:
        message = "A number of weeks cannot be negative."
    elif _decimal_places(number) > places:
        message = places_message
    else:
        return number
    raise ValidationError({"value": message})


@transaction.atomic
def measure_value_save(
    *, measure: Measure, period: dt.date, series: Series, value, by
) -> MeasureValue | None:
    """Set (or, with value None, clear) one figure and mark the measure's source refreshed."""
    # Figures are monthly data that outlive any one round, so no round lock applies; what a
    # signed-off return showed is kept in its frozen snapshot.
    # 1. Validate the cell's address and the value for the measure's unit.
    errors = {}
    if not isinstance(period, dt.date) or isinstance(period, dt.datetime) or period.day != 1:
        errors["period"] = "The period must be the first day of a month."
    if series.council_id != measure.council_id:
        errors["series"] = "Choose a series of this measure's council."
    if errors:
        raise ValidationError(errors)
    number = (
        None
        if value is None or value == ""
        else measure_value_validate(unit=measure.unit, value=value)
    )
    # 2. Lock the cell if it exists; the unique constraint guards two first writes.
    cell = (
        MeasureValue.objects.select_for_update()
        .filter(measure=measure, period=period, series=series)
        .first()
    )
    before = {"value": cell.value} if cell else None
    # 3. Write, clear or create the cell.
    if number is None:
        if cell is not None:
            cell.delete()
        result = None
    elif cell is None:
        result = MeasureValue.objects.create(
            measure=measure, period=period, series=series, value=number
        )
    else:
        cell.value = number
        cell.save(update_fields=["value"])
        result = cell
    # 4. The source's figures are now as fresh as today.
    DataSource.objects.filter(pk=measure.data_source_id).update(last_refreshed=timezone.localdate())
    audit_record(
        action="measure_value.save",
        user=by,
        council=measure.council,
        obj=result or measure,
        before={"period": period, "series": series.slug, **before} if before else None,
        after={"period": period, "series": series.slug, "value": number},
    )
    return result
