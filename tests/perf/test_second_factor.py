"""Issue 9: whether a user needs a second factor is remembered only while memberships stand."""

import pytest
from django.urls import reverse

from svmonitor.access import SECOND_FACTOR_KEY
from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_role_given_mid_session_asks_for_the_second_factor_next(client, council):
    user = UserFactory(username="soon-s151")
    MembershipFactory(user=user, council=council, role=Role.BOARD)
    client.force_login(user)
    assert client.get(reverse("reports:council_list")).status_code == 200
    assert client.session[SECOND_FACTOR_KEY][2] is False
    MembershipFactory(user=user, council=council, role=Role.S151)
    response = client.get(reverse("reports:council_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("totp_setup"))


def test_editing_council_data_does_not_ask_again(client, council, django_assert_num_queries):
    user = UserFactory(username="reader")
    MembershipFactory(user=user, council=council, role=Role.BOARD)
    client.force_login(user)
    client.get(reverse("reports:council_list"))
    council.name = "Renamed council"
    council.save()
    # Session, user, versions, councils, rounds, session save (3): no membership lookup.
    with django_assert_num_queries(8):
        assert client.get(reverse("reports:council_list")).status_code == 200
