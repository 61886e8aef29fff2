"""Headline variance: unit-aware figures and polarity-aware draft sentences."""

from decimal import Decimal as D

import pytest

from metrics.variance import (
    direction,
    format_difference,
    format_value,
    variance_of,
    variance_sentence,
)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (D("6357"), "count", "6,357"),
        (D("358.5"), "count", "358.5"),
        (D("5.75"), "percent", "5.75%"),
        (D("43.2"), "gbp_m", "£43.20m"),
        (D("2240000"), "gbp", "£2,240,000"),
        (D("-28.21"), "gbp_m", "-£28.21m"),
        (D("18.25"), "weeks", "18.3 weeks"),
        (None, "count", "no data"),
    ],
)
def test_values_are_formatted_for_their_unit(value, unit, shown):
    assert format_value(value, unit) == shown


def test_differences_are_signed():
    assert format_difference(D("650"), "count") == "+650"
    assert format_difference(D("14.99"), "gbp_m") == "+£14.99m"
    assert format_difference(D("-1.17"), "percent") == "-1.17 percentage points"


def test_direction_follows_polarity():
    assert direction(D("650"), "lower") == "worse"
    assert direction(D("650"), "higher") == "better"
    assert direction(D("-1.17"), "lower") == "better"
    assert direction(D("0"), "lower") == "level"
    assert direction(D("5"), "neutral") is None


def test_variance_is_relative_to_the_comparator():
    var = variance_of(D("6357"), D("5707"), "lower")
    assert var.difference == D("650")
    assert round(var.percent, 1) == D("11.4")


def test_the_seed_dashboards_sentences():
    # Wiltshire's Portfolio Summary: EHCPs, HNB overspend and INMSS placements.
    assert (
        variance_sentence(
            value=D("6357"),
            comparator=D("5707"),
            unit="count",
            polarity="lower",
            comparator_label="Forecast",
            subject="plans",
        )
        == "650 plans above forecast (+11.4%), worse than planned."
    )
    assert variance_sentence(
        value=D("43.20"),
        comparator=D("28.21"),
        unit="gbp_m",
        polarity="lower",
        comparator_label="this year's goal",
    ).startswith("£14.99m above this year's goal (+53.1%)")
    assert (
        variance_sentence(
            value=D("5.75"),
            comparator=D("6.92"),
            unit="percent",
            polarity="lower",
            comparator_label="Forecast",
        )
        == "1.17 percentage points below forecast, better than planned."
    )


def test_sentences_say_when_a_figure_is_missing_or_level():
    kwargs = {"unit": "count", "polarity": "lower", "comparator_label": "SV forecast"}
    assert "No figure is recorded" in variance_sentence(value=None, comparator=D(1), **kwargs)
    assert "No SV forecast figure" in variance_sentence(value=D(1), comparator=None, **kwargs)
    assert (
        variance_sentence(value=D(5), comparator=D(5), **kwargs) == "In line with SV forecast (5)."
    )
    neutral = variance_sentence(
        value=D(6), comparator=D(5), unit="count", polarity="neutral", comparator_label="Plan"
    )
    assert neutral == "1 above plan (+20.0%)."
