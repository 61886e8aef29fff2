"""Typing in one key-measure figure: validation by unit, freshness of its source, history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from metrics.models import DataSource, MeasureValue
from metrics.services import measure_value_save
from svmonitor.models import AuditEvent
from tests import factories as f
from tests.dbfail import inserts_refused

pytestmark = pytest.mark.django_db
APRIL = dt.date(2024, 4, 1)


@pytest.fixture
def editor(db):
    # The services check roles (issue 12); these tests are about the section's own rules, so
    # the editor is a site administrator, who may do every action at every council.
    return f.UserFactory(username="kpi-editor", is_superuser=True)


def _measure(unit):
    measure = f.MeasureFactory(unit=unit)
    f.AgreementFactory(council=measure.council)  # 2023-24 to 2028-29: figures need one
    return measure, f.SeriesFactory(council=measure.council, kind="actual")


def test_it_creates_then_changes_a_figure_and_marks_the_source_refreshed(editor):
    measure, series = _measure("count")
    created = measure_value_save(
        measure=measure, period=APRIL, series=series, value="6,357", by=editor
    )
    assert created.value == Decimal("6357")
    changed = measure_value_save(
        measure=measure, period=APRIL, series=series, value=6360, by=editor
    )
    assert changed.pk == created.pk
    assert MeasureValue.objects.get().value == Decimal("6360")
    source = DataSource.objects.get(pk=measure.data_source_id)
    assert source.last_refreshed == timezone.localdate()
    events = AuditEvent.objects.filter(action="measure_value.save").order_by("pk")
    assert [e.before for e in events] == [
        None,
        {"period": "2024-04-01", "series": series.slug, "value": "6357.0000"},
    ]
    assert events[1].after["value"] == "6360"
    assert events[1].council == measure.council


def test_a_blank_value_clears_the_figure(editor):
    measure, series = _measure("count")
    f.MeasureValueFactory(measure=measure, series=series, period=APRIL)
    assert (
        measure_value_save(measure=measure, period=APRIL, series=series, value="", by=editor)
        is None
    )
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize(
    ("unit", "value"),
    [
        ("percent", "0"),
        ("percent", "100"),
        ("percent", "5.75"),
        ("count", "0"),
        ("count", "5707"),
        ("gbp", "-1234.56"),
        ("gbp", "43200000"),
        ("gbp_m", "43.2"),
        ("gbp_m", "28.2125"),
        ("weeks", "19.5"),
    ],
)
def test_values_that_suit_the_unit_are_accepted(unit, value, editor):
    measure, series = _measure(unit)
    saved = measure_value_save(measure=measure, period=APRIL, series=series, value=value, by=editor)
    assert saved.value == Decimal(value)


@pytest.mark.parametrize(
    ("unit", "value", "message"),
    [
        ("percent", "100.01", "between 0 and 100"),
        ("percent", "-1", "between 0 and 100"),
        ("count", "12.5", "whole number"),
        ("count", "-3", "whole number"),
        ("gbp", "10.005", "to the penny"),
        ("gbp_m", "1.23456", "4 decimal places"),
        ("weeks", "-2", "cannot be negative"),
        ("count", "lots", "Enter a number"),
        ("count", "NaN", "Enter a number"),
        ("count", "1e20", "too large"),
        ("count", True, "Enter a number"),
    ],
)
def test_values_that_do_not_suit_the_unit_are_refused(unit, value, message, editor):
    measure, series = _measure(unit)
    with pytest.raises(ValidationError) as excinfo:
        measure_value_save(measure=measure, period=APRIL, series=series, value=value, by=editor)
    assert message in excinfo.value.message_dict["value"][0]
    assert not MeasureValue.objects.exists()
    assert DataSource.objects.get(pk=measure.data_source_id).last_refreshed is None


@pytest.mark.parametrize(
    ("unit", "typed", "stored"),
    [
        ("percent", "14.5%", "14.5"),
        ("percent", " 14.5 % ", "14.5"),
        ("percent", "100%", "100"),
        ("count", "12,345", "12345"),
        ("count", "1,234,567", "1234567"),
        ("gbp", "£1,200.50", "1200.50"),
        ("gbp", "-£1,200.50", "-1200.50"),
        ("gbp_m", "£43.2", "43.2"),
        ("weeks", "1,000.5", "1000.5"),
    ],
)
def test_figures_are_read_as_people_type_them(unit, typed, stored, editor):
    measure, series = _measure(unit)
    saved = measure_value_save(measure=measure, period=APRIL, series=series, value=typed, by=editor)
    assert saved.value == Decimal(stored)


@pytest.mark.parametrize(
    ("unit", "typed", "message"),
    [
        ("count", "14%", "Only a percentage takes a % sign"),
        ("percent", "£5", "Only a sum of money takes a £ sign"),
        ("count", "1,2", "Use commas only between thousands"),
        ("gbp", "12,34.5", "Use commas only between thousands"),
        ("percent", "101%", "between 0 and 100"),
        ("percent", "%", "Enter a number"),
    ],
)
def test_misplaced_signs_and_commas_are_explained(unit, typed, message, editor):
    measure, series = _measure(unit)
    with pytest.raises(ValidationError) as excinfo:
        measure_value_save(measure=measure, period=APRIL, series=series, value=typed, by=editor)
    assert message in excinfo.value.message_dict["value"][0]
    assert not MeasureValue.objects.exists()


def test_the_period_is_the_first_of_a_month_and_the_series_the_same_council(editor):
    measure, series = _measure("count")
    with pytest.raises(ValidationError) as excinfo:
        measure_value_save(
            measure=measure, period=dt.date(2024, 4, 15), series=series, value=1, by=editor
        )
    assert "period" in excinfo.value.message_dict
    foreign = f.SeriesFactory()
    with pytest.raises(ValidationError) as excinfo:
        measure_value_save(measure=measure, period=APRIL, series=foreign, value=1, by=editor)
    assert "series" in excinfo.value.message_dict
    assert not MeasureValue.objects.exists()


def test_it_rolls_back_when_its_last_step_fails(editor):
    measure, series = _measure("count")
    f.MeasureValueFactory(measure=measure, series=series, period=APRIL, value=Decimal("10"))
    with inserts_refused(), pytest.raises(IntegrityError):
        measure_value_save(measure=measure, period=APRIL, series=series, value=11, by=editor)
    with inserts_refused(), pytest.raises(IntegrityError):
        measure_value_save(
            measure=measure, period=dt.date(2024, 5, 1), series=series, value=12, by=editor
        )
    assert list(MeasureValue.objects.values_list("period", "value")) == [(APRIL, Decimal("10"))]
    assert DataSource.objects.get(pk=measure.data_source_id).last_refreshed is None


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (dt.date(1, 1, 1), "The month January 0001 is outside the agreement's years"),
        (dt.date(2999, 12, 1), "The month December 2999 is outside the agreement's years"),
        (dt.date(2023, 3, 1), "(April 2023 to March 2029)"),
        (dt.date(2029, 4, 1), "(April 2023 to March 2029)"),
    ],
)
def test_it_refuses_a_month_outside_the_agreements_years(period, message, editor):
    measure, series = _measure("count")
    with pytest.raises(ValidationError) as excinfo:
        measure_value_save(measure=measure, period=period, series=series, value=1, by=editor)
    assert message in excinfo.value.message_dict["period"][0]
    assert not MeasureValue.objects.exists()
    # An old figure stored there before the rule can still be cleared (the admin's delete).
    MeasureValue.objects.create(measure=measure, series=series, period=period, value=7)
    measure_value_save(measure=measure, period=period, series=series, value=None, by=editor)
    assert not MeasureValue.objects.exists()
    # The first and last months of the agreement are inside it.
    for edge in (dt.date(2023, 4, 1), dt.date(2029, 3, 1)):
        measure_value_save(measure=measure, period=edge, series=series, value=1, by=editor)
    assert MeasureValue.objects.count() == 2


def test_it_refuses_figures_for_a_council_with_no_agreement(editor):
    measure = f.MeasureFactory(unit="count")
    series = f.SeriesFactory(council=measure.council, kind="actual")
    with pytest.raises(ValidationError) as excinfo:
        measure_value_save(measure=measure, period=APRIL, series=series, value=1, by=editor)
    assert "no agreement" in excinfo.value.message_dict["period"][0]
    assert not MeasureValue.objects.exists()
