"""The DSG plan's financial summary grid in the browser (issue 19.2): one block and scenario,
typed in the council's unit, saved all or none with each figure's version checked, the computed
figures beside the entry; the Safety Valve forecast grid shows the high needs figures the plan
computes read-only (issue 19.3)."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from finance.models import FinanceLine
from finance.models_dsg import DsgPlanFigure
from finance.services_dsg import dsg_plan_figures_import
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.round_page.conftest import client_for

pytestmark = pytest.mark.django_db

HN = "high_needs"
ALLOC = "DSG allocation after recoupment"
INMSS = "Independent and non-maintained special schools"


@pytest.fixture
def finance(council):
    return _member(council, Role.FINANCE, "finance-lead")


def _url(council, block=HN, scenario="mitigated"):
    return (
        reverse("finance:dsg_plan_grid", args=[council.slug])
        + f"?block={block}&scenario={scenario}"
    )


def _form(html: str) -> dict:
    fields = {}
    start = html.rindex("<form", 0, html.index('id="dsg-caption"'))
    end = html.index("</form>", start)
    for tag in re.findall(r"<input[^>]*>", html[start:end]):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def _seed(agreement, by, years=(2024, 2025), lines=1):
    entries = {}
    for year in years:
        entries[(HN, "mitigated", ALLOC, year)] = Decimal("80000000")
        entries[(HN, "mitigated", INMSS, year)] = Decimal("90000000")
        for n in range(lines):
            entries[(HN, "mitigated", f"Own line {n}", year)] = Decimal("1000000")
    dsg_plan_figures_import(agreement=agreement, entries=entries, by=by)


def _input_name(html, line, year):
    row = html[html.index(f">{line}<") :]
    return re.search(rf'name="(l\d+-y{year})"', row).group(1)


def test_the_grid_shows_the_lines_and_what_they_come_to(council, agreement, finance):
    _seed(agreement, finance)
    html = client_for(finance).get(_url(council)).content.decode()
    assert "High needs block: mitigated forecast by financial year, in £000" in html
    assert "Post-16 and further education" in html  # a default line, not yet saved
    assert 'value="90000"' in html
    computed = html[html.index('id="dsg-computed"') :]
    assert "In-year position" in computed and "-11,000" in computed  # 80,000 - 90,000 - 1,000
    assert "-22,000" in computed  # carried forward at the end of 2025-26
    assert "-13.8%" in computed


def test_one_form_saves_the_block_and_the_finance_line_follows(council, agreement, finance):
    _seed(agreement, finance)
    client = client_for(finance)
    html = client.get(_url(council)).content.decode()
    fields = _form(html)
    fields[_input_name(html, INMSS, 2025)] = "85,000"
    fields["new-name"] = "Therapies contract"
    fields["new-y2025"] = "500"
    response = client.post(_url(council), fields, follow=True)
    assert "High needs block, Mitigated forecast: 2 figures saved." in response.content.decode()
    line = FinanceLine.objects.get(scenario="latest", financial_year=2025)
    assert line.in_year_position == Decimal("-6500000.00")
    assert DsgPlanFigure.objects.get(line__name="Therapies contract").amount == Decimal("500000.00")


def test_a_bad_box_is_named_and_nothing_is_saved(council, agreement, finance):
    _seed(agreement, finance)
    client = client_for(finance)
    html = client.get(_url(council)).content.decode()
    fields = _form(html)
    fields[_input_name(html, INMSS, 2024)] = "1"
    fields[_input_name(html, ALLOC, 2025)] = "eighty"
    response = client.post(_url(council), fields)
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert (
        "High needs block, Mitigated forecast, DSG allocation after recoupment, 2025-26: "
        "Enter a number" in page
    )
    assert 'value="eighty"' in page
    assert DsgPlanFigure.objects.get(line__name=INMSS, financial_year=2024).amount == Decimal(
        "90000000.00"
    )


def test_a_figure_saved_by_someone_else_since_is_refused(council, agreement, finance):
    _seed(agreement, finance)
    client = client_for(finance)
    html = client.get(_url(council)).content.decode()
    fields = _form(html)
    dsg_plan_figures_import(
        agreement=agreement, entries={(HN, "mitigated", INMSS, 2024): Decimal("1")}, by=finance
    )
    fields[_input_name(html, INMSS, 2024)] = "70000"
    page = unescape(client.post(_url(council), fields).content.decode())
    assert "someone else saved this figure after you opened the grid; theirs is £1.00" in page
    assert DsgPlanFigure.objects.get(line__name=INMSS, financial_year=2024).amount == Decimal(
        "1.00"
    )


def test_the_safety_valve_grid_shows_the_plans_figures_read_only(council, agreement, finance):
    _seed(agreement, finance)
    client = client_for(finance)
    url = reverse("finance:forecast_grid", args=[council.slug]) + "?scenario=latest"
    html = client.get(url).content.decode()
    assert 'name="y2024-in_year_position"' not in html
    assert 'name="y2023-in_year_position"' in html  # a year the plan does not cover
    assert "From the DSG plan" in html
    fields = {}
    start = html.rindex("<form", 0, html.index('id="grid-caption"'))
    for tag in re.findall(r"<input[^>]*>", html[start:]):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    fields["y2024-reflects"] = "Autumn forecast"
    client.post(url, fields)
    line = FinanceLine.objects.get(scenario="latest", financial_year=2024)
    assert line.reflects == "Autumn forecast"
    assert line.in_year_position == Decimal("-11000000.00")  # kept, not cleared


def test_the_grid_is_the_finance_leads_and_hidden_from_other_councils(
    council, agreement, finance, la_officer, board_member, other_la_officer
):
    assert client_for(finance).get(_url(council)).status_code == 200
    assert client_for(other_la_officer).get(_url(council)).status_code == 404
    assert client_for(board_member).get(_url(council)).status_code in (403, 404)
    assert client_for(la_officer).post(_url(council), {}).status_code in (403, 404)
    assert not DsgPlanFigure.objects.exists()


def test_the_grid_reads_the_same_queries_however_many_years_and_lines(
    council, agreement, finance, django_assert_num_queries
):
    _seed(agreement, finance, years=(2024,), lines=1)
    client = client_for(finance)
    client.get(_url(council))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(_url(council))
    other = f.AgreementFactory(first_financial_year=2020, last_financial_year=2030)
    big_finance = _member(other.council, Role.FINANCE, "finance-lead-2")
    _seed(other, big_finance, years=tuple(range(2020, 2031)), lines=12)
    big = client_for(big_finance)
    big.get(_url(other.council))
    with CaptureQueriesContext(connection) as large:
        big.get(_url(other.council))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_new_line_may_not_take_the_name_of_one_already_in_the_grid(council, agreement, finance):
    _seed(agreement, finance)
    client = client_for(finance)
    fields = _form(client.get(_url(council)).content.decode())
    fields.update({"new-name": INMSS, "new-y2024": "1"})
    page = unescape(client.post(_url(council), fields).content.decode())
    assert f"High needs block already has a line called {INMSS}" in page
    assert DsgPlanFigure.objects.get(line__name=INMSS, financial_year=2024).amount == Decimal(
        "90000000.00"
    )


def test_a_save_takes_the_same_queries_however_many_years_and_lines_change(
    council, agreement, finance
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance.services_dsg import dsg_plan_grid_save

    def save(years, lines, value):
        cells = {(name, y): value for name in lines for y in years}
        stored = DsgPlanFigure.objects.select_related("line")
        versions = {(f.line.name, f.financial_year): f.version for f in stored}
        with CaptureQueriesContext(connection) as queries:
            dsg_plan_grid_save(
                agreement=agreement, block=HN, scenario="mitigated", cells=cells,
                versions=versions, unit="thousands", by=finance,
            )  # fmt: skip
        return len(queries.captured_queries)

    save((2024,), [ALLOC], "1")
    # Each save adds lines and figures, changes a stored figure, adds and changes finance lines.
    small = save((2024, 2025), [ALLOC, "New line"], "2")
    large = save(tuple(range(2019, 2029)), [ALLOC, *(f"Line {n}" for n in range(4))], "3")
    assert small == large


def test_a_finance_lines_own_edit_shows_the_plans_figures_read_only(council, agreement, finance):
    _seed(agreement, finance)
    line = FinanceLine.objects.get(scenario="latest", financial_year=2024)
    url = reverse("finance:finance_line_edit", args=[council.slug, line.pk])
    client = client_for(finance)
    html = client.get(url).content.decode()
    box = re.search(r'<input[^>]*name="in_year_position"[^>]*>', html).group(0)
    assert "disabled" in box
    assert "change it there" in html
    client.post(
        url,
        {
            "version": line.version,
            "in_year_position": "1",
            "reflects": "Checked",
            "cumulative_deficit": "",
        },
    )
    line.refresh_from_db()
    assert line.reflects == "Checked"
    assert line.in_year_position == Decimal("-11000000.00")
    assert line.cumulative_deficit == Decimal("11000000.00")
