"""Back up and restore the whole database: pg_dump -Fc for PostgreSQL, SQLite's online backup API.

Used by `manage.py backup_db` / `restore_db` (and `make backup` / `make restore`). A restore goes
into an empty database unless `replace` is given, and either completes or changes nothing:
pg_restore runs in one transaction, and SQLite's backup API writes the target in one step.
"""

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """Where a backup was written, its size and its SHA-256."""

    path: Path
    size: int
    sha256: str


def _kind(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _pg_env(db: dict) -> dict:
    """libpq settings for pg_dump / pg_restore; the password goes by environment, not argv."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client (postgresql-client)."
        )
    return found


def _run(argv: list[str], env: dict) -> None:
    # argv is a list (no shell) of a PostgreSQL tool found on PATH and our own arguments.
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[:2000]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup_default_name(db: dict) -> str:
    """svmonitor-<kind>-<UTC time>.<dump|sqlite3>."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = _kind(db)
    return f"svmonitor-{kind}-{stamp}.{'dump' if kind == 'postgresql' else 'sqlite3'}"


def database_backup(*, alias: str = "default", output: Path) -> BackupResult:
    """Write a consistent backup of a live database to `output` (a file or a directory)."""
    connection = connections[alias]
    db = connection.settings_dict
    kind = _kind(db)
    if output.is_dir():
        output = output / backup_default_name(db)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target, then renamed: a failed backup never leaves a half file.
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o600)  # a backup holds personal data: owner only
        if kind == "postgresql":
            env = _pg_env(db)
            _run(
                [
                    _pg_tool("pg_dump"),
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    "-f",
                    str(tmp),
                    db["NAME"],
                ],
                env,
            )
            # Prove the archive is readable before calling it a backup.
            _run([_pg_tool("pg_restore"), "--list", str(tmp)], env)
        else:
            connection.ensure_connection()
            # The online backup API copies a consistent snapshot while others keep writing;
            # through Django's own connection it works for file and in-memory databases.
            target = sqlite3.connect(tmp)
            try:
                connection.connection.backup(target)
                (result,) = target.execute("PRAGMA integrity_check").fetchone()
                if result != "ok":
                    raise BackupError(f"The copy failed SQLite's integrity check: {result}")
                # A standalone file: no WAL sidecar needed to read it.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(path=output, size=output.stat().st_size, sha256=_sha256(output))


def backup_kind(path: Path) -> str:
    """'postgresql' or 'sqlite', from the file's first bytes."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(f"{path} is neither a pg_dump -Fc archive nor an SQLite database.")


def _pg_table_count(db: dict) -> int:
    import psycopg

    params = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    return count


def _sqlite_table_count(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
    return count


def database_restore(*, path: Path, target: dict, replace: bool = False) -> str:
    """Restore a backup file into the database `target` (a DATABASES entry); return its kind."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    kind = backup_kind(path)
    target_kind = _kind(target)
    if kind != target_kind:
        raise BackupError(
            f"{path.name} is a {kind} backup but the target database is {target_kind}; "
            "restore into the same kind of database it came from."
        )
    if kind == "postgresql":
        env = _pg_env(target)
        _run([_pg_tool("pg_restore"), "--list", str(path)], env)
        if not replace and _pg_table_count(target) > 0:
            raise BackupError(
                f"Database {target['NAME']} is not empty; nothing was changed. Restore into an "
                "empty database, or pass --replace to drop and replace its tables."
            )
        argv = [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            # One transaction: a failure part way leaves the database as it was.
            "--single-transaction",
            "-d",
            target["NAME"],
        ]
        if replace:
            argv[1:1] = ["--clean", "--if-exists"]
        _run([*argv, str(path)], env)
        return kind

    target_path = Path(target["NAME"])
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
        (result,) = source.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"{path.name} failed SQLite's integrity check: {result}")
        if not replace and _sqlite_table_count(target_path) > 0:
            raise BackupError(
                f"{target_path} is not empty; nothing was changed. Restore into an empty "
                "database, or pass --replace to overwrite it (stop the application first)."
            )
        destination = sqlite3.connect(target_path)
        try:
            source.backup(destination)
        finally:
            destination.close()
    return kind
