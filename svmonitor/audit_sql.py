"""The database triggers that make the audit table append-only, per engine.

Migration 0002_auditevent_append_only creates them and the flush command lifts them for a
whole-database reset, so both read the SQL from here. Change it only together with a new migration.
"""

TABLE = "svmonitor_auditevent"
REFUSED = "Audit events cannot be changed or deleted"

POSTGRESQL_CREATE = (
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSED}' USING ERRCODE = 'restrict_violation';
    END $$
    """,
    f"""
    CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
    """,
)
POSTGRESQL_DROP = (
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
)

# RAISE(ABORT, ...) fails the statement with SQLITE_CONSTRAINT: an IntegrityError in Django.
SQLITE_TRIGGERS = (f"{TABLE}_no_update", f"{TABLE}_no_delete")
SQLITE_CREATE = (
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END",
    f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END",
)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS)


def append_only_sql(vendor: str, *, create: bool) -> tuple[str, ...]:
    """The statements that create (or drop) the append-only triggers on this engine."""
    if vendor == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    raise NotImplementedError(f"No append-only audit trigger for {vendor}.")
