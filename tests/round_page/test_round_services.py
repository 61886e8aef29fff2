"""The round page's guarded writes: headline lists against lost updates, milestones locked."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conditions.models import Milestone, MilestoneUpdate
from conditions.services import milestone_save
from overview.models import RoundOverview
from overview.selectors import headline_texts
from overview.services import headlines_fingerprint, headlines_save
from svmonitor.errors import StaleEdit
from svmonitor.models import AuditEvent
from svmonitor.services import round_mark_ready
from tests.dbfail import inserts_refused
from tests.round_builders import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def overview(draft):
    return RoundOverview.objects.get(round=draft)


def _save(overview, texts, seen, by):
    return headlines_save(overview=overview, kind="barrier", texts=texts, seen=seen, by=by)


def test_headlines_save_when_the_list_is_as_the_user_saw_it(overview, la_officer):
    _save(overview, ["Recruitment", "Capacity"], headlines_fingerprint([]), la_officer)
    assert headline_texts(overview=overview, kind="barrier") == ["Recruitment", "Capacity"]
    assert AuditEvent.objects.filter(action="headlines.save").count() == 1


def test_headlines_saved_against_a_changed_list_are_refused(overview, la_officer, lead):
    seen = headlines_fingerprint([])
    _save(overview, ["Theirs"], seen, la_officer)
    with pytest.raises(StaleEdit) as stale:
        _save(overview, ["Mine"], seen, lead)
    assert stale.value.current["texts"] == ["Theirs"]
    assert headline_texts(overview=overview, kind="barrier") == ["Theirs"]


def test_headlines_roll_back_when_the_history_cannot_be_written(overview, la_officer):
    _save(overview, ["Kept"], headlines_fingerprint([]), la_officer)
    with inserts_refused(), pytest.raises(Exception, match="refused by test trigger"):
        _save(overview, ["Lost"], headlines_fingerprint(["Kept"]), la_officer)
    assert headline_texts(overview=overview, kind="barrier") == ["Kept"]


def test_headlines_of_a_locked_return_are_refused(draft, overview, lead):
    complete(draft, lead)
    round_mark_ready(round=draft, by=lead)
    with pytest.raises(ValidationError) as refused:
        _save(overview, ["Late"], headlines_fingerprint([]), lead)
    assert refused.value.code == "locked"


# A due date still ahead: an at-risk milestone past its due date would be refused as overdue.
SOON = timezone.localdate() + dt.timedelta(days=60)


@pytest.fixture
def milestone(draft):
    return Milestone.objects.filter(workstream__updates__round=draft).first()


def _milestone_save(round, milestone, by, **changes):
    values = {"status": "at_risk", "due_date": SOON, "completed_on": None}
    return milestone_save(
        round_id=round.pk,
        milestone=milestone,
        expected_version=milestone.version,
        by=by,
        **{**values, **changes},
    )


def test_a_milestone_is_saved_from_a_draft_return(draft, milestone, la_officer):
    _milestone_save(draft, milestone, la_officer)
    record = MilestoneUpdate.objects.get(round=draft, milestone=milestone)
    assert (record.status, record.due_date, record.version) == ("at_risk", SOON, 2)


def test_a_milestone_edit_rolls_back_when_the_history_cannot_be_written(
    draft, milestone, la_officer
):
    with inserts_refused(), pytest.raises(Exception, match="refused by test trigger"):
        _milestone_save(draft, milestone, la_officer)
    milestone.refresh_from_db()
    assert (milestone.status, milestone.version) == ("on_track", 1)


def test_a_milestone_edit_is_refused_once_the_return_is_past_draft(draft, milestone, lead):
    complete(draft, lead)
    round_mark_ready(round=draft, by=lead)
    with pytest.raises(ValidationError):
        _milestone_save(draft, milestone, lead)
    milestone.refresh_from_db()
    assert milestone.status == "on_track"
