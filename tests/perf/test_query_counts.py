"""Issue 9: the dashboard and the portfolio take the same queries at 1 council and at 5, <= 20.

Transactional tests: only outside a transaction does the dashboard use its cached body (inside
one, svmonitor.dataversion cannot vouch for it), and production requests run outside one.
"""

import pytest
from django.urls import reverse

from reports.freeze import round_snapshot_freeze
from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.reports.conftest import build_council
from tests.reports.test_dashboard_views import _submitted_council

pytestmark = pytest.mark.django_db(transaction=True)

QUERY_LIMIT = 20
# The first view after an edit: session, user, the data versions (which also answer the
# second-factor question), council with the user's roles there, the council's rounds, the
# snapshot's 12, and the session save (BEGIN, UPDATE, COMMIT). Every later view until the next
# edit: the same without the rounds and the snapshot.
DASHBOARD_MISS = 5 + 12 + 3
DASHBOARD_HIT = 4 + 3
# A frozen (signed-off or submitted) round: its frozen payload, and the live snapshot's 12 to
# say whether live data has moved since (whose sign-offs are the ones laid over the payload).
# One over QUERY_LIMIT, on a miss only: the price of the one-line "changed since frozen" notice.
DASHBOARD_MISS_FROZEN = 5 + 1 + 12 + 3
# Session, user, data versions, the portfolio's 7, the session save.
PORTFOLIO = 3 + 7 + 3


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
        client.get(url)  # roles changed: the second-factor answer is worked out again
        council.name = f"{council.name} (edited)"
        council.save()
        with django_assert_num_queries(DASHBOARD_MISS):
            assert client.get(url).status_code == 200
        with django_assert_num_queries(DASHBOARD_HIT):
            assert client.get(url).status_code == 200
    assert max(DASHBOARD_MISS, DASHBOARD_HIT) <= QUERY_LIMIT


def test_a_frozen_rounds_dashboard_takes_the_same_queries_at_1_council_and_at_5(
    client, django_assert_num_queries
):
    user = UserFactory()
    client.force_login(user)
    for councils in (1, 5):
        while user.memberships.count() < councils:
            latest = build_council(scale=2)
            round_snapshot_freeze(round=latest, by=user)
            MembershipFactory(user=user, council=latest.agreement.council, role=Role.BOARD)
        council = user.memberships.order_by("pk").first().council
        url = reverse("reports:council_dashboard", args=[council.slug])
        client.get(url)  # roles changed: the second-factor answer is worked out again
        council.name = f"{council.name} (edited)"
        council.save()
        with django_assert_num_queries(DASHBOARD_MISS_FROZEN):
            response = client.get(url)
        # The council's name is part of the frozen record too: live data has moved since.
        assert "Figures or text have changed since" in response.content.decode()
        with django_assert_num_queries(DASHBOARD_HIT):
            assert client.get(url).status_code == 200


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
        client.get(reverse("reports:portfolio"))  # the second-factor answer is now remembered
        with django_assert_num_queries(PORTFOLIO):
            response = client.get(reverse("reports:portfolio"))
        assert response.status_code == 200
        assert response.content.decode().count("Council ") >= councils
    assert PORTFOLIO <= QUERY_LIMIT
