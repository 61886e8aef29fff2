"""The dashboard's plotly figures drawn as static SVG for the PDF, cached by their data."""

import base64

import pytest
from defusedxml import ElementTree
from django.core.cache import cache

from reports import charts
from reports.pdf.charts_svg import (
    CACHE_PREFIX,
    UnsupportedFigure,
    figure_data_uri,
    figure_key,
    figure_svg,
)
from reports.snapshot import round_snapshot_build
from tests.reports.conftest import build_council

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def snapshot(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        snap = round_snapshot_build(build_council())
        transaction.set_rollback(True)
    return snap


def _parse(svg: str):
    return ElementTree.fromstring(svg.encode("utf-8"))


def _texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_it_draws_the_measure_trend_with_a_line_per_series_and_a_legend(snapshot):
    measure = snapshot.measures[1]
    root = _parse(figure_svg(charts.measure_trend_figure(measure), title="EHCPs"))
    assert root.find(f"{SVG}title").text == "EHCPs"
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == len(measure.lines)
    texts = _texts(root)
    for line in measure.lines:
        assert line.name in texts
    # A date axis labelled by month, and y ticks with thousands separators.
    assert "Dec 2024" in texts
    assert any("," in t for t in texts if t and t[0].isdigit())
    # The plan is dashed and the actual is not.
    dashed = [p for p in paths if p.get("stroke-dasharray")]
    assert len(dashed) == len(measure.lines) - 1


def test_it_draws_stacked_workstream_bars_and_the_finance_chart(snapshot):
    stacked = _parse(figure_svg(charts.workstream_status_figure(snapshot)))

    # One bar segment per (area, RAG) that has workstreams, and a legend swatch per RAG.
    rects = list(stacked.iter(f"{SVG}rect"))
    segments = [r for r in rects if r.get("class") == "bar"]
    expected = {(a.number, w.rating.code) for a in snapshot.areas for w in a.workstreams}
    assert len(segments) == len(expected)
    heights = sum(float(r.get("height")) for r in segments)
    assert heights > 0
    swatches = [r for r in rects if r.get("class") == "swatch"]
    assert len(swatches) == len({code for _, code in expected})

    finance = _parse(figure_svg(charts.finance_figure(snapshot)))
    texts = _texts(finance)
    assert "2024-25" in texts and "Deficit cap" in texts
    assert any(t.startswith("£") and t.endswith("m") for t in texts if t)


def test_it_draws_the_risk_heat_map_with_its_counts(snapshot):
    root = _parse(figure_svg(charts.risk_heat_map_figure(snapshot)))
    cells = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "cell"]
    assert len(cells) == 25
    counts = [int(t) for t in _texts(root) if t and t.isdigit() and int(t) > 5]
    assert sum(counts) <= len(snapshot.risks)
    assert "Likelihood (1-5)" in _texts(root)


def test_it_escapes_names_so_the_svg_stays_well_formed():
    figure = {"data": [{"type": "scatter", "name": '<b>&"x"', "x": ["a", "b"], "y": [1, None]}]}
    root = _parse(figure_svg(figure))
    assert '<b>&"x"' in _texts(root)


def test_it_refuses_a_chart_type_it_cannot_draw():
    with pytest.raises(UnsupportedFigure, match="pie"):
        figure_svg({"data": [{"type": "pie", "values": [1, 2]}]})


def test_the_svg_is_cached_by_the_sha256_of_the_figure():
    cache.clear()
    figure = {"data": [{"type": "bar", "name": "A", "x": ["2024-25"], "y": [3]}]}
    key = CACHE_PREFIX + figure_key(figure, width=500, height=None, title="t")
    uri = figure_data_uri(figure, width=500, title="t")
    assert uri.startswith("data:image/svg+xml;base64,")
    assert cache.get(key) == uri
    assert b"<svg" in base64.b64decode(uri.split(",", 1)[1])
    # A cached entry is used as is (proved by planting one); other data gets another key.
    cache.set(key, "data:image/svg+xml;base64,cached")
    assert figure_data_uri(figure, width=500, title="t") == "data:image/svg+xml;base64,cached"
    changed = {"data": [{"type": "bar", "name": "A", "x": ["2024-25"], "y": [4]}]}
    assert figure_key(changed, width=500, height=None, title="t") != key[len(CACHE_PREFIX) :]
