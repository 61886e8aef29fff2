"""Issue 14: each page of the dashboard reads only the figures it shows, and agrees with a
full build of the round on everything it shows (reports.snapshot.scope).

The summary reads the headline cards' measures; a group's page reads that group's. The
groups, the month the data is as at and the headline cards are those of a build that reads
every figure, for councils grouping by condition, by area and by both, live and frozen.
"""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import Measure, Series
from reports.freeze import round_snapshot_freeze
from reports.snapshot import round_snapshot_build
from reports.snapshot.build import round_building_extras
from reports.snapshot.record import round_record
from reports.snapshot.rounds import rounds_for_building
from reports.snapshot.scope import SUMMARY, MeasureScope
from svmonitor.choices import KpiGrouping, Rag, RoundStatus
from svmonitor.models import ReportingRound
from tests.factories import (
    ConditionUpdateFactory,
    HeadlineCardFactory,
    MeasureValueFactory,
    MilestoneFactory,
    MonitoringTierChangeFactory,
    ReportingRoundFactory,
    RiskFactory,
    RiskUpdateFactory,
    SeriesFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamUpdateFactory,
)
from tests.reports.test_kpi_groups import _council, _measures

pytestmark = pytest.mark.django_db

SINCE = dt.date(2023, 4, 1)


def _round(grouping):
    council, rnd, conditions, areas = _council(grouping, areas=2)
    area_of = {"Alpha placements": areas[0], "Charlie tribunals": areas[1]}
    workstream = WorkstreamFactory(area=areas[0], name="Early help")
    WorkstreamUpdateFactory(round=rnd, workstream=workstream, rag=Rag.AMBER)
    MilestoneFactory(workstream=workstream, due_date=dt.date(2024, 9, 1), status="overdue")
    _measures(council, conditions, area_of=area_of.get)
    measures = {m.name: m for m in Measure.objects.filter(council=council)}
    actual = Series.objects.get(council=council, slug="actual")
    # A figure after the round's month, which no page may show, and a headline card.
    MeasureValueFactory(
        measure=measures["Bravo assessments"], series=actual, period=dt.date(2025, 1, 1)
    )
    plan = SeriesFactory(council=council, kind=Series.Kind.BASELINE, name="Plan", slug="plan")
    delta = measures["Delta transport"]
    MeasureValueFactory(measure=delta, series=plan, period=dt.date(2024, 9, 1), value=30)
    HeadlineCardFactory(council=council, measure=delta, comparator=plan)
    # Risks and conditions rated in earlier rounds, this year and last: only this year's and
    # last year's updates are shown, and read.
    agreement = rnd.agreement
    earlier = {
        (year, n): ReportingRoundFactory(
            agreement=agreement, financial_year=year, update_number=n, due_date=dt.date(year, 5, 31)
        )
        for year, n in ((2022, 3), (2023, 3), (2024, 1))
    }
    for i, risk in enumerate(RiskFactory(council=council) for _ in range(3)):
        RiskUpdateFactory(round=rnd, risk=risk, rag=Rag.AMBER, impact=4, likelihood=3 + i % 2)
        for earlier_round in earlier.values():
            RiskUpdateFactory(round=earlier_round, risk=risk, rag=Rag.RED, impact=2, likelihood=2)
    for condition in conditions.values():
        ConditionUpdateFactory(round=earlier[(2023, 3)], condition=condition, rag=Rag.GREEN)
        ConditionUpdateFactory(round=earlier[(2022, 3)], condition=condition, rag=Rag.RED)
    # Condition 1's update cites a key measure (the return lists it; the dashboard does not).
    update = rnd.condition_updates.get(condition=conditions["1"])
    update.key_measures.set([measures["Alpha placements"]])
    rnd.data_as_at = None
    rnd.save(update_fields=["data_as_at"])
    return rnd


def _codes(snapshot):
    return {m.code: m for m in snapshot.measures if m.lines}


@pytest.mark.parametrize("grouping", [KpiGrouping.CONDITIONS, KpiGrouping.AREAS, KpiGrouping.BOTH])
def test_every_page_of_the_dashboard_agrees_with_a_build_of_every_figure(grouping):
    rnd = _round(grouping)
    full = round_snapshot_build(rnd, since=SINCE)
    # As the dashboard reads it: from the round list, with its extras for this round only.
    chosen = round_building_extras(
        ReportingRound.objects.select_related("agreement__council").get(pk=rnd.pk)
    )
    assert len(chosen.window_round_ids) == 3  # 2023-24 Update 3, 2024-25 Updates 1 and 3
    summary = round_snapshot_build(chosen, since=SINCE, scope=MeasureScope(SUMMARY))
    assert summary.kpi_groups == full.kpi_groups
    assert summary.data_as_at == full.data_as_at == dt.date(2024, 10, 1)
    assert summary.headlines == full.headlines
    # The conditions as the dashboard shows them: its pages do not list each update's cited
    # measures (the return and the DfE report do, from a full build).
    assert [dataclasses.replace(c, key_measure_codes=()) for c in full.conditions] == list(
        summary.conditions
    )
    assert any(c.key_measure_codes for c in full.conditions)
    assert summary.risks == full.risks and len(full.risks) == 3
    assert summary.heat_map == full.heat_map
    # The summary shows each workstream's rating, not its milestones (an area's page does).
    assert [(w.name, w.rating) for a in summary.areas for w in a.workstreams] == [
        (w.name, w.rating) for a in full.areas for w in a.workstreams
    ]
    # The summary reads the headline card's measure only.
    assert set(_codes(summary)) == {summary.headlines[0].measure_code}
    for group in full.kpi_groups:
        part = round_snapshot_build(chosen, since=SINCE, scope=MeasureScope(group.slug))
        assert part.kpi_groups == full.kpi_groups
        assert part.areas == full.areas
        shown = _codes(part)
        for code in group.measure_codes:
            assert shown[code] == next(m for m in full.measures if m.code == code)


def test_a_frozen_return_shows_each_page_from_its_frozen_figures():
    rnd = _round(KpiGrouping.BOTH)
    round_snapshot_freeze(round=rnd, by=UserFactory())
    ReportingRound.objects.filter(pk=rnd.pk).update(status=RoundStatus.READY)
    rnd.refresh_from_db()
    full = round_record(rnd, since=SINCE).snapshot
    # Live data moves on; the pages still show what was frozen.
    MeasureValueFactory(
        measure=Measure.objects.get(council=rnd.agreement.council, name="Alpha placements"),
        series=Series.objects.get(council=rnd.agreement.council, slug="actual"),
        period=dt.date(2024, 11, 1),
        value=Decimal(999),
    )
    for group in full.kpi_groups:
        part = round_record(rnd, since=SINCE, scope=MeasureScope(group.slug)).snapshot
        assert part.kpi_groups == full.kpi_groups
        for code in group.measure_codes:
            assert _codes(part)[code] == next(m for m in full.measures if m.code == code)
    summary = round_record(rnd, since=SINCE, scope=MeasureScope(SUMMARY)).snapshot
    assert summary.headlines == full.headlines
    assert set(_codes(summary)) == {full.headlines[0].measure_code}


def test_a_group_page_reads_only_its_own_measures_figures():
    rnd = _round(KpiGrouping.CONDITIONS)
    group = next(g for g in round_snapshot_build(rnd).kpi_groups if g.slug.startswith("cond"))
    with CaptureQueriesContext(connection) as queries:
        round_snapshot_build(rnd, since=SINCE, scope=MeasureScope(group.slug))
    (figures,) = [q["sql"] for q in queries if q["sql"].startswith("SELECT v.measure_id, s.slug")]
    ids = Measure.objects.filter(council=rnd.agreement.council, code__in=group.measure_codes)
    assert "v.measure_id IN (" in figures
    for measure_id in ids.values_list("pk", flat=True):
        assert str(measure_id) in figures


def test_a_round_loaded_in_one_query_has_what_a_round_loaded_for_building_has():
    rnd = _round(KpiGrouping.AREAS)
    MonitoringTierChangeFactory(
        agreement=rnd.agreement, tier="enhanced", effective_from=dt.date(2024, 6, 1)
    )
    MonitoringTierChangeFactory(
        agreement=rnd.agreement, tier="standard", effective_from=dt.date(2025, 6, 1)
    )
    built = rounds_for_building().get(pk=rnd.pk)
    plain = ReportingRound.objects.select_related("agreement__council").get(pk=rnd.pk)
    with CaptureQueriesContext(connection) as queries:
        extras = round_building_extras(plain)
    assert len(queries) == 1
    assert extras is not plain and not hasattr(plain, "tier_code")
    for name in ("tier_code", "tier_from", "agreements_first_year", "agreements_last_year"):
        assert getattr(extras, name) == getattr(built, name), name
    assert extras.tier_code == "enhanced" and extras.tier_from == dt.date(2024, 6, 1)
