"""The dashboard, council list and portfolio pages: access, content and query counts."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from svmonitor.choices import Rag, RoundStatus
from svmonitor.roles import Role
from tests.dashboard_pages import dashboard_html
from tests.factories import (
    AgreementFactory,
    ConditionUpdateFactory,
    DeficitCapFactory,
    FinanceLineFactory,
    LocalAuthorityFactory,
    MembershipFactory,
    MonitoringTierChangeFactory,
    RagDefinitionFactory,
    ReportingRoundFactory,
    UserFactory,
)
from tests.reports.conftest import build_council

pytestmark = pytest.mark.django_db

# The dashboard is built afresh on every view (nothing is cached): session, user,
# council with the user's roles there, the council's rounds (loaded for the snapshot, which
# then takes 12), and the session save (savepoint, update, release). tests/perf has the rest.
DASHBOARD_QUERIES = 4 + 12 + 3


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- access ------------------------------------------------------------------------------------


def test_la_officer_and_board_member_see_the_dashboard(client, la_officer, board_member, council):
    build_council(council=council)
    for user in (la_officer, board_member):
        response = _get(client, user, "reports:council_dashboard", council.slug)
        assert response.status_code == 200


def test_another_councils_officer_gets_404(client, other_la_officer, council):
    build_council(council=council)
    response = _get(client, other_la_officer, "reports:council_dashboard", council.slug)
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(client, council):
    response = client.get(reverse("reports:council_dashboard", args=[council.slug]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_council_list_shows_only_the_users_councils(client, la_officer, council, other_council):
    response = _get(client, la_officer, "reports:council_list")
    assert council.name in _text(response)
    assert other_council.name not in _text(response)


def test_home_lists_every_council_of_the_user_with_its_dashboard(
    client, la_officer, council, other_council
):
    MembershipFactory(user=la_officer, council=other_council, role=Role.BOARD)
    html = _text(_get(client, la_officer, "home"))
    for each in (council, other_council):
        assert reverse("reports:council_dashboard", args=[each.slug]) in html


# --- dashboard content -------------------------------------------------------------------------


def test_it_shows_the_latest_round_as_at_its_month(client, la_officer, latest_round):
    council = latest_round.agreement.council
    html = _text(_get(client, la_officer, "reports:council_dashboard", council.slug))
    assert "2024-25 Update 3 (November)" in html
    assert 'Data as at</dt> <dd class="govuk-summary-list__value">December 2024' in html
    # Overall RAG as the council's word on its colour, and the narrative.
    assert '<strong class="app-rag rag--amber-red">Amber / Red - At Risk' in html
    assert "Overall Amber/Red - At Risk." in html


def test_a_round_can_be_chosen(client, la_officer, latest_round):
    council = latest_round.agreement.council
    html = _text(
        _get(client, la_officer, "reports:council_dashboard", council.slug, round="2024-25/2")
    )
    assert "2024-25 Update 2 (August)" in html
    assert "July 2024" in html
    assert '<option value="2024-25/2" selected>' in html


def test_a_bad_round_names_the_problem_and_shows_the_latest(client, la_officer, latest_round):
    council = latest_round.agreement.council
    response = _get(
        client, la_officer, "reports:council_dashboard", council.slug, round="2024-25/9"
    )
    html = _text(response)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Round: &#x27;2024-25/9&#x27;: the update after the slash must be 1, 2 or 3" in html
    assert "2024-25 Update 3 (November)" in html
    html = _text(_get(client, la_officer, "reports:council_dashboard", council.slug, round="1999"))
    assert "is not a financial year like 2024-25. Showing the latest round instead." in html


def test_a_council_without_rounds_says_so(client, la_officer, council):
    html = _text(_get(client, la_officer, "reports:council_dashboard", council.slug))
    assert "no reporting rounds yet" in html


def test_headline_cards_carry_variance_mark_source_and_draft_sentence(
    client, la_officer, latest_round
):
    council = latest_round.agreement.council
    html = _text(_get(client, la_officer, "reports:council_dashboard", council.slug))
    assert "6,005" in html
    # Both figures for the same month, which the card names (issue 15.9).
    assert "December 2024 actual 6,005 against December 2024 Forecast to date 5,705 (+300)" in (
        html
    )
    # The better/worse mark is text as well as a symbol.
    assert '<span aria-hidden="true">! </span>Worse than planned' in html
    assert "Source: MI, last refreshed 7 January 2025." in html
    assert "300 plans above forecast to date (+5.3%), worse than planned." in html


def test_condition_columns_show_the_dfe_level_of_a_blended_rating(client, la_officer, council):
    agreement = AgreementFactory(council=council)
    RagDefinitionFactory(council=council, level=Rag.AMBER_GREEN, label="A/G", dfe_level=Rag.AMBER)
    rnd = ReportingRoundFactory(agreement=agreement, update_number=1)
    ConditionUpdateFactory(round=rnd, condition__label="3.1", rag=Rag.AMBER_GREEN)
    html = _text(_get(client, la_officer, "reports:council_dashboard", council.slug))
    # Update 1 column: DfE's Amber, in words; later updates have no update yet.
    assert '<strong class="app-rag rag--amber">Amber</strong>' in html
    assert "No update" in html


def test_every_chart_has_its_data_as_a_table(client, la_officer, latest_round):
    council = latest_round.agreement.council
    html = _get(client, la_officer, "reports:council_dashboard", council.slug).content.decode()
    charts = re.findall(r'data-chart="([^"]+)"', html)
    assert {"chart-workstreams", "chart-risk-heat-map", "chart-finance", "chart-payments"} <= set(
        charts
    )
    for chart_id in charts:
        assert f'<script id="{chart_id}" type="application/json">' in html
    assert "Number of workstreams at each RAG level" in html
    assert "Number of open risks in each cell" in html
    assert "In-year and cumulative position by financial year" in html
    assert "Instalments of the DfE contribution" in html


def test_the_page_has_no_inline_script_style_or_handler(client, la_officer, latest_round):
    council = latest_round.agreement.council
    html = _get(client, la_officer, "reports:council_dashboard", council.slug).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "cdn" not in html.lower()


def test_key_risks_and_finance_are_shown(client, la_officer, latest_round):
    council = latest_round.agreement.council
    html = _text(_get(client, la_officer, "reports:council_dashboard", council.slug))
    assert "Key programme risks (15+)" in html
    assert "Finance data reflects" not in html  # no finance headline card in this council
    assert "The latest forecast reflects: <strong>Q2 forecast</strong>" in html
    assert "Withheld or suspended: <strong>£5.00m</strong>" in html


def test_dashboard_queries_do_not_grow_with_the_data(client, django_assert_num_queries):
    small, large = build_council(scale=1), build_council(scale=10)
    user = UserFactory()
    for rnd in (small, large):
        MembershipFactory(user=user, council=rnd.agreement.council, role=Role.BOARD)
    client.force_login(user)
    for rnd in (small, large):
        url = reverse("reports:council_dashboard", args=[rnd.agreement.council.slug])
        with django_assert_num_queries(DASHBOARD_QUERIES):
            assert client.get(url).status_code == 200


# --- portfolio ---------------------------------------------------------------------------------


def _submitted_council(name, *, deficit, cap, tier="standard", rags=(Rag.GREEN,)):
    council = LocalAuthorityFactory(name=name)
    agreement = AgreementFactory(council=council)
    rnd = ReportingRoundFactory(
        agreement=agreement,
        update_number=2,
        status=RoundStatus.SUBMITTED,
        submitted_on=dt.date(2024, 9, 1),
    )
    # A later draft is not what DfE has seen: the portfolio ignores it.
    ReportingRoundFactory(agreement=agreement, update_number=3)
    for rag in rags:
        ConditionUpdateFactory(round=rnd, rag=rag)
    FinanceLineFactory(agreement=agreement, cumulative_deficit=Decimal(deficit))
    DeficitCapFactory(agreement=agreement, cap=Decimal(cap))
    MonitoringTierChangeFactory(agreement=agreement, tier=tier, effective_from=dt.date(2024, 4, 1))
    return council


def test_portfolio_shows_each_visible_council_at_its_latest_submitted_round(client, adviser):
    over = _submitted_council(
        "Overshire", deficit="90000000", cap="84500000", tier="enhanced", rags=(Rag.RED,)
    )
    MembershipFactory(user=adviser, council=over, role=Role.ADVISER)
    hidden = _submitted_council("Hiddenshire", deficit="1", cap="2")
    html = _text(_get(client, adviser, "reports:portfolio"))
    assert "Overshire" in html and "Hiddenshire" not in html
    assert "2024-25 Update 2 (August)" in html
    assert "£5.50m over the cap" in html
    assert "Enhanced monitoring and support" in html
    assert "1 Sep 2024" in html
    assert '<strong class="app-rag rag--red">Red</strong>' in html
    assert hidden.slug not in html


def test_portfolio_sorts_by_the_chosen_column(client, adviser):
    for name, deficit, tier in (("Aston", "80", "standard"), ("Byford", "95", "enhanced")):
        council = _submitted_council(name, deficit=deficit, cap="90", tier=tier)
        MembershipFactory(user=adviser, council=council, role=Role.ADVISER)
    by_name = _text(_get(client, adviser, "reports:portfolio", sort="name"))
    by_deficit = _text(_get(client, adviser, "reports:portfolio", sort="deficit"))
    by_tier = _text(_get(client, adviser, "reports:portfolio", sort="tier"))
    assert by_name.index("Aston") < by_name.index("Byford")
    # Furthest over the cap first, and the closest-watched tier first.
    assert by_deficit.index("Byford") < by_deficit.index("Aston")
    assert by_tier.index("Byford") < by_tier.index("Aston")
    assert (
        'aria-sort="ascending"><a class="govuk-link app-sort" href="?sort=deficit">' in by_deficit
    )


def test_portfolio_queries_do_not_grow_with_councils(client, django_assert_num_queries):
    user = UserFactory()
    client.force_login(user)
    counts = []
    for _ in range(2):
        for _ in range(1 if not counts else 4):
            council = _submitted_council(f"C{len(counts)}-{UserFactory().pk}", deficit="1", cap="2")
            MembershipFactory(user=user, council=council, role=Role.ADVISER)
        # After the new councils' data was written: session, user, the stored rows, the
        # build's 5 for rounds never frozen (rounds, tiers, RAG words, condition levels, the
        # round's year's forecast with its cap), the rows stored (one upsert), session save (3).
        with django_assert_num_queries(2 + 1 + 5 + 1 + 3):
            assert client.get(reverse("reports:portfolio")).status_code == 200
        # Nothing written since: the stored rows alone.
        with django_assert_num_queries(2 + 1 + 3):
            assert client.get(reverse("reports:portfolio")).status_code == 200
        counts.append(1)


def test_council_list_queries_do_not_grow_with_councils(client, django_assert_num_queries):
    user = UserFactory()
    client.force_login(user)
    for batch in (1, 4):
        for _ in range(batch):
            MembershipFactory(user=user, council=AgreementFactory().council, role=Role.BOARD)
        # session, user, councils, rounds, session save (3)
        with django_assert_num_queries(7):
            assert client.get(reverse("reports:council_list")).status_code == 200


def test_a_measures_reading_is_named_once(client, la_officer, latest_round):
    council = latest_round.agreement.council
    measure = council.measures.get(reading="rolling_12")
    client.force_login(la_officer)
    html = re.sub(r"\s+", " ", dashboard_html(client, council))
    assert f"{measure.name} (12-month rolling average)</h3>" in html
    measure.name = "% in INMSS (12-month rolling average)"
    measure.save()
    html = re.sub(r"\s+", " ", dashboard_html(client, council))
    assert "% in INMSS (12-month rolling average)</h3>" in html
