"""The finance lines page: who sees and edits it, in place (htmx) and without JavaScript."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.models import FinanceLine
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.round_page.conftest import HTMX, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(council):
    """The council's finance lead."""
    return _member(council, Role.FINANCE, "finance-lead")


@pytest.fixture
def line(agreement):
    f.DeficitCapFactory(agreement=agreement, financial_year=2024, cap=Decimal("84500000"))
    f.PaymentInstalmentFactory(agreement=agreement, amount=Decimal("26800000"))
    return f.FinanceLineFactory(
        agreement=agreement, financial_year=2024, scenario="latest", hnb_income=74422000
    )


def _page(council):
    return reverse("finance:finance_lines", args=[council.slug])


def _edit(line):
    return reverse("finance:finance_line_edit", args=[line.agreement.council.slug, line.pk])


def _form(line, **changes):
    data = {
        "in_year_position": "-20000000",
        "cumulative_deficit": "80000000",
        "hnb_income": "74422000",
        "dfe_payments": "",
        "council_contribution": "",
        "schools_block_transfer": "",
        "reflects": "Q2 forecast",
        "version": str(line.version),
    }
    return {**data, **changes}


def test_every_year_and_scenario_is_listed_with_caps_and_payments(line, finance, council):
    html = client_for(finance).get(_page(council)).content.decode()
    assert "Finance: High Needs Block" in html
    for year in ("2023-24", "2024-25", "2028-29"):
        assert f">{year}</h2>" in html
    assert "Deficit cap in the agreement: <strong>£84,500,000</strong>" in html
    assert "£26,800,000" in html  # the payment
    assert "-£20,000,000" in html and "£74,422,000" in html
    assert f'id="finance-line-{line.pk}"' in html
    assert _edit(line) in html
    add = reverse("finance:finance_line_add", args=[council.slug])
    assert f"{add}?year=2024&amp;scenario=unmitigated" in html


def test_readers_see_the_figures_but_no_edit_or_add(line, la_officer, board_member, council):
    for user in (la_officer, board_member):
        html = client_for(user).get(_page(council)).content.decode()
        assert "£74,422,000" in html
        assert _edit(line) not in html and "Add figures" not in html
        assert "Only the finance lead can change these figures." in html
        assert client_for(user).post(_edit(line), _form(line, hnb_income="1")).status_code == 403
    assert FinanceLine.objects.get(pk=line.pk).hnb_income == Decimal("74422000")


def test_another_councils_user_gets_404(line, other_la_officer, council, other_council):
    other_finance = _member(other_council, Role.FINANCE, "other-finance")
    for user in (other_la_officer, other_finance):
        client = client_for(user)
        assert client.get(_page(council)).status_code == 404
        assert client.post(_edit(line), _form(line, hnb_income="1")).status_code == 404
    # Their own council's URL with this council's line: still 404.
    url = reverse("finance:finance_line_edit", args=[other_council.slug, line.pk])
    assert client_for(other_finance).get(url).status_code == 404
    assert FinanceLine.objects.get(pk=line.pk).hnb_income == Decimal("74422000")


def test_an_htmx_edit_returns_the_form_then_the_saved_card(line, finance):
    client = client_for(finance)
    fragment = client.get(_edit(line), **HTMX).content.decode()
    assert "<html" not in fragment and "Editing 2024-25: Latest forecast" in fragment
    assert 'value="74422000"' in fragment and "autofocus" in fragment
    response = client.post(_edit(line), _form(line, hnb_income="£74,500,000.50"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'role="status">Saved.' in html and "£74,500,000.50" in html
    assert FinanceLine.objects.get(pk=line.pk).hnb_income == Decimal("74500000.50")


def test_an_invalid_htmx_post_is_200_with_the_error_beside_the_field(line, finance):
    response = client_for(finance).post(_edit(line), _form(line, hnb_income="1.005"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    anchor = f"finance-line-{line.pk}-hnb_income"
    assert f'href="#{anchor}"' in html and f'id="{anchor}_error"' in html
    assert "Enter pounds to the penny" in html
    assert FinanceLine.objects.get(pk=line.pk).version == 1


def test_without_javascript_the_edit_is_a_page_and_a_redirect(line, finance, council):
    client = client_for(finance)
    page = client.get(_edit(line)).content.decode()
    assert "<html" in page and "Edit 2024-25: Latest forecast" in page
    response = client.post(_edit(line), _form(line, reflects="Q3 forecast"))
    assert response.status_code == 302
    assert response["Location"] == f"{_page(council)}#finance-line-{line.pk}"
    assert "2024-25: Latest forecast: saved." in client.get(_page(council)).content.decode()


def test_a_stale_save_shows_their_figures_beside_yours(line, finance, council):
    lead_client = client_for(_member(council, Role.FINANCE, "second-finance"))
    lead_client.post(_edit(line), _form(line, hnb_income="100"), **HTMX)
    html = client_for(finance).post(_edit(line), _form(line, hnb_income="200"), **HTMX)
    html = html.content.decode()
    assert "Someone else saved this section" in html
    assert "Their saved figures" in html and "£100" in html
    assert 'value="200"' in html and 'name="version" value="2"' in html
    assert FinanceLine.objects.get(pk=line.pk).hnb_income == Decimal("100")


def test_a_missing_line_is_added_on_its_own_page(line, finance, council):
    add = reverse("finance:finance_line_add", args=[council.slug])
    client = client_for(finance)
    page = client.get(f"{add}?year=2025&scenario=unmitigated").content.decode()
    assert '<option value="2025" selected>2025-26</option>' in page
    assert '<option value="unmitigated" selected>' in page
    data = {
        "financial_year": "2025",
        "scenario": "unmitigated",
        "cumulative_deficit": "£130,000,000",
        "reflects": "Q2 forecast",
    }
    response = client.post(add, data)
    new = FinanceLine.objects.get(financial_year=2025, scenario="unmitigated")
    assert response["Location"] == f"{_page(council)}#finance-line-{new.pk}"
    assert new.cumulative_deficit == Decimal("130000000")
    again = client.post(add, {**data, "financial_year": "2024", "scenario": "latest"})
    assert "2024-25 already has latest forecast figures" in again.content.decode()
    assert AuditEvent.objects.filter(action="finance_line.create").count() == 1


def test_the_finance_page_is_in_the_council_navigation(line, finance, council):
    html = client_for(finance).get(reverse("reports:council_dashboard", args=[council.slug]))
    assert f'href="{_page(council)}"' in html.content.decode()


def test_a_council_with_only_a_dsg_plan_sees_no_safety_valve_payments_caps_or_profile():
    from tests.dsg_outputs.builders import dsg_plan

    plan = dsg_plan()
    council = plan.agreement.council
    f.FinanceLineFactory(
        agreement=plan.agreement, financial_year=2025, scenario="latest", hnb_income=61000000
    )
    html = client_for(plan.board).get(_page(council)).content.decode()
    assert "£61,000,000" in html
    assert "keeps a DSG deficit management plan and no Safety Valve agreement" in html
    for safety_valve_only in (">DfE payments</h2>", "No deficit cap", "Agreement profile"):
        assert safety_valve_only not in html, safety_valve_only
    assert "Unmitigated forecast" in html  # the plan's other scenario still has its card
