"""Role changes are recorded in the audit trail, with who made them when made in the admin."""

import pytest
from django.test import Client
from django.urls import reverse

from svmonitor.models import AuditEvent, Membership
from svmonitor.roles import Role
from tests.factories import LocalAuthorityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_granting_changing_and_revoking_a_role_are_audited(council):
    user = UserFactory(username="alice")
    membership = MembershipFactory(user=user, council=council, role=Role.BOARD)
    membership.role = Role.LEAD
    membership.save()
    membership.delete()
    events = AuditEvent.objects.filter(action__startswith="role_").order_by("pk")
    assert [e.action for e in events] == ["role_granted", "role_changed", "role_revoked"]
    granted, changed, revoked = events
    assert granted.council == council
    assert granted.after == {"user": "alice", "role": "board", "council": council.pk}
    assert changed.before["role"] == "board" and changed.after["role"] == "lead"
    assert revoked.before["role"] == "lead"


def test_a_role_granted_in_the_admin_records_the_administrator(council):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    user = UserFactory(username="alice")
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:svmonitor_membership_add"),
        {"user": user.pk, "council": council.pk, "role": Role.FINANCE},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="role_granted")
    assert event.user == admin
    assert event.after["user"] == "alice"
    assert event.ip_address == "127.0.0.1"


def test_deleting_a_council_with_members_records_the_revocations():
    # A role granted through save() is history that keeps its council (AuditEvent.council is
    # PROTECT); one loaded in bulk (the demo loader) has none, so its council can still go.
    council = LocalAuthorityFactory()
    Membership.objects.bulk_create(
        [Membership(user=UserFactory(), council=council, role=Role.BOARD)]
    )
    council_id = council.pk
    council.delete()
    event = AuditEvent.objects.get(action="role_revoked")
    assert event.council is None
    assert event.before["council"] == council_id
    assert not Membership.objects.exists()


def test_the_user_admin_sets_up_an_account_with_its_roles(council):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("admin:auth_user_change", args=[admin.pk]))
    assert page.status_code == 200
    assert "Council roles" in page.content.decode()
