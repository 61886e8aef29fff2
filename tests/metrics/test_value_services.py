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


# --- not available, and periods of other kinds (issue 13) ------------------------------------


def test_a_figure_can_be_marked_not_available_with_a_reason_then_given_a_value(editor):
    measure, series = _measure("count")
    marked = measure_value_save(
        measure=measure,
        period=APRIL,
        series=series,
        value="",
        not_available="SEN2 not yet published",
        by=editor,
    )
    assert (marked.value, marked.not_available_reason) == (None, "SEN2 not yet published")
    given = measure_value_save(measure=measure, period=APRIL, series=series, value=7, by=editor)
    assert (given.pk, given.value, given.not_available_reason) == (marked.pk, 7, "")
    events = AuditEvent.objects.filter(action="measure_value.save").order_by("pk")
    assert events[0].after["value"] == "not available: SEN2 not yet published"
    assert events[1].before["value"] == "not available: SEN2 not yet published"


def test_not_available_without_a_reason_is_stored_as_not_available(editor):
    measure, series = _measure("percent")
    marked = measure_value_save(
        measure=measure, period=APRIL, series=series, value=None, not_available="", by=editor
    )
    assert marked.not_available_reason == "Not available"


def test_a_value_and_not_available_together_are_refused(editor):
    measure, series = _measure("count")
    with pytest.raises(ValidationError) as caught:
        measure_value_save(
            measure=measure, period=APRIL, series=series, value=5, not_available="x", by=editor
        )
    assert caught.value.message_dict == {
        "value": ["Enter a figure or mark it not available, not both."]
    }
    assert not MeasureValue.objects.exists()


def test_the_database_refuses_a_figure_with_neither_value_nor_reason(editor):
    measure, series = _measure("count")
    with pytest.raises(IntegrityError):
        MeasureValue.objects.create(measure=measure, period=APRIL, series=series, value=None)


def test_the_database_refuses_a_figure_with_both_value_and_reason(editor):
    measure, series = _measure("count")
    with pytest.raises(IntegrityError):
        MeasureValue.objects.create(
            measure=measure, period=APRIL, series=series, value=1, not_available_reason="x"
        )


def test_an_academic_year_and_a_financial_year_are_periods_of_their_own(editor):
    measure, series = _measure("percent")
    september = dt.date(2023, 9, 1)
    month = measure_value_save(
        measure=measure, period=september, series=series, value="40", by=editor
    )
    year = measure_value_save(
        measure=measure,
        period=september,
        series=series,
        value="42",
        period_kind="academic_year",
        by=editor,
    )
    annual = measure_value_save(
        measure=measure,
        period=APRIL,
        series=series,
        value="41",
        period_kind="financial_year",
        by=editor,
    )
    assert len({month.pk, year.pk, annual.pk}) == 3
    labels = {v.period_kind: v.period_label for v in MeasureValue.objects.all()}
    assert labels == {
        "month": "Sep 2023",
        "academic_year": "2023-24 AY",
        "financial_year": "2024-25",
    }
    event = AuditEvent.objects.filter(action="measure_value.save").order_by("pk")[1]
    assert event.after["period"] == "2023-24 AY"


def test_a_year_must_start_in_its_own_month(editor):
    measure, series = _measure("count")
    with pytest.raises(ValidationError) as caught:
        measure_value_save(
            measure=measure,
            period=APRIL,
            series=series,
            value=1,
            period_kind="academic_year",
            by=editor,
        )
    assert caught.value.message_dict == {
        "period": ["An academic year is stored as the 1st of September."]
    }


def test_the_database_refuses_an_unknown_period_kind(editor):
    measure, series = _measure("count")
    with pytest.raises(IntegrityError):
        MeasureValue.objects.create(
            measure=measure, period=APRIL, series=series, value=1, period_kind="quarter"
        )


def test_a_year_outside_the_agreement_is_refused_in_words(editor):
    measure, series = _measure("count")
    with pytest.raises(ValidationError) as caught:
        measure_value_save(
            measure=measure,
            period=dt.date(2022, 9, 1),
            series=series,
            value=1,
            period_kind="academic_year",
            by=editor,
        )
    assert caught.value.message_dict["period"][0].startswith(
        "The academic year 2022-23 is outside the agreement's years"
    )


def test_a_batch_stores_not_available_figures_and_years_then_changes_nothing_again(editor):
    from metrics.services import FigureCell, measure_values_save_many

    measure, series = _measure("count")
    september = dt.date(2023, 9, 1)
    cells = [
        FigureCell(measure, APRIL, series, "", not_available=""),
        FigureCell(measure, dt.date(2024, 5, 1), series, "", not_available="Data delayed"),
        FigureCell(
            measure, september, series, 6357, note="provisional", period_kind="academic_year"
        ),
        FigureCell(measure, APRIL, series, 12, period_kind="financial_year"),
    ]
    assert measure_values_save_many(council=measure.council, cells=cells, by=editor) == (4, 0)
    stored = {
        (v.period_label, v.value, v.not_available_reason, v.note)
        for v in MeasureValue.objects.all()
    }
    assert stored == {
        ("Apr 2024", None, "Not available", ""),
        ("May 2024", None, "Data delayed", ""),
        ("2023-24 AY", Decimal("6357.0000"), "", "provisional"),
        ("2024-25", Decimal("12.0000"), "", ""),
    }
    assert measure_values_save_many(council=measure.council, cells=cells, by=editor) == (0, 0)
    # A figure arriving for a month marked not available replaces the mark.
    given = [FigureCell(measure, APRIL, series, 5)]
    assert measure_values_save_many(council=measure.council, cells=given, by=editor) == (0, 1)
    april = MeasureValue.objects.get(period=APRIL, period_kind="month")
    assert (april.value, april.not_available_reason) == (5, "")
    event = AuditEvent.objects.filter(action="measure_values.save").order_by("pk").last()
    assert event.before == {f"{series.slug} 2024-04": "not available: Not available"}
