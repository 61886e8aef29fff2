"""The audit trail: one helper that records who did what, when, with before and after."""

from __future__ import annotations

import contextvars
import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import models

from svmonitor.models import AuditEvent, LocalAuthority

_VIA: contextvars.ContextVar[str] = contextvars.ContextVar("audit_via", default="")


@contextmanager
def audit_via(door: str) -> Iterator[None]:
    """Label every audit event recorded inside the block with the door it came through.

    The workbook import, the admin and management commands call the same services as the
    browser; wrapping the call in `audit_via("via workbook x.xlsx")` makes the history say so
    without threading a parameter through every service.
    """
    token = _VIA.set(door[:200])
    try:
        yield
    finally:
        _VIA.reset(token)


def current_via() -> str:
    """The door of the enclosing audit_via block ("" in the browser)."""
    return _VIA.get()


def json_safe(value: Any) -> Any:
    """A value made JSON-safe: dates ISO strings, Decimals strings, model instances their pk."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    # datetime before date: a datetime is also a date.
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        # Text is kept as it is without a call: a batch's history holds thousands of figures.
        return {
            str(key): item if type(item) is str else json_safe(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_safe(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def model_fields_dict(instance: models.Model, fields: list[str] | tuple[str, ...]) -> dict:
    """The named fields of an instance as a JSON-safe dict (foreign keys as their id)."""
    result = {}
    for name in fields:
        field = instance._meta.get_field(name)
        # attname reads "council_id" for a foreign key without a query for the related row.
        result[name] = json_safe(getattr(instance, getattr(field, "attname", name)))
    return result


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _council_of(obj: models.Model | None) -> LocalAuthority | None:
    """Follow the object's scoping path (its manager's council_lookup) to its council."""
    if obj is None:
        return None
    if isinstance(obj, LocalAuthority):
        return obj
    lookup = getattr(type(obj)._default_manager.all(), "council_lookup", None)
    if not lookup:
        return None
    target: Any = obj
    for part in lookup.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target if isinstance(target, LocalAuthority) else None


# Events that record a refusal or a read, not a change to what any page shows.
# "api_read": one read through the data feed (api/services.py), recorded on every request.
_NOT_WRITES = frozenset({"permission_refused", "pdf_exported", "docx_exported", "api_read"})


def council_data_version_bump(council: LocalAuthority | int | None) -> None:
    """Move the council's data version on: every comparison made before it no longer stands.

    Called by the one door (audit_record, audit_record_many) for every change the services
    record, inside their transaction, so the version moves exactly when the data does.
    """
    if council is None:
        return
    pk = council.pk if isinstance(council, LocalAuthority) else council
    LocalAuthority.objects.filter(pk=pk).update(data_version=models.F("data_version") + 1)


def audit_record(
    *,
    action: str,
    user=None,
    username: str = "",
    council: LocalAuthority | None = None,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one event to the audit trail; the council is taken from `obj` when not given.

    A change to a council's data also moves its data version (council_data_version_bump).
    """
    event = AuditEvent.objects.create(
        **_event_fields(action, user, username, council, obj, before, after, request)
    )
    if action not in _NOT_WRITES:
        council_data_version_bump(event.council_id)
    return event


def _event_fields(action, user, username, council, obj, before, after, request) -> dict:
    """The columns of one audit event, as audit_record and audit_record_many write them."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if not username and user is not None:
        username = user.get_username()
    if council is None:
        council = _council_of(obj)
    return {
        "action": action[:40],
        "user": user,
        "username": username[:150],
        "council": council,
        "object_type": obj._meta.label_lower[:60] if obj is not None else "",
        "object_id": str(obj.pk)[:40] if obj is not None and obj.pk is not None else "",
        "object_repr": str(obj)[:200] if obj is not None else "",
        "before": json_safe(before) if before is not None else None,
        "after": json_safe(after) if after is not None else None,
        "ip_address": _client_ip(request),
        "via": _VIA.get(),
    }


def audit_record_many(*, action: str, user, council, entries) -> list[AuditEvent]:
    """Append one event per (obj, before, after) in `entries`, in one INSERT.

    A batch service (a workbook's thousands of figures) records its history as audit_record
    would, event for event, without a round trip per event.
    """
    events = AuditEvent.objects.bulk_create(
        AuditEvent(**_event_fields(action, user, "", council, obj, before, after, None))
        for obj, before, after in entries
    )
    if action not in _NOT_WRITES:
        for council_id in {event.council_id for event in events}:
            council_data_version_bump(council_id)
    return events
