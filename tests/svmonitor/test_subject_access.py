"""A subject access request (docs/data-protection.md): searching the admin's history for a
username finds every change that user made, not only their sign-ins."""

import pytest
from django.test import Client
from django.urls import reverse

from svmonitor.audit import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_searching_the_history_for_a_username_finds_what_they_changed():
    person = UserFactory(username="jo.bloggs")
    audit_record(action="condition_update.save", user=person, after={"rag": "red"})
    audit_record(action="sign_in_failed", username="jo.bloggs")
    audit_record(action="condition_update.save", user=UserFactory(username="someone.else"))
    admin = Client()
    admin.force_login(UserFactory(username="site-admin", is_staff=True, is_superuser=True))
    response = admin.get(reverse("admin:svmonitor_auditevent_changelist"), {"q": "jo.bloggs"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
