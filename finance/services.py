"""Writes for the High Needs Block finance lines the finance lead keeps (to the penny, under an
optimistic lock, with history), and for the agreement's money terms the site administrator
keeps (DfE payments and deficit caps)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from svmonitor.access import require_action
from svmonitor.audit import audit_record, json_safe
from svmonitor.errors import StaleEdit
from svmonitor.fy import fy_label
from svmonitor.models import Agreement
from svmonitor.numbers import decimal_places as _decimal_places
from svmonitor.numbers import number_parse
from svmonitor.roles import Action
from svmonitor.services.records import row_write

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
    stored = FinanceLine.objects.select_related("agreement__council").get(pk=line.pk)
    require_action(by, stored.agreement.council, Action.EDIT_FINANCE)
    # 1. Validate every field (blank clears a figure); nothing is written on any error.
    values = _finance_values(fields)
    before = finance_line_fields(stored)
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
    require_action(by, agreement.council, Action.EDIT_FINANCE)
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


# --- the agreement's money terms (site administrators only) ---------------------------------


@transaction.atomic
def payment_instalment_upsert(
    *, agreement: Agreement, payment: PaymentInstalment | None, by, **fields
) -> PaymentInstalment:
    """Create or change one DfE payment of an agreement: its date, amount and status."""
    require_action(by, agreement.council, Action.ADMINISTER)
    return row_write(
        model=PaymentInstalment,
        instance=payment,
        values={**fields, "agreement": agreement},
        by=by,
        action="payment_instalment",
    )


@transaction.atomic
def deficit_cap_upsert(
    *, agreement: Agreement, deficit_cap: DeficitCap | None, by, **fields
) -> DeficitCap:
    """Create or change the cumulative deficit an agreement allows at one year's end."""
    require_action(by, agreement.council, Action.ADMINISTER)
    return row_write(
        model=DeficitCap,
        instance=deficit_cap,
        values={**fields, "agreement": agreement},
        by=by,
        action="deficit_cap",
    )
