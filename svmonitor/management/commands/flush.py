"""manage.py flush, emptying the append-only audit table with the rest on SQLite too.

On PostgreSQL flush is TRUNCATE, which row triggers do not see; SQLite's flush is DELETE FROM,
which the audit table's delete trigger refuses. Flush is a whole-database reset (the test suite
runs it after every transactional test), not an edit of history, so on SQLite it lifts the
triggers for the reset and puts them back in the same transaction.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from svmonitor.audit_sql import SQLITE_CREATE, SQLITE_DROP, SQLITE_TRIGGERS


class Command(flush.Command):
    help = flush.Command.help + " The audit table's append-only triggers are kept."

    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM sqlite_master"
                    " WHERE type = 'trigger' AND name IN (%s, %s)",
                    SQLITE_TRIGGERS,
                )
                (present,) = cursor.fetchone()
                for statement in SQLITE_DROP:
                    cursor.execute(statement)
            super().handle(**options)
            if present:
                with connection.cursor() as cursor:
                    for statement in SQLITE_CREATE:
                        cursor.execute(statement)
