"""Saving the overview page and the headline lists of a return."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from overview.models import Headline, RoundOverview
from overview.services import headlines_fingerprint, headlines_save, round_overview_save
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import StaleEdit
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.dbfail import inserts_refused
from tests.round_builders import ANSWERS, round_in

pytestmark = pytest.mark.django_db
# The version of an empty headline list, as a form that opened it would carry it.
NONE_SEEN = headlines_fingerprint([])


@pytest.fixture
def overview(db):
    return f.RoundOverviewFactory()


@pytest.fixture
def editor(overview):
    # The services check the edit right, as the browser does.
    return _member(overview.round.agreement.council, Role.OFFICER, "overview-editor")


def test_it_saves_the_answers_and_bumps_the_version(overview, editor):
    saved = round_overview_save(
        overview=overview,
        expected_version=1,
        by=editor,
        overall_rag=Rag.AMBER_RED,
        overall_narrative="Demand is above plan.",
        **ANSWERS,
    )
    row = RoundOverview.objects.get(pk=overview.pk)
    assert (row.overall_rag, row.zero_deficit_on_track, row.version) == ("amber_red", "no", 2)
    assert row.updated_by == editor and saved.version == 2
    event = AuditEvent.objects.get(action="round_overview.save")
    assert event.before["overall_rag"] == "not_rated"
    assert event.after["overall_rag"] == "amber_red"


def test_fields_not_given_keep_their_saved_values(overview, editor):
    round_overview_save(overview=overview, expected_version=1, by=editor, **ANSWERS)
    round_overview_save(
        overview=overview,
        expected_version=2,
        by=editor,
        adviser_support_requested="yes",
        adviser_support_detail="Help with the sufficiency plan.",
    )
    row = RoundOverview.objects.get(pk=overview.pk)
    assert row.capital_project_on_track == "yes"
    assert row.adviser_support_requested == "yes"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"zero_deficit_on_track": "maybe"}, "zero_deficit_on_track"),
        (
            {"zero_deficit_on_track": "yes", "zero_deficit_commentary": " "},
            "zero_deficit_commentary",
        ),
        ({"adviser_support_requested": "yes"}, "adviser_support_detail"),
        ({"overall_rag": Rag.AMBER_GREEN}, "overall_narrative"),
        ({"overall_rag": "purple"}, "overall_rag"),
        ({"deficit_this_year_commentary": "x" * 10_001}, "deficit_this_year_commentary"),
    ],
)
def test_overview_rules_are_field_keyed(changes, field, overview, editor):
    with pytest.raises(ValidationError) as excinfo:
        round_overview_save(overview=overview, expected_version=1, by=editor, **changes)
    assert field in excinfo.value.message_dict
    assert RoundOverview.objects.get(pk=overview.pk).version == 1


def test_fields_the_form_does_not_offer_cannot_be_set(overview, editor):
    with pytest.raises(TypeError):
        round_overview_save(overview=overview, expected_version=1, by=editor, version=99)
    with pytest.raises(TypeError):
        round_overview_save(overview=overview, expected_version=1, by=editor, round_id=1)
    assert RoundOverview.objects.get(pk=overview.pk).version == 1


def test_a_stale_overview_save_is_refused_and_both_texts_survive(overview, editor):
    round_overview_save(
        overview=overview,
        expected_version=1,
        by=editor,
        overall_rag=Rag.RED,
        overall_narrative="First.",
    )
    with pytest.raises(StaleEdit) as excinfo:
        round_overview_save(
            overview=overview,
            expected_version=1,
            by=editor,
            overall_rag=Rag.RED,
            overall_narrative="Second.",
        )
    assert excinfo.value.current["overall_narrative"] == "First."
    assert RoundOverview.objects.get(pk=overview.pk).overall_narrative == "First."


def test_overview_save_rolls_back_when_its_last_step_fails(overview, editor):
    with inserts_refused(), pytest.raises(IntegrityError):
        round_overview_save(overview=overview, expected_version=1, by=editor, **ANSWERS)
    row = RoundOverview.objects.get(pk=overview.pk)
    assert (row.zero_deficit_on_track, row.version) == ("", 1)


# --- Headlines --------------------------------------------------------------------------------


def test_headlines_replace_one_list_in_order(overview, editor):
    f.HeadlineFactory(overview=overview, kind="driver", position=1, text="Old driver")
    f.HeadlineFactory(overview=overview, kind="barrier", position=1, text="A barrier")
    headlines_save(
        overview=overview,
        kind="driver",
        texts=["One", " ", "Two", "Three"],
        seen=headlines_fingerprint(["Old driver"]),
        by=editor,
    )
    drivers = Headline.objects.filter(overview=overview, kind="driver").order_by("position")
    assert list(drivers.values_list("position", "text")) == [(1, "One"), (2, "Two"), (3, "Three")]
    assert Headline.objects.filter(kind="barrier").count() == 1
    event = AuditEvent.objects.get(action="headlines.save")
    assert event.before == {"kind": "driver", "texts": ["Old driver"]}


def test_at_most_three_headlines_per_list(overview, editor):
    f.HeadlineFactory(overview=overview, kind="engagement", position=1, text="Kept")
    with pytest.raises(ValidationError) as excinfo:
        headlines_save(
            overview=overview,
            kind="engagement",
            texts=["a", "b", "c", "d"],
            seen=headlines_fingerprint(["Kept"]),
            by=editor,
        )
    assert "at most 3" in excinfo.value.message_dict["texts"][0]
    assert list(Headline.objects.values_list("text", flat=True)) == ["Kept"]


def test_headline_kind_and_length_are_checked(overview, editor):
    with pytest.raises(ValidationError) as excinfo:
        headlines_save(overview=overview, kind="gossip", texts=["a"], seen=NONE_SEEN, by=editor)
    assert "kind" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        headlines_save(
            overview=overview, kind="driver", texts=["ok", "x" * 10_001], seen=NONE_SEEN, by=editor
        )
    assert "Headline 2" in excinfo.value.message_dict["texts"][0]
    assert not Headline.objects.exists()


def test_headlines_save_rolls_back_when_its_last_step_fails(overview, editor):
    f.HeadlineFactory(overview=overview, kind="driver", position=1, text="Kept")
    with inserts_refused(), pytest.raises(IntegrityError):
        headlines_save(
            overview=overview,
            kind="driver",
            texts=["New"],
            seen=headlines_fingerprint(["Kept"]),
            by=editor,
        )
    assert list(Headline.objects.values_list("text", flat=True)) == ["Kept"]


@pytest.mark.parametrize(
    "status", [RoundStatus.READY, RoundStatus.SIGNED_OFF, RoundStatus.SUBMITTED]
)
def test_a_return_past_draft_refuses_overview_and_headline_edits(status):
    overview = round_in(status).overview
    editor = _member(overview.round.agreement.council, Role.OFFICER, "overview-editor")
    with pytest.raises(ValidationError) as excinfo:
        round_overview_save(
            overview=overview, expected_version=overview.version, by=editor, overall_rag="red"
        )
    assert "reopen it first" in excinfo.value.messages[0]
    with pytest.raises(ValidationError) as excinfo:
        headlines_save(overview=overview, kind="driver", texts=["Late"], seen=NONE_SEEN, by=editor)
    assert "reopen it first" in excinfo.value.messages[0]
    assert not Headline.objects.filter(overview=overview).exists()
    assert RoundOverview.objects.get(pk=overview.pk).overall_rag == overview.overall_rag


def test_the_overview_and_headlines_need_the_edit_right(overview):
    board = _member(overview.round.agreement.council, Role.BOARD, "board-reader")
    with pytest.raises(PermissionDenied):
        round_overview_save(overview=overview, expected_version=1, by=board, overall_rag="red")
    with pytest.raises(PermissionDenied):
        headlines_save(overview=overview, kind="driver", texts=["x"], seen=NONE_SEEN, by=board)
    assert RoundOverview.objects.get(pk=overview.pk).version == 1
