"""The round lifecycle: open (carrying the previous round forward), mark ready, sign off,
record the submission, reopen. Each transition locks the round and records an event."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from svmonitor.access import require_action, user_roles
from svmonitor.audit import audit_record, model_fields_dict
from svmonitor.choices import RoundOrigin, RoundStatus
from svmonitor.errors import IMPORTED_READ_ONLY
from svmonitor.models import Agreement, ReportingRound, RoundEvent, SignOff
from svmonitor.return_kinds import return_kind as kind_of
from svmonitor.roles import Action
from svmonitor.sections import SAFETY_VALVE, return_parts, round_freezer
from svmonitor.selectors import previous_round_for, round_completeness
from svmonitor.services.records import row_write
from svmonitor.services.sections import text_length_errors

# Every kind of return has three rounds a year (Safety Valve updates, DSG plan terms).
ROUND_NUMBERS = (1, 2, 3)

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
NOT_IN_CAPACITY = "Only the council's {capacity} can sign off in that capacity."
SENT_BEFORE_SIGNED = (
    "The date sent to {recipient} cannot be before the return was signed off (the last sign-off "
    "was "
    "on {day:%-d %B %Y})."
)
REASON_NEEDED = "Say why the return is being reopened."


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


def round_default_due_date(
    *, financial_year: int, update_number: int, return_kind: str = SAFETY_VALVE
) -> dt.date:
    """The usual deadline of a round of that kind (the Safety Valve return's: 31 May, 31 August
    or 30 November; svmonitor/return_kinds.py)."""
    return kind_of(return_kind).due_date(financial_year, update_number)


def _carry_forward(new: ReportingRound, previous: ReportingRound | None, by) -> None:
    """Copy the previous round's sections into the new draft; add rows for anything new.

    Each part of the return (registered by the app that owns it) carries itself forward.
    """
    for part in return_parts(new.return_kind):
        part.carry_forward(new, previous, by)


@transaction.atomic
def round_open_next(
    *,
    agreement: Agreement,
    financial_year: int,
    update_number: int,
    by,
    return_kind: str = SAFETY_VALVE,
) -> ReportingRound:
    """Open a draft round, carrying forward every section of the agreement's previous round of
    the same kind."""
    # 1. Lock the agreement so two people opening the same round queue; the unique
    #    constraint on (agreement, year, update) is the guard on SQLite.
    agreement = Agreement.objects.select_for_update().select_related("council").get(pk=agreement.pk)
    # Only the programme lead opens a return (the submit action), from every door.
    require_action(by, agreement.council, Action.SUBMIT)
    errors = {}
    if return_kind not in agreement.council.return_kinds:
        errors["return_kind"] = (
            f"{agreement.council.name} does not run this kind of return; the council's "
            "settings say which it runs."
        )
    if update_number not in ROUND_NUMBERS:
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
        return_kind=return_kind,
        financial_year=financial_year,
        update_number=update_number,
        due_date=round_default_due_date(
            financial_year=financial_year, update_number=update_number, return_kind=return_kind
        ),
    )
    if (
        ReportingRound.objects.of_kind(return_kind)
        .filter(
            agreement=agreement,
            financial_year=financial_year,
            update_number=update_number,
        )
        .exists()
    ):
        raise ValidationError(ROUND_EXISTS.format(label=new.label))
    previous = previous_round_for(
        agreement=agreement,
        financial_year=financial_year,
        update_number=update_number,
        return_kind=return_kind,
    )
    if previous is not None and previous.status == RoundStatus.DRAFT:
        raise ValidationError(
            PREVIOUS_STILL_DRAFT.format(previous=previous.label, label=new.label),
            code="previous_draft",
        )
    # 3. Data runs to the month the kind says (Update 3, November: October).
    new.data_as_at = kind_of(return_kind).data_as_at(financial_year, update_number)
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
    # 1. Lock, check the user may submit, and check the state.
    locked = _lock_round(round)
    require_action(by, locked.agreement.council, Action.SUBMIT)
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
    sha256 = round_freezer().freeze(round=locked, by=by)
    _record(
        locked,
        action="ready",
        from_status=RoundStatus.DRAFT,
        by=by,
        extra={"snapshot_sha256": sha256},
    )
    return locked


@transaction.atomic
def round_sign_off(*, round: ReportingRound, by, capacity: str) -> SignOff:
    """Record a statutory officer's sign-off against the frozen snapshot."""
    if capacity not in SignOff.Capacity.values:
        raise ValidationError({"capacity": "Sign off as the S151 officer or the DCS."})
    locked = _lock_round(round)
    council = locked.agreement.council
    require_action(by, council, Action.SIGN_OFF)
    # A sign-off is the statutory officer's own act: the role must match the capacity.
    if capacity not in user_roles(by, council):
        label = SignOff.Capacity(capacity).label
        raise ValidationError({"capacity": NOT_IN_CAPACITY.format(capacity=label)})
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
    sha256 = round_freezer().latest_sha256(round=locked)
    if sha256 is None:
        raise ValidationError("This return has no frozen snapshot; reopen it and mark it ready.")
    sign_off = SignOff.objects.create(
        round=locked,
        capacity=capacity,
        signed_by=by,
        signed_at=timezone.now(),
        snapshot_sha256=sha256,
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
        extra={"capacity": capacity, "snapshot_sha256": sha256},
    )
    return sign_off


def round_last_signed_on(round: ReportingRound) -> dt.date | None:
    """The day (local time) of the round's later live sign-off, or None if none stands."""
    signed_at = (
        SignOff.objects.filter(round=round, voided_at__isnull=True)
        .order_by("-signed_at")
        .values_list("signed_at", flat=True)
        .first()
    )
    return timezone.localtime(signed_at).date() if signed_at else None


@transaction.atomic
def round_record_submission(*, round: ReportingRound, by, submitted_on: dt.date) -> ReportingRound:
    """Record the date a signed-off return was sent to DfE."""
    locked = _lock_round(round)
    require_action(by, locked.agreement.council, Action.RECORD_SUBMISSION)
    if locked.status != RoundStatus.SIGNED_OFF:
        raise ValidationError(NOT_SIGNED_FOR_SUBMIT.format(state=_state(locked.status)))
    if submitted_on is None:
        raise ValidationError(
            {"submitted_on": f"Enter the date the return was sent to {locked.kind.recipient}."}
        )
    if submitted_on > timezone.localdate():
        raise ValidationError(
            {"submitted_on": f"The date sent to {locked.kind.recipient} cannot be in the future."}
        )
    # DfE receives what both officers signed: it cannot have gone before the later sign-off.
    last_signed = round_last_signed_on(locked)
    if last_signed is not None and submitted_on < last_signed:
        raise ValidationError(
            {
                "submitted_on": SENT_BEFORE_SIGNED.format(
                    recipient=locked.kind.recipient, day=last_signed
                )
            }
        )
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
    require_action(by, locked.agreement.council, Action.SUBMIT)
    if locked.is_imported:
        # svmonitor never held its text as a draft nor recorded its sign-offs: it stays as
        # the council submitted it.
        raise ValidationError(IMPORTED_READ_ONLY.format(label=locked.label), code="imported")
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


ONLY_DRAFTS = "Only a draft return can be changed here; this one is {state}."


@transaction.atomic
def round_draft_save(
    *,
    agreement: Agreement,
    round: ReportingRound | None,
    financial_year: int,
    update_number: int,
    due_date: dt.date,
    data_as_at: dt.date | None = None,
    expected_version: int | None = None,
    by,
) -> ReportingRound:
    """Create a draft round, or change a draft round's due date and data month.

    No status is accepted: a round leaves draft only through the lifecycle services (mark
    ready, sign off, record the submission), which freeze and record what was signed.
    """
    # 1. The role that opens returns (the round page's "open the next return").
    require_action(by, agreement.council, Action.SUBMIT)
    # 2. The year must be one of the agreement's.
    if not agreement.first_financial_year <= financial_year <= agreement.last_financial_year:
        raise ValidationError(
            {
                "financial_year": (
                    f"The agreement runs from {agreement.period_label}; choose a year inside it."
                )
            }
        )
    values = {
        "agreement": agreement,
        "financial_year": financial_year,
        "update_number": update_number,
        "due_date": due_date,
        "data_as_at": data_as_at,
    }
    if round is not None and round.pk is not None:
        # 3. Only a draft changes, under the row lock every lifecycle step takes.
        locked = _lock_round(round)
        if locked.status != RoundStatus.DRAFT:
            raise ValidationError(ONLY_DRAFTS.format(state=_state(locked.status)))
        round = locked
    return row_write(
        model=ReportingRound,
        instance=round,
        values=values,
        by=by,
        action="round",
        expected_version=expected_version,
    )


IMPORT_NEEDS_DATE = "Give the date the return was sent to DfE (Submitted on)."
IMPORT_DATE_FUTURE = "The date sent to DfE cannot be in the future."
IMPORT_NOT_DRAFT = (
    "{label} is {state} in svmonitor: only a new return can be imported as submitted before "
    "svmonitor."
)
IMPORT_OPENED_HERE = (
    "{label} was opened in svmonitor: only a return kept outside svmonitor can be imported as "
    "submitted before svmonitor."
)
IMPORT_AFTER_RECORDED = (
    "{label} cannot be imported as submitted before svmonitor: {earlier} comes before it and "
    "is recorded in svmonitor. Returns submitted before svmonitor come before the first one "
    "recorded here."
)
SIGNED_AFTER_SENT = "A sign-off cannot be after the date the return was sent to DfE."
SIGNER_NAME_MAX = 120


def _council_sign_offs(sign_offs, submitted_on: dt.date) -> list[dict]:
    """The sign-offs as the council recorded them, checked, as stored (JSON-safe)."""
    capacities = dict(SignOff.Capacity.choices)
    kept: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for entry in sign_offs or ():
        capacity = entry.get("capacity")
        name = (entry.get("name") or "").strip()
        signed_on = entry.get("signed_on")
        if capacity not in capacities:
            raise ValidationError("Sign-offs are the S151 officer's and the DCS's only.")
        if not name and signed_on is None:
            continue
        if len(name) > SIGNER_NAME_MAX:
            errors[f"{capacity}_signed_by"] = (
                f"Keep the name to {SIGNER_NAME_MAX} characters or fewer (it has {len(name)})."
            )
        if signed_on is not None and signed_on > submitted_on:
            errors[f"{capacity}_signed_on"] = SIGNED_AFTER_SENT
        kept[capacity] = {
            "capacity": capacity,
            "name": name,
            "signed_on": signed_on.isoformat() if signed_on else None,
        }
    if errors:
        raise ValidationError(errors)
    return [kept[c] for c in capacities if c in kept]


@transaction.atomic
def round_record_imported(
    *,
    round: ReportingRound,
    by,
    submitted_on: dt.date | None,
    file_name: str = "",
    sign_offs=(),
) -> ReportingRound:
    """Record a return the council submitted to DfE before it used svmonitor, imported from
    its own records: frozen now, as it stands, and read-only from here on.

    The round and its sections are written first (as a draft, through the usual services, by
    the workbook import); this marks it submitted on the council's date, keeps who imported
    it, when and from which file, and freezes its record with the freezer a return marked
    ready uses. No SignOff is created: svmonitor did not see it signed. `sign_offs` are the
    council's own record of them ({"capacity", "name", "signed_on"}), shown as such.
    """
    # 1. Lock the round; the programme lead's right, as opening a return needs.
    locked = _lock_round(round)
    require_action(by, locked.agreement.council, Action.SUBMIT)
    # 2. Only a return svmonitor never held as its own: a draft never opened, made ready or
    #    reopened here (the import creates it as a draft a moment before).
    if locked.status != RoundStatus.DRAFT:
        raise ValidationError(
            IMPORT_NOT_DRAFT.format(label=locked.label, state=_state(locked.status))
        )
    if RoundEvent.objects.filter(round=locked).exists():
        raise ValidationError(IMPORT_OPENED_HERE.format(label=locked.label))
    # 3. Earlier returns only: none of the council's returns before it is recorded here.
    this = (locked.financial_year, locked.update_number)
    for other in ReportingRound.objects.filter(
        agreement__council=locked.agreement.council, origin=RoundOrigin.RECORDED_HERE
    ).exclude(pk=locked.pk):
        if (other.financial_year, other.update_number) < this:
            raise ValidationError(
                IMPORT_AFTER_RECORDED.format(label=locked.label, earlier=other.label)
            )
    # 4. The date it went to DfE, and the council's record of its sign-offs.
    if submitted_on is None:
        raise ValidationError({"submitted_on": IMPORT_NEEDS_DATE})
    if submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": IMPORT_DATE_FUTURE})
    recorded = _council_sign_offs(sign_offs, submitted_on)
    # 5. Submitted before svmonitor, then frozen as it stands.
    locked.status = RoundStatus.SUBMITTED
    locked.submitted_on = submitted_on
    locked.origin = RoundOrigin.IMPORTED
    locked.imported_at = timezone.now()
    locked.imported_by = by
    locked.imported_from = (file_name or "")[:255]
    locked.council_sign_offs = recorded
    locked.version += 1
    locked.save(
        update_fields=[
            "status",
            "submitted_on",
            "origin",
            "imported_at",
            "imported_by",
            "imported_from",
            "council_sign_offs",
            "version",
        ]
    )
    sha256 = round_freezer().freeze(round=locked, by=by)
    _record(
        locked,
        action="imported",
        from_status=RoundStatus.DRAFT,
        by=by,
        extra={
            "submitted_on": submitted_on,
            "imported_from": locked.imported_from,
            "council_sign_offs": recorded,
            "snapshot_sha256": sha256,
        },
    )
    return locked
