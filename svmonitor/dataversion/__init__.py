"""Versions of the council data: tokens that every committed write to that data replaces.

A cache of anything drawn from council data (the dashboard's rendered body, whether a user
needs a second factor) is keyed by the token current when it was made, so it is never served
after the data under it changed. There are two tokens: "memberships" (who holds which role)
and "council-data" (everything else a page shows), so a role given does not throw away every
rendered dashboard, and an edited figure does not make every user's roles be looked up again.

Why a write watcher rather than a version column bumped by the services: the data is written
by many paths (services, the workbook importer's raw `executemany`, `bulk_create`/`update()`,
the admin, management commands, a shell), and most tables have no version or updated_at
column. Every one of those paths goes through a Django cursor, so an execute wrapper on every
connection sees every INSERT, UPDATE, DELETE and TRUNCATE; after a write to a watched table
commits, its token is replaced. The tokens live in a database cache table
(`createcachetable`), so every worker and every process shares them.

* Inside an atomic block the tokens move on commit (`on_commit`), and `data_version()` returns
  None there: a connection may see its own uncommitted writes, which the tokens do not show.
* In autocommit a token moves as soon as the statement is done: at once for UPDATE/DELETE,
  and for an INSERT ... RETURNING (SQLite keeps that statement open until its row is read) in
  the `post_save` that follows it.
* A reader takes the token before it reads data, so what it caches from data read while a
  write committed is filed under the old token and never served again.
* Without the cache table (`make run` before `createcachetable`), `data_version()` returns None
  and callers simply do not cache.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid

# Aliased: the package's own `apps` submodule would shadow the registry's name here.
from django.apps import apps as app_registry
from django.core.cache import caches
from django.db import DatabaseError, connections

CACHE_ALIAS = "dataversion"
COUNCIL_DATA = "council-data"
MEMBERSHIPS = "memberships"
NAMES = (COUNCIL_DATA, MEMBERSHIPS)
# The apps whose tables hold council data. The audit trail is history no page shows (and it is
# written on every sign-in); memberships have a token of their own. A locked round's pages are
# drawn from its frozen record (reports.RoundSnapshot), so a body is never served after that
# record is added or removed; a stored PDF changes no page.
WATCHED_APPS = ("svmonitor", "conditions", "risks", "metrics", "finance", "overview", "reports")
UNWATCHED_MODELS = ("svmonitor.AuditEvent", "reports.ReportFile")
MEMBERSHIP_MODEL = "svmonitor.Membership"
_PENDING = "dataversion_pending"
_WRITE = re.compile(
    r"""^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)|^\s*(TRUNCATE)\b""", re.IGNORECASE
)

logger = logging.getLogger(__name__)
_warned: set[str] = set()


def _warn_once(message: str) -> None:
    # Once per process: without the table every write and every dashboard would say it again.
    if message not in _warned:
        _warned.add(message)
        logger.warning(message)


@functools.cache
def watched_tables() -> dict[str, str]:
    """Each watched database table (many-to-many tables included) and the token it moves."""
    unwatched = {app_registry.get_model(label)._meta.db_table for label in UNWATCHED_MODELS}
    memberships = app_registry.get_model(MEMBERSHIP_MODEL)._meta.db_table
    return {
        model._meta.db_table: MEMBERSHIPS if model._meta.db_table == memberships else COUNCIL_DATA
        for label in WATCHED_APPS
        for model in app_registry.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.db_table not in unwatched
    }


def versions_written(sql: str) -> tuple[str, ...]:
    """The tokens a statement moves: none for a read or an unwatched table, all for TRUNCATE."""
    match = _WRITE.match(sql)
    if match is None:
        return ()
    if match.group(2):
        return NAMES
    name = watched_tables().get(match.group(1))
    return (name,) if name else ()


def data_version(name: str = COUNCIL_DATA) -> str | None:
    """The current token, or None where it cannot be trusted (inside a transaction, no table)."""
    return data_versions().get(name)


def data_versions() -> dict[str, str]:
    """Every current token in one query; empty inside a transaction or without the table."""
    if connections["default"].in_atomic_block:
        return {}
    cache = caches[CACHE_ALIAS]
    try:
        tokens = cache.get_many(NAMES)
        missing = [name for name in NAMES if name not in tokens]
        if missing:
            # First use, or an entry was culled: any new token is as good as a bump.
            for name in missing:
                cache.add(name, uuid.uuid4().hex, None)
            tokens = cache.get_many(NAMES)
    except DatabaseError:
        _warn_once("council-data versions unavailable (run createcachetable); not caching")
        return {}
    return tokens


def request_data_version(request, name: str = COUNCIL_DATA) -> str | None:
    """data_version(name), with every token read once per request however often it is asked."""
    if not hasattr(request, "_data_versions"):
        request._data_versions = data_versions()
    return request._data_versions.get(name)


def data_version_bump(*names: str) -> None:
    """Replace tokens: every cache entry filed under an old one is never read again."""
    try:
        caches[CACHE_ALIAS].set_many({name: uuid.uuid4().hex for name in names or NAMES}, None)
    except DatabaseError:
        # No table means no reader trusts a token either (data_versions returns nothing).
        _warn_once("council-data version not bumped (run createcachetable)")


# One function per token, so a transaction registers each bump once (looked up by identity).
_BUMPERS = {name: functools.partial(data_version_bump, name) for name in NAMES}


def _bump_on_commit(connection, name: str) -> None:
    # Look rather than flag: a savepoint rolled back takes its callbacks with it.
    bump = _BUMPERS[name]
    if not any(entry[1] is bump for entry in connection.run_on_commit):
        connection.on_commit(bump)


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    names = versions_written(sql) if isinstance(sql, str) else ()
    if names:
        connection = context["connection"]
        if connection.in_atomic_block:
            for name in names:
                _bump_on_commit(connection, name)
        elif "RETURNING" in sql.upper():
            # Still open until the ORM reads the returned row: bump in the post_save after it.
            pending = getattr(connection, _PENDING, set())
            setattr(connection, _PENDING, pending | set(names))
        else:
            data_version_bump(*names)
    return result


def watch_connection(sender, connection, **kwargs) -> None:
    """connection_created receiver: wrap the connection's statements (once per wrapper)."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def bump_pending(sender, using=None, **kwargs) -> None:
    """post_save receiver: finish an autocommit INSERT's bump once its statement is closed."""
    connection = connections[using or "default"]
    pending = getattr(connection, _PENDING, None)
    if pending and not connection.in_atomic_block:
        setattr(connection, _PENDING, set())
        data_version_bump(*pending)
