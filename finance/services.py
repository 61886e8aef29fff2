"""Writes for the High Needs Block finance lines the finance lead keeps (to the penny, under an
optimistic lock, with history), and for the agreement's money terms the site administrator
keeps (DfE payments and deficit caps)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from finance.dsg_summary import dsg_computed_finance_fields
from finance.models import DeficitCap, FinanceLine, ForecastReview, PaymentInstalment
from svmonitor.access import require_action
from svmonitor.audit import audit_record, json_safe
from svmonitor.choices import FINANCE_UNIT_POUNDS, RoundOrigin, RoundStatus
from svmonitor.errors import StaleEdit, locked_message
from svmonitor.fy import fy_label
from svmonitor.models import Agreement, ReportingRound
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


def _finance_line_update(line, *, expected_version: int, values: dict, before: dict, by) -> bool:
    """Write a line's figures if it is still at `expected_version`, with its history; False
    (nothing written) when someone saved it in between. The one write of finance_line_save and
    the forecast grid."""
    changed = FinanceLine.objects.filter(pk=line.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if not changed:
        return False
    line.refresh_from_db()
    audit_record(
        action="finance_line.save",
        user=by,
        obj=line,
        before=before,
        after=finance_line_fields(line),
    )
    return True


@transaction.atomic
def finance_line_save(*, line: FinanceLine, expected_version: int, by, **fields) -> FinanceLine:
    """Save a finance line's figures, to the penny, if no one saved it in between."""
    stored = FinanceLine.objects.select_related("agreement__council").get(pk=line.pk)
    require_action(by, stored.agreement.council, Action.EDIT_FINANCE)
    # 1. Validate every field (blank clears a figure); nothing is written on any error. The
    #    figures the DSG plan computes for this year are kept as computed (one forecast).
    computed = dsg_computed_finance_fields(agreement_id=stored.agreement_id)
    computed = computed.get((stored.financial_year, stored.scenario), set())
    values = _finance_values({k: v for k, v in fields.items() if k not in computed})
    before = finance_line_fields(stored)
    # 2. One UPDATE ... WHERE version = expected: the second of two saves of the same version
    #    matches no row and is refused with the figures now stored. 3. History, with before and
    #    after.
    if not _finance_line_update(
        line, expected_version=expected_version, values=values, before=before, by=by
    ):
        current = FinanceLine.objects.filter(pk=line.pk).first()
        raise StaleEdit(
            current=json_safe(finance_line_fields(current)) if current else {},
            current_version=current.version if current else 0,
            message=(
                "Someone else saved these figures after you opened them. Theirs are shown "
                "beside yours; check them and save again."
            ),
        )
    forecast_reviewed(council_id=stored.agreement.council_id, scenarios={line.scenario}, by=by)
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
    forecast_reviewed(council_id=agreement.council_id, scenarios={scenario}, by=by)
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


# --- the finance forecast of a return: saved or confirmed in the round ------------------------

FORECAST_SCENARIOS = frozenset({FinanceLine.Scenario.LATEST, FinanceLine.Scenario.UNMITIGATED})


def forecast_reviewed(*, council_id: int, scenarios, by, how: str = ForecastReview.How.SAVED):
    """Record that the council's forecast was saved in each of its draft returns (a save of the
    agreement's own profile is not a forecast). Called inside the saving service's transaction."""
    if not FORECAST_SCENARIOS & set(scenarios):
        return
    drafts = ReportingRound.objects.filter(
        agreement__council_id=council_id,
        status=RoundStatus.DRAFT,
        origin=RoundOrigin.RECORDED_HERE,
    ).values_list("pk", flat=True)
    for round_id in drafts:
        ForecastReview.objects.update_or_create(
            round_id=round_id,
            defaults={"how": how, "reviewed_by": by, "reviewed_at": timezone.now()},
        )


@transaction.atomic
def finance_forecast_confirm(*, round: ReportingRound, by) -> ForecastReview:
    """Confirm in one action that the finance forecast is unchanged for this return."""
    locked = ReportingRound.objects.select_for_update().select_related("agreement__council")
    locked = locked.get(pk=round.pk)
    require_action(by, locked.agreement.council, Action.EDIT_FINANCE)
    if locked.status != RoundStatus.DRAFT:
        raise ValidationError(locked_message(locked.status))
    review, _created = ForecastReview.objects.update_or_create(
        round=locked,
        defaults={
            "how": ForecastReview.How.CONFIRMED,
            "reviewed_by": by,
            "reviewed_at": timezone.now(),
        },
    )
    audit_record(
        action="finance_forecast.confirm",
        user=by,
        obj=locked,
        after={"round": locked.label, "forecast": "confirmed unchanged"},
    )
    return review


class ForecastRefused(ValidationError):
    """Some cells of the forecast grid broke the rules, or a year was saved by someone else
    since the grid was opened; nothing was written. `problems` maps (year, field) to why
    (field None for the whole year); `versions` gives each stale year's stored version."""

    def __init__(self, problems: dict, versions: dict | None = None):
        self.problems = problems
        self.versions = versions or {}
        super().__init__(list(problems.values()))


def _in_pounds(raw, unit: str, name: str):
    """A figure typed in the council's unit, as pounds (blank stays blank)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return str(number_parse(raw, field=name, pounds=True) * FINANCE_UNIT_POUNDS[unit])


@transaction.atomic
def finance_forecast_save(
    *, agreement: Agreement, scenario: str, years: dict, versions: dict, unit: str, by
) -> int:
    """Save a scenario's figures for many years from the year x line grid, all or none; returns
    how many years changed.

    `years` maps a financial year to its fields as typed ({field: text}), in `unit` (£000 or
    £m: FINANCE_UNIT_POUNDS); each is kept in pounds under finance_line_save's rules.
    `versions` maps each year to the version of its line the grid was opened with (0 when it
    had none): a year saved by someone else since is refused, as a line's edit is.
    """
    # 1. The role check, and the scenario and years the agreement keeps.
    require_action(by, agreement.council, Action.EDIT_FINANCE)
    if scenario not in FinanceLine.Scenario.values or unit not in FINANCE_UNIT_POUNDS:
        raise ValidationError("Choose a scenario and a unit from the lists.")
    last = agreement.last_financial_year + FINANCE_YEARS_AFTER
    problems: dict = {}
    values: dict[int, dict] = {}
    computed = dsg_computed_finance_fields(agreement_id=agreement.pk)
    for year, fields in years.items():
        if not agreement.first_financial_year <= year <= last:
            problems[(year, None)] = f"{fy_label(year)} is outside the agreement's years."
            continue
        # 2. Each figure in pounds, then checked as a line's figures are; the figures the DSG
        #    plan computes for the year are kept as computed (one forecast, keyed once).
        typed = {}
        for name, raw in fields.items():
            if name in computed.get((year, scenario), ()):
                continue
            if name == "reflects":
                typed[name] = raw
                continue
            try:
                typed[name] = _in_pounds(raw, unit, name)
            except ValidationError as error:
                problems[(year, name)] = error.message_dict[name][0]
        try:
            values[year] = _finance_values(typed)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                problems.setdefault((year, name), messages[0])
    if problems:
        raise ForecastRefused(problems)
    # 3. The scenario's lines, locked; a year whose line moved since the grid opened is stale.
    lines = {
        line.financial_year: line
        for line in FinanceLine.objects.select_for_update().filter(
            agreement=agreement, scenario=scenario, financial_year__in=list(values)
        )
    }
    stale = {}
    writes = []
    for year, figures in values.items():
        line = lines.get(year)
        stored = finance_line_fields(line) if line else None
        empty = all(v in (None, "") for v in figures.values())
        if (stored is None and empty) or (stored is not None and _same(stored, figures)):
            continue
        if (line.version if line else 0) != versions.get(year, 0):
            stale[year] = line.version if line else 0
            problems[(year, None)] = (
                f"{fy_label(year)}: someone else saved these figures after you opened the grid. "
                "Yours are still in the boxes; check them and save again to replace theirs."
            )
            continue
        writes.append((year, line, stored, figures))
    if problems:
        raise ForecastRefused(problems, stale)
    # 4. Write each changed year, with its history, as the line services do.
    for year, line, before, figures in writes:
        if line is None:
            line = FinanceLine(
                agreement=agreement, financial_year=year, scenario=scenario, **figures
            )
            line.full_clean()
            line.save()
            audit_record(
                action="finance_line.create", user=by, obj=line, after=finance_line_fields(line)
            )
            continue
        # Locked above at the version the grid was opened with, so this always matches.
        _finance_line_update(
            line, expected_version=line.version, values=figures, before=before, by=by
        )
    if writes:
        forecast_reviewed(council_id=agreement.council_id, scenarios={scenario}, by=by)
    return len(writes)


def _same(stored: dict, figures: dict) -> bool:
    return all(stored.get(name) == value for name, value in figures.items())
