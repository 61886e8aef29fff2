"""Whether a user needs a second factor is asked afresh on every request (issue 14)."""

import pytest
from django.urls import reverse

from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_role_given_mid_session_asks_for_the_second_factor_next(client, council):
    user = UserFactory(username="soon-s151")
    MembershipFactory(user=user, council=council, role=Role.BOARD)
    client.force_login(user)
    assert client.get(reverse("reports:council_list")).status_code == 200
    MembershipFactory(user=user, council=council, role=Role.S151)
    response = client.get(reverse("reports:council_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("totp_setup"))


def test_the_council_list_takes_one_query_for_the_second_factor(
    client, council, django_assert_num_queries
):
    user = UserFactory(username="reader")
    MembershipFactory(user=user, council=council, role=Role.BOARD)
    client.force_login(user)
    client.get(reverse("reports:council_list"))
    # Session, user, the second-factor question, councils, rounds, session save (3).
    with django_assert_num_queries(8):
        assert client.get(reverse("reports:council_list")).status_code == 200
