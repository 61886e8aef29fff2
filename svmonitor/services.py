"""Writes for reporting rounds: the lifecycle (open, ready, sign-off, submit, reopen), the
overview and headlines, and the shared rules every section save follows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from conditions.models import ConditionUpdate, Workstream, WorkstreamUpdate
from reports.freeze import round_snapshot_freeze
from reports.models import RoundSnapshot
from risks.models import Risk, RiskUpdate
from svmonitor.audit import audit_record, json_safe, model_fields_dict
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import StaleEdit, locked_error
from svmonitor.models import (
    Agreement,
    Headline,
    ReportingRound,
    RoundEvent,
    RoundOverview,
    SignOff,
)
from svmonitor.selectors import (
    ON_TRACK_ANSWERS,
    ON_TRACK_QUESTIONS,
    RAGS_NEEDING_NARRATIVE,
    conditions_in_force,
    headline_texts,
    previous_round_for,
    round_completeness,
)

NARRATIVE_MAX = 5000
HEADLINES_MAX = 3
NARRATIVE_NEEDED = (
    "A Red or Amber rating (including Amber/Red and Amber/Green) needs a progress update."
)
DUE_DATES = {1: (5, 31), 2: (8, 31), 3: (11, 30)}

ROUND_EXISTS = "{label} already exists for this agreement."
PREVIOUS_STILL_DRAFT = (
    "{previous} is still a draft. Finish it and mark it ready for sign-off before opening "
    "{label}: its sections are what the new return carries forward."
)
NOT_DRAFT_FOR_READY = "Only a draft return can be marked ready for sign-off; this one is {state}."
INCOMPLETE = "The return is not complete yet: {gaps}."
DRAFT_CANNOT_SIGN = "A draft return cannot be signed off: mark it ready for sign-off first."
NOT_READY_FOR_SIGN = (
    "Only a return that is ready for sign-off can be signed off; this one is {state}."
)
ALREADY_SIGNED = "The {capacity} has already signed off this return."
SAME_PERSON = "The S151 officer and the director of children's services must be different people."
NOT_SIGNED_FOR_SUBMIT = (
    "Only a signed-off return can be recorded as submitted; this one is {state}."
)
CANNOT_REOPEN_DRAFT = "This return is already a draft."
REASON_NEEDED = "Say why the return is being reopened."


# ---------------------------------------------------------------------------------------------
# Shared section rules (used by conditions, risks and this module)
# ---------------------------------------------------------------------------------------------


def round_lock_for_edit(*, round_id: int) -> ReportingRound:
    """Lock a round for a section edit; refuse unless it is a draft."""
    # FOR UPDATE on the round serialises section saves with mark-ready: no edit can land
    # after the snapshot is frozen. On SQLite the IMMEDIATE transaction does the same.
    locked = ReportingRound.objects.select_for_update().get(pk=round_id)
    if locked.status != RoundStatus.DRAFT:
        raise locked_error(locked.status)
    return locked


def text_length_errors(errors: dict, **texts: str) -> None:
    """Add a field error for each text longer than the narrative limit."""
    for name, text in texts.items():
        if len(text) > NARRATIVE_MAX:
            errors[name] = (
                f"Keep this to {NARRATIVE_MAX:,} characters or fewer (it has {len(text):,})."
            )


def rated_section_validate(*, rag: str, narrative: str, extra_errors: dict | None = None) -> None:
    """Validate an assurance level and narrative; raise one field-keyed ValidationError."""
    errors = dict(extra_errors or {})
    if rag not in Rag.values:
        errors["rag"] = "Choose an assurance level from the list."
    text_length_errors(errors, narrative=narrative)
    if rag in RAGS_NEEDING_NARRATIVE and not narrative.strip() and "narrative" not in errors:
        errors["narrative"] = NARRATIVE_NEEDED
    if errors:
        raise ValidationError(errors)


def section_save_versioned(
    *, model: type[models.Model], pk: int, expected_version: int, values: dict, shown: tuple
) -> None:
    """Write `values` only if the row is still at `expected_version`, or raise StaleEdit."""
    # One UPDATE ... WHERE version = expected: two people saving the same old version cannot
    # both win, whatever the isolation level, because the second matches no row.
    changed = model._default_manager.filter(pk=pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if changed == 0:
        current = model._default_manager.filter(pk=pk).values(*shown, "version").first() or {}
        raise StaleEdit(
            current=json_safe({name: current.get(name) for name in shown}),
            current_version=current.get("version", 0),
        )


# ---------------------------------------------------------------------------------------------
# Round lifecycle
# ---------------------------------------------------------------------------------------------


def _lock_round(round: ReportingRound) -> ReportingRound:
    # Every transition re-reads the round under a row lock, so two clicks cannot both pass
    # the status check.
    return (
        ReportingRound.objects.select_for_update()
        .select_related("agreement__council")
        .get(pk=round.pk)
    )


def _state(status: str) -> str:
    return RoundStatus(status).label.lower().replace("dfe", "DfE")


def _record(round: ReportingRound, *, action, from_status, by, reason="", extra=None) -> None:
    RoundEvent.objects.create(
        round=round,
        action=action,
        from_status=from_status,
        to_status=round.status,
        by=by,
        at=timezone.now(),
        reason=reason,
    )
    after = {"status": round.status, **(extra or {})}
    if reason:
        after["reason"] = reason
    audit_record(
        action=f"round.{action}",
        user=by,
        council=round.agreement.council,
        obj=round,
        before={"status": from_status},
        after=after,
    )


def round_default_due_date(*, financial_year: int, update_number: int) -> dt.date:
    """DfE's usual deadline for an update: 31 May, 31 August or 30 November."""
    month, day = DUE_DATES[update_number]
    return dt.date(financial_year, month, day)


def _carry_forward(new: ReportingRound, previous: ReportingRound | None, by) -> None:
    """Copy the previous round's sections into the new draft; add rows for anything new."""
    agreement = new.agreement
    condition_ids = set(
        conditions_in_force(agreement=agreement, on=new.due_date).values_list("pk", flat=True)
    )
    risks = {risk.pk: risk for risk in Risk.objects.filter(council=agreement.council_id)}
    open_risk_ids = {pk for pk, risk in risks.items() if risk.is_open}
    workstream_ids = set(
        Workstream.objects.filter(area__council=agreement.council_id).values_list("pk", flat=True)
    )
    old_conditions = old_risks = old_workstreams = []
    if previous is not None:
        old_conditions = list(
            ConditionUpdate.objects.filter(round=previous, condition_id__in=condition_ids)
            .prefetch_related("key_measures")
            .order_by("pk")
        )
        old_risks = list(
            RiskUpdate.objects.filter(round=previous, risk_id__in=open_risk_ids).order_by("pk")
        )
        old_workstreams = list(WorkstreamUpdate.objects.filter(round=previous).order_by("pk"))

    stamp = {"round": new, "updated_by": by}
    conditions = [
        ConditionUpdate(condition_id=u.condition_id, rag=u.rag, narrative=u.narrative, **stamp)
        for u in old_conditions
    ]
    seen = {u.condition_id for u in old_conditions}
    conditions += [ConditionUpdate(condition_id=pk, **stamp) for pk in condition_ids - seen]
    created = ConditionUpdate.objects.bulk_create(conditions)
    # Key measures cited by an update travel with it.
    through = ConditionUpdate.key_measures.through
    by_condition = {u.condition_id: u for u in created}
    through.objects.bulk_create(
        through(conditionupdate_id=by_condition[u.condition_id].pk, measure_id=m.pk)
        for u in old_conditions
        for m in u.key_measures.all()
    )

    risk_rows = [
        RiskUpdate(
            risk_id=u.risk_id,
            rag=u.rag,
            narrative=u.narrative,
            impact=u.impact,
            likelihood=u.likelihood,
            **stamp,
        )
        for u in old_risks
    ]
    seen = {u.risk_id for u in old_risks}
    risk_rows += [
        RiskUpdate(risk_id=pk, impact=risks[pk].impact, likelihood=risks[pk].likelihood, **stamp)
        for pk in sorted(open_risk_ids - seen)
    ]
    RiskUpdate.objects.bulk_create(risk_rows)

    workstream_rows = [
        WorkstreamUpdate(workstream_id=u.workstream_id, rag=u.rag, narrative=u.narrative, **stamp)
        for u in old_workstreams
    ]
    seen = {u.workstream_id for u in old_workstreams}
    workstream_rows += [
        WorkstreamUpdate(workstream_id=pk, **stamp) for pk in sorted(workstream_ids - seen)
    ]
    WorkstreamUpdate.objects.bulk_create(workstream_rows)

    old_overview = RoundOverview.objects.filter(round=previous).first() if previous else None
    overview = RoundOverview(round=new, updated_by=by)
    if old_overview is not None:
        for field in OVERVIEW_FIELDS:
            setattr(overview, field, getattr(old_overview, field))
    overview.save()
    if old_overview is not None:
        Headline.objects.bulk_create(
            Headline(overview=overview, kind=h.kind, position=h.position, text=h.text)
            for h in old_overview.headlines.order_by("kind", "position")
        )


@transaction.atomic
def round_open_next(
    *, agreement: Agreement, financial_year: int, update_number: int, by
) -> ReportingRound:
    """Open a draft round, carrying forward every section of the agreement's previous round."""
    # 1. Lock the agreement so two people opening the same round queue; the unique
    #    constraint on (agreement, year, update) is the guard on SQLite.
    agreement = Agreement.objects.select_for_update().select_related("council").get(pk=agreement.pk)
    errors = {}
    if update_number not in DUE_DATES:
        errors["update_number"] = "The update number must be 1, 2 or 3."
    if not agreement.first_financial_year <= financial_year <= agreement.last_financial_year:
        errors["financial_year"] = (
            f"The agreement runs from {agreement.period_label}; choose a year inside it."
        )
    if errors:
        raise ValidationError(errors)
    # 2. Refuse a round that exists already, or one whose previous round is still a draft:
    #    the new draft would carry forward words nobody has finished.
    new = ReportingRound(
        agreement=agreement,
        financial_year=financial_year,
        update_number=update_number,
        due_date=round_default_due_date(financial_year=financial_year, update_number=update_number),
    )
    if ReportingRound.objects.filter(
        agreement=agreement, financial_year=financial_year, update_number=update_number
    ).exists():
        raise ValidationError(ROUND_EXISTS.format(label=new.label))
    previous = previous_round_for(
        agreement=agreement, financial_year=financial_year, update_number=update_number
    )
    if previous is not None and previous.status == RoundStatus.DRAFT:
        raise ValidationError(
            PREVIOUS_STILL_DRAFT.format(previous=previous.label, label=new.label),
            code="previous_draft",
        )
    # 3. Data runs to the month before the deadline's month (Update 3, November: October).
    month_before = new.due_date.replace(day=1) - dt.timedelta(days=1)
    new.data_as_at = month_before.replace(day=1)
    new.save()
    # 4. Carry forward the previous round's sections as the new draft.
    _carry_forward(new, previous, by)
    _record(
        new,
        action="opened",
        from_status=RoundStatus.DRAFT,
        by=by,
        extra={"carried_forward_from": previous.pk if previous else None},
    )
    return new


@transaction.atomic
def round_mark_ready(*, round: ReportingRound, by) -> ReportingRound:
    """Mark a complete draft ready for sign-off and freeze its snapshot."""
    # 1. Lock and check the state.
    locked = _lock_round(round)
    if locked.status != RoundStatus.DRAFT:
        raise ValidationError(NOT_DRAFT_FOR_READY.format(state=_state(locked.status)))
    # 2. Refuse while anything is still to update.
    gaps = round_completeness(locked)
    if gaps:
        raise ValidationError(
            INCOMPLETE.format(gaps="; ".join(str(gap) for gap in gaps)), code="incomplete"
        )
    # 3. Change state, then freeze what will be signed.
    locked.status = RoundStatus.READY
    locked.ready_at = timezone.now()
    locked.ready_by = by
    locked.version += 1
    locked.save(update_fields=["status", "ready_at", "ready_by", "version"])
    snapshot = round_snapshot_freeze(round=locked, by=by)
    _record(
        locked,
        action="ready",
        from_status=RoundStatus.DRAFT,
        by=by,
        extra={"snapshot_sha256": snapshot.sha256},
    )
    return locked


@transaction.atomic
def round_sign_off(*, round: ReportingRound, by, capacity: str) -> SignOff:
    """Record a statutory officer's sign-off against the frozen snapshot."""
    if capacity not in SignOff.Capacity.values:
        raise ValidationError({"capacity": "Sign off as the S151 officer or the DCS."})
    locked = _lock_round(round)
    if locked.status == RoundStatus.DRAFT:
        raise ValidationError(DRAFT_CANNOT_SIGN, code="draft")
    if locked.status != RoundStatus.READY:
        raise ValidationError(NOT_READY_FOR_SIGN.format(state=_state(locked.status)))
    live = {s.capacity: s for s in SignOff.objects.filter(round=locked, voided_at__isnull=True)}
    if capacity in live:
        label = SignOff.Capacity(capacity).label
        raise ValidationError(ALREADY_SIGNED.format(capacity=label), code="already_signed")
    if any(s.signed_by_id == by.pk for s in live.values()):
        raise ValidationError(SAME_PERSON, code="same_person")
    # Sign the latest frozen snapshot: the one made when the return was marked ready.
    snapshot = RoundSnapshot.objects.filter(round=locked).order_by("-created_at", "-pk").first()
    if snapshot is None:
        raise ValidationError("This return has no frozen snapshot; reopen it and mark it ready.")
    sign_off = SignOff.objects.create(
        round=locked,
        capacity=capacity,
        signed_by=by,
        signed_at=timezone.now(),
        snapshot_sha256=snapshot.sha256,
    )
    live[capacity] = sign_off
    from_status = locked.status
    if set(live) == set(SignOff.Capacity.values):
        locked.status = RoundStatus.SIGNED_OFF
        locked.version += 1
        locked.save(update_fields=["status", "version"])
    _record(
        locked,
        action=f"signed_{capacity}",
        from_status=from_status,
        by=by,
        extra={"capacity": capacity, "snapshot_sha256": snapshot.sha256},
    )
    return sign_off


@transaction.atomic
def round_record_submission(*, round: ReportingRound, by, submitted_on: dt.date) -> ReportingRound:
    """Record the date a signed-off return was sent to DfE."""
    locked = _lock_round(round)
    if locked.status != RoundStatus.SIGNED_OFF:
        raise ValidationError(NOT_SIGNED_FOR_SUBMIT.format(state=_state(locked.status)))
    if submitted_on is None:
        raise ValidationError({"submitted_on": "Enter the date the return was sent to DfE."})
    if submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": "The date sent to DfE cannot be in the future."})
    locked.status = RoundStatus.SUBMITTED
    locked.submitted_on = submitted_on
    locked.submitted_recorded_by = by
    locked.version += 1
    locked.save(update_fields=["status", "submitted_on", "submitted_recorded_by", "version"])
    _record(
        locked,
        action="submitted",
        from_status=RoundStatus.SIGNED_OFF,
        by=by,
        extra={"submitted_on": submitted_on},
    )
    return locked


@transaction.atomic
def round_reopen(*, round: ReportingRound, by, reason: str) -> ReportingRound:
    """Send a return back to draft, voiding its live sign-offs; a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_NEEDED})
    errors: dict[str, str] = {}
    text_length_errors(errors, reason=reason)
    if errors:
        raise ValidationError(errors)
    locked = _lock_round(round)
    if locked.status == RoundStatus.DRAFT:
        raise ValidationError(CANNOT_REOPEN_DRAFT)
    from_status = locked.status
    # Sign-offs are voided, never deleted: the history of who signed what stays.
    voided = SignOff.objects.filter(round=locked, voided_at__isnull=True).update(
        voided_at=timezone.now(), void_reason=reason
    )
    before = model_fields_dict(locked, ["ready_at", "submitted_on"])
    locked.status = RoundStatus.DRAFT
    locked.ready_at = None
    locked.ready_by = None
    locked.submitted_on = None
    locked.submitted_recorded_by = None
    locked.version += 1
    locked.save(
        update_fields=[
            "status",
            "ready_at",
            "ready_by",
            "submitted_on",
            "submitted_recorded_by",
            "version",
        ]
    )
    _record(
        locked,
        action="reopened",
        from_status=from_status,
        by=by,
        reason=reason,
        extra={"sign_offs_voided": voided, "was": before},
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Overview and headlines
# ---------------------------------------------------------------------------------------------

OVERVIEW_FIELDS = (
    "deficit_this_year_on_track",
    "deficit_this_year_commentary",
    "zero_deficit_on_track",
    "zero_deficit_commentary",
    "capital_project_on_track",
    "capital_project_commentary",
    "adviser_support_requested",
    "adviser_support_detail",
    "overall_rag",
    "overall_narrative",
)
OVERVIEW_TEXTS = tuple(
    f for f in OVERVIEW_FIELDS if f.endswith(("commentary", "detail", "narrative"))
)


def _overview_validate(values: dict) -> None:
    errors: dict[str, str] = {}
    for answer_field, commentary_field, wording in ON_TRACK_QUESTIONS:
        answer = values[answer_field]
        if answer not in ON_TRACK_ANSWERS:
            errors[answer_field] = f"{wording}: answer Yes or No."
        elif answer and not values[commentary_field].strip():
            errors[commentary_field] = f"{wording}: add commentary to explain the answer."
    if values["adviser_support_requested"] and not values["adviser_support_detail"].strip():
        errors["adviser_support_detail"] = "Say what support is requested from the DfE adviser."
    if values["overall_rag"] not in Rag.values:
        errors["overall_rag"] = "Choose an overall assurance level from the list."
    elif (
        values["overall_rag"] in RAGS_NEEDING_NARRATIVE and not values["overall_narrative"].strip()
    ):
        errors["overall_narrative"] = NARRATIVE_NEEDED
    text_length_errors(errors, **{name: values[name] for name in OVERVIEW_TEXTS})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_overview_save(
    *, overview: RoundOverview, expected_version: int, by, **fields
) -> RoundOverview:
    """Save the overview answers, adviser request and board RAG, if no one saved in between."""
    unknown = set(fields) - set(OVERVIEW_FIELDS)
    if unknown:
        # Status, version, round and the like are never set through this service.
        raise TypeError(f"round_overview_save got fields it does not save: {sorted(unknown)}")
    round_lock_for_edit(round_id=overview.round_id)
    before = RoundOverview.objects.filter(pk=overview.pk).values(*OVERVIEW_FIELDS).get()
    values = {**before, **fields}
    for name in OVERVIEW_TEXTS:
        values[name] = (values[name] or "").strip()
    _overview_validate(values)
    section_save_versioned(
        model=RoundOverview,
        pk=overview.pk,
        expected_version=expected_version,
        values={**values, "updated_at": timezone.now(), "updated_by": by},
        shown=OVERVIEW_FIELDS,
    )
    overview.refresh_from_db()
    audit_record(
        action="round_overview.save",
        user=by,
        obj=overview,
        before=before,
        after=model_fields_dict(overview, OVERVIEW_FIELDS),
    )
    return overview


def headlines_fingerprint(texts: list[str]) -> str:
    """A short hash of a headline list: the version of a list the user saw, carried by the form."""
    return hashlib.sha256(json.dumps(list(texts)).encode("utf-8")).hexdigest()[:16]


@transaction.atomic
def headlines_save(
    *, overview: RoundOverview, kind: str, texts: list[str], seen: str, by
) -> list[Headline]:
    """Replace one list of headlines (drivers, barriers or engagement), at most three, if it is
    still the list the user started from (`seen`, its headlines_fingerprint)."""
    if kind not in Headline.Kind.values:
        raise ValidationError({"kind": "Choose drivers, barriers or engagement examples."})
    # 1. Lock the round (refusing a locked return), then the overview row: two saves of the
    #    same list queue here, so the second sees the first one's texts and is refused.
    round_lock_for_edit(round_id=overview.round_id)
    RoundOverview.objects.select_for_update().filter(pk=overview.pk).first()
    # 2. Refuse a save made against a list someone else has changed since. A list has no
    #    version column: its fingerprint is the version.
    before = headline_texts(overview=overview, kind=kind)
    if seen != headlines_fingerprint(before):
        raise StaleEdit(current={"texts": before}, current_version=headlines_fingerprint(before))
    # 3. Validate: at most three, each within the length limit.
    cleaned = [text.strip() for text in texts if text and text.strip()]
    errors = {}
    if len(cleaned) > HEADLINES_MAX:
        errors["texts"] = f"Give at most {HEADLINES_MAX} headlines in each list."
    long = [n for n, text in enumerate(cleaned, 1) if len(text) > NARRATIVE_MAX]
    if long and not errors:
        errors["texts"] = (
            f"Headline {long[0]} is longer than {NARRATIVE_MAX:,} characters; shorten it."
        )
    if errors:
        raise ValidationError(errors)
    # 4. Replace the list and record history.
    Headline.objects.filter(overview=overview, kind=kind).delete()
    created = Headline.objects.bulk_create(
        Headline(overview=overview, kind=kind, position=n, text=text)
        for n, text in enumerate(cleaned, 1)
    )
    audit_record(
        action="headlines.save",
        user=by,
        obj=overview,
        before={"kind": kind, "texts": before},
        after={"kind": kind, "texts": cleaned},
    )
    return created
