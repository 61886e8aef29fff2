"""Writes for key measures (sources, series, measures) and their figures, from the app's pages
and from the workbook import alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from metrics.models import DataSource, HeadlineCard, Measure, MeasureValue, Series
from metrics.periods import (
    NOT_AVAILABLE,
    YEAR_START_MONTH,
    PeriodKind,
    figure_typed,
    not_available_read,
    period_key,
    period_long,
)
from metrics.variance import format_value
from svmonitor.access import require_action
from svmonitor.audit import audit_record, audit_record_many
from svmonitor.errors import StaleEdit
from svmonitor.fy import fy_bounds
from svmonitor.models import Agreement, LocalAuthority
from svmonitor.numbers import (  # noqa: F401 - re-exported for the KPI forms
    BAD_GROUPING,
    PERCENT_SIGN_ONLY,
    POUND_SIGN_ONLY,
    number_parse,
)
from svmonitor.numbers import decimal_places as _decimal_places
from svmonitor.roles import Action
from svmonitor.services.records import row_write

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
    elif _too_many_places(number, places):
        message = places_message
    else:
        return number
    raise ValidationError({"value": message})


def _too_many_places(number: Decimal, places: int) -> bool:
    # The exponent as written settles nearly every figure; only one written with more places
    # than allowed is normalised, so that "5.50000" is read as 5.5 (a workbook's thousands of
    # figures are checked here).
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= places:
        return False
    return _decimal_places(number) > places


def month_text(day: dt.date) -> str:
    """A month as people read it, with a four-digit year even for nonsense: "January 0001"."""
    return f"{day:%B} {day.year:04d}"


def measure_period_span(agreements) -> tuple[dt.date, dt.date] | None:
    """The months a council's figures may be for: April of its agreements' first financial year
    to the March after their last; None when it has no agreement."""
    agreements = list(agreements)
    if not agreements:
        return None
    first = min(a.first_financial_year for a in agreements)
    last = max(a.last_financial_year for a in agreements)
    return fy_bounds(first)[0], fy_bounds(last)[1]


def measure_period_check(agreements, period: dt.date, kind: str = PeriodKind.MONTH) -> str | None:
    """Why no figure may be stored for `period` under these agreements; None when one may.

    The one rule for every door (the KPI grid, the workbook import, the admin, through the
    services): figures outside the agreement's years cannot be shown on any page or export. An
    academic or financial year is inside them when its first month is.
    """
    span = measure_period_span(agreements)
    if span is None:
        return "The council has no agreement yet: add one before its figures."
    if not span[0] <= period <= span[1]:
        what = (
            "The month " + month_text(period)
            if kind == PeriodKind.MONTH
            else ("The " + period_long(period, kind))
        )
        return (
            f"{what} is outside the agreement's years "
            f"({month_text(span[0])} to {month_text(span[1])})."
        )
    return None


def council_agreements(council_id) -> list[Agreement]:
    """A council's agreements, for measure_period_check (their years only)."""
    return list(
        Agreement.objects.filter(council_id=council_id).only(
            "first_financial_year", "last_financial_year"
        )
    )


_PERIOD_KINDS = frozenset(PeriodKind.values)


def measure_value_address_errors(
    *,
    measure: Measure,
    period,
    series: Series,
    agreements=None,
    storing: bool = True,
    checked: dict | None = None,
    kind: str = PeriodKind.MONTH,
) -> dict:
    """Field-keyed reasons a cell's period or series cannot hold a figure of the measure.

    `agreements` are the council's (read here when not given; a batch reads them once, and
    passes `checked`, a dict in which each month's verdict is kept). A cell being cleared
    (`storing` False) may lie outside them: that is how an old figure stored before the rule
    is tidied away.
    """
    errors = {}
    if kind not in _PERIOD_KINDS:
        errors["period_kind"] = "Choose a month, an academic year or a financial year."
    elif not isinstance(period, dt.date) or isinstance(period, dt.datetime) or period.day != 1:
        errors["period"] = "The period must be the first day of a month."
    elif kind != PeriodKind.MONTH and period.month != YEAR_START_MONTH[kind]:
        errors["period"] = (
            "An academic year is stored as the 1st of September."
            if kind == PeriodKind.ACADEMIC_YEAR
            else "A financial year is stored as the 1st of April."
        )
    elif storing:
        if agreements is None:
            agreements = council_agreements(measure.council_id)
        if checked is None:
            outside = measure_period_check(agreements, period, kind)
        else:
            if (period, kind) not in checked:
                checked[(period, kind)] = measure_period_check(agreements, period, kind)
            outside = checked[(period, kind)]
        if outside:
            errors["period"] = outside
    if series.council_id != measure.council_id:
        errors["series"] = "Choose a series of this measure's council."
    return errors


NOT_AVAILABLE_AND_VALUE = "Enter a figure or mark it not available, not both."
REASON_MAX = MeasureValue._meta.get_field("not_available_reason").max_length


def not_available_reason_clean(reason) -> str:
    """The reason as stored: trimmed, "Not available" when none is given; ValidationError on
    "not_available_reason" when it is too long."""
    text = " ".join(str(reason or "").split()) or NOT_AVAILABLE
    if len(text) > REASON_MAX:
        raise ValidationError(
            {"not_available_reason": f"Keep the reason to {REASON_MAX} characters or fewer."}
        )
    return text


def _shown_figure(value, reason) -> object:
    # How a figure reads in the history: the number, or why there is none.
    return value if value is not None else f"{NOT_AVAILABLE.lower()}: {reason}"


def _figure_words(typed: str, unit: str) -> str:
    # A figure in a conflict notice: as the grid shows it, "n/a (reason)", or no figure.
    if not typed:
        return "no figure"
    reason = not_available_read(typed)
    if reason is not None:
        return f"n/a ({reason})" if reason else "n/a"
    return format_value(Decimal(typed), unit)


def _stale_check(measure, period, period_kind, cell, base: str, saving: str) -> None:
    """Refuse a cell save whose form was rendered with a figure no longer stored (someone else
    saved, created or cleared it since), unless it would store what is there already."""
    stored = figure_typed(cell.value, cell.not_available_reason) if cell else ""
    if stored in (base, saving):
        return
    theirs, yours = _figure_words(stored, measure.unit), _figure_words(saving, measure.unit)
    raise StaleEdit(
        current={"value": stored},
        current_version=stored,
        message=(
            f"{measure.name}, {period_long(period, period_kind)}: someone else saved this figure "
            f"after you opened it. Saved now: {theirs}. Yours: {yours}, still in the box. Save "
            "again to replace theirs, or cancel to keep it."
        ),
    )


@transaction.atomic
def measure_value_save(
    *,
    measure: Measure,
    period: dt.date,
    series: Series,
    value,
    by,
    not_available: str | None = None,
    period_kind: str = PeriodKind.MONTH,
    note: str | None = None,
    base: str | None = None,
) -> MeasureValue | None:
    """Set one figure, mark it not available (`not_available` is the reason, "" for the plain
    "Not available"), or with neither clear it; marks the measure's source refreshed. `note`
    None keeps the stored note.

    `base` is the figure the editor's form was rendered with, as typed (periods.figure_typed;
    "" for an empty cell): if the cell has changed since, the save is refused with StaleEdit
    and nothing is written. None skips the check (the workbook import knowingly overwrites)."""
    # Figures are monthly data that outlive any one round, so no round lock applies; what a
    # signed-off return showed is kept in its frozen snapshot.
    require_action(by, measure.council, Action.EDIT)
    # 1. Validate the cell's address and the value (or the reason) for the measure's unit.
    blank = value is None or value == ""
    marking = not_available is not None
    if marking and not blank:
        raise ValidationError({"value": NOT_AVAILABLE_AND_VALUE})
    clearing = blank and not marking
    errors = measure_value_address_errors(
        measure=measure, period=period, series=series, storing=not clearing, kind=period_kind
    )
    if note is not None and len(note) > NOTE_MAX:
        errors["note"] = f"Keep a note to {NOTE_MAX} characters or fewer."
    if errors:
        raise ValidationError(errors)
    reason = not_available_reason_clean(not_available) if marking else ""
    number = None if blank else measure_value_validate(unit=measure.unit, value=value)
    # 2. Lock the cell if it exists; the unique constraint guards two first writes.
    cell = (
        MeasureValue.objects.select_for_update()
        .filter(measure=measure, period=period, period_kind=period_kind, series=series)
        .first()
    )
    if base is not None:
        _stale_check(measure, period, period_kind, cell, base, figure_typed(number, reason))
    before = {"value": _shown_figure(cell.value, cell.not_available_reason)} if cell else None
    fields = {"value": number, "not_available_reason": reason}
    if note is not None:
        fields["note"] = note
    # 3. Write, clear or create the cell.
    if clearing:
        if cell is not None:
            cell.delete()
        result = None
    elif cell is None:
        result = MeasureValue.objects.create(
            measure=measure, period=period, period_kind=period_kind, series=series, **fields
        )
    else:
        for name, field_value in fields.items():
            setattr(cell, name, field_value)
        cell.save(update_fields=list(fields))
        result = cell
    # 4. The source's figures are now as fresh as today.
    DataSource.objects.filter(pk=measure.data_source_id).update(last_refreshed=timezone.localdate())
    shown_period = period if period_kind == PeriodKind.MONTH else period_key(period, period_kind)
    where = {"period": shown_period, "series": series.slug}
    audit_record(
        action="measure_value.save",
        user=by,
        council=measure.council,
        obj=result or measure,
        before={**where, **before} if before else None,
        after={
            **where,
            "value": None if clearing else _shown_figure(number, reason),
            **({"note": note} if note is not None else {}),
        },
    )
    return result


# --- the measure catalogue: sources, series, measures ---------------------------------------


@transaction.atomic
def data_source_upsert(
    *, council: LocalAuthority, source: DataSource | None, by, **fields
) -> DataSource:
    """Create or change one of a council's data sources: its name, basis and refresh date."""
    require_action(by, council, Action.EDIT)
    return row_write(
        model=DataSource,
        instance=source,
        values={**fields, "council": council},
        by=by,
        action="data_source",
    )


@transaction.atomic
def series_upsert(*, council: LocalAuthority, series: Series | None, by, **fields) -> Series:
    """Create or change one line of figures (the actual, a baseline, last year...)."""
    require_action(by, council, Action.EDIT)
    return row_write(
        model=Series,
        instance=series,
        values={**fields, "council": council},
        by=by,
        action="series",
    )


@transaction.atomic
def measure_upsert(
    *, council: LocalAuthority, measure: Measure | None, by, conditions=None, risks=None, **fields
) -> Measure:
    """Create or change a key measure: what it counts, its unit, source, and the conditions
    and risks it evidences (issue 18.2: drift in it suggests a change to them)."""
    require_action(by, council, Action.EDIT)
    links = {
        name: list(targets)
        for name, targets in (("conditions", conditions), ("risks", risks))
        if targets is not None
    }
    return row_write(
        model=Measure,
        instance=measure,
        values={**fields, "council": council},
        by=by,
        action="measure",
        m2m=links or None,
    )


CARD_OTHER_COUNCIL = "A headline card shows one of the council's own measures and series."


@transaction.atomic
def headline_card_upsert(
    *, council: LocalAuthority, card: HeadlineCard | None, by, **fields
) -> HeadlineCard:
    """Create or change a headline card: a measure against a comparator series, its label.

    The edit right, as for the measures and series a card shows: the programme team chooses
    which of its own figures head its dashboard; nothing DfE holds the council to changes.
    """
    require_action(by, council, Action.EDIT)
    values = {**fields, "council": council}
    for name in ("measure", "comparator"):
        target = values.get(name) or (getattr(card, name) if card is not None else None)
        if target is not None and target.council_id != council.pk:
            raise ValidationError({name: CARD_OTHER_COUNCIL})
    return row_write(
        model=HeadlineCard, instance=card, values=values, by=by, action="headline_card"
    )


# --- many figures at once (the workbook) ----------------------------------------------------

NOTE_MAX = MeasureValue._meta.get_field("note").max_length
_STORED_PLACES = Decimal("0.0001")


@dataclass(slots=True)
class FigureCell:
    """One figure to store: a measure's value for a period in a series, and its note (None
    keeps the stored note). With `not_available` set (the reason; "" for the plain "Not
    available") and no value, the figure is stored as not available."""

    measure: Measure
    period: dt.date
    series: Series
    value: object
    note: str | None = None
    not_available: str | None = None
    period_kind: str = PeriodKind.MONTH


@dataclass(frozen=True)
class FigureProblem:
    """Why one figure of a batch was refused: its index in the batch, the field and the reason."""

    index: int
    field: str
    message: str


class FiguresRefused(ValidationError):
    """Some figures of a batch broke the rules; none of the batch was written."""

    def __init__(self, problems: list[FigureProblem]):
        self.problems = problems
        super().__init__([problem.message for problem in problems])


def _cell_label(cell: FigureCell) -> str:
    # isoformat, not strftime: the same "2024-04" at a fraction of the cost, per figure.
    if cell.period_kind == PeriodKind.MONTH:
        return f"{cell.series.slug} {cell.period.isoformat()[:7]}"
    return f"{cell.series.slug} {period_key(cell.period, cell.period_kind)}"


# At most this many figures a statement, whatever the backend allows.
_INSERT_BATCH = 1000


@transaction.atomic
def measure_values_save_many(
    *, council: LocalAuthority, cells: list[FigureCell], by
) -> tuple[int, int]:
    """Store many figures under the rules of measure_value_save; returns (created, changed).

    The workbook's thousands of figures: each is checked as a typed one is (address, unit,
    size), then written with one statement per kind of write, and each measure's history gets
    one entry listing its figures before and after. Unlike a typed figure, a batch does not mark
    the sources refreshed today: the workbook carries each source's own refresh date.
    """
    # 1. The role check, once for the council.
    require_action(by, council, Action.EDIT)
    # 2. Validate every figure; nothing is written if any is refused.
    problems: list[FigureProblem] = []
    # Per figure: (the number, or None; the reason it is not available, or ""; the number as
    # the history writes it, or None).
    checked_figures: list[tuple] = []
    agreements = council_agreements(council.pk)
    # Each month's verdict is worked out once: a workbook brings thousands of figures for a
    # few dozen months.
    checked: dict = {}
    # A cell's address verdict turns only on its period, its kind and whose measure and series
    # it holds: each is worked out once, not per figure (copied, as a figure's own errors grow).
    addressed: dict = {}
    valued: dict = {}
    for index, cell in enumerate(cells):
        measure, period = cell.measure, cell.period
        address = (
            type(period),
            period,
            cell.period_kind,
            measure.council_id,
            cell.series.council_id,
        )
        verdict = addressed.get(address)
        if verdict is None:
            verdict = addressed[address] = measure_value_address_errors(
                measure=measure,
                period=period,
                series=cell.series,
                agreements=agreements,
                checked=checked,
                kind=cell.period_kind,
            )
        value = cell.value
        if (
            not verdict
            and cell.not_available is None
            and type(value) is Decimal
            and measure.council_id == council.pk
            and (cell.note is None or len(cell.note) <= NOTE_MAX)
        ):
            # A figure as written (its digits, sign and places: str tells them all) for a unit
            # passes or fails alike every time: each distinct one is checked once.
            written = (measure.unit, str(value))
            passed = valued.get(written)
            if passed is not None:
                checked_figures.append(passed)
                continue
        else:
            written = None
        errors = dict(verdict) if verdict else {}
        if measure.council_id != council.pk:
            errors["measure"] = "Choose a measure of this council."
        number, reason = None, ""
        blank = cell.value is None or cell.value == ""
        if not errors:
            try:
                if cell.not_available is not None:
                    if not blank:
                        raise ValidationError({"value": NOT_AVAILABLE_AND_VALUE})
                    reason = not_available_reason_clean(cell.not_available)
                else:
                    number = measure_value_validate(unit=measure.unit, value=cell.value)
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
        if cell.note is not None and len(cell.note) > NOTE_MAX:
            errors["note"] = f"Keep a note to {NOTE_MAX} characters or fewer."
        if errors:
            problems += [FigureProblem(index, name, message) for name, message in errors.items()]
        # As the column stores it (4 places), so before and after read alike in the history;
        # as the history writes a number (json_safe: its str).
        text = str(number.quantize(_STORED_PLACES)) if number is not None else None
        figure = (number, reason, text)
        if written is not None and not errors:
            valued[written] = figure
        checked_figures.append(figure)
    if problems:
        raise FiguresRefused(problems)
    # 3. The stored figures of the measures touched, locked against a save in between.
    measure_ids = {cell.measure.id for cell in cells}
    stored = {
        (m, p, k, s): (pk, v, n, r)
        for pk, m, p, k, s, v, n, r in MeasureValue.objects.select_for_update()
        .filter(measure_id__in=measure_ids)
        .values_list(
            "pk",
            "measure_id",
            "period",
            "period_kind",
            "series_id",
            "value",
            "note",
            "not_available_reason",
        )
    }
    new, changed = [], []
    before: dict[int, dict] = {}
    after: dict[int, dict] = {}
    # A figure's label in the history ("actual 2024-04") and its period as the database driver
    # takes it are made once per series and period, not per figure.
    labels: dict = {}
    measures: dict[int, Measure] = {}  # each measure with a figure to record
    period_value = connection.ops.adapt_datefield_value
    for cell, (number, reason, text) in zip(cells, checked_figures, strict=True):
        measure_id, series_id, period, kind = (
            cell.measure.id,
            cell.series.id,
            cell.period,
            cell.period_kind,
        )
        # (A council's first figures: nothing stored to look up.)
        found = stored.get((measure_id, period, kind, series_id)) if stored else None
        note = cell.note if cell.note is not None else (found[2] if found else "")
        if found is not None and found[1] == number and found[2] == note and found[3] == reason:
            continue
        at = (series_id, period, kind)
        known = labels.get(at)
        if known is None:
            known = labels[at] = (_cell_label(cell), period_value(period))
        label = known[0]
        if found is None:
            new.append((measure_id, known[1], kind, series_id, number, note, reason))
        else:
            changed.append((number, note, reason, found[0]))
            before.setdefault(measure_id, {})[label] = _shown_figure(found[1], found[3])
        figures = after.get(measure_id)
        if figures is None:
            figures = after[measure_id] = {}
            measures[measure_id] = cell.measure
        figures[label] = text if text is not None else _shown_figure(text, reason)
    # In the order of the indexes (measure, series, period): each statement's rows land
    # together in the index pages, a fifth less work for SQLite than the workbook's order.
    new.sort(key=itemgetter(0, 3, 1, 2))
    # 4. Write. Why not bulk_create: building thousands of model instances and Django's
    #    per-value insert compilation cost ~5x the openpyxl parse (bench/bench_import.py); the
    #    figures are validated and keyed above, so plain parameterised SQL is enough. New
    #    figures go in as bulk_create sends rows, many to a statement (the backend's batch
    #    size): a statement per figure costs SQLite twice the time.
    meta = MeasureValue._meta
    column = {f.name: f.column for f in meta.concrete_fields}
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if new:
            fields = [
                meta.get_field(n)
                for n in (
                    "measure",
                    "period",
                    "period_kind",
                    "series",
                    "value",
                    "note",
                    "not_available_reason",
                )
            ]
            names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            one = "(" + ", ".join(["%s"] * len(fields)) + ")"
            size = max(1, min(connection.ops.bulk_batch_size(fields, new), _INSERT_BATCH))
            for start in range(0, len(new), size):
                batch = new[start : start + size]
                cursor.execute(
                    f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
                    + ", ".join([one] * len(batch)),
                    list(chain.from_iterable(batch)),
                )
        if changed:
            cursor.executemany(
                f"UPDATE {table} SET {column['value']} = %s, {column['note']} = %s, "  # noqa: S608
                f"{column['not_available_reason']} = %s WHERE {meta.pk.column} = %s",
                changed,
            )
    # 5. History: one entry per measure, its figures before and after.
    audit_record_many(
        action="measure_values.save",
        user=by,
        council=council,
        entries=[
            (measures[measure_id], before.get(measure_id) or None, figures)
            for measure_id, figures in after.items()
        ],
    )
    return len(new), len(changed)
