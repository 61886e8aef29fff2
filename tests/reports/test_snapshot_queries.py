"""The snapshot is built in a fixed number of queries, however big the council."""

import pytest
from django.core.management import call_command

from reports.snapshot import round_for_council, round_snapshot_build, snapshot_as_dict
from svmonitor.models import LocalAuthority
from tests.reports.conftest import build_council

# 1 round + agreement + council + tier, 2 RAG definitions, 3 key contacts, 4 measures + the
# conditions citing them this round, 5 measure values, 6 conditions + their updates,
# 7 programme areas + workstreams + this round's update + milestones, 8 risks + their updates
# (this round's, and the levels at the year's earlier updates),
# 9 headline cards, 10 finance lines + deficit caps + workstream savings, 11 payments,
# 12 overview + headlines, 13 sign-offs. (12 for a round from round_list_for_council, which
# loads what 1 does.)
SNAPSHOT_QUERIES = 13


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
