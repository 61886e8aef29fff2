"""Writes the round page makes that add a guard to a spine service: a lost-update check on
headline lists, and the round lock on milestones edited from a return."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction

from conditions.models import Milestone
from conditions.services import milestone_save
from svmonitor.errors import StaleEdit
from svmonitor.models import Headline, RoundOverview
from svmonitor.services import headlines_save, round_lock_for_edit


def headlines_fingerprint(texts: list[str]) -> str:
    """A short hash of a headline list, carried by the form as the version the user saw."""
    return hashlib.sha256(json.dumps(list(texts)).encode("utf-8")).hexdigest()[:16]


def headline_texts(*, overview: RoundOverview, kind: str) -> list[str]:
    """One headline list's texts in order."""
    return list(
        Headline.objects.filter(overview=overview, kind=kind)
        .order_by("position")
        .values_list("text", flat=True)
    )


@transaction.atomic
def headlines_save_unless_changed(
    *, overview: RoundOverview, kind: str, texts: list[str], seen: str, by
) -> list[Headline]:
    """Replace a headline list only if it is still the list the user started from."""
    # 1. Lock the round (refusing a locked return), then the overview row: two saves of the
    #    same list queue here, so the second sees the first one's texts and is refused.
    round_lock_for_edit(round_id=overview.round_id)
    RoundOverview.objects.select_for_update().filter(pk=overview.pk).first()
    # 2. Refuse a save made against a list someone else has changed since.
    current = headline_texts(overview=overview, kind=kind)
    if seen != headlines_fingerprint(current):
        raise StaleEdit(
            current={"texts": current, "seen": headlines_fingerprint(current)},
            current_version=0,
        )
    # 3. The spine service validates (at most three, length) and records history.
    return headlines_save(overview=overview, kind=kind, texts=texts, by=by)


@transaction.atomic
def milestone_save_in_round(
    *,
    round_id: int,
    milestone: Milestone,
    expected_version: int,
    status: str,
    due_date: dt.date,
    completed_on: dt.date | None,
    by,
) -> Milestone:
    """Save a milestone from a return's page, refused once that return is past draft."""
    # Milestones outlive rounds, so milestone_save itself takes no round lock; edited from a
    # return, they follow the return's lock like every other section of it.
    round_lock_for_edit(round_id=round_id)
    return milestone_save(
        milestone=milestone,
        expected_version=expected_version,
        status=status,
        due_date=due_date,
        completed_on=completed_on,
        by=by,
    )
