"""headline_card_upsert: the one door for a council's headline cards (the workbook and, later,
any page), with the edit right and the council's own measures and series only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrics.models import HeadlineCard
from metrics.services import CARD_OTHER_COUNCIL, headline_card_upsert
from svmonitor.models import AuditEvent
from tests import factories as f


def _card_parts(council):
    measure = f.MeasureFactory(council=council, code="ehcps")
    series = f.SeriesFactory(council=council, kind="baseline", slug="forecast")
    return {"measure": measure, "comparator": series, "title": "EHCPs", "comparator_label": "Plan"}


def test_an_officer_adds_and_changes_a_card_with_history(council, la_officer):
    parts = _card_parts(council)

    card = headline_card_upsert(council=council, card=None, by=la_officer, **parts)
    headline_card_upsert(council=council, card=card, by=la_officer, title="Plans")

    assert HeadlineCard.objects.get(pk=card.pk).title == "Plans"
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["headline_card.create", "headline_card.save"]


def test_a_board_member_may_not_add_a_card(council, board_member):
    with pytest.raises(PermissionDenied):
        headline_card_upsert(council=council, card=None, by=board_member, **_card_parts(council))
    assert not HeadlineCard.objects.exists()


def test_a_card_may_not_show_another_councils_measure(council, other_council, la_officer):
    parts = _card_parts(council)
    parts["measure"] = f.MeasureFactory(council=other_council, code="theirs")

    with pytest.raises(ValidationError) as refused:
        headline_card_upsert(council=council, card=None, by=la_officer, **parts)

    assert refused.value.message_dict == {"measure": [CARD_OTHER_COUNCIL]}
    assert not HeadlineCard.objects.exists()
