"""Per-user, per-minute limits on expensive requests (PDF/Excel exports, workbook uploads).

Usage, below @login_required so anonymous requests are sent to sign in and never counted:

    @login_required
    @rate_limited("export")
    def report_pdf(request, slug, fy, n): ...

The limit for a kind is the setting `<KIND>_RATE_PER_MINUTE` (EXPORT_RATE_PER_MINUTE,
UPLOAD_RATE_PER_MINUTE); 0 turns the limit off. Counts live in the "ratelimit" cache, which is
the database in production so every gunicorn worker shares one count per user.
"""

import logging
import time
from contextlib import nullcontext
from functools import wraps

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.db import DatabaseError, transaction
from django.shortcuts import render

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60

# What each kind means to the person who hit the limit.
KIND_NOUNS = {"export": "PDF or Excel exports", "upload": "workbook uploads"}


def _now() -> float:
    """The clock; a function so tests can move it on a minute."""
    return time.time()


def _cache():
    try:
        return caches["ratelimit"]
    except InvalidCacheBackendError:
        return caches["default"]


def rate_limit_for(kind: str) -> int:
    """The number of `kind` requests one user may make in a minute (0 = no limit)."""
    return int(getattr(settings, f"{kind.upper()}_RATE_PER_MINUTE", 0))


def rate_limit_hit(*, kind: str, user_id: int) -> tuple[bool, int]:
    """Count one request; return (over the limit?, seconds until the window resets)."""
    limit = rate_limit_for(kind)
    now = _now()
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, WINDOW_SECONDS - int(now % WINDOW_SECONDS))
    if limit <= 0:
        return False, retry_after
    cache = _cache()
    key = f"ratelimit:{kind}:{user_id}:{window}"
    # In the database, one transaction: a failure is rolled back and cannot poison a caller's.
    guard = transaction.atomic() if isinstance(cache, BaseDatabaseCache) else nullcontext()
    try:
        with guard:
            # add() is a no-op when the key exists, so a window's first request starts at 0.
            cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr(): the first of a new window
                cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
                count = 1
    except DatabaseError:
        # A missing cache table must not stop every export: let the request through, loudly.
        logger.error(
            "rate limiting is off: the cache table is missing; run manage.py createcachetable"
        )
        return False, retry_after
    return count > limit, retry_after


def too_many_requests(request, *, kind: str, retry_after: int):
    """The 429 page: what was limited, the limit, and when to try again."""
    limit = rate_limit_for(kind)
    response = render(
        request,
        "429.html",
        {
            "what": KIND_NOUNS.get(kind, f"{kind} requests"),
            "limit": limit,
            "retry_after": retry_after,
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(kind: str, *, methods: tuple[str, ...] | None = None):
    """Refuse with a 429 page once a signed-in user passes the per-minute limit for `kind`.

    With `methods`, only requests of those methods count (an upload page's POST, not its GET).
    """
    if kind not in KIND_NOUNS:
        raise ValueError(f"Unknown rate-limit kind {kind!r}; use one of {sorted(KIND_NOUNS)}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = getattr(request, "user", None)
            counted = methods is None or request.method in methods
            if counted and user is not None and user.is_authenticated:
                over, retry_after = rate_limit_hit(kind=kind, user_id=user.pk)
                if over:
                    return too_many_requests(request, kind=kind, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
