"""A risk's or condition's task page: the drift suggestions and narrative flags it shows.

Read in a fixed number of queries whatever the number of linked measures: the section's update
(1), its measures (1), every monthly figure of those measures (1), the decisions already made
on its suggestions this round (1), and the council's RAG labels where a level is suggested (1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from conditions.models import ConditionUpdate
from metrics.models import Measure, MeasureValue, Series
from metrics.periods import PeriodKind, period_label
from metrics.variance import format_value
from reports.drift.narrative import MeasureRef, differs, figures_for_measures
from reports.drift.rules import Baseline, Drift, measure_drift
from reports.models import DriftDecision
from risks.models import RiskUpdate
from svmonitor.choices import RAG_RANK, Rag
from svmonitor.section_rows import rag_labels

RISK, CONDITION = "risk", "condition"
LIKELIHOOD, RAG = "likelihood", "rag"
# Where a council defines no RAG levels of its own, a level moves along DfE's four.
DEFAULT_LEVELS = (Rag.BLUE, Rag.GREEN, Rag.AMBER, Rag.RED)


@dataclass(frozen=True)
class Suggestion:
    """A change the figures suggest for one risk or condition, with its evidence."""

    section: str  # RISK or CONDITION
    section_pk: int  # its update in the round
    measure_pk: int
    measure_name: str
    evidence: str  # Drift.evidence: what a decision on it is kept against
    field: str  # LIKELIHOOD or RAG
    current: object
    suggested: object
    text: str
    drift: Drift


@dataclass(frozen=True)
class NarrativeFlag:
    """A figure in the narrative that differs from the data by more than the tolerance."""

    measure_name: str
    found: str  # as written in the narrative
    data: str  # the data's figure, formatted in the measure's unit
    month: str  # the month the data's figure is for
    text: str


@dataclass
class TaskDrift:
    """What a task page shows of drift: suggestions still to decide, and narrative flags."""

    section: str
    section_pk: int
    version: int  # the section's version the page showed (an accept saves over it)
    suggestions: list[Suggestion] = field(default_factory=list)
    flags: list[NarrativeFlag] = field(default_factory=list)


def section_of_task(key: str) -> tuple[str, int] | None:
    """The section a task key names ("risk-12", "condition-7": the keys the risks' and
    conditions' parts give their tasks), or None for any other task."""
    for section in (RISK, CONDITION):
        rest = key.removeprefix(f"{section}-")
        if key.startswith(f"{section}-") and rest.isdigit():
            return section, int(rest)
    return None


def _month(value: dt.date | None) -> dt.date | None:
    return value.replace(day=1) if value is not None else None


def _figures(measure_ids: list[int], until: dt.date | None):
    """Every monthly actual and forecast figure of the measures up to the round's data month,
    in one query: {measure: actuals by month}, {measure: forecast by month}."""
    rows = MeasureValue.objects.filter(
        measure_id__in=measure_ids,
        period_kind=PeriodKind.MONTH,
        value__isnull=False,
        series__kind__in=[Series.Kind.ACTUAL, Series.Kind.BASELINE],
    )
    if until is not None:
        rows = rows.filter(period__lte=until)
    rows = rows.order_by("series__order", "series_id").values_list(
        "measure_id", "period", "series__kind", "series__name", "value"
    )
    actuals: dict[int, dict[dt.date, Decimal]] = {pk: {} for pk in measure_ids}
    forecasts: dict[int, dict[dt.date, Baseline]] = {pk: {} for pk in measure_ids}
    for measure_id, period, kind, name, value in rows:
        if kind == Series.Kind.ACTUAL:
            actuals[measure_id][period] = value
        else:
            # The first baseline series (by order) with a figure that month is the forecast.
            forecasts[measure_id].setdefault(period, Baseline(value, name))
    return actuals, forecasts


def _worse_level(current: str, levels: list[str]) -> str | None:
    """The next level worse than `current` among the council's levels (None at the worst,
    or when it is not rated yet)."""
    if current not in RAG_RANK:
        return None
    worse = [level for level in levels if RAG_RANK.get(level, -1) > RAG_RANK[current]]
    return min(worse, key=RAG_RANK.get) if worse else None


def _months(count: int) -> str:
    return f"{count} month{'s' if count != 1 else ''}"


def _evidence_text(name: str, drift: Drift) -> str:
    return (
        f"{name} has been {drift.direction} {drift.latest_baseline.name} for "
        f"{_months(drift.months)}, now {drift.deviation_text} ({drift.latest_month:%b %Y})"
    )


def task_drift(round, key: str) -> TaskDrift | None:
    """The task's suggestions and narrative flags (None: not a risk's or condition's task)."""
    found = section_of_task(key)
    if found is None:
        return None
    section, pk = found
    council = round.agreement.council
    if section == RISK:
        update = RiskUpdate.objects.filter(round=round, pk=pk).first()
        if update is None:
            return None
        measures = Measure.objects.filter(risks=update.risk_id)
    else:
        update = ConditionUpdate.objects.filter(round=round, pk=pk).first()
        if update is None:
            return None
        measures = Measure.objects.filter(
            Q(conditions=update.condition_id) | Q(cited_by_condition_updates=update.pk)
        )
    result = TaskDrift(section=section, section_pk=pk, version=update.version)
    measures = list(
        measures.distinct()
        .order_by("order", "name", "pk")
        .values("pk", "name", "unit", "polarity", "reading", "drift_threshold_pct")
    )
    if not measures:
        return result
    until = _month(round.data_as_at)
    actuals, forecasts = _figures([m["pk"] for m in measures], until)
    decided = set(
        DriftDecision.objects.filter(round=round, section=section, section_pk=pk).values_list(
            "measure_id", "evidence"
        )
    )
    start = dt.date(round.agreement.first_financial_year, 4, 1)
    needs_levels = section == CONDITION or not council.risks_scored
    labels = rag_labels(council.pk) if needs_levels else {}
    levels = [level for level in labels if level != Rag.NOT_RATED] or list(DEFAULT_LEVELS)
    for measure in measures:
        threshold = measure["drift_threshold_pct"]
        if threshold is None:
            threshold = council.drift_threshold_pct
        drift = measure_drift(
            polarity=measure["polarity"],
            actuals=actuals[measure["pk"]],
            forecasts=forecasts[measure["pk"]],
            # A running total starts again each year: its value at the start is no baseline.
            start=None if measure["reading"] == Measure.Reading.RUNNING_TOTAL else start,
            until=until,
            threshold=Decimal(threshold),
        )
        if drift is None or drift.months < council.drift_months:
            continue
        if (measure["pk"], drift.evidence) in decided:
            continue
        suggestion = _suggest(section, update, council, measure, drift, labels, levels)
        if suggestion is not None:
            result.suggestions.append(suggestion)
    result.flags = _narrative_flags(update.narrative, measures, actuals, forecasts, council)
    return result


def _suggest(section, update, council, measure, drift, labels, levels) -> Suggestion | None:
    evidence = _evidence_text(measure["name"], drift)
    if section == RISK and council.risks_scored:
        current = update.likelihood
        if current is None or current >= 5:
            return None
        suggested = current + 1
        change = f"consider raising likelihood from {current} to {suggested}"
        field_name = LIKELIHOOD
    else:
        current = update.rag
        suggested = _worse_level(current, levels)
        if suggested is None:
            return None

        def label(level):
            return labels.get(level) or Rag(level).label

        change = (
            f"consider changing the assurance level from {label(current)} to {label(suggested)}"
        )
        field_name = RAG
    return Suggestion(
        section=section,
        section_pk=update.pk,
        measure_pk=measure["pk"],
        measure_name=measure["name"],
        evidence=drift.evidence,
        field=field_name,
        current=current,
        suggested=suggested,
        text=f"{evidence}: {change}.",
        drift=drift,
    )


def _narrative_flags(narrative, measures, actuals, forecasts, council) -> list[NarrativeFlag]:
    """Figures in the narrative further from the data than the council's tolerance. A figure
    agrees when it is close to the measure's latest actual figure up to the round's data month,
    or to that month's gap from the forecast ("492 above forecast")."""
    refs = [MeasureRef(m["pk"], m["name"], m["unit"]) for m in measures]
    tolerance = Decimal(council.narrative_tolerance_pct)
    flags = []
    for measure, figure in figures_for_measures(narrative, refs):
        figures = actuals[measure.pk]
        if not figures:
            continue
        month = max(figures)
        data = figures[month]
        forecast = forecasts[measure.pk].get(month)
        gap = data - forecast.value if forecast is not None else None
        found = figure.value_in(measure.unit)
        if not differs(found, data, tolerance):
            continue
        if gap is not None and gap != 0 and not differs(found, abs(gap), tolerance):
            continue
        shown, when = format_value(data, measure.unit), period_label(month)
        against = ""
        if gap is not None:
            side = "above" if gap > 0 else "below" if gap < 0 else "level with"
            amount = format_value(abs(gap), measure.unit) + " " if gap else ""
            against = f", {amount}{side} {forecast.name}"
        flags.append(
            NarrativeFlag(
                measure_name=measure.name,
                found=figure.text,
                data=shown,
                month=when,
                text=(
                    f"The progress update gives {figure.text} for {measure.name}; "
                    f"the data give {shown} for {when}{against}."
                ),
            )
        )
    return flags
