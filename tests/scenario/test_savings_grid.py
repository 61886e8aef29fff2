"""Forecast savings by workstream entered through the one door (issue 18.3): a year x workstream
grid typed in the council's unit, saved all or none with each box's version checked, with
history; the same service for the admin and the workbook."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conditions.models import WorkstreamSaving
from conditions.services import workstream_saving_upsert, workstream_savings_save
from svmonitor.choices import FinanceEntryUnit
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.round_page.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(council):
    return _member(council, Role.FINANCE, "finance-lead")


@pytest.fixture
def workstreams(council):
    area = f.ProgrammeAreaFactory(council=council, number=1, name="Early support")
    return (
        f.WorkstreamFactory(area=area, name="Family hubs", order=1),
        f.WorkstreamFactory(area=area, name="Inclusion advisers", order=2),
    )


def _url(council):
    return reverse("conditions:savings_grid", args=[council.slug])


def _form(html: str) -> dict:
    fields = {}
    start = html.index('<form method="post"')
    for tag in re.findall(r"<input[^>]*>", html[start:]):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def test_the_grid_has_a_row_per_workstream_and_a_column_per_year(council, workstreams, finance):
    hubs, _ = workstreams
    WorkstreamSaving.objects.create(workstream=hubs, financial_year=2024, saving=Decimal(1500000))
    html = client_for(finance).get(_url(council)).content.decode()
    assert "Expected saving by workstream and financial year, in £000" in html
    assert '<th scope="col" class="govuk-table__header">2038-39</th>' in html  # last + 10
    assert f'name="s{hubs.pk}-2024"' in html and 'value="1500"' in html
    assert "Inclusion advisers" in html


def test_one_form_saves_every_box_in_pounds_with_history(council, workstreams, finance):
    hubs, inclusion = workstreams
    old = WorkstreamSaving.objects.create(workstream=hubs, financial_year=2024, saving=Decimal(1))
    council.finance_entry_unit = FinanceEntryUnit.MILLIONS
    council.save()
    client = client_for(finance)
    fields = _form(client.get(_url(council)).content.decode())
    fields.update({f"s{hubs.pk}-2024": "2.5", f"s{inclusion.pk}-2025": "£1,200"})
    response = client.post(_url(council), fields, follow=True)
    assert "Forecast savings: 2 savings changed." in response.content.decode()
    old.refresh_from_db()
    assert (old.saving, old.version) == (Decimal("2500000.00"), 2)
    added = WorkstreamSaving.objects.get(workstream=inclusion)
    assert (added.financial_year, added.saving) == (2025, Decimal("1200000000.00"))
    assert AuditEvent.objects.filter(action="workstream_saving.save", council=council).count() == 1
    assert AuditEvent.objects.filter(action="workstream_saving.create").count() == 1
    # An emptied box removes the saving, with its history.
    fields = _form(client.get(_url(council)).content.decode())
    fields[f"s{hubs.pk}-2024"] = ""
    client.post(_url(council), fields)
    assert not WorkstreamSaving.objects.filter(workstream=hubs).exists()
    assert AuditEvent.objects.filter(action="workstream_saving.delete").count() == 1


def test_bad_boxes_name_the_workstream_and_year_and_nothing_is_saved(council, workstreams, finance):
    hubs, inclusion = workstreams
    client = client_for(finance)
    fields = _form(client.get(_url(council)).content.decode())
    fields.update(
        {f"s{hubs.pk}-2024": "lots", f"s{inclusion.pk}-2025": "-5", f"s{hubs.pk}-2026": "10"}
    )
    html = unescape(client.post(_url(council), fields).content.decode())
    assert "<title>Error: " in html
    assert f'href="#saving-{hubs.pk}-2024"' in html
    assert "Family hubs, 2024-25: Enter a number, not 'lots'." in html
    assert "Inclusion advisers, 2025-26: Enter a saving as a positive amount" in html
    assert 'value="lots"' in html
    assert not WorkstreamSaving.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="workstream_saving").exists()


def test_a_box_saved_by_someone_else_since_the_grid_opened_is_refused(
    council, workstreams, finance
):
    hubs, inclusion = workstreams
    client = client_for(finance)
    fields = _form(client.get(_url(council)).content.decode())
    workstream_saving_upsert(workstream=hubs, financial_year=2024, saving="7", by=finance)
    fields.update({f"s{hubs.pk}-2024": "1", f"s{inclusion.pk}-2024": "2"})
    html = unescape(client.post(_url(council), fields).content.decode())
    assert "Family hubs, 2024-25: someone else saved this saving" in html
    assert not WorkstreamSaving.objects.filter(workstream=inclusion).exists()
    again = _form(html)
    assert again[f"v-s{hubs.pk}-2024"] == "1"
    client.post(_url(council), again)
    assert WorkstreamSaving.objects.get(workstream=hubs).saving == Decimal("1000.00")


def test_only_the_finance_lead_may_open_the_grid_and_another_council_is_a_404(
    council, workstreams, finance, la_officer, board_member, other_la_officer
):
    assert client_for(finance).get(_url(council)).status_code == 200
    assert client_for(board_member).get(_url(council)).status_code == 403
    assert client_for(la_officer).get(_url(council)).status_code == 403
    assert client_for(other_la_officer).get(_url(council)).status_code == 404


def test_the_service_refuses_a_role_without_finance_and_another_councils_workstream(
    council, workstreams, finance, la_officer, other_council
):
    hubs, _ = workstreams
    with pytest.raises(PermissionDenied):
        workstream_saving_upsert(workstream=hubs, financial_year=2024, saving="1", by=la_officer)
    stranger = f.WorkstreamFactory(area=f.ProgrammeAreaFactory(council=other_council))
    with pytest.raises(ValidationError) as refused:
        workstream_savings_save(
            council=council,
            cells={(stranger.pk, 2024): "1"},
            versions={},
            unit=FinanceEntryUnit.THOUSANDS,
            by=finance,
        )
    assert "No such workstream in this council." in refused.value.messages
    with pytest.raises(ValidationError) as refused:
        workstream_saving_upsert(workstream=hubs, financial_year=2050, saving="1", by=finance)
    assert "financial_year" in refused.value.message_dict
    assert not WorkstreamSaving.objects.exists()
