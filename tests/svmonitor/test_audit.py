"""The audit helper: who, what, which council, before and after, JSON-safe; never edited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from svmonitor.audit import audit_record, json_safe, model_fields_dict
from svmonitor.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_it_records_user_object_council_and_json_safe_before_after():
    user = f.UserFactory(username="recorder")
    payment = f.PaymentInstalmentFactory(amount=Decimal("26800000.00"))
    event = audit_record(
        action="payment.save",
        user=user,
        obj=payment,
        before={"amount": Decimal("1.50"), "due_date": dt.date(2024, 3, 1)},
        after={"amount": payment.amount, "at": dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)},
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.user, event.username, event.action) == (user, "recorder", "payment.save")
    assert event.council == payment.agreement.council  # found through the scoping path
    assert (event.object_type, event.object_id) == ("finance.paymentinstalment", str(payment.pk))
    assert event.object_repr.startswith("£26,800,000 due")
    assert event.before == {"amount": "1.50", "due_date": "2024-03-01"}
    assert event.after == {"amount": "26800000.00", "at": "2024-03-01T09:30:00+00:00"}


def test_a_failed_sign_in_keeps_the_typed_username_and_ip_without_a_user():
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.9")
    request.user = AnonymousUser()
    event = audit_record(action="login.failed", username="nobody@example.org", request=request)
    assert event.user is None
    assert event.username == "nobody@example.org"
    assert event.ip_address == "203.0.113.9"
    assert event.council is None and event.object_type == ""


def test_the_user_comes_from_the_request_when_not_given():
    user = f.UserFactory(username="from-request")
    request = RequestFactory().get("/")
    request.user = user
    council = f.LocalAuthorityFactory()
    event = audit_record(action="permission.refused", request=request, council=council)
    assert (event.user, event.username, event.council) == (user, "from-request", council)


def test_a_council_is_its_own_council():
    council = f.LocalAuthorityFactory()
    assert audit_record(action="council.save", obj=council).council == council


def test_audit_events_cannot_be_changed_or_deleted():
    event = audit_record(action="x.save")
    event.action = "y.save"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.get().action == "x.save"


def test_model_fields_dict_gives_foreign_keys_as_ids():
    update = f.RiskUpdateFactory(impact=2, likelihood=5)
    update.refresh_from_db()
    values = model_fields_dict(update, ["risk", "impact", "score", "updated_at"])
    assert values["risk"] == update.risk_id
    assert (values["impact"], values["score"]) == (2, 10)
    assert isinstance(values["updated_at"], str)


def test_json_safe_handles_nested_values():
    assert json_safe({"a": (Decimal("1.0"), {dt.date(2024, 1, 1)}), 3: None}) == {
        "a": ["1.0", ["2024-01-01"]],
        "3": None,
    }
