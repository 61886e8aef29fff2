"""Saving a risk's update: RAG rules, impact and likelihood, score, locking and stale edits."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from risks.models import RiskUpdate
from risks.services import risk_update_save
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import StaleEdit
from svmonitor.models import AuditEvent
from tests import factories as f
from tests.dbfail import inserts_refused
from tests.round_builders import round_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    # The services check roles (issue 12); these tests are about the section's own rules, so
    # the editor is a site administrator, who may do every action at every council.
    return f.UserFactory(username="risk-editor", is_superuser=True)


def _save(update, by, version=1, **changes):
    values = {"rag": Rag.AMBER, "narrative": "Watching closely.", "impact": 3, "likelihood": 4}
    values.update(changes)
    return risk_update_save(update=update, expected_version=version, by=by, **values)


def test_it_saves_and_the_score_follows_impact_times_likelihood(editor):
    update = f.RiskUpdateFactory(impact=2, likelihood=2)
    saved = _save(update, editor, impact=5, likelihood=4, rag=Rag.RED, narrative="Escalated.")
    assert (saved.impact, saved.likelihood, saved.score, saved.version) == (5, 4, 20, 2)
    row = RiskUpdate.objects.get(pk=update.pk)
    assert (row.rag, row.narrative, row.score) == (Rag.RED, "Escalated.", 20)
    event = AuditEvent.objects.get(action="risk_update.save")
    assert event.before["score"] == 4 and event.after["score"] == 20
    assert event.after["impact"] == 5


@pytest.mark.parametrize(
    ("impact", "likelihood", "fields"),
    [
        (0, 3, {"impact"}),
        (6, 3, {"impact"}),
        (3, 0, {"likelihood"}),
        (9, 9, {"impact", "likelihood"}),
    ],
)
def test_impact_and_likelihood_are_whole_numbers_from_1_to_5(impact, likelihood, fields, editor):
    update = f.RiskUpdateFactory()
    with pytest.raises(ValidationError) as excinfo:
        _save(update, editor, impact=impact, likelihood=likelihood)
    assert set(excinfo.value.message_dict) == fields
    assert RiskUpdate.objects.get(pk=update.pk).version == 1


@pytest.mark.parametrize("value", [True, 2.5, "3", None])
def test_impact_must_be_an_integer_not_a_lookalike(value, editor):
    update = f.RiskUpdateFactory()
    with pytest.raises(ValidationError) as excinfo:
        _save(update, editor, impact=value)
    assert "impact" in excinfo.value.message_dict


@pytest.mark.parametrize("rag", [Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN])
def test_red_and_every_amber_need_a_narrative(rag, editor):
    update = f.RiskUpdateFactory()
    with pytest.raises(ValidationError) as excinfo:
        _save(update, editor, rag=rag, narrative="")
    assert "narrative" in excinfo.value.message_dict


def test_several_errors_are_reported_at_once(editor):
    update = f.RiskUpdateFactory()
    with pytest.raises(ValidationError) as excinfo:
        _save(update, editor, rag=Rag.RED, narrative="", impact=0)
    assert set(excinfo.value.message_dict) == {"narrative", "impact"}


def test_a_stale_save_is_refused_and_both_texts_survive(editor):
    update = f.RiskUpdateFactory(narrative="Original.")
    _save(RiskUpdate.objects.get(pk=update.pk), editor, narrative="First.", impact=5)
    with pytest.raises(StaleEdit) as excinfo:
        _save(update, editor, narrative="Second.", impact=1)
    assert excinfo.value.current == {
        "rag": "amber",
        "narrative": "First.",
        "impact": 5,
        "likelihood": 4,
        "in_dfe_report": None,
    }
    row = RiskUpdate.objects.get(pk=update.pk)
    assert (row.narrative, row.impact, row.score, row.version) == ("First.", 5, 20, 2)


def test_it_rolls_back_when_its_last_step_fails(editor):
    update = f.RiskUpdateFactory(impact=2, likelihood=2, narrative="Before.")
    with inserts_refused(), pytest.raises(IntegrityError):
        _save(update, editor, impact=5, likelihood=5, narrative="After.")
    row = RiskUpdate.objects.get(pk=update.pk)
    assert (row.impact, row.score, row.narrative, row.version) == (2, 4, "Before.", 1)


@pytest.mark.parametrize(
    "status", [RoundStatus.READY, RoundStatus.SIGNED_OFF, RoundStatus.SUBMITTED]
)
def test_a_return_past_draft_refuses_the_edit(status, editor):
    update = RiskUpdate.objects.get(round=round_in(status))
    with pytest.raises(ValidationError) as excinfo:
        _save(update, editor, version=update.version, impact=1)
    assert "can no longer be edited; reopen it first" in excinfo.value.messages[0]
    assert RiskUpdate.objects.get(pk=update.pk).impact == update.impact
