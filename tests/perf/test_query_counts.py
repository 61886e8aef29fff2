"""Issue 9 and 14: the dashboard and the portfolio take the same queries at 1 council and at 5.

Nothing is cached (issue 14): every view reads the data as it is, so every view is "cold".
"""

import pytest
from django.urls import reverse

from metrics.models import Measure
from metrics.services import measure_upsert
from reports.freeze import round_snapshot_freeze
from svmonitor.choices import RoundStatus
from svmonitor.models import ReportingRound
from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.reports.conftest import build_council
from tests.reports.test_dashboard_views import _submitted_council

pytestmark = pytest.mark.django_db(transaction=True)

QUERY_LIMIT = 20
# Session, user, the second-factor question, council with the user's roles there, the
# council's rounds, the snapshot's 12, and the session save (BEGIN, UPDATE, COMMIT).
DASHBOARD = 5 + 12 + 3
# A frozen (signed-off or submitted) round: its frozen payload, its sign-offs and the
# council's data version; while that version stands, no live build.
DASHBOARD_FROZEN = 5 + 3 + 3
# After a write: the live build's 12 and the comparison's answer kept (one UPDATE).
DASHBOARD_FROZEN_AFTER_WRITE = DASHBOARD_FROZEN + 12 + 1
# Session, user, the second-factor question, the councils with their stored portfolio rows,
# the session save (BEGIN, UPDATE, COMMIT): while no council's data has moved.
PORTFOLIO = 3 + 1 + 3
# After a write to the councils: the build's 5 for rounds never frozen (rounds, tiers, RAG
# words, condition levels, the round's year's forecast with its cap; a frozen round's payload
# instead of the last three) and their rows stored (one upsert: a single statement, atomic
# without BEGIN and COMMIT).
PORTFOLIO_AFTER_WRITE = PORTFOLIO + 5 + 1


def _table_body(response) -> str:
    html = response.content.decode()
    return html[html.index("<tbody") : html.index("</tbody>")]


def _board_member_of(user, count):
    while user.memberships.count() < count:
        council = build_council(scale=2).agreement.council
        MembershipFactory(user=user, council=council, role=Role.BOARD)


def test_the_dashboard_takes_the_same_queries_at_1_council_and_at_5(
    client, django_assert_num_queries
):
    user = UserFactory()
    client.force_login(user)
    for councils in (1, 5):
        _board_member_of(user, councils)
        council = user.memberships.order_by("pk").first().council
        url = reverse("reports:council_dashboard", args=[council.slug])
        for _ in range(2):  # every view builds the page afresh
            with django_assert_num_queries(DASHBOARD):
                assert client.get(url).status_code == 200
    assert DASHBOARD <= QUERY_LIMIT


def test_a_frozen_rounds_dashboard_builds_live_data_only_after_a_write(
    client, django_assert_num_queries
):
    user = UserFactory()
    client.force_login(user)
    for councils in (1, 5):
        while user.memberships.count() < councils:
            latest = build_council(scale=2)
            round_snapshot_freeze(round=latest, by=user)
            MembershipFactory(user=user, council=latest.agreement.council, role=Role.OFFICER)
        # The newest council: not yet edited since its freeze.
        council = user.memberships.order_by("-pk").first().council
        url = reverse("reports:council_dashboard", args=[council.slug])
        client.get(url)  # compared with live data once since the freeze
        with django_assert_num_queries(DASHBOARD_FROZEN):
            response = client.get(url)
        assert "Figures or text have changed since" not in response.content.decode()
        measure = Measure.objects.filter(council=council).order_by("pk").first()
        measure_upsert(council=council, measure=measure, by=user, name=f"{measure.name} (edited)")
        with django_assert_num_queries(DASHBOARD_FROZEN_AFTER_WRITE):
            response = client.get(url)
        assert "Figures or text have changed since" in response.content.decode()
        with django_assert_num_queries(DASHBOARD_FROZEN):
            assert "Figures or text have changed since" in client.get(url).content.decode()
    assert DASHBOARD_FROZEN_AFTER_WRITE <= QUERY_LIMIT + 10


def test_the_portfolio_takes_the_same_queries_at_1_council_and_at_5(
    client, django_assert_num_queries
):
    adviser = UserFactory()
    client.force_login(adviser)
    for councils in (1, 5):
        while adviser.memberships.count() < councils:
            council = _submitted_council(
                f"Council {adviser.memberships.count()}", deficit="90", cap="100"
            )
            MembershipFactory(user=adviser, council=council, role=Role.ADVISER)
        with django_assert_num_queries(PORTFOLIO_AFTER_WRITE):
            response = client.get(reverse("reports:portfolio"))
        assert response.status_code == 200
        assert response.content.decode().count("Council ") >= councils
        with django_assert_num_queries(PORTFOLIO):
            again = client.get(reverse("reports:portfolio"))
        assert _table_body(again) == _table_body(response)
    assert PORTFOLIO_AFTER_WRITE <= QUERY_LIMIT


# The round page of a submitted round read from its rows (history loaded as submitted, never
# frozen): session, user, the second-factor question, council with the user's roles there, the
# round; the page's 12 (previous round, RAG words, events, the three kinds of section of this
# and the previous round together, milestones, both overviews together, headlines, the latest
# frozen payload, sign-offs, the previous round's frozen payload); the session save. A locked
# return has nothing left to update, so it asks no part what is missing (32 before).
ROUND_PAGE = 5 + 12 + 3
# A draft's page also lists what is still to update. The panel reads the sections and the
# round before from what the page has read; it asks for conditions in force and open risks
# without a row, and the quarter's KPI and finance tasks ask their own 5, whatever the size
# (actual series, monthly measures without a figure, the months' figures, finance lines, the
# forecast's review).
ROUND_PAGE_DRAFT = ROUND_PAGE + 2 + 5
# Session, user, the second-factor question, council with the user's roles; the grid's 6
# (series, agreement years, first month, measures with whether the series has figures outside
# the agreement's years, figures, sources; whether the user may edit is known from the roles:
# 15 before, then 14 with the figures left out probed on their own); the session save.
KPI_GRID = 4 + 6 + 3


def test_the_round_page_reads_its_sections_once_for_the_completeness_panel(
    client, django_assert_num_queries
):
    latest = build_council(scale=2)
    user = UserFactory()
    MembershipFactory(user=user, council=latest.agreement.council, role=Role.BOARD)
    client.force_login(user)
    url = reverse(
        "reports:round_detail",
        args=[latest.agreement.council.slug, latest.fy, latest.update_number],
    )
    client.get(url)
    with django_assert_num_queries(ROUND_PAGE):
        assert client.get(url).status_code == 200


def test_a_draft_round_page_asks_each_part_what_is_missing_without_reading_sections_again(
    client, django_assert_num_queries
):
    latest = build_council(scale=2)
    ReportingRound.objects.filter(pk=latest.pk).update(status=RoundStatus.DRAFT)
    user = UserFactory()
    MembershipFactory(user=user, council=latest.agreement.council, role=Role.BOARD)
    client.force_login(user)
    url = reverse(
        "reports:round_detail",
        args=[latest.agreement.council.slug, latest.fy, latest.update_number],
    )
    client.get(url)
    with django_assert_num_queries(ROUND_PAGE_DRAFT):
        response = client.get(url)
    assert "Still to update" in response.content.decode()


def test_the_kpi_grid_asks_for_the_users_actions_once(client, django_assert_num_queries):
    council = build_council(scale=2).agreement.council
    user = UserFactory()
    MembershipFactory(user=user, council=council, role=Role.OFFICER)
    client.force_login(user)
    url = reverse("metrics:kpi_grid", args=[council.slug])
    client.get(url)
    with django_assert_num_queries(KPI_GRID):
        assert client.get(url).status_code == 200
