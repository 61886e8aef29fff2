"""Audit hooks for events Django announces: sign-ins, sign-outs and role changes.

Role changes are caught here rather than in a service because they come from several places
(the admin, the demo loader, a shell); the signal is the one place that sees all of them.
"""

import time
from contextvars import ContextVar

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from svmonitor.audit import audit_record
from svmonitor.models import LocalAuthority, Membership

# The request being served, so a role change made in the admin records who made it.
current_request: ContextVar = ContextVar("current_request", default=None)

# Read by svmonitor.middleware.SessionLifetimeMiddleware for the 12-hour limit.
SIGNED_IN_AT = "signed_in_at"


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    """Start the absolute session clock and audit the sign-in."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
    audit_record(action="sign_in", user=user, request=request)


@receiver(user_login_failed)
def record_sign_in_failure(sender, credentials, request=None, **kwargs):
    """Audit a failed sign-in with the username as typed (it may not exist)."""
    username = str(credentials.get("username") or "")
    audit_record(action="sign_in_failed", username=username, request=request)


@receiver(user_logged_out)
def record_sign_out(sender, request, user, **kwargs):
    """Audit a sign-out (and the end of a session that timed out)."""
    if user is not None:
        audit_record(action="sign_out", user=user, request=request)


def _role(membership: Membership) -> dict:
    return {
        "user": membership.user.get_username(),
        "role": membership.role,
        "council": membership.council_id,
    }


@receiver(pre_save, sender=Membership)
def remember_old_role(sender, instance, **kwargs):
    """Keep the stored row, so an edit can be audited with before and after."""
    instance._stored = None
    if instance.pk is not None:
        instance._stored = Membership.objects.filter(pk=instance.pk).first()


@receiver(post_save, sender=Membership)
def record_role_saved(sender, instance, created, **kwargs):
    """Audit a role granted or changed."""
    stored = getattr(instance, "_stored", None)
    audit_record(
        action="role_granted" if created else "role_changed",
        request=current_request.get(),
        council=instance.council,
        obj=instance,
        before=_role(stored) if stored is not None else None,
        after=_role(instance),
    )


@receiver(post_delete, sender=Membership)
def record_role_revoked(sender, instance, origin=None, **kwargs):
    """Audit a role taken away, directly or because the user or council was deleted."""
    # When the council itself is being deleted, an event pointing at it (or at this row)
    # would break the foreign key as the council goes; its id stays in `before`.
    council_going = isinstance(origin, LocalAuthority)
    audit_record(
        action="role_revoked",
        request=current_request.get(),
        council=None if council_going else instance.council,
        obj=None if council_going else instance,
        before=_role(instance),
    )
