"""Figures marked not available in the read model: the headline card falls back to the latest
figure there is, the KPI table says n/a with a footnote, and a difference is "no data"."""

import datetime as dt

import pytest

from metrics.models import Measure, MeasureValue, Series
from reports.snapshot import round_snapshot_build
from tests.factories import HeadlineCardFactory
from tests.reports.conftest import build_council

pytestmark = pytest.mark.django_db
DECEMBER = dt.date(2024, 12, 1)


def test_the_latest_month_not_available_leaves_the_headline_on_the_month_before():
    latest = build_council()
    council = latest.agreement.council
    measure = Measure.objects.filter(council=council).order_by("pk").first()
    plan = Series.objects.get(council=council, slug="sv-forecast")
    HeadlineCardFactory(council=council, measure=measure, comparator=plan)
    MeasureValue.objects.filter(measure=measure, series__slug="actual", period=DECEMBER).update(
        value=None, not_available_reason="Not available"
    )
    snap = round_snapshot_build(latest)
    card = snap.headlines[0]
    assert (card.period, card.value, card.comparator_value) == (dt.date(2024, 11, 1), 6004, 5704)
    row = snap.measure(measure.code).table[0]
    assert (row.period_label, row.actual.display, row.actual.footnote) == ("Dec 2024", "n/a", 1)
    assert row.vs_last_year.display == "no data"
    assert snap.measure(measure.code).footnotes == ("Not available",)
