"""The audit table refuses UPDATE and DELETE in the database itself, on SQLite and PostgreSQL:
bulk ORM calls and raw SQL cannot rewrite history; a user or council with history is kept."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from svmonitor.audit import audit_record
from svmonitor.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_record(action="x.save", obj=f.LocalAuthorityFactory(), after={"a": 1})


def _stored(pk):
    return AuditEvent.objects.values("action", "after", "council_id").get(pk=pk)


def test_it_refuses_a_bulk_update_of_audit_events(event):
    before = _stored(event.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    assert _stored(event.pk) == before


def test_it_refuses_a_bulk_delete_of_audit_events(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_raw_sql_that_rewrites_or_deletes_history(event):
    for statement in (
        "UPDATE svmonitor_auditevent SET after = NULL",
        "DELETE FROM svmonitor_auditevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert _stored(event.pk)["after"] == {"a": 1}


def test_it_refuses_to_delete_a_council_with_history(event):
    council = event.council
    with pytest.raises(ProtectedError):
        council.delete()
    assert _stored(event.pk)["council_id"] == council.pk


def test_it_refuses_to_delete_a_user_with_history():
    user = f.UserFactory()
    event = audit_record(action="sign_in", user=user)
    with pytest.raises(ProtectedError):
        user.delete()
    assert AuditEvent.objects.get(pk=event.pk).user_id == user.pk


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_and_keeps_the_guard():
    # A whole-database reset (the test suite's own teardown) is not an edit of history.
    audit_record(action="x.save")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    event = audit_record(action="y.save")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
