"""Writes for the risk register and the risk section of a return."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from risks.models import Risk, RiskUpdate
from svmonitor.access import require_action
from svmonitor.audit import audit_record, model_fields_dict
from svmonitor.models import LocalAuthority
from svmonitor.roles import Action
from svmonitor.services import (
    rated_section_validate,
    round_lock_for_edit,
    section_save_versioned,
)
from svmonitor.services.records import row_write

RISK_UPDATE_FIELDS = ("rag", "narrative", "impact", "likelihood")


def _score_error(value) -> str | None:
    # bool is an int in Python; a tick box must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        return "Choose a whole number from 1 to 5."
    return None


def _risk_update_validate(*, rag, narrative, impact, likelihood) -> None:
    errors = {
        name: message
        for name, message in (
            ("impact", _score_error(impact)),
            ("likelihood", _score_error(likelihood)),
        )
        if message
    }
    rated_section_validate(rag=rag, narrative=narrative, extra_errors=errors)


@transaction.atomic
def risk_update_save(
    *,
    update: RiskUpdate,
    expected_version: int,
    rag: str,
    narrative: str,
    impact: int,
    likelihood: int,
    by,
) -> RiskUpdate:
    """Save a risk's assurance level, narrative, impact and likelihood for its round."""
    # 1. Check the role, lock the round and refuse unless it is a draft.
    round_lock_for_edit(round_id=update.round_id, by=by, action=Action.EDIT)
    # 2. Validate; the score is the database's impact x likelihood, never written here.
    narrative = (narrative or "").strip()
    _risk_update_validate(rag=rag, narrative=narrative, impact=impact, likelihood=likelihood)
    # 3. Write only over the version the user saw.
    before = RiskUpdate.objects.filter(pk=update.pk).values(*RISK_UPDATE_FIELDS, "score").get()
    section_save_versioned(
        model=RiskUpdate,
        pk=update.pk,
        expected_version=expected_version,
        values={
            "rag": rag,
            "narrative": narrative,
            "impact": impact,
            "likelihood": likelihood,
            "updated_at": timezone.now(),
            "updated_by": by,
        },
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
    *, round, risk: Risk, rag: str, narrative: str, impact: int, likelihood: int, by
) -> RiskUpdate:
    """Add a risk's section to a draft round that has none for it."""
    # 1. Check the role, lock the round and refuse unless it is a draft.
    round_lock_for_edit(round_id=round.pk, by=by, action=Action.EDIT)
    # 2. The same rules as a save from the round page.
    narrative = (narrative or "").strip()
    _risk_update_validate(rag=rag, narrative=narrative, impact=impact, likelihood=likelihood)
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
        },
        by=by,
        action="risk_update",
    )


@transaction.atomic
def risk_upsert(
    *, council: LocalAuthority, risk: Risk | None, by, expected_version: int | None = None, **fields
) -> Risk:
    """Create or change one risk of a council's register, if no one saved it in between."""
    require_action(by, council, Action.EDIT)
    return row_write(
        model=Risk,
        instance=risk,
        values={**fields, "council": council},
        by=by,
        action="risk",
        expected_version=expected_version,
    )
