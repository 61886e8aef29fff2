"""The KPI grid words each figure as format_value words the figure the ORM reads, though it
reads the figures unconverted and formats them with a formatter made once per unit; its month
headers are built in Python as the template's `date` filter words them."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template.defaultfilters import date as date_filter

from metrics.kpi_grid import kpi_grid_build, month_add, unit_formatter, unit_int_formatter
from metrics.models import MeasureValue
from metrics.templatetags.kpi_cells import kpi_month_headers
from metrics.variance import format_value
from tests import factories as f

APRIL = dt.date(2024, 4, 1)
UNITS = ["count", "percent", "gbp", "gbp_m", "weeks", "some-other-unit"]
# Ties at each unit's places, either side of them, negatives, zeros and large figures.
FIGURES = [
    "0",
    "-0",
    "0.0000",
    "-0.0000",
    "0.0049",
    "0.0050",
    "-0.0050",
    "0.0500",
    "0.0450",
    "0.4999",
    "0.5000",
    "1.0000",
    "1.5000",
    "2.3450",
    "-2.3450",
    "2.3449",
    "12.0500",
    "99.9950",
    "999.4999",
    "999.5000",
    "1000.0000",
    "6357",
    "-6357",
    "43.2000",
    "1234567.8950",
    "-1234567.8950",
    "12345678901.2345",
]


@pytest.mark.parametrize("unit", UNITS)
def test_each_units_formatter_words_every_figure_as_format_value(unit):
    formatted = unit_formatter(unit)
    for text in FIGURES:
        assert formatted(Decimal(text)) == format_value(Decimal(text), unit), (unit, text)


@pytest.mark.parametrize("unit", UNITS)
def test_each_units_whole_number_formatter_words_it_as_format_value(unit):
    formatted = unit_int_formatter(unit)
    for number in [0, 1, -1, 999, 1000, -1000, 6357, 1234567, -98765432109876]:
        assert formatted(number) == format_value(Decimal(number), unit), (unit, number)


@pytest.mark.django_db
def test_the_grids_rows_word_each_figure_and_give_the_orms_figure(council):
    series = f.SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
    for n, unit in enumerate(UNITS[:5]):
        for chunk in range(0, len(FIGURES), 12):  # twelve figures a measure, one a month
            measure = f.MeasureFactory(council=council, unit=unit, order=n)
            for i, text in enumerate(FIGURES[chunk : chunk + 12]):
                f.MeasureValueFactory(
                    measure=measure, series=series, period=month_add(APRIL, i), value=text
                )
    grid = kpi_grid_build(
        council=council,
        series=series,
        start=APRIL,
        options=[series],
        span=(dt.date(2024, 4, 1), dt.date(2027, 3, 31)),
    )
    orm = {(v.measure_id, v.period): v.value for v in MeasureValue.objects.filter(series=series)}
    checked = 0
    for row in grid.rows:
        for cell in row.cells:
            key = (row.measure.pk, cell.period)
            if key not in orm:
                continue
            value = orm[key]
            _raw, _reason, display = row.figures[cell.period.isoformat()]
            assert display == format_value(value, row.measure.unit) == cell.display
            assert str(cell.value) == str(value)  # the same Decimal, exponent and all
            checked += 1
    assert checked == 5 * len(FIGURES)


def test_the_grids_column_headers_name_each_month_as_the_date_filter_does():
    grid = SimpleNamespace(months=[month_add(APRIL, i) for i in range(12)])
    html = kpi_month_headers(grid)
    cell = '<th scope="col" class="govuk-table__header govuk-table__header--numeric">{}</th>'
    assert html == "".join(cell.format(date_filter(m, "M Y")) for m in grid.months)
    assert html.startswith(cell.format("Apr 2024")) and html.endswith(cell.format("Mar 2025"))
