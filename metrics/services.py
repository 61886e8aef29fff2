"""Writes for figures typed into the app: key-measure values and High Needs Block finance lines
(the Excel import lives in metrics/excel)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from metrics.models import DataSource, FinanceLine, Measure, MeasureValue, Series
from svmonitor.audit import audit_record, json_safe
from svmonitor.errors import StaleEdit
from svmonitor.fy import fy_label
from svmonitor.models import Agreement

# The value column holds 18 digits, 4 after the point.
_MAX_ABS = Decimal("1e14")
_PLACES = {
    Measure.Unit.GBP: (2, "Enter pounds to the penny (at most 2 decimal places)."),
    Measure.Unit.GBP_M: (4, "Enter £m to at most 4 decimal places (£100)."),
}


# Thousands separators only where they belong: "12,345.6" yes, "1,2" or "12,34" no.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
PERCENT_SIGN_ONLY = "Only a percentage takes a % sign: enter the number on its own."
POUND_SIGN_ONLY = "Only a sum of money takes a £ sign: enter the number on its own."
BAD_GROUPING = "Use commas only between thousands, like 12,345.6."


def number_parse(value, *, field: str = "value", percent: bool = False, pounds: bool = False):
    """A typed figure as a Decimal; raise a ValidationError on `field` saying what is wrong.

    People type figures as they read them, so these are accepted the same way everywhere a
    figure is typed: surrounding spaces, thousands commas ("12,345"), a trailing % for a
    percentage ("14.5%" is 14.5) and a leading £ for money ("£1,200.50").
    """
    if isinstance(value, bool):
        raise ValidationError({field: "Enter a number."})
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip()
        shown = text[:40]
        if text.endswith("%"):
            if not percent:
                raise ValidationError({field: PERCENT_SIGN_ONLY})
            text = text[:-1].strip()
        sign = ""
        if text[:1] in "+-" and text[1:2] == "£":
            sign, text = text[0], text[1:]
        if text.startswith("£"):
            if not pounds:
                raise ValidationError({field: POUND_SIGN_ONLY})
            text = sign + text[1:].strip()
        elif sign:
            text = sign + text
        if "," in text:
            if not _GROUPED.match(text):
                raise ValidationError({field: BAD_GROUPING})
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValidationError({field: f"Enter a number, not {shown!r}."}) from None
    if not number.is_finite():
        raise ValidationError({field: "Enter a number."})
    return number


def _as_decimal(value, unit: str) -> Decimal:
    money = unit in (Measure.Unit.GBP, Measure.Unit.GBP_M)
    return number_parse(value, percent=unit == Measure.Unit.PERCENT, pounds=money)


def _decimal_places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


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


# --- High Needs Block finance lines ------------------------------------------------------------

FINANCE_MONEY_FIELDS = (
    "in_year_position",
    "cumulative_deficit",
    "hnb_income",
    "dfe_payments",
    "council_contribution",
    "schools_block_transfer",
)
FINANCE_FIELDS = (*FINANCE_MONEY_FIELDS, "reflects")
# Amounts received or paid in: a negative one is a typing slip. In-year positions (a deficit is
# negative), cumulative balances and block transfers may go either way.
FINANCE_NOT_NEGATIVE = frozenset({"hnb_income", "dfe_payments", "council_contribution"})
# The column holds 16 digits with 2 after the point.
_MONEY_LIMIT = Decimal("1e14")
REFLECTS_MAX = FinanceLine._meta.get_field("reflects").max_length
# Forecasts run past the agreement's last year; this far and no further.
FINANCE_YEARS_AFTER = 10
FINANCE_LINE_EXISTS = "{year} already has {scenario} figures: change those instead."


def _finance_values(fields: dict) -> dict:
    """Each field as it is stored; raise one field-keyed ValidationError for every bad one."""
    unknown = set(fields) - set(FINANCE_FIELDS)
    if unknown:
        # Version, agreement, year and scenario are never set through these services.
        raise TypeError(f"finance line services got fields they do not save: {sorted(unknown)}")
    values, errors = {}, {}
    for name, raw in fields.items():
        if name == "reflects":
            text = (raw or "").strip()
            if len(text) > REFLECTS_MAX:
                errors[name] = f"Keep this to {REFLECTS_MAX} characters or fewer."
            values[name] = text
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[name] = None  # blank: no figure for this line
            continue
        try:
            number = number_parse(raw, field=name, pounds=True)
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        if abs(number) >= _MONEY_LIMIT:
            errors[name] = "This amount is too large to store."
        elif _decimal_places(number) > 2:
            errors[name] = "Enter pounds to the penny (at most 2 decimal places)."
        elif name in FINANCE_NOT_NEGATIVE and number < 0:
            errors[name] = "This amount cannot be negative."
        else:
            values[name] = number.quantize(Decimal("0.01"))
    if errors:
        raise ValidationError(errors)
    return values


def finance_line_fields(line: FinanceLine) -> dict:
    """A line's saved figures, as the audit trail and a conflict notice show them."""
    return {name: getattr(line, name) for name in FINANCE_FIELDS}


@transaction.atomic
def finance_line_save(*, line: FinanceLine, expected_version: int, by, **fields) -> FinanceLine:
    """Save a finance line's figures, to the penny, if no one saved it in between."""
    # 1. Validate every field (blank clears a figure); nothing is written on any error.
    values = _finance_values(fields)
    before = finance_line_fields(FinanceLine.objects.get(pk=line.pk))
    # 2. One UPDATE ... WHERE version = expected: the second of two saves of the same version
    #    matches no row and is refused with the figures now stored.
    changed = FinanceLine.objects.filter(pk=line.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if changed == 0:
        current = FinanceLine.objects.filter(pk=line.pk).first()
        raise StaleEdit(
            current=json_safe(finance_line_fields(current)) if current else {},
            current_version=current.version if current else 0,
            message=(
                "Someone else saved these figures after you opened them. Theirs are shown "
                "beside yours; check them and save again."
            ),
        )
    line.refresh_from_db()
    # 3. History, with before and after.
    audit_record(
        action="finance_line.save",
        user=by,
        obj=line,
        before=before,
        after=finance_line_fields(line),
    )
    return line


@transaction.atomic
def finance_line_create(
    *, agreement: Agreement, financial_year: int, scenario: str, by, **fields
) -> FinanceLine:
    """Add the figures for a financial year and scenario the agreement has none for yet."""
    errors = {}
    if scenario not in FinanceLine.Scenario.values:
        errors["scenario"] = "Choose a scenario from the list."
    last = agreement.last_financial_year + FINANCE_YEARS_AFTER
    if not isinstance(financial_year, int) or not (
        agreement.first_financial_year <= financial_year <= last
    ):
        errors["financial_year"] = (
            f"Choose a year from {fy_label(agreement.first_financial_year)} to {fy_label(last)}."
        )
    try:
        values = _finance_values(fields)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    # The unique constraint is the guard against two adds at once; this gives the message.
    if FinanceLine.objects.filter(
        agreement=agreement, financial_year=financial_year, scenario=scenario
    ).exists():
        label = FinanceLine.Scenario(scenario).label.lower()
        raise ValidationError(
            {"scenario": FINANCE_LINE_EXISTS.format(year=fy_label(financial_year), scenario=label)}
        )
    line = FinanceLine(
        agreement=agreement, financial_year=financial_year, scenario=scenario, **values
    )
    line.full_clean()
    line.save()
    audit_record(action="finance_line.create", user=by, obj=line, after=finance_line_fields(line))
    return line
