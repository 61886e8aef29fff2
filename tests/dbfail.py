"""Make the real database refuse a write, to prove a service rolls back its earlier steps."""

from contextlib import contextmanager

from django.db import connection

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION test_refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'refused by test trigger' USING ERRCODE = 'integrity_constraint_violation';
END $$
"""


@contextmanager
def inserts_refused(table: str = "svmonitor_auditevent"):
    """While open, every INSERT into `table` fails with an IntegrityError.

    Every service records its audit event last, so refusing audit inserts makes the final step
    fail after all the service's other writes: nothing of them may survive.
    """
    name = f"test_refuse_{table}"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TEMP TRIGGER {name} BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
            )
        else:
            cursor.execute(_PG_FUNCTION)
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
