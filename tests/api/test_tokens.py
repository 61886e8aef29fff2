"""Data feed tokens: made and revoked by administrators, kept as a hash, recorded on every use."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_create, api_token_revoke, token_sha256
from svmonitor.models import AuditEvent, LocalAuthority
from svmonitor.roles import Role
from tests.accounts.graph import build_council
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return UserFactory(username="site-admin", is_superuser=True, is_staff=True)


@pytest.fixture
def council_a(db):
    return build_council("A")


def bearer(text: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def rounds_url(council) -> str:
    return reverse("api:round_list", args=[council.slug])


def test_only_the_tokens_hash_is_kept_and_its_making_is_in_the_history(council_a, admin):
    board = council_a.users[Role.BOARD]
    token, text = api_token_create(
        by=admin, name="Power BI", user=board, councils=[council_a.council]
    )
    assert text.startswith("svm_") and len(text) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_sha256 == token_sha256(text) and text not in stored.key_sha256
    assert stored.prefix == text[:12]
    assert list(stored.councils.all()) == [council_a.council]
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.user == admin
    assert event.after["councils"] == ["council-a"] and event.after["user"] == board.username
    assert text not in str(event.before) + str(event.after) + event.object_repr


def test_only_an_administrator_makes_a_token_and_only_for_councils_its_user_reads(council_a, admin):
    council_b = build_council("B")
    board = council_a.users[Role.BOARD]
    with pytest.raises(PermissionDenied):
        api_token_create(by=council_a.users[Role.LEAD], name="x", user=board, councils=[])
    with pytest.raises(ValidationError, match="at least one council"):
        api_token_create(by=admin, name="x", user=board, councils=[])
    with pytest.raises(ValidationError, match="Council B"):
        api_token_create(
            by=admin, name="x", user=board, councils=[council_a.council, council_b.council]
        )
    assert not ApiToken.objects.exists()


def test_every_use_is_counted_and_recorded_once_without_moving_the_data_version(council_a, admin):
    council = council_a.council
    token, text = api_token_create(
        by=admin, name="Power BI", user=council_a.users[Role.BOARD], councils=[council]
    )
    version = LocalAuthority.objects.get(pk=council.pk).data_version
    client = bearer(text)
    assert client.get(rounds_url(council) + "?format=csv").status_code == 200
    assert client.get(reverse("api:round_list", args=["elsewhere"])).status_code == 404
    token.refresh_from_db()
    assert token.use_count == 2 and token.last_used_at is not None
    reads = list(AuditEvent.objects.filter(action="api_read").order_by("pk"))
    assert [(e.council, e.after["status"]) for e in reads] == [(council, 200), (None, 404)]
    assert reads[0].after["path"] == rounds_url(council) + "?format=csv"
    assert reads[0].user == council_a.users[Role.BOARD] and reads[0].object_id == str(token.pk)
    assert LocalAuthority.objects.get(pk=council.pk).data_version == version


def test_a_revoked_token_a_wrong_token_or_a_session_gets_401(council_a, admin):
    council = council_a.council
    board = council_a.users[Role.BOARD]
    token, text = api_token_create(by=admin, name="Power BI", user=board, councils=[council])
    assert bearer(text).get(rounds_url(council)).status_code == 200

    api_token_revoke(by=admin, token=token)
    response = bearer(text).get(rounds_url(council))
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    with pytest.raises(ValidationError):
        api_token_revoke(by=admin, token=token)
    assert AuditEvent.objects.filter(action="api_token.revoke", user=admin).count() == 1

    assert bearer(text[:-1] + "x").get(rounds_url(council)).status_code == 401
    signed_in = Client()
    signed_in.force_login(board)
    assert signed_in.get(rounds_url(council)).status_code == 401


def test_a_token_stops_when_its_user_is_deactivated(council_a, admin):
    board = council_a.users[Role.BOARD]
    _, text = api_token_create(by=admin, name="x", user=board, councils=[council_a.council])
    board.is_active = False
    board.save()
    assert bearer(text).get(rounds_url(council_a.council)).status_code == 401


def test_an_administrator_makes_a_token_in_the_admin_and_sees_it_once(council_a, admin):
    board = council_a.users[Role.BOARD]
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:api_apitoken_add"),
        {"name": "Power BI, SEND team", "user": board.pk, "councils": [council_a.council.pk]},
    )
    assert response.status_code == 200, response.content
    text = response.context["token_text"]
    assert text in response.content.decode()
    token = ApiToken.objects.get()
    assert token.key_sha256 == token_sha256(text) and token.created_by == admin
    assert AuditEvent.objects.get(action="api_token.create").via == "via admin"
    assert bearer(text).get(rounds_url(council_a.council)).status_code == 200
    # Never shown again.
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert page.status_code == 200 and text not in page.content.decode()
    listing = client.get(reverse("admin:api_apitoken_changelist"))
    assert text not in listing.content.decode() and token.prefix in listing.content.decode()

    # A council the user cannot read is refused on the form, and nothing is made.
    council_b = build_council("B")
    refused = client.post(
        reverse("admin:api_apitoken_add"),
        {"name": "x", "user": board.pk, "councils": [council_b.council.pk]},
    )
    assert refused.status_code == 200 and "holds no role at Council B" in refused.content.decode()
    assert ApiToken.objects.count() == 1

    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="api_token.revoke").via == "via admin"
    assert bearer(text).get(rounds_url(council_a.council)).status_code == 401


def test_a_staff_user_who_is_not_an_administrator_cannot_make_tokens(council_a):
    staff = UserFactory(username="staff-only", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403
