"""The snapshot is built in a fixed number of queries, however big the council."""

import pytest
from django.core.management import call_command

from reports.snapshot import round_for_council, round_snapshot_build, snapshot_as_dict
from svmonitor.models import LocalAuthority
from tests.reports.conftest import build_council

# 1 round + agreement + council + overview + tier, 2 RAG definitions, 3 key contacts,
# 4 measures, 5 measure values, 6 conditions, 7 condition updates, 8 cited measures,
# 9 programme areas, 10 workstreams + this round's update, 11 milestones, 12 risks + update,
# 13 headline cards, 14 finance lines, 15 deficit caps, 16 payments, 17 headlines, 18 sign-offs.
SNAPSHOT_QUERIES = 18


def _build_and_read(rnd, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        snapshot = round_snapshot_build(rnd)
    # Reading everything the templates and exports use costs nothing more.
    with django_assert_num_queries(0):
        snapshot_as_dict(snapshot)
        for m in snapshot.measures:
            assert m.actual is not None
            assert m.baselines
        assert snapshot.key_risks is not None
        assert snapshot.finance_reflects == "Q2 forecast"
    return snapshot


@pytest.mark.django_db
def test_it_uses_the_same_queries_for_ten_times_the_data(django_assert_num_queries):
    small = _build_and_read(build_council(scale=1), django_assert_num_queries)
    large = _build_and_read(build_council(scale=10), django_assert_num_queries)
    assert SNAPSHOT_QUERIES <= 20
    assert len(large.conditions) == 10 * len(small.conditions)
    assert len(large.risks) == 10 * len(small.risks)
    assert len(large.measures) == 10 * len(small.measures)
    assert len(large.measures[0].actual.points) == 10 * len(small.measures[0].actual.points)


@pytest.mark.django_db
def test_the_demo_councils_take_the_same_queries(django_assert_num_queries):
    call_command("load_demo", verbosity=0)
    for council in LocalAuthority.objects.filter(slug__in=["wiltshire", "northdale"]):
        rnd = round_for_council(council=council, key="2024-25/3")
        with django_assert_num_queries(SNAPSHOT_QUERIES):
            snapshot = round_snapshot_build(rnd)
        assert snapshot.conditions and snapshot.measures and snapshot.headlines
