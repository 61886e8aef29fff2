"""Saving and adding High Needs Block finance lines: money to the penny, lost updates, history."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from finance.models import FinanceLine
from finance.services import finance_line_create, finance_line_save
from svmonitor.errors import StaleEdit
from svmonitor.models import AuditEvent
from tests import factories as f
from tests.dbfail import inserts_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    # The services check roles (issue 12); these tests are about the section's own rules, so
    # the editor is a site administrator, who may do every action at every council.
    return f.UserFactory(username="finance-editor", is_superuser=True)


@pytest.fixture
def line():
    return f.FinanceLineFactory(reflects="Q1 forecast")


def test_it_saves_figures_typed_with_pound_signs_and_commas(line, editor):
    finance_line_save(
        line=line,
        expected_version=1,
        by=editor,
        in_year_position="-£43,200,000.50",
        hnb_income="74,422,000",
        dfe_payments="",
        reflects="  Q2 forecast ",
    )
    row = FinanceLine.objects.get(pk=line.pk)
    assert row.in_year_position == Decimal("-43200000.50")
    assert row.hnb_income == Decimal("74422000.00")
    assert row.dfe_payments is None
    assert row.cumulative_deficit == Decimal("80000000")  # not sent: left as it was
    assert (row.reflects, row.version) == ("Q2 forecast", 2)
    event = AuditEvent.objects.get(action="finance_line.save")
    assert event.before["in_year_position"] == "-20000000.00"
    assert event.after["in_year_position"] == "-43200000.50"
    assert event.council == line.agreement.council


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("hnb_income", "1.005", "to the penny"),
        ("hnb_income", "-5", "cannot be negative"),
        ("dfe_payments", "lots", "Enter a number"),
        ("cumulative_deficit", "1,00", "commas only between thousands"),
        ("cumulative_deficit", "1e15", "too large"),
        ("in_year_position", "5%", "Only a percentage takes a % sign"),
        ("reflects", "x" * 121, "120 characters or fewer"),
    ],
)
def test_bad_figures_are_refused_by_field_and_nothing_is_written(
    line, editor, field, typed, message
):
    with pytest.raises(ValidationError) as excinfo:
        finance_line_save(
            line=line, expected_version=1, by=editor, council_contribution="5", **{field: typed}
        )
    assert message in excinfo.value.message_dict[field][0]
    row = FinanceLine.objects.get(pk=line.pk)
    assert (row.council_contribution, row.version) == (None, 1)
    assert not AuditEvent.objects.exists()


def test_a_save_over_a_newer_version_is_refused_with_the_figures_stored(line, editor):
    finance_line_save(line=line, expected_version=1, by=editor, hnb_income="100")
    with pytest.raises(StaleEdit) as excinfo:
        finance_line_save(line=line, expected_version=1, by=editor, hnb_income="200")
    assert excinfo.value.current["hnb_income"] == "100.00"
    assert excinfo.value.current_version == 2
    assert FinanceLine.objects.get(pk=line.pk).hnb_income == Decimal("100")


def test_only_the_figures_can_be_set(line, editor):
    with pytest.raises(TypeError):
        finance_line_save(line=line, expected_version=1, by=editor, scenario="agreement")


def test_a_save_rolls_back_when_its_last_step_fails(line, editor):
    with inserts_refused(), pytest.raises(IntegrityError):
        finance_line_save(line=line, expected_version=1, by=editor, hnb_income="100")
    row = FinanceLine.objects.get(pk=line.pk)
    assert (row.hnb_income, row.version) == (None, 1)


def test_a_missing_year_and_scenario_is_added(editor):
    agreement = f.AgreementFactory()
    line = finance_line_create(
        agreement=agreement,
        financial_year=2026,
        scenario="unmitigated",
        by=editor,
        cumulative_deficit="£120,000,000",
        reflects="Q2 forecast",
    )
    assert (line.financial_year, line.scenario, line.version) == (2026, "unmitigated", 1)
    assert line.cumulative_deficit == Decimal("120000000")
    assert AuditEvent.objects.get(action="finance_line.create").object_id == str(line.pk)


@pytest.mark.parametrize(
    ("year", "scenario", "field", "message"),
    [
        (2024, "latest", "scenario", "2024-25 already has latest forecast figures"),
        (2019, "latest", "financial_year", "Choose a year from 2023-24 to 2038-39"),
        (2024, "hopeful", "scenario", "Choose a scenario"),
    ],
)
def test_adding_refuses_a_line_that_exists_or_cannot(line, editor, year, scenario, field, message):
    with pytest.raises(ValidationError) as excinfo:
        finance_line_create(
            agreement=line.agreement, financial_year=year, scenario=scenario, by=editor
        )
    assert message in excinfo.value.message_dict[field][0]
    assert FinanceLine.objects.count() == 1


def test_adding_rolls_back_when_its_last_step_fails(editor):
    agreement = f.AgreementFactory()
    with inserts_refused(), pytest.raises(IntegrityError):
        finance_line_create(agreement=agreement, financial_year=2025, scenario="latest", by=editor)
    assert not FinanceLine.objects.exists()
