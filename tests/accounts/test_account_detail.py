"""The "my account" page: the user's own roles, and nothing else."""

import pytest
from django.test import Client
from django.urls import reverse

from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_for(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("account_detail"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_the_users_roles_by_council(council, other_council, la_officer):
    MembershipFactory(user=la_officer, council=other_council, role=Role.ADVISER)
    html = page_for(la_officer)
    assert council.name in html and "Programme officer" in html
    assert other_council.name in html and "DfE adviser" in html
    assert "Edit the return and KPIs" in html


def test_it_shows_no_other_users_roles(council, la_officer, board_member):
    html = page_for(la_officer)
    assert "Board member" not in html
    assert board_member.username not in html


def test_a_user_with_no_role_is_told_so(council):
    html = page_for(UserFactory(username="new-starter"))
    assert "You have no council roles yet" in html
    assert council.name not in html


def test_it_needs_sign_in():
    response = Client().get(reverse("account_detail"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
