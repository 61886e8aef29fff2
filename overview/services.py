"""The overview of a return (on-track answers, adviser request, overall assurance) and its
three headline lists."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from overview.models import (
    Headline,
    NarrativeTopic,
    RoundGovernance,
    RoundNarrative,
    RoundOverview,
)
from overview.selectors import ON_TRACK_ANSWERS, ON_TRACK_QUESTIONS, headline_texts
from svmonitor.audit import audit_record, model_fields_dict
from svmonitor.choices import Rag, YesNo
from svmonitor.errors import StaleEdit
from svmonitor.roles import Action
from svmonitor.sections import DSG_PLAN
from svmonitor.selectors import RAGS_NEEDING_NARRATIVE
from svmonitor.services.sections import (
    NARRATIVE_MAX,
    NARRATIVE_NEEDED,
    narrative_limit,
    round_lock_for_edit,
    section_confirm_versioned,
    section_save_versioned,
    text_length_errors,
)

HEADLINES_MAX = 3
ADVISER_ANSWER = "Request for adviser support: answer Yes, No or leave it not answered."
ADVISER_DETAIL_NEEDED = "Say what support is requested from the DfE adviser."
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


def _overview_validate(values: dict, *, limit: int = NARRATIVE_MAX) -> None:
    errors: dict[str, str] = {}
    for answer_field, commentary_field, wording in ON_TRACK_QUESTIONS:
        answer = values[answer_field]
        if answer not in ON_TRACK_ANSWERS:
            errors[answer_field] = f"{wording}: answer Yes or No."
        elif answer and not values[commentary_field].strip():
            errors[commentary_field] = f"{wording}: add commentary to explain the answer."
    request = values["adviser_support_requested"]
    if request not in ON_TRACK_ANSWERS:
        errors["adviser_support_requested"] = ADVISER_ANSWER
    elif request == YesNo.YES and not values["adviser_support_detail"].strip():
        errors["adviser_support_detail"] = ADVISER_DETAIL_NEEDED
    if values["overall_rag"] not in Rag.values:
        errors["overall_rag"] = "Choose an overall assurance level from the list."
    elif (
        values["overall_rag"] in RAGS_NEEDING_NARRATIVE and not values["overall_narrative"].strip()
    ):
        errors["overall_narrative"] = NARRATIVE_NEEDED
    text_length_errors(errors, limit=limit, **{name: values[name] for name in OVERVIEW_TEXTS})
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
    locked = round_lock_for_edit(round_id=overview.round_id, by=by, action=Action.EDIT)
    before = RoundOverview.objects.filter(pk=overview.pk).values(*OVERVIEW_FIELDS).get()
    values = {**before, **fields}
    for name in OVERVIEW_TEXTS:
        values[name] = (values[name] or "").strip()
    _overview_validate(values, limit=narrative_limit(locked.agreement.council))
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


@transaction.atomic
def round_overview_create(*, round, by) -> RoundOverview:
    """An empty overview for a draft round that has none (a round a workbook created): every
    question not answered, not rated. Opening a round in the browser carries one forward."""
    round_lock_for_edit(round_id=round.pk, by=by, action=Action.EDIT)
    existing = RoundOverview.objects.filter(round=round).first()
    if existing is not None:
        return existing
    overview = RoundOverview(round=round, updated_by=by)
    overview.full_clean()
    overview.save()
    audit_record(
        action="round_overview.create",
        user=by,
        obj=overview,
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
    locked = round_lock_for_edit(round_id=overview.round_id, by=by, action=Action.EDIT)
    limit = narrative_limit(locked.agreement.council)
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
    long = [n for n, text in enumerate(cleaned, 1) if len(text) > limit]
    if long and not errors:
        errors["texts"] = f"Headline {long[0]} is longer than {limit:,} characters; shorten it."
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


@transaction.atomic
def round_overview_confirm(*, pk: int, expected_version: int, by) -> RoundOverview:
    """No change this quarter: record that an overview carried forward into a draft was
    reviewed and left as it is (refused if it would not pass a save as it stands, or was saved
    since the version the user saw); its history records the confirmation."""
    overview = RoundOverview.objects.get(pk=pk)
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=overview.round_id, by=by, action=Action.EDIT)
    # 2. Only an overview that would pass a save as it stands, with every question answered,
    #    can be confirmed.
    values = {name: getattr(overview, name) for name in OVERVIEW_FIELDS}
    _overview_validate(values, limit=narrative_limit(locked.agreement.council))
    unanswered = {
        answer: f"{wording}: answer Yes or No."
        for answer, _commentary, wording in ON_TRACK_QUESTIONS
        if not values[answer]
    }
    if unanswered:
        raise ValidationError(unanswered)
    # 3. Bump the version over the one the user saw, with history.
    return section_confirm_versioned(
        model=RoundOverview,
        update=overview,
        expected_version=expected_version,
        by=by,
        action="round_overview.confirm",
        shown=OVERVIEW_FIELDS,
    )


@transaction.atomic
def headlines_confirm(*, pk: int, kind: str, expected_version: str, by) -> list[str]:
    """No change this quarter for one headline list of a draft's overview: refused if the
    list changed since the user saw it (`expected_version`, its fingerprint); its history
    (the overview's audit trail, kind `kind`) records the confirmation."""
    overview = RoundOverview.objects.get(pk=pk)
    if kind not in Headline.Kind.values:
        raise ValidationError({"kind": "Choose drivers, barriers or engagement examples."})
    # 1. Lock the round (checking the role, refusing a locked return), then the overview row.
    round_lock_for_edit(round_id=overview.round_id, by=by, action=Action.EDIT)
    RoundOverview.objects.select_for_update().filter(pk=overview.pk).first()
    # 2. Refuse a list changed since the user saw it.
    texts = headline_texts(overview=overview, kind=kind)
    if expected_version != headlines_fingerprint(texts):
        raise StaleEdit(current={"texts": texts}, current_version=headlines_fingerprint(texts))
    # 3. History: the list as it stands, before and after.
    audit_record(
        action="headlines.confirm",
        user=by,
        obj=overview,
        before={"kind": kind, "texts": texts},
        after={"kind": kind, "texts": texts},
    )
    return texts


# --- the DSG plan's texts and governance (issue 19) ---------------------------------------------

TOPIC_NOT_IN_RETURN = "This return does not ask for that text."
TEXT_NEEDED = "Write this text before confirming it unchanged."
GOVERNANCE_FIELDS = ("schools_forum_date", "next_review_date", "notes")
REVIEW_BEFORE_FORUM = "The next review must be on or after the Schools Forum meeting."
FORUM_DATE_NEEDED = "Enter the date of the Schools Forum meeting the plan goes to this term."
REVIEW_DATE_NEEDED = "Enter the date of the plan's next review."
GOVERNANCE_KIND = DSG_PLAN  # the kind of return whose rounds have a governance section
GOVERNANCE_NOT_IN_RETURN = "This return has no Schools Forum governance section."


def _narrative_row(round, topic: NarrativeTopic) -> RoundNarrative:
    # The round's row for the topic, made empty when the round has none yet (a round a
    # workbook opened): called with the round locked.
    if topic.return_kind != round.return_kind:
        raise ValidationError({"text": TOPIC_NOT_IN_RETURN})
    row, _created = RoundNarrative.objects.get_or_create(round=round, topic=topic)
    return row


@transaction.atomic
def round_narrative_save(
    *, round, topic: NarrativeTopic, expected_version: int, text: str, by
) -> RoundNarrative:
    """Save one topic's text for a draft round (a narrative, a stakeholder group's engagement,
    a section of the Schools Forum paper), if no one saved it since `expected_version` (0: the
    round had no text for it yet)."""
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=round.pk, by=by, action=Action.EDIT)
    row = _narrative_row(locked, topic)
    # 2. Validate: the council's length limit.
    text = (text or "").strip()
    errors: dict[str, str] = {}
    text_length_errors(errors, limit=narrative_limit(locked.agreement.council), text=text)
    if errors:
        raise ValidationError(errors)
    # 3. Write if still at the version the user saw, with history.
    before = {"topic": topic.key, "text": row.text}
    section_save_versioned(
        model=RoundNarrative,
        pk=row.pk,
        expected_version=max(expected_version, 1) if row.version == 1 else expected_version,
        values={"text": text, "updated_at": timezone.now(), "updated_by": by},
        shown=("text",),
    )
    row.refresh_from_db()
    audit_record(
        action="round_narrative.save",
        user=by,
        obj=row,
        before=before,
        after={"topic": topic.key, "text": row.text},
    )
    return row


@transaction.atomic
def round_narrative_confirm(*, pk: int, expected_version: int, by) -> RoundNarrative:
    """No change this term: a text carried forward into a draft was reviewed and left as it is
    (refused if it is empty where the topic needs one, or saved since the user saw it)."""
    row = RoundNarrative.objects.select_related("topic").get(pk=pk)
    round_lock_for_edit(round_id=row.round_id, by=by, action=Action.EDIT)
    if row.topic.required and not row.text.strip():
        raise ValidationError({"text": TEXT_NEEDED})
    return section_confirm_versioned(
        model=RoundNarrative,
        update=row,
        expected_version=expected_version,
        by=by,
        action="round_narrative.confirm",
        shown=("text",),
    )


def _governance_validate(values: dict, *, limit: int, complete: bool = False) -> None:
    errors: dict[str, str] = {}
    forum, review = values["schools_forum_date"], values["next_review_date"]
    if forum and review and review < forum:
        errors["next_review_date"] = REVIEW_BEFORE_FORUM
    if complete and not forum:
        errors["schools_forum_date"] = FORUM_DATE_NEEDED
    if complete and not review:
        errors.setdefault("next_review_date", REVIEW_DATE_NEEDED)
    text_length_errors(errors, limit=limit, notes=values["notes"])
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_governance_save(*, round, expected_version: int, by, **fields) -> RoundGovernance:
    """Save a draft DSG round's governance (the Schools Forum date, the next review, notes) if
    no one saved it since `expected_version` (0: the round had none yet)."""
    unknown = set(fields) - set(GOVERNANCE_FIELDS)
    if unknown:
        raise TypeError(f"round_governance_save got fields it does not save: {sorted(unknown)}")
    # 1. Check the role, lock the round and refuse unless it is a draft.
    locked = round_lock_for_edit(round_id=round.pk, by=by, action=Action.EDIT)
    if locked.return_kind != GOVERNANCE_KIND:
        raise ValidationError(GOVERNANCE_NOT_IN_RETURN)
    governance, _created = RoundGovernance.objects.get_or_create(round=locked)
    # 2. Validate the values as they would stand.
    before = RoundGovernance.objects.filter(pk=governance.pk).values(*GOVERNANCE_FIELDS).get()
    values = {**before, **fields}
    values["notes"] = (values["notes"] or "").strip()
    _governance_validate(values, limit=narrative_limit(locked.agreement.council))
    # 3. Write if still at the version the user saw, with history.
    section_save_versioned(
        model=RoundGovernance,
        pk=governance.pk,
        expected_version=(
            max(expected_version, 1) if governance.version == 1 else expected_version
        ),
        values={**values, "updated_at": timezone.now(), "updated_by": by},
        shown=GOVERNANCE_FIELDS,
    )
    governance.refresh_from_db()
    audit_record(
        action="round_governance.save",
        user=by,
        obj=governance,
        before=before,
        after=model_fields_dict(governance, GOVERNANCE_FIELDS),
    )
    return governance


@transaction.atomic
def round_governance_confirm(*, pk: int, expected_version: int, by) -> RoundGovernance:
    """No change this term for a draft's governance (refused unless both dates are given, or
    if it was saved since the user saw it)."""
    governance = RoundGovernance.objects.get(pk=pk)
    locked = round_lock_for_edit(round_id=governance.round_id, by=by, action=Action.EDIT)
    values = {name: getattr(governance, name) for name in GOVERNANCE_FIELDS}
    _governance_validate(values, limit=narrative_limit(locked.agreement.council), complete=True)
    return section_confirm_versioned(
        model=RoundGovernance,
        update=governance,
        expected_version=expected_version,
        by=by,
        action="round_governance.confirm",
        shown=GOVERNANCE_FIELDS,
    )
