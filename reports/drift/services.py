"""Accepting or dismissing a drift suggestion: never applied by itself, always recorded.

Accepting saves the suggested value through the risk's or condition's own save service (its
role check, edit lock, version check and history), then records the decision; dismissing
records it with who and when. Both check the role, refuse a locked round, and write one event
to the section's history. A suggestion is found again from the figures, never taken from the
form: one whose evidence has moved on since the page was shown is refused.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conditions.models import ConditionUpdate
from conditions.services import condition_update_save
from reports.drift.task import CONDITION, LIKELIHOOD, RISK, Suggestion, task_drift
from reports.models import DriftDecision
from risks.models import RiskUpdate
from risks.services import risk_update_save
from svmonitor.audit import audit_record
from svmonitor.roles import Action
from svmonitor.services import round_lock_for_edit

SUGGESTION_GONE = (
    "This suggestion no longer stands: the figures have changed or someone has already "
    "decided on it. The task page shows what stands now."
)


def _find(round, key: str, measure_pk: int, evidence: str) -> Suggestion:
    drift = task_drift(round, key)
    for suggestion in drift.suggestions if drift is not None else ():
        if suggestion.measure_pk == measure_pk and suggestion.evidence == evidence:
            return suggestion
    raise ValidationError(SUGGESTION_GONE, code="gone")


def _record(round, suggestion: Suggestion, outcome: str, by, update) -> DriftDecision:
    decision = DriftDecision(
        round=round,
        section=suggestion.section,
        section_pk=suggestion.section_pk,
        measure_id=suggestion.measure_pk,
        evidence=suggestion.evidence,
        outcome=outcome,
        suggestion=suggestion.text,
        decided_by=by,
        decided_at=timezone.now(),
    )
    decision.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError:
        # Two people deciding at once: the unique constraint lets only the first in.
        raise ValidationError(SUGGESTION_GONE, code="gone") from None
    # In the section's own history: who decided what, when, on which evidence.
    audit_record(
        action=f"suggestion.{'accept' if outcome == DriftDecision.Outcome.ACCEPTED else 'dismiss'}",
        user=by,
        obj=update,
        after={
            "suggestion": suggestion.text,
            "measure": suggestion.measure_name,
            "evidence": suggestion.evidence,
        },
    )
    return decision


def _update(suggestion: Suggestion):
    model = RiskUpdate if suggestion.section == RISK else ConditionUpdate
    return model.objects.get(pk=suggestion.section_pk)


@transaction.atomic
def drift_suggestion_dismiss(
    *, round, key: str, measure_pk: int, evidence: str, by
) -> DriftDecision:
    """Dismiss a suggestion: recorded with who and when; it does not come back in this round
    for the same evidence (the same measure, direction and latest month)."""
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=round.pk, by=by, action=Action.EDIT)
    # 2. The suggestion as the figures give it now.
    suggestion = _find(locked, key, measure_pk, evidence)
    # 3. The decision, and the section's history.
    return _record(locked, suggestion, DriftDecision.Outcome.DISMISSED, by, _update(suggestion))


@transaction.atomic
def drift_suggestion_accept(
    *, round, key: str, measure_pk: int, evidence: str, expected_version: int, by
) -> DriftDecision:
    """Accept a suggestion: the suggested likelihood or level saved through the risk's or
    condition's own save service (over the version the page showed), then the decision."""
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=round.pk, by=by, action=Action.EDIT)
    # 2. The suggestion as the figures give it now.
    suggestion = _find(locked, key, measure_pk, evidence)
    update = _update(suggestion)
    # 3. One door: the section's own service validates, checks the version and records the
    # change in its history, as a save from its page would.
    if suggestion.section == RISK:
        likelihood, rag = update.likelihood, update.rag
        if suggestion.field == LIKELIHOOD:
            likelihood = suggestion.suggested
        else:
            rag = suggestion.suggested
        update = risk_update_save(
            update=update,
            expected_version=expected_version,
            rag=rag,
            narrative=update.narrative,
            impact=update.impact,
            likelihood=likelihood,
            by=by,
        )
    elif suggestion.section == CONDITION:
        update = condition_update_save(
            update=update,
            expected_version=expected_version,
            rag=suggestion.suggested,
            narrative=update.narrative,
            by=by,
        )
    # 4. The decision, and the section's history.
    return _record(locked, suggestion, DriftDecision.Outcome.ACCEPTED, by, update)
