"""Idempotent building blocks for the demo loader: upsert by natural key, RAG labels, rounds."""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models

from conditions.models import AgreementCondition, Milestone, MilestoneUpdate
from finance.models import DeficitCap, PaymentInstalment
from metrics.models import DataSource, HeadlineCard, Measure, MeasureValue, Series
from overview.models import Headline, RoundOverview
from reports.freeze import round_snapshot_freeze
from reports.models import RoundSnapshot
from svmonitor.choices import (
    DEFAULT_DFE_MAPPING,
    DEFAULT_RAG_DEFINITIONS,
    PaymentStatus,
    Rag,
    RoundStatus,
)
from svmonitor.models import (
    Agreement,
    KeyContact,
    MonitoringTierChange,
    RagDefinition,
    ReportingRound,
    SignOff,
)
from svmonitor.sections import DSG_PLAN
from svmonitor.services import round_open_next

MILLION = Decimal("1000000")


def money_m(amount: str) -> Decimal:
    """Pounds from a figure in millions given as text, e.g. "84.5" -> Decimal("84500000.00")."""
    return (Decimal(amount) * MILLION).quantize(Decimal("0.01"))


@dataclass
class Tally:
    """Rows the loader saw, created and changed, by model, so a re-run can show it did nothing."""

    seen: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)

    def record(self, model: type[models.Model], *, created: bool, changed: bool) -> None:
        """Count one row."""
        name = model._meta.label
        self.seen[name] += 1
        if created:
            self.created[name] += 1
        elif changed:
            self.changed[name] += 1

    def summary(self) -> str:
        """One line: rows in total, how many created and changed."""
        return (
            f"{sum(self.seen.values())} rows ({sum(self.created.values())} created, "
            f"{sum(self.changed.values())} changed)"
        )


def upsert(model, tally: Tally, *, lookup: dict, values: dict | None = None, m2m=None):
    """Get the row with this natural key and make it match `values`; save only if it differs.

    update_or_create would save every time and bump auto_now columns, so a second run would
    change rows; comparing first keeps a re-run a true no-op.
    """
    values = values or {}
    obj = model._default_manager.filter(**lookup).first()
    created = obj is None
    changed_fields = []
    if created:
        obj = model(**lookup, **values)
    else:
        changed_fields = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed_fields:
            setattr(obj, name, values[name])
    if created or changed_fields:
        obj.full_clean()
        obj.save()
    m2m_changed = False
    for name, related in (m2m or {}).items():
        manager = getattr(obj, name)
        if set(manager.values_list("pk", flat=True)) != {item.pk for item in related}:
            manager.set(related)
            m2m_changed = m2m_changed or not created
    tally.record(model, created=created, changed=bool(changed_fields) or m2m_changed)
    return obj


def rag_definitions_load(council, tally: Tally, *, labels: dict[str, str]) -> None:
    """One RagDefinition per level, with the council's own labels and the DfE defaults."""
    for level in Rag:
        upsert(
            RagDefinition,
            tally,
            lookup={"council": council, "level": level},
            values={
                "label": labels[level],
                "definition": DEFAULT_RAG_DEFINITIONS[level],
                "dfe_level": DEFAULT_DFE_MAPPING[level],
            },
        )


def contacts_load(council, tally: Tally, *, contacts: list[tuple[str, str]], slug: str) -> None:
    """Key contacts by role title only (no one's name), each with an example.org address."""
    for order, (role, title) in enumerate(contacts, start=1):
        local = re.sub(r"[^a-z0-9]+", ".", title.lower().replace("'", "")).strip(".")
        upsert(
            KeyContact,
            tally,
            lookup={"council": council, "job_title": title},
            values={
                "role": role,
                "name": title,
                "email": f"{local}@{slug}.example.org",
                "order": order,
            },
        )


@dataclass(frozen=True)
class AgreementSpec:
    """An agreement to load: its terms, payment schedule, monitoring tiers and deficit caps."""

    signed: dt.date
    title: str
    years: tuple[int, int]
    dfe_contribution: Decimal
    council_contribution: Decimal
    published_url: str = ""
    # (due date, amount, status, note); a received payment is dated on its due date.
    payments: list[tuple[dt.date, Decimal, str, str]] = field(default_factory=list)
    # (effective from, tier, reason)
    tiers: list[tuple[dt.date, str, str]] = field(default_factory=list)
    caps: dict[int, Decimal] = field(default_factory=dict)


def agreement_load(council, tally: Tally, *, spec: AgreementSpec) -> Agreement:
    """The council's agreement (superseding none) with its payments, tiers and deficit caps."""
    first_year, last_year = spec.years
    agreement = upsert(
        Agreement,
        tally,
        lookup={"council": council, "date_signed": spec.signed},
        values={
            "title": spec.title,
            "first_financial_year": first_year,
            "last_financial_year": last_year,
            "dfe_contribution": spec.dfe_contribution,
            "council_contribution": spec.council_contribution,
            "supersedes": None,
            "published_url": spec.published_url,
        },
    )
    for due, amount, status, note in spec.payments:
        upsert(
            PaymentInstalment,
            tally,
            lookup={"agreement": agreement, "due_date": due},
            values={
                "amount": amount,
                "status": status,
                "status_date": due if status == PaymentStatus.RECEIVED else None,
                "note": note,
            },
        )
    for effective_from, tier, reason in spec.tiers:
        upsert(
            MonitoringTierChange,
            tally,
            lookup={"agreement": agreement, "effective_from": effective_from},
            values={"tier": tier, "reason": reason},
        )
    for year, cap in spec.caps.items():
        upsert(
            DeficitCap,
            tally,
            lookup={"agreement": agreement, "financial_year": year},
            values={"cap": cap},
        )
    return agreement


def conditions_load(
    agreement, tally: Tally, *, conditions: list[tuple[str, str, str]]
) -> dict[str, AgreementCondition]:
    """The conditions as (label, title, wording), in force from the signing, in order."""
    return {
        label: upsert(
            AgreementCondition,
            tally,
            lookup={"agreement": agreement, "label": label, "in_force_from": agreement.date_signed},
            values={"title": title, "wording": wording, "order": order, "in_force_to": None},
        )
        for order, (label, title, wording) in enumerate(conditions, start=1)
    }


@dataclass(frozen=True)
class CatalogueSpec:
    """A council's measures and what they hang from, keyed as the loader's tables are.

    sources: key -> (name, last refreshed, basis). series: slug -> (kind, name, order).
    measures: code -> (name, unit, polarity, source key, frequency, reading, programme area
    number or None, condition labels). cards: (title, measure code, series slug, comparator
    label, subject), in order.
    """

    sources: dict
    series: dict
    measures: dict
    cards: list


def catalogue_load(
    council, tally: Tally, *, spec: CatalogueSpec, areas: dict, conditions: dict
) -> tuple[dict[str, Measure], dict[str, Series]]:
    """Data sources, series, measures and headline cards; the measures and series by key, for
    their values."""
    sources = {
        key: upsert(
            DataSource,
            tally,
            lookup={"council": council, "name": name},
            values={"last_refreshed": refreshed, "basis": basis},
        )
        for key, (name, refreshed, basis) in spec.sources.items()
    }
    series = {
        slug: upsert(
            Series,
            tally,
            lookup={"council": council, "slug": slug},
            values={"kind": kind, "name": name, "order": order},
        )
        for slug, (kind, name, order) in spec.series.items()
    }
    measures = {}
    for order, (code, measure) in enumerate(spec.measures.items(), start=1):
        name, unit, polarity, source, frequency, reading, area, served = measure
        measures[code] = upsert(
            Measure,
            tally,
            lookup={"council": council, "code": code},
            values={
                "name": name,
                "unit": unit,
                "polarity": polarity,
                "data_source": sources[source],
                "frequency": frequency,
                "reading": reading,
                "programme_area": areas[area] if area is not None else None,
                "order": order,
            },
            m2m={"conditions": [conditions[label] for label in served]},
        )
    for order, (title, code, slug, label, subject) in enumerate(spec.cards, start=1):
        upsert(
            HeadlineCard,
            tally,
            lookup={"council": council, "order": order},
            values={
                "title": title,
                "measure": measures[code],
                "comparator": series[slug],
                "comparator_label": label,
                "subject": subject,
            },
        )
    return measures, series


@dataclass(frozen=True)
class RoundSpec:
    """A reporting round to load: which update, when due, data month, and submission date."""

    financial_year: int
    update_number: int
    due_date: dt.date
    data_as_at: dt.date | None
    submitted_on: dt.date | None = None


def round_load(agreement, tally: Tally, *, spec: RoundSpec, recorded_by=None) -> ReportingRound:
    """A submitted round if it has a submission date, else an open draft."""
    submitted = spec.submitted_on is not None
    return upsert(
        ReportingRound,
        tally,
        lookup={
            "agreement": agreement,
            "financial_year": spec.financial_year,
            "update_number": spec.update_number,
        },
        values={
            "due_date": spec.due_date,
            "data_as_at": spec.data_as_at,
            "status": RoundStatus.SUBMITTED if submitted else RoundStatus.DRAFT,
            "submitted_on": spec.submitted_on,
            "submitted_recorded_by": recorded_by if submitted else None,
        },
    )


def submitted_round_seal(round_, tally: Tally, *, users: dict, slug: str) -> None:
    """Freeze a submitted round and record both statutory sign-offs of that frozen snapshot.

    A real return reaches "submitted" only through ready (frozen) and two sign-offs; the demo
    rounds are loaded as submitted, so this gives them the same evidence: one snapshot and
    the S151 and DCS sign-offs naming its SHA-256. Done once: a re-run finds the snapshot.
    """
    if round_.status != RoundStatus.SUBMITTED:
        return
    # Its milestones as it reported them, before it is frozen with them.
    milestone_records_load(round_, tally)
    # Frozen for sign-off three days before submission, at 10:00 UK time.
    ready_at = _at(round_.submitted_on - dt.timedelta(days=3))
    existing = round_.snapshots.order_by("pk").first()
    if existing is not None:
        # A database loaded before the freeze was dated gets its date put right, once.
        if existing.created_at != ready_at:
            RoundSnapshot.objects.filter(pk=existing.pk).update(created_at=ready_at)
            tally.record(RoundSnapshot, created=False, changed=True)
        return
    lead = users.get(f"lead.{slug}")
    snapshot = round_snapshot_freeze(round=round_, by=lead)
    # created_at is auto_now_add (the load's own clock); the PDF says when the return was
    # frozen for sign-off, which for a demo round is its ready date, not today.
    RoundSnapshot.objects.filter(pk=snapshot.pk).update(created_at=ready_at)
    tally.record(RoundSnapshot, created=True, changed=False)
    ReportingRound.objects.filter(pk=round_.pk).update(ready_at=ready_at, ready_by=lead)
    for capacity, days_before in (("s151", 2), ("dcs", 1)):
        SignOff.objects.create(
            round=round_,
            capacity=capacity,
            signed_by=users[f"{capacity}.{slug}"],
            signed_at=_at(round_.submitted_on - dt.timedelta(days=days_before)),
            snapshot_sha256=snapshot.sha256,
        )
        tally.record(SignOff, created=True, changed=False)


def milestone_records_load(round_, tally: Tally) -> None:
    """Each of the council's milestones as this round reports it (conditions.MilestoneUpdate).

    The demo's milestones are loaded as they stand at the open draft. A round reports them as
    they stood at its own month: one completed after the round was due was not complete yet
    (overdue if it was due before the round's data month, else on track), and one overdue now
    but due after that month was on track then.
    """
    as_at = round_.data_as_at or round_.due_date
    milestones = Milestone.objects.filter(
        workstream__area__council=round_.agreement.council_id
    ).order_by("pk")
    for milestone in milestones:
        status, completed_on = milestone.status, milestone.completed_on
        if completed_on is not None and completed_on > round_.due_date:
            completed_on = None
            status = Milestone.Status.OVERDUE
        if status == Milestone.Status.OVERDUE and milestone.due_date >= as_at:
            status = Milestone.Status.ON_TRACK
        upsert(
            MilestoneUpdate,
            tally,
            lookup={"round": round_, "milestone": milestone},
            values={
                "due_date": milestone.due_date,
                "status": status,
                "completed_on": completed_on,
            },
        )


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=ZoneInfo("Europe/London"))


def overview_load(round_, tally: Tally, *, values: dict, headlines: dict[str, list[str]]):
    """A round's overview answers and its headlines (at most three of each kind)."""
    overview = upsert(RoundOverview, tally, lookup={"round": round_}, values=values)
    for kind, texts in headlines.items():
        for position, text in enumerate(texts, start=1):
            upsert(
                Headline,
                tally,
                lookup={"overview": overview, "kind": kind, "position": position},
                values={"text": text},
            )
    return overview


def draft_round_open(agreement, tally: Tally, *, financial_year: int, update_number: int, by):
    """The open draft, opened once through the lifecycle service, which carries forward every
    section (condition, risk and workstream updates, overview, headlines) of the last round.

    Opening it the way a council would keeps one carry-forward rule in the project; a re-run
    finds the draft and leaves it (and any edits made to it since) alone.
    """
    draft = ReportingRound.objects.filter(
        agreement=agreement, financial_year=financial_year, update_number=update_number
    ).first()
    created = draft is None
    if created:
        draft = round_open_next(
            agreement=agreement,
            financial_year=financial_year,
            update_number=update_number,
            by=by,
        )
        # Carried forward from the last return; the milestones as the demo has them now.
        milestone_records_load(draft, tally)
    rows = [draft, *draft.condition_updates.all(), *draft.risk_updates.all()]
    rows += list(draft.workstream_updates.all())
    overview = getattr(draft, "overview", None)
    if overview is not None:
        rows += [overview, *overview.headlines.all()]
    for row in rows:
        tally.record(type(row), created=created, changed=False)
    return draft


def values_load(measure, series, tally: Tally, *, points: dict[dt.date, object], notes=None):
    """MeasureValue rows for one measure in one series; `None` points are skipped, not invented."""
    notes = notes or {}
    for period, value in points.items():
        if value is None:
            continue
        upsert(
            MeasureValue,
            tally,
            lookup={"measure": measure, "period": period, "series": series},
            values={"value": Decimal(str(value)), "note": notes.get(period, "")},
        )


def month(year: int, month_number: int) -> dt.date:
    """The first of a month, as every period is stored."""
    return dt.date(year, month_number, 1)


def dsg_round_open(agreement, tally: Tally, *, financial_year: int, number: int, by):
    """A DSG plan round of the year, opened once through the lifecycle service (as a council
    would); found again on a second load."""
    found = (
        ReportingRound.objects.dsg_plan()
        .filter(
            agreement=agreement,
            financial_year=financial_year,
            update_number=number,
        )
        .first()
    )
    created = found is None
    if created:
        found = round_open_next(
            agreement=agreement,
            financial_year=financial_year,
            update_number=number,
            by=by,
            return_kind=DSG_PLAN,
        )
    tally.record(ReportingRound, created=created, changed=False)
    return found
