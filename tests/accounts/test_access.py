"""svmonitor.access: 404 without a role, audited 403 without the action, buttons by action."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template import engines
from django.test import RequestFactory

from risks.models import Risk
from svmonitor.access import (
    council_action_required,
    council_can,
    council_for_user,
    council_permissions,
    needs_second_factor,
    object_for_user,
)
from svmonitor.models import AuditEvent
from svmonitor.roles import Action, Role
from tests.factories import MembershipFactory, RiskFactory, UserFactory

pytestmark = pytest.mark.django_db


@council_action_required(Action.EDIT)
def edit_view(request, slug):
    return HttpResponse(f"editing {request.council.slug}")


def request_for(user, path="/councils/x/edit/", method="get"):
    request = getattr(RequestFactory(), method)(path)
    request.user = user
    request.session = SessionStore()
    return request


def member(council, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, council=council, role=role)
    return user


def test_an_officer_may_edit_their_own_council(council, la_officer):
    response = edit_view(request_for(la_officer), slug=council.slug)
    assert response.content == f"editing {council.slug}".encode()


def test_another_councils_officer_gets_404_and_no_refusal_is_recorded(council, other_la_officer):
    with pytest.raises(Http404):
        edit_view(request_for(other_la_officer), slug=council.slug)
    assert not AuditEvent.objects.filter(action="permission_refused").exists()


def test_a_board_member_gets_an_audited_403(council, board_member):
    with pytest.raises(PermissionDenied):
        edit_view(request_for(board_member, method="post"), slug=council.slug)
    event = AuditEvent.objects.get(action="permission_refused")
    assert event.user == board_member
    assert event.council == council
    assert event.after == {"action": "edit", "method": "POST", "path": "/councils/x/edit/"}


def test_anonymous_users_are_sent_to_sign_in(council):
    response = edit_view(request_for(AnonymousUser()), slug=council.slug)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_council_is_404(la_officer):
    with pytest.raises(Http404):
        council_for_user(request_for(la_officer), "no-such-council")


def test_the_decorated_view_says_which_action_it_needs():
    assert edit_view.required_action == Action.EDIT


def test_an_inactive_user_has_no_access(council, la_officer):
    la_officer.is_active = False
    la_officer.save()
    with pytest.raises(Http404):
        council_for_user(request_for(la_officer), council.slug)


def test_a_site_administrator_may_act_anywhere(council):
    admin = UserFactory(username="root", is_superuser=True)
    assert council_for_user(request_for(admin), council.slug, Action.MANAGE_USERS) == council


def test_object_lookup_is_scoped(council, other_council, la_officer, board_member):
    risk = RiskFactory(council=council)
    other = RiskFactory(council=other_council)
    request = request_for(la_officer)
    assert object_for_user(request, Risk.objects, Action.EDIT, pk=risk.pk) == risk
    with pytest.raises(Http404):
        object_for_user(request, Risk.objects, Action.VIEW, pk=other.pk)
    with pytest.raises(PermissionDenied):
        object_for_user(request_for(board_member), Risk.objects, Action.EDIT, pk=risk.pk)
    event = AuditEvent.objects.get(action="permission_refused")
    assert (event.council, event.object_id) == (council, str(risk.pk))


def test_templates_can_hide_buttons_by_action(council, board_member, la_officer):
    template = engines["django"].from_string(
        "{% if council_can.edit %}<button>Edit</button>{% endif %}"
        "{% if council_can.view %}<p>Dashboard</p>{% endif %}"
    )
    for user, shows_edit in ((la_officer, True), (board_member, False)):
        request = request_for(user)
        council_for_user(request, council.slug)
        html = template.render({}, request)
        assert ("<button>Edit</button>" in html) is shows_edit
        assert "<p>Dashboard</p>" in html


def test_without_a_council_no_action_is_offered(la_officer):
    assert not any(council_permissions(request_for(la_officer))["council_can"].values())


def test_council_can_unions_a_users_roles(council):
    user = member(council, Role.BOARD, "two-hats")
    MembershipFactory(user=user, council=council, role=Role.FINANCE)
    allowed = {action for action, ok in council_can(user, council).items() if ok}
    assert allowed == {
        Action.VIEW,
        Action.VIEW_DRAFTS,
        Action.EXPORT,
        Action.EDIT_FINANCE,
        Action.RECORD_SUBMISSION,
    }


def test_who_needs_a_second_factor(council):
    assert needs_second_factor(member(council, Role.S151, "s151"))
    assert needs_second_factor(member(council, Role.DCS, "dcs"))
    assert needs_second_factor(UserFactory(username="staff", is_staff=True))
    assert not needs_second_factor(member(council, Role.LEAD, "lead"))
    assert not needs_second_factor(AnonymousUser())
