"""Data feed tokens: made and revoked by site administrators, recorded on every use.

A token is `svm_` and 43 random URL-safe characters (256 bits); only its SHA-256 is stored, so
a lost token cannot be shown again, only revoked and replaced. A plain hash suffices for a
random secret of that length (there is nothing to guess from a dictionary); it lets a request
find its token by one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from api.models import ApiToken
from svmonitor.audit import audit_record
from svmonitor.models import LocalAuthority
from svmonitor.roles import Action
from svmonitor.scoping import council_ids_for_user

TOKEN_PREFIX = "svm_"  # noqa: S105 - a marker, not a secret
NO_COUNCILS = "Choose at least one council the token may read."
NOT_ADMIN = "Only a site administrator makes or revokes data feed tokens."
USER_CANNOT_READ = "{user} holds no role at {councils}: the token would show nothing there."
ALREADY_REVOKED = "This token was revoked already."
# What the audit trail calls a read through the feed (not a change: see svmonitor.audit).
API_READ = "api_read"


def token_sha256(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _require_admin(by) -> None:
    if not (getattr(by, "is_active", False) and getattr(by, "is_superuser", False)):
        raise PermissionDenied(NOT_ADMIN)


def api_token_check(*, user, councils) -> None:
    """Refuse a token with no council, or for a council its user may not view."""
    councils = list(councils)
    if not councils:
        raise ValidationError(NO_COUNCILS)
    if user.is_superuser:
        return
    readable = set(
        LocalAuthority.objects.filter(pk__in=council_ids_for_user(user, Action.VIEW)).values_list(
            "pk", flat=True
        )
    )
    refused = [c for c in councils if c.pk not in readable]
    if refused:
        raise ValidationError(
            USER_CANNOT_READ.format(user=user, councils=", ".join(c.name for c in refused))
        )


@transaction.atomic
def api_token_create(*, by, name: str, user, councils) -> tuple[ApiToken, str]:
    """Make a token acting as `user` for `councils`; return it and the token text (shown once).

    Every council must be one the user may view: a token never reaches further than its user.
    """
    # 1. Only a site administrator.
    _require_admin(by)
    councils = list(councils)
    # 2. At least one council, each one the user may read.
    api_token_check(user=user, councils=councils)
    # 3. The token, kept as its hash.
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        user=user,
        prefix=text[:12],
        key_sha256=token_sha256(text),
        created_by=by,
    )
    token.full_clean(exclude=["councils"])
    token.save()
    token.councils.set(councils)
    # 4. History: who made which token for whom and where (never the token itself).
    audit_record(
        action="api_token.create",
        user=by,
        obj=token,
        after={
            "name": name,
            "user": user.get_username(),
            "councils": sorted(c.slug for c in councils),
            "prefix": token.prefix,
        },
    )
    return token, text


@transaction.atomic
def api_token_revoke(*, by, token: ApiToken) -> ApiToken:
    """Revoke a token: from now on every request with it is refused (401)."""
    _require_admin(by)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(ALREADY_REVOKED)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        action="api_token.revoke",
        user=by,
        obj=token,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at},
    )
    return token


def api_token_find(text: str) -> ApiToken | None:
    """The live token for a presented text, with its user, or None (one query)."""
    if not text.startswith(TOKEN_PREFIX):
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=token_sha256(text), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_token_used(*, token: ApiToken, request, council=None, status: int) -> None:
    """Record one use: the token's counter and last-used time, and one audit event.

    Two writes per request (one UPDATE, one INSERT), whatever the page size. The event is a
    read, so it does not move the council's data version (svmonitor.audit._NOT_WRITES).
    """
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, use_count=F("use_count") + 1)
    audit_record(
        action=API_READ,
        user=token.user,
        council=council,
        obj=token,
        after={"path": request.get_full_path()[:500], "status": status},
        request=request,
    )
