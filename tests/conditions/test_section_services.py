"""Saving a condition's or workstream's RAG, and milestones: rules, locking, stale edits."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from conditions.models import ConditionUpdate, Milestone, MilestoneUpdate, WorkstreamUpdate
from conditions.services import condition_update_save, milestone_save, workstream_update_save
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import StaleEdit
from svmonitor.models import AuditEvent
from tests import factories as f
from tests.dbfail import inserts_refused
from tests.round_builders import round_in

pytestmark = pytest.mark.django_db

SAVES = [
    (condition_update_save, ConditionUpdate, f.ConditionUpdateFactory),
    (workstream_update_save, WorkstreamUpdate, f.WorkstreamUpdateFactory),
]
NEEDS_NARRATIVE = [Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN]


@pytest.fixture
def editor(db):
    # The services check roles (issue 12); these tests are about the section's own rules, so
    # the editor is a site administrator, who may do every action at every council.
    return f.UserFactory(username="editor", is_superuser=True)


@pytest.mark.parametrize(("save", "model", "factory"), SAVES)
def test_it_saves_and_bumps_the_version_with_history(save, model, factory, editor):
    update = factory(rag=Rag.GREEN, narrative="Was fine.")
    saved = save(
        update=update,
        expected_version=1,
        rag=Rag.AMBER,
        narrative="  Off track in part; plan agreed.  ",
        by=editor,
    )
    row = model.objects.get(pk=update.pk)
    assert (row.rag, row.narrative, row.version) == (
        Rag.AMBER,
        "Off track in part; plan agreed.",
        2,
    )
    assert row.updated_by == editor
    assert saved.version == 2
    event = AuditEvent.objects.get(object_id=str(update.pk), object_type=model._meta.label_lower)
    assert event.before == {"rag": "green", "narrative": "Was fine."}
    assert event.after == {"rag": "amber", "narrative": "Off track in part; plan agreed."}
    assert event.user == editor
    assert event.council == update.round.agreement.council


@pytest.mark.parametrize(("save", "model", "factory"), SAVES)
@pytest.mark.parametrize("rag", NEEDS_NARRATIVE)
def test_red_and_every_amber_need_a_narrative(save, model, factory, rag, editor):
    update = factory(rag=Rag.GREEN, narrative="")
    with pytest.raises(ValidationError) as excinfo:
        save(update=update, expected_version=1, rag=rag, narrative="   ", by=editor)
    assert "narrative" in excinfo.value.message_dict
    assert model.objects.get(pk=update.pk).rag == Rag.GREEN


@pytest.mark.parametrize(("save", "model", "factory"), SAVES)
@pytest.mark.parametrize("rag", [Rag.GREEN, Rag.BLUE, Rag.NOT_RATED])
def test_green_blue_and_not_rated_may_be_left_without_narrative(save, model, factory, rag, editor):
    update = factory()
    save(update=update, expected_version=1, rag=rag, narrative="", by=editor)
    assert model.objects.get(pk=update.pk).rag == rag


@pytest.mark.parametrize(("save", "model", "factory"), SAVES)
def test_narrative_is_at_most_10000_characters_and_rag_must_be_known(save, model, factory, editor):
    update = factory(narrative="Kept.")
    save(update=update, expected_version=1, rag=Rag.RED, narrative="x" * 10_000, by=editor)
    with pytest.raises(ValidationError) as excinfo:
        save(update=update, expected_version=2, rag=Rag.RED, narrative="x" * 10_001, by=editor)
    assert "10,000 characters" in excinfo.value.message_dict["narrative"][0]
    with pytest.raises(ValidationError) as excinfo:
        save(update=update, expected_version=2, rag="purple", narrative="", by=editor)
    assert "rag" in excinfo.value.message_dict
    assert model.objects.get(pk=update.pk).version == 2


@pytest.mark.parametrize(("save", "model", "factory"), SAVES)
def test_a_stale_save_is_refused_and_both_texts_survive(save, model, factory, editor):
    update = factory(rag=Rag.GREEN, narrative="Original.")
    # Two people open version 1; the first saves.
    first_copy = model.objects.get(pk=update.pk)
    second_copy = model.objects.get(pk=update.pk)
    save(update=first_copy, expected_version=1, rag=Rag.AMBER, narrative="First's text.", by=editor)
    theirs = "Second's text, typed at the same time."
    with pytest.raises(StaleEdit) as excinfo:
        save(update=second_copy, expected_version=1, rag=Rag.RED, narrative=theirs, by=editor)
    # The saved text is the first person's; the second's is handed back with it, not lost.
    assert excinfo.value.current == {"rag": "amber", "narrative": "First's text."}
    assert excinfo.value.current_version == 2
    row = model.objects.get(pk=update.pk)
    assert (row.rag, row.narrative, row.version) == (Rag.AMBER, "First's text.", 2)
    assert AuditEvent.objects.filter(object_id=str(update.pk)).count() == 1


@pytest.mark.parametrize(("save", "model", "factory"), SAVES)
def test_it_rolls_back_when_its_last_step_fails(save, model, factory, editor):
    update = factory(rag=Rag.GREEN, narrative="Before.")
    with inserts_refused(), pytest.raises(IntegrityError):
        save(update=update, expected_version=1, rag=Rag.RED, narrative="After.", by=editor)
    row = model.objects.get(pk=update.pk)
    assert (row.rag, row.narrative, row.version) == (Rag.GREEN, "Before.", 1)


@pytest.mark.parametrize(
    "status", [RoundStatus.READY, RoundStatus.SIGNED_OFF, RoundStatus.SUBMITTED]
)
@pytest.mark.parametrize(("save", "model"), [(s, m) for s, m, _ in SAVES])
def test_a_return_past_draft_refuses_every_edit(status, save, model, editor):
    round = round_in(status)
    update = model.objects.filter(round=round).first()
    with pytest.raises(ValidationError) as excinfo:
        save(
            update=update,
            expected_version=update.version,
            rag=Rag.RED,
            narrative="Late change.",
            by=editor,
        )
    message = excinfo.value.messages[0]
    assert "can no longer be edited; reopen it first" in message
    words = {"ready": "ready for sign-off", "signed_off": "signed off", "submitted": "submitted"}
    assert f"This return is {words[status]}" in message
    row = model.objects.get(pk=update.pk)
    assert (row.rag, row.version) == (update.rag, update.version)


# --- Milestones -------------------------------------------------------------------------------


@pytest.fixture
def milestone(db):
    """A milestone of a workstream reported in a draft round (`milestone.round`)."""
    found = f.MilestoneFactory()
    found.round = f.ReportingRoundFactory(agreement__council=found.workstream.area.council)
    return found


def _record(milestone):
    """The milestone's record in its round (None until first saved there)."""
    return MilestoneUpdate.objects.filter(round=milestone.round, milestone=milestone).first()


def test_milestone_saves_status_dates_and_version(milestone, editor):
    milestone_save(
        milestone=milestone,
        round_id=milestone.round.pk,
        expected_version=1,
        status="complete",
        due_date=dt.date(2024, 11, 30),
        completed_on=dt.date(2024, 11, 20),
        by=editor,
    )
    row = _record(milestone)
    assert (row.status, row.due_date, row.completed_on, row.version) == (
        "complete",
        dt.date(2024, 11, 30),
        dt.date(2024, 11, 20),
        2,
    )
    # The milestone as first set up, where other rounds' records start, is left alone.
    assert Milestone.objects.get(pk=milestone.pk).status == "on_track"
    event = AuditEvent.objects.get(action="milestone.save")
    assert event.after["completed_on"] == "2024-11-20"
    assert event.council == milestone.workstream.area.council


@pytest.mark.parametrize(
    ("status", "completed_on", "field"),
    [
        ("complete", None, "completed_on"),
        ("on_track", dt.date(2024, 5, 1), "completed_on"),
        ("complete", timezone.localdate() + dt.timedelta(days=2), "completed_on"),
        ("done", None, "status"),
    ],
)
def test_milestone_rules_are_field_keyed(status, completed_on, field, milestone, editor):
    with pytest.raises(ValidationError) as excinfo:
        milestone_save(
            milestone=milestone,
            round_id=milestone.round.pk,
            expected_version=1,
            status=status,
            due_date=milestone.due_date,
            completed_on=completed_on,
            by=editor,
        )
    assert field in excinfo.value.message_dict
    assert _record(milestone) is None


def test_milestone_stale_save_is_refused(milestone, editor):
    soon = timezone.localdate() + dt.timedelta(days=30)
    kwargs = {"due_date": soon, "completed_on": None, "by": editor, "round_id": milestone.round.pk}
    milestone_save(milestone=milestone, expected_version=1, status="at_risk", **kwargs)
    with pytest.raises(StaleEdit) as excinfo:
        milestone_save(milestone=milestone, expected_version=1, status="on_track", **kwargs)
    assert excinfo.value.current["status"] == "at_risk"
    assert _record(milestone).status == "at_risk"


def test_milestone_save_rolls_back_when_its_last_step_fails(milestone, editor):
    with inserts_refused(), pytest.raises(IntegrityError):
        milestone_save(
            milestone=milestone,
            round_id=milestone.round.pk,
            expected_version=1,
            status="overdue",
            due_date=milestone.due_date,
            completed_on=None,
            by=editor,
        )
    assert _record(milestone) is None


@pytest.mark.parametrize(
    ("status", "days_from_today", "words"),
    [
        ("on_track", -1, "is not complete, so it is overdue"),
        ("at_risk", -40, "is not complete, so it is overdue"),
        ("overdue", 0, "cannot be overdue"),
        ("overdue", 30, "cannot be overdue"),
    ],
)
def test_a_milestone_status_must_agree_with_its_due_date(
    status, days_from_today, words, milestone, editor
):
    due = timezone.localdate() + dt.timedelta(days=days_from_today)
    with pytest.raises(ValidationError) as excinfo:
        milestone_save(
            milestone=milestone,
            round_id=milestone.round.pk,
            expected_version=1,
            status=status,
            due_date=due,
            completed_on=None,
            by=editor,
        )
    assert words in excinfo.value.message_dict["status"][0]
    assert _record(milestone) is None


@pytest.mark.parametrize(
    ("status", "days_from_today"), [("overdue", -1), ("on_track", 0), ("at_risk", 10)]
)
def test_a_milestone_status_that_agrees_with_its_due_date_is_saved(
    status, days_from_today, milestone, editor
):
    due = timezone.localdate() + dt.timedelta(days=days_from_today)
    milestone_save(
        milestone=milestone,
        round_id=milestone.round.pk,
        expected_version=1,
        status=status,
        due_date=due,
        completed_on=None,
        by=editor,
    )
    assert _record(milestone).status == status


def test_a_milestone_save_in_a_locked_return_is_refused(milestone, editor):
    milestone.round.status = RoundStatus.READY
    milestone.round.save()
    with pytest.raises(ValidationError):
        milestone_save(
            milestone=milestone,
            round_id=milestone.round.pk,
            expected_version=1,
            status="complete",
            due_date=milestone.due_date,
            completed_on=dt.date(2024, 11, 20),
            by=editor,
        )
    assert _record(milestone) is None
