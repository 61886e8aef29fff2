"""KPI entry by month: one page holds a month's actual figure for every measure, beside its
forecast and the same month last year, grouped as the council groups its measures.

The reads build that page (`month_page_build`); the write (`measure_values_save_month`) is the
batch variant of metrics.services.measure_value_save, with the same rules, the same role check,
the same optimistic lock (each box carries the figure it was opened with) and one history entry
per changed figure. It writes every figure or none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from metrics.kpi_grid import UNIT_HINTS, month_add, month_key
from metrics.models import DataSource, Measure, MeasureValue, Series
from metrics.periods import PeriodKind, figure_typed, not_available_read, period_long
from metrics.services import (
    _figure_words,
    _shown_figure,
    council_agreements,
    measure_value_address_errors,
    measure_value_validate,
    not_available_reason_clean,
)
from metrics.variance import format_value
from svmonitor.access import require_action
from svmonitor.audit import audit_record_many
from svmonitor.choices import KpiGrouping
from svmonitor.roles import Action

OTHER_TITLE = "Other measures"
TYPED_MAX = 250


# --- the page --------------------------------------------------------------------------------


@dataclass
class MonthComparator:
    """A figure shown beside the box: a forecast or last year's, formatted for its unit."""

    label: str
    display: str


@dataclass
class MonthRow:
    """One measure's box on the month page."""

    measure: Measure
    typed: str  # what the box shows: the stored figure as typed, or what was posted
    base: str  # the stored figure the page was opened with (the optimistic lock)
    comparators: list[MonthComparator]
    error: str = ""

    @property
    def input_id(self) -> str:
        """The box's element id, which the error summary links to."""
        return f"month-{self.measure.pk}"

    @property
    def name(self) -> str:
        """The box's field name."""
        return f"value-{self.measure.pk}"

    @property
    def base_name(self) -> str:
        """The hidden field holding the figure the box was opened with."""
        return f"base-{self.measure.pk}"

    @property
    def unit_hint(self) -> str:
        """What a valid figure for this measure looks like."""
        return UNIT_HINTS.get(self.measure.unit, "")

    @property
    def required(self) -> bool:
        """Whether the return needs a figure (or n/a) for this measure every month."""
        return self.measure.frequency == Measure.Frequency.MONTHLY


@dataclass
class MonthGroup:
    """A heading the month's boxes are listed under (a condition, a programme area, other)."""

    title: str
    rows: list[MonthRow]


@dataclass
class MonthPage:
    """The month page: the month, the series typed into, the comparators' names, the boxes."""

    period: dt.date
    actual: Series | None
    comparator_labels: list[str]
    groups: list[MonthGroup]
    kept_by_year: list[Measure] = field(default_factory=list)

    @property
    def rows(self) -> list[MonthRow]:
        """Every box, in the order shown (the order a pasted column fills them)."""
        return [row for group in self.groups for row in group.rows]

    @property
    def key(self) -> str:
        """The month as URLs write it: "2024-10"."""
        return month_key(self.period)

    @property
    def earlier_key(self) -> str:
        """The month before."""
        return month_key(month_add(self.period, -1))

    @property
    def later_key(self) -> str:
        """The month after."""
        return month_key(month_add(self.period, 1))


def _grouped(council, measures: list[Measure]) -> list[MonthGroup]:
    """Each measure once, under the first heading the council lists it under: its first
    condition (by the agreement's order), else its programme area, else "Other measures"."""
    grouping = council.kpi_grouping
    ids = [m.pk for m in measures]
    by_condition: dict[int, tuple] = {}
    if grouping in (KpiGrouping.CONDITIONS, KpiGrouping.BOTH):
        links = Measure.conditions.through.objects.filter(measure_id__in=ids).values_list(
            "measure_id",
            "agreementcondition__order",
            "agreementcondition__label",
            "agreementcondition__title",
        )
        for measure_id, order, label, title in sorted(links, key=lambda row: (row[1], row[2])):
            by_condition.setdefault(measure_id, (order, f"Condition {label}: {title}"))
    groups: dict[tuple, MonthGroup] = {}
    for measure in measures:
        if measure.pk in by_condition:
            order, title = by_condition[measure.pk]
            key = (0, order, title)
        elif grouping in (KpiGrouping.AREAS, KpiGrouping.BOTH) and measure.programme_area_id:
            area = measure.programme_area
            key, title = (1, area.number, area.name), f"{area.number} - {area.name}"
        else:
            key, title = (2, 0, ""), OTHER_TITLE
        groups.setdefault(key, MonthGroup(title, [])).rows.append(measure)
    return [groups[key] for key in sorted(groups)]


def month_measures(*, council, user) -> tuple[list[Measure], list[Measure]]:
    """The council's measures the month page lists, and those kept by academic or financial
    year instead (their figures are entered in the workbook)."""
    measures = list(
        Measure.objects.for_user(user)
        .filter(council=council)
        .select_related("programme_area")
        .order_by("order", "name", "pk")
    )
    yearly = set(
        MeasureValue.objects.filter(measure__council=council)
        .exclude(period_kind=PeriodKind.MONTH)
        .values_list("measure_id", flat=True)
        .distinct()
    )
    return (
        [m for m in measures if m.pk not in yearly],
        [m for m in measures if m.pk in yearly],
    )


def month_page_build(*, council, user, period: dt.date, posted: dict | None = None) -> MonthPage:
    """The month page of a council (five queries): every measure kept by month, its stored
    actual (or what was `posted`, by measure id: (typed, base)), its forecasts for the month
    and the same month last year."""
    series = list(Series.objects.filter(council=council).order_by("order", "name", "pk"))
    actual = next((s for s in series if s.kind == Series.Kind.ACTUAL), None)
    baselines = [s for s in series if s.kind == Series.Kind.BASELINE]
    last_year = next((s for s in series if s.kind == Series.Kind.LAST_YEAR), None)
    measures, kept_by_year = month_measures(council=council, user=user)
    year_before = month_add(period, -12)
    stored = {
        (m, s, p): (v, r)
        for m, s, p, v, r in MeasureValue.objects.filter(
            measure__council=council,
            period_kind=PeriodKind.MONTH,
            period__in=[period, year_before],
        ).values_list("measure_id", "series_id", "period", "value", "not_available_reason")
    }

    def shown(measure, series_id, month) -> str:
        value, reason = stored.get((measure.pk, series_id, month), (None, ""))
        if value is None:
            return "n/a" if reason else ""
        return format_value(value, measure.unit)

    labels = [s.name for s in baselines] + ["Same month last year"]
    posted = posted or {}
    groups = []
    for group in _grouped(council, measures):
        rows = []
        for measure in group.rows:
            comparators = [MonthComparator(s.name, shown(measure, s.pk, period)) for s in baselines]
            last = shown(measure, last_year.pk, period) if last_year else ""
            if not last and actual is not None:
                last = shown(measure, actual.pk, year_before)
            comparators.append(MonthComparator("Same month last year", last))
            value, reason = (
                stored.get((measure.pk, actual.pk, period), (None, "")) if actual else (None, "")
            )
            figure = figure_typed(value, reason)
            typed, base = posted.get(measure.pk, (figure, figure))
            rows.append(MonthRow(measure, typed, base, comparators))
        groups.append(MonthGroup(group.title, rows))
    return MonthPage(period, actual, labels, groups, kept_by_year)


# --- the write -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigure:
    """One box of the month page: the measure, what was typed, the figure it was opened with."""

    measure: Measure
    typed: str
    base: str


class MonthRefused(ValidationError):
    """Some boxes broke the rules or were saved by someone else since; nothing was written.

    `problems` maps a measure's id to why its box was refused; `current` maps the id of each
    box someone else saved since to the figure now stored, as typed."""

    def __init__(self, problems: dict[int, str], current: dict[int, str] | None = None):
        self.problems = problems
        self.current = current or {}
        super().__init__(list(problems.values()))


def _reading(figure: MonthFigure) -> tuple[Decimal | None, str | None]:
    """(number, not-available reason) from a box as typed; (None, None) clears the figure.
    A ValidationError (keyed "value") when it is neither a figure nor n/a."""
    typed = figure.typed.strip()
    if not typed:
        return None, None
    if len(typed) > TYPED_MAX:
        raise ValidationError({"value": f"Keep this to {TYPED_MAX} characters or fewer."})
    reason = not_available_read(typed)
    if reason is not None:
        return None, not_available_reason_clean(reason)
    return measure_value_validate(unit=figure.measure.unit, value=typed), None


@transaction.atomic
def measure_values_save_month(
    *, council, period: dt.date, series: Series, figures: list[MonthFigure], by
) -> int:
    """Save a month's figures of many measures in one series, all or none; returns how many
    figures changed.

    Each box is read as the KPI cell reads it (a number for the measure's unit, "-", "n/a" or
    "n/a: reason"; blank clears the figure), under measure_value_save's rules. A box whose
    figure someone else saved after the page was opened (its `base` no longer stored) is
    refused, unless it would store what is there already. Every changed figure gets its own
    history entry, as a typed figure does, and its source is marked refreshed today.
    """
    # 1. The role check, once for the council, as measure_value_save makes it per figure.
    require_action(by, council, Action.EDIT)
    # 2. Read and check every box; nothing is written if any is refused.
    agreements = council_agreements(council.pk)
    checked: dict = {}
    problems: dict[int, str] = {}
    readings: list[tuple[Decimal | None, str | None]] = []
    for figure in figures:
        measure = figure.measure
        if measure.council_id != council.pk or series.council_id != council.pk:
            raise ValidationError("Choose measures and a series of this council.")
        try:
            number, reason = _reading(figure)
        except ValidationError as error:
            problems[measure.pk] = _first_message(error)
            readings.append((None, None))
            continue
        clearing = number is None and reason is None
        errors = measure_value_address_errors(
            measure=measure,
            period=period,
            series=series,
            agreements=agreements,
            storing=not clearing,
            checked=checked,
        )
        if errors:
            problems[measure.pk] = next(iter(errors.values()))
        readings.append((number, reason))
    if problems:
        raise MonthRefused(problems)
    # 3. The month's stored figures, locked against a save in between.
    cells = {
        cell.measure_id: cell
        for cell in MeasureValue.objects.select_for_update().filter(
            measure_id__in=[f.measure.pk for f in figures],
            period=period,
            period_kind=PeriodKind.MONTH,
            series=series,
        )
    }
    changes, current = [], {}
    for figure, (number, reason) in zip(figures, readings, strict=True):
        cell = cells.get(figure.measure.pk)
        stored = figure_typed(cell.value, cell.not_available_reason) if cell else ""
        saving = figure_typed(number, reason or "")
        if stored == saving:
            continue
        if stored != figure.base:
            current[figure.measure.pk] = stored
            problems[figure.measure.pk] = (
                f"{figure.measure.name}, {period_long(period)}: someone else saved this figure "
                f"after you opened the page. Saved now: "
                f"{_figure_words(stored, figure.measure.unit)}. Yours: "
                f"{_figure_words(saving, figure.measure.unit)}, still in the box. Save again "
                "to replace theirs."
            )
            continue
        changes.append((figure.measure, cell, number, reason))
    if problems:
        raise MonthRefused(problems, current)
    # 4. Write, clear or create each changed figure.
    where = {"period": period, "series": series.slug}
    entries = []
    for measure, cell, number, reason in changes:
        before = (
            {**where, "value": _shown_figure(cell.value, cell.not_available_reason)}
            if cell
            else None
        )
        if number is None and reason is None:
            cell.delete()
            entries.append((measure, before, {**where, "value": None}))
            continue
        fields = {"value": number, "not_available_reason": reason or ""}
        if cell is None:
            cell = MeasureValue.objects.create(
                measure=measure, period=period, series=series, **fields
            )
        else:
            for name, value in fields.items():
                setattr(cell, name, value)
            cell.save(update_fields=list(fields))
        entries.append((cell, before, {**where, "value": _shown_figure(number, reason or "")}))
    if not entries:
        return 0
    # 5. The sources of the figures changed are as fresh as today.
    DataSource.objects.filter(pk__in={m.data_source_id for m, *_ in changes}).update(
        last_refreshed=timezone.localdate()
    )
    # 6. History: one entry per changed figure, as measure_value_save writes it.
    audit_record_many(action="measure_value.save", user=by, council=council, entries=entries)
    return len(entries)


def _first_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.message_dict.values()))[0]
    return error.messages[0]
