"""The council's navigation on every council page, the dashboard's round links and downloads,
and the dashboard's headings and wide tables (QA walkthrough, item 1, 8 and 12)."""

import re

import pytest
from django.urls import reverse

from svmonitor.choices import RoundStatus
from svmonitor.roles import Role
from tests.conftest import _member
from tests.dashboard_pages import dashboard_pages
from tests.reports.conftest import build_council
from tests.round_builders import programme, round_in
from tests.round_page.conftest import client_for, round_url

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    start = html.index('<nav class="app-council-nav"')
    return html[start : html.index("</nav>", start)]


def _links(council) -> dict[str, str]:
    slug = council.slug
    return {
        "dashboard": reverse("reports:council_dashboard", args=[slug]),
        "returns": reverse("reports:round_list", args=[slug]),
        "kpis": reverse("metrics:kpi_grid", args=[slug]),
        "finance": reverse("finance:finance_lines", args=[slug]),
        "workbook": reverse("workbook:workbook_upload", args=[slug]),
        "export": reverse("workbook:workbook_export", args=[slug]),
    }


@pytest.fixture
def shown(council):
    """Three submitted rounds of 2024-25 (the latest, Update 3, is what the dashboard shows)."""
    return build_council(council=council)


def test_the_dashboard_links_to_every_council_page_and_the_rounds_downloads(
    shown, council, la_officer
):
    html = client_for(la_officer).get(_links(council)["dashboard"]).content.decode()
    nav = _nav(html)
    links = _links(council)
    for name in ("dashboard", "returns", "kpis", "finance", "workbook"):
        assert f'href="{links[name]}"' in nav, name
    assert f'href="{links["dashboard"]}" aria-current="page"' in nav
    assert f'href="{round_url(shown)}">Quarterly return: 2024-25 Update 3 (November)' in nav
    report = reverse("reports:report_pdf", args=[council.slug, "2024-25", 3])
    assert f'href="{report}">DfE report, 2024-25 Update 3 (November) (PDF)' in nav
    board_pack = reverse("reports:board_pack_pdf", args=[council.slug])
    assert f'href="{board_pack}?round=2024-25/3"' in nav
    assert "Current draft" not in nav


def test_an_older_round_on_the_dashboard_gets_its_own_links(shown, council, la_officer):
    url = _links(council)["dashboard"] + "?round=2024-25/2"
    nav = _nav(client_for(la_officer).get(url).content.decode())
    assert "Quarterly return: 2024-25 Update 2 (August)" in nav
    assert "DfE report, 2024-25 Update 2 (August) (PDF)" in nav


def test_who_may_not_upload_gets_the_workbook_download_instead(shown, council, board_member):
    nav = _nav(client_for(board_member).get(_links(council)["dashboard"]).content.decode())
    assert _links(council)["workbook"] not in nav
    assert f'href="{_links(council)["export"]}"' in nav


def test_the_round_page_links_back_to_the_dashboard_and_to_its_downloads(draft, la_officer):
    council = draft.agreement.council
    nav = _nav(client_for(la_officer).get(round_url(draft)).content.decode())
    dashboard = _links(council)["dashboard"]
    assert f'href="{dashboard}">Dashboard' in nav
    assert f'href="{dashboard}?round=2024-25/1">This return on the dashboard' in nav
    assert reverse("reports:report_pdf", args=[council.slug, "2024-25", 1]) in nav
    assert 'aria-current="true">Quarterly returns' in nav


@pytest.mark.parametrize(
    ("page", "active"),
    [
        ("returns", "Quarterly returns"),
        ("kpis", "Monthly KPIs"),
        ("finance", "Finance"),
        ("workbook", "Workbook import and export"),
    ],
)
def test_each_council_page_carries_the_navigation_with_its_own_entry_current(
    draft, la_officer, page, active
):
    council = draft.agreement.council
    html = client_for(la_officer).get(_links(council)[page]).content.decode()
    nav = _nav(html)
    assert f'aria-current="page">{active}</a>' in nav
    assert f'href="{_links(council)["dashboard"]}"' in nav


def test_the_return_sub_pages_carry_the_navigation(draft, la_officer):
    update = draft.condition_updates.first()
    for suffix in (f"conditions/{update.pk}/edit/", "changes/", f"history/condition/{update.pk}/"):
        html = client_for(la_officer).get(round_url(draft, suffix)).content.decode()
        assert 'aria-current="true">Quarterly returns' in _nav(html), suffix


def test_the_council_list_links_to_each_councils_returns(council, la_officer):
    html = client_for(la_officer).get(reverse("reports:council_list")).content.decode()
    assert f'href="{_links(council)["returns"]}">Quarterly returns' in html


def test_the_dashboard_is_named_for_the_council_not_the_portfolio(shown, council, la_officer):
    html = client_for(la_officer).get(_links(council)["dashboard"]).content.decode()
    heading = '<h1 class="govuk-heading-xl app-dashboard__title">'
    assert f"{heading}{council.name} programme dashboard" in html
    assert "Portfolio summary" not in html and "Portfolio Summary" not in html


def test_each_chart_disclosure_has_its_own_name(shown, council, la_officer):
    summary = r'<span class="govuk-details__summary-text">(Figures for [^<]+)</span>'
    found = 0
    for html in dashboard_pages(client_for(la_officer), council).values():
        names = re.findall(summary, html)
        found += len(names)
        assert len(set(names)) == len(names)
        assert "All figures in the chart" not in html
    assert found >= 2


def test_wide_tables_scroll_in_focusable_named_regions(shown, council, la_officer, lead):
    html = client_for(la_officer).get(_links(council)["dashboard"]).content.decode()
    region = r'<div class="app-table-scroll" role="region" aria-label="([^"]+)" tabindex="0">'
    regions = re.findall(region, html)
    assert "Agreement conditions table" in regions
    assert len(regions) >= 4


def test_the_round_pages_tables_scroll_in_focusable_named_regions():
    signed = round_in(RoundStatus.SIGNED_OFF, programme())
    lead = _member(signed.agreement.council, Role.LEAD, "nav-lead")
    page = client_for(lead).get(round_url(signed)).content.decode()
    assert 'role="region" aria-label="Sign-offs" tabindex="0"' in page
    assert 'role="region" aria-label="Lifecycle of this return" tabindex="0"' in page
