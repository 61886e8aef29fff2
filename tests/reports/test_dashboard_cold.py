"""Issue 14 point 3: the dashboard cold. Its figures are read in one written-out query (no
per-row ORM converters) with the same dates and Decimals as the ORM; the window reads each
measure's figures from the period on; a server process keeps its loaded app out of the
garbage collector's full walks (svmonitor/warm.py)."""

import datetime as dt
import gc
import importlib
import sys
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from metrics.models import Measure, MeasureValue, Series
from reports.snapshot import round_snapshot_build
from reports.snapshot.measures import _figure_rows, figure_decimal
from tests.reports.conftest import build_council

pytestmark = pytest.mark.django_db

# Figures a float holds only approximately, negatives, a whole number, the field's largest.
AWKWARD = ["0.1", "0.3333", "2.675", "-12.5", "1234567.8912", "6400", "9999999999.9999"]


def _orm_rows(council):
    return list(
        MeasureValue.objects.filter(measure__council=council)
        .order_by("measure_id", "series__order", "series__name", "period", F("period_kind").desc())
        .values_list(
            "measure_id",
            "series__slug",
            "series__name",
            "series__kind",
            "period",
            "value",
            "note",
            "period_kind",
            "not_available_reason",
        )
    )


def test_the_snapshot_reads_each_figure_as_the_orm_does():
    round = build_council()
    council = round.agreement.council
    measure = Measure.objects.filter(council=council).order_by("pk").first()
    actual = Series.objects.get(council=council, slug="actual")
    for i, text in enumerate(AWKWARD):
        MeasureValue.objects.create(
            measure=measure, series=actual, period=dt.date(2023, 1 + i, 1), value=Decimal(text)
        )
    span = (dt.date(2000, 4, 1), dt.date(2100, 3, 31))
    rows = _figure_rows(council.pk, None, dt.date(2100, 3, 31), span, None)
    expected = _orm_rows(council)
    assert rows == expected
    # The same Decimals to the digit (a frozen payload's hash depends on them), not just equal.
    assert [str(r[5]) for r in rows] == [str(r[5]) for r in expected]
    assert {"0.1000", "0.3333", "2.6750", "-12.5000", "6400.0000"} <= {str(r[5]) for r in rows}
    assert figure_decimal(None) is None


def test_the_windowed_read_still_counts_old_figures_outside_the_agreement():
    round = build_council(scale=10)
    council = round.agreement.council
    measure = Measure.objects.filter(council=council).order_by("pk").first()
    actual = Series.objects.get(council=council, slug="actual")
    # Stored before the services refused months outside the agreement's years.
    MeasureValue.objects.create(measure=measure, series=actual, period=dt.date(2001, 1, 1), value=7)
    whole = round_snapshot_build(round)
    windowed = round_snapshot_build(round, since=dt.date(2023, 4, 1))
    assert windowed.figures_left_out == whole.figures_left_out
    assert "1 figure outside the agreement's years was left out" in windowed.figures_left_out


def test_the_windowed_read_searches_the_figures_from_the_window_on():
    if connection.vendor != "sqlite":
        pytest.skip("the plan asked of SQLite")
    round = build_council(scale=10)
    with CaptureQueriesContext(connection) as queries:
        round_snapshot_build(round, since=dt.date(2023, 4, 1))
    sql = next(q["sql"] for q in queries.captured_queries if "metrics_measurevalue" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    # Each measure's figures from the window's first month (less the rolling average's year),
    # not every figure of every year.
    assert "period>?" in plan, plan


def test_a_served_process_leaves_its_loaded_app_out_of_full_collections():
    gc.unfreeze()
    sys.modules.pop("svmonitor.wsgi", None)
    try:
        importlib.import_module("svmonitor.wsgi")
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
