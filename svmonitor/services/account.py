"""Writes to a user's own account settings (AccountSettings), with their history."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from svmonitor.access import NO_USER
from svmonitor.audit import audit_record
from svmonitor.models import AccountSettings

NOT_YOURS = "Only the account's own user or a site administrator can change its settings."


def account_settings_for(user) -> AccountSettings:
    """The user's settings, or the defaults (unsaved) if they never changed any."""
    found = AccountSettings.objects.filter(user=user).first()
    return found if found is not None else AccountSettings(user=user)


@transaction.atomic
def account_reminders_set(*, user, by, enabled: bool) -> AccountSettings:
    """Switch a user's e-mail reminders on or off, recording the change in history."""
    # 1. Only the user themselves, or a site administrator (in the admin), changes this.
    if by is None:
        raise PermissionDenied(NO_USER)
    if by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied(NOT_YOURS)
    # 2. The row is created on the first change and locked, so two saves do not interleave.
    AccountSettings.objects.get_or_create(user=user)
    row = AccountSettings.objects.select_for_update().get(user=user)
    before = row.email_reminders
    if before == enabled:
        return row
    # 3. Save and record who changed it, from what to what.
    row.email_reminders = enabled
    row.save(update_fields=["email_reminders"])
    audit_record(
        action="account.reminders",
        user=by,
        obj=row,
        before={"email_reminders": before},
        after={"email_reminders": enabled},
    )
    return row
