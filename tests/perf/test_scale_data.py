"""Issue 9.1: generated national-scale data looks like a council's (bench/run.py relies on it)."""

import datetime as dt

import pytest

from conditions.models import ConditionUpdate, Milestone
from demo.scale import ScaleSpec, scale_data_generate
from svmonitor.models import KeyContact, LocalAuthority, ReportingRound

pytestmark = pytest.mark.django_db


def test_milestones_past_the_latest_data_are_done_or_overdue_and_the_rest_ahead():
    scale_data_generate(spec=ScaleSpec(councils=2, years=3, measures=4))
    present = ReportingRound.objects.order_by("-financial_year", "-update_number")[0].data_as_at
    statuses = {"past": set(), "ahead": set()}
    for ms in Milestone.objects.all():
        statuses["past" if ms.due_date <= present else "ahead"].add(ms.status)
        if ms.status == Milestone.Status.COMPLETE:
            assert ms.completed_on is not None and ms.completed_on <= present
    assert statuses["past"] == {"complete", "overdue"}
    assert statuses["ahead"] <= {"on_track", "at_risk"} and "on_track" in statuses["ahead"]


def test_councils_have_contacts_and_returns_cite_their_key_measures():
    scale_data_generate(spec=ScaleSpec(councils=1, years=1, measures=12))
    council = LocalAuthority.objects.get(slug="scale-01")
    assert KeyContact.objects.filter(council=council).count() == 3
    update = ConditionUpdate.objects.filter(round__agreement__council=council).first()
    assert update.key_measures.exists()
    assert update.round.data_as_at < dt.date(2021, 1, 1)


def test_more_councils_can_be_added_beside_the_first():
    scale_data_generate(spec=ScaleSpec(councils=1, years=1, measures=2))
    scale_data_generate(spec=ScaleSpec(councils=2, years=1, measures=2, first_number=2))
    slugs = sorted(LocalAuthority.objects.values_list("slug", flat=True))
    assert slugs == ["scale-01", "scale-02", "scale-03"]
