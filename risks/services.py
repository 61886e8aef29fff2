"""Writes for the risk register and the risk section of a return."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from risks.models import Risk, RiskUpdate
from svmonitor.access import require_action
from svmonitor.audit import audit_record, model_fields_dict
from svmonitor.models import LocalAuthority
from svmonitor.roles import Action
from svmonitor.services import (
    narrative_limit,
    rated_section_confirmable,
    rated_section_validate,
    round_lock_for_edit,
    section_confirm_versioned,
    section_save_versioned,
)
from svmonitor.services.records import row_write

RISK_UPDATE_FIELDS = ("rag", "narrative", "impact", "likelihood", "in_dfe_report")
# A door that does not say whether the risk goes into the DfE report leaves it as it is.
UNCHANGED = object()


SCORE_NEEDED = "Choose a whole number from 1 to 5."
SCORE_NOT_KEPT = (
    "{council} rates its risks by RAG only and keeps no {name}; leave it empty "
    "(a site administrator can change the council's risk register to scored)."
)


def _score_error(value) -> str | None:
    # bool is an int in Python; a tick box must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        return SCORE_NEEDED
    return None


def risk_score_errors(*, council: LocalAuthority, impact, likelihood) -> dict[str, str]:
    """Field errors for a risk's impact and likelihood under the council's kind of register.

    A scored register needs both, whole numbers 1 to 5; a rated one keeps neither, so a score
    the council never gave is refused rather than stored (and later printed)."""
    values = {"impact": impact, "likelihood": likelihood}
    if council.risks_scored:
        return {name: error for name, value in values.items() if (error := _score_error(value))}
    return {
        name: SCORE_NOT_KEPT.format(council=council.name, name=name)
        for name, value in values.items()
        if value not in (None, "")
    }


def _risk_update_validate(*, council, rag, narrative, impact, likelihood) -> None:
    errors = risk_score_errors(council=council, impact=impact, likelihood=likelihood)
    rated_section_validate(
        rag=rag, narrative=narrative, extra_errors=errors, limit=narrative_limit(council)
    )


@transaction.atomic
def risk_update_save(
    *,
    update: RiskUpdate,
    expected_version: int,
    rag: str,
    narrative: str,
    impact: int | None = None,
    likelihood: int | None = None,
    in_dfe_report: bool | None = UNCHANGED,
    by,
) -> RiskUpdate:
    """Save a risk's assurance level, narrative and (in a scored register) impact and
    likelihood for its round, and whether it goes into the DfE report's risk register
    (None: when it has an update this round; left as it is when not given)."""
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=update.round_id, by=by, action=Action.EDIT)
    # 2. Validate against the council's register; the score is the database's impact x
    # likelihood, never written here (and empty in a rated register).
    narrative = (narrative or "").strip()
    _risk_update_validate(
        council=locked.agreement.council,
        rag=rag,
        narrative=narrative,
        impact=impact,
        likelihood=likelihood,
    )
    # 3. Write only over the version the user saw.
    before = RiskUpdate.objects.filter(pk=update.pk).values(*RISK_UPDATE_FIELDS, "score").get()
    values = {
        "rag": rag,
        "narrative": narrative,
        "impact": impact,
        "likelihood": likelihood,
        "updated_at": timezone.now(),
        "updated_by": by,
    }
    if in_dfe_report is not UNCHANGED:
        values["in_dfe_report"] = in_dfe_report
    section_save_versioned(
        model=RiskUpdate,
        pk=update.pk,
        expected_version=expected_version,
        values=values,
        shown=RISK_UPDATE_FIELDS,
    )
    update.refresh_from_db()
    # 4. History, with before and after.
    audit_record(
        action="risk_update.save",
        user=by,
        obj=update,
        before=before,
        after=model_fields_dict(update, (*RISK_UPDATE_FIELDS, "score")),
    )
    return update


@transaction.atomic
def risk_update_create(
    *,
    round,
    risk: Risk,
    rag: str,
    narrative: str,
    impact: int | None = None,
    likelihood: int | None = None,
    in_dfe_report: bool | None = None,
    by,
) -> RiskUpdate:
    """Add a risk's section to a draft round that has none for it."""
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=round.pk, by=by, action=Action.EDIT)
    # 2. The same rules as a save from the round page.
    narrative = (narrative or "").strip()
    _risk_update_validate(
        council=locked.agreement.council,
        rag=rag,
        narrative=narrative,
        impact=impact,
        likelihood=likelihood,
    )
    # 3. Create, with history (the score is the database's).
    return row_write(
        model=RiskUpdate,
        instance=None,
        values={
            "round": round,
            "risk": risk,
            "rag": rag,
            "narrative": narrative,
            "impact": impact,
            "likelihood": likelihood,
            "in_dfe_report": in_dfe_report,
        },
        by=by,
        action="risk_update",
    )


@transaction.atomic
def risk_upsert(
    *, council: LocalAuthority, risk: Risk | None, by, expected_version: int | None = None, **fields
) -> Risk:
    """Create or change one risk of a council's register, if no one saved it in between.

    A scored register needs the risk's impact and likelihood; a rated one refuses them."""
    require_action(by, council, Action.EDIT)
    current = {
        name: fields.get(name, getattr(risk, name, None) if risk is not None else None)
        for name in ("impact", "likelihood")
    }
    errors = risk_score_errors(council=council, **current)
    if errors:
        raise ValidationError(errors)
    return row_write(
        model=Risk,
        instance=risk,
        values={**fields, "council": council},
        by=by,
        action="risk",
        expected_version=expected_version,
    )


@transaction.atomic
def risk_update_confirm(*, pk: int, expected_version: int, by) -> RiskUpdate:
    """No change this quarter: record that a risk's update carried forward into a draft was
    reviewed and left as it is (refused if it is not complete as it stands, or was saved since
    the version the user saw); its history records the confirmation."""
    update = RiskUpdate.objects.select_related("round__agreement__council").get(pk=pk)
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=update.round_id, by=by, action=Action.EDIT)
    # 2. Only a section that would pass a save as it stands can be confirmed.
    _risk_update_validate(
        council=locked.agreement.council,
        rag=update.rag,
        narrative=update.narrative,
        impact=update.impact,
        likelihood=update.likelihood,
    )
    rated_section_confirmable(update.rag)
    # 3. Bump the version over the one the user saw, with history.
    return section_confirm_versioned(
        model=RiskUpdate,
        update=update,
        expected_version=expected_version,
        by=by,
        action="risk_update.confirm",
        shown=RISK_UPDATE_FIELDS,
    )
