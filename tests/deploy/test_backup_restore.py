"""make backup / make restore: a backup restored into an empty database holds the same data."""

import os
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import dj_database_url
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from reports.freeze import round_snapshot_freeze
from tests.factories import (
    ConditionUpdateFactory,
    MeasureValueFactory,
    RiskUpdateFactory,
    RoundOverviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data():
    """A council with a return frozen twice (two submission hashes) and rows in most tables."""
    overview = RoundOverviewFactory(overall_narrative="Rounded £ and \u2018quotes\u2019 survive")
    round_ = overview.round
    ConditionUpdateFactory(round=round_)
    RiskUpdateFactory(round=round_)
    MeasureValueFactory(measure__council=round_.agreement.council)
    user = UserFactory()
    first = round_snapshot_freeze(round=round_, by=user)
    overview.overall_narrative = "Changed after the first freeze"
    overview.save()
    second = round_snapshot_freeze(round=round_, by=user)
    assert first.sha256 != second.sha256
    return round_


def _tables():
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    )


def _source_counts() -> dict:
    with connection.cursor() as cursor:
        counts = {}
        for table in _tables():
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our table names
            counts[table] = cursor.fetchone()[0]
    return counts


def _source_hashes() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, sha256 FROM reports_roundsnapshot ORDER BY id")
        return cursor.fetchall()


def _read_target(execute) -> tuple[dict, list]:
    counts = {
        table: execute(f'SELECT count(*) FROM "{table}"')[0][0]  # noqa: S608
        for table in _tables()
    }
    hashes = [
        tuple(row) for row in execute("SELECT id, sha256 FROM reports_roundsnapshot ORDER BY id")
    ]
    return counts, hashes


def _backup(tmp_path) -> Path:
    call_command("backup_db", output=str(tmp_path / "backups"), verbosity=0)
    (backup,) = (tmp_path / "backups").iterdir()
    assert oct(backup.stat().st_mode & 0o777) == "0o600", "a backup holds personal data"
    return backup


@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs in the SQLite test run")
def test_sqlite_backup_restores_into_an_empty_database_with_the_same_rows(data, tmp_path):
    expected_counts, expected_hashes = _source_counts(), _source_hashes()
    assert expected_counts["reports_roundsnapshot"] == 2
    backup = _backup(tmp_path)
    assert backup.read_bytes().startswith(b"SQLite format 3\x00")

    target = tmp_path / "restored.sqlite3"
    call_command("restore_db", str(backup), database_url=f"sqlite:///{target}", verbosity=0)

    with closing(sqlite3.connect(target)) as restored:
        counts, hashes = _read_target(lambda sql: restored.execute(sql).fetchall())
    assert counts == expected_counts
    assert hashes == expected_hashes


@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs in the SQLite test run")
def test_sqlite_restore_refuses_a_database_that_is_not_empty(data, tmp_path):
    backup = _backup(tmp_path)
    target = tmp_path / "restored.sqlite3"
    call_command("restore_db", str(backup), database_url=f"sqlite:///{target}", verbosity=0)
    before = target.read_bytes()
    with pytest.raises(CommandError, match="is not empty; nothing was changed"):
        call_command("restore_db", str(backup), database_url=f"sqlite:///{target}")
    assert target.read_bytes() == before
    # --replace overwrites it.
    call_command("restore_db", str(backup), database_url=f"sqlite:///{target}", replace=True)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.dump"
    bogus.write_text("not a backup")
    with pytest.raises(CommandError, match="neither a pg_dump -Fc archive nor an SQLite database"):
        call_command("restore_db", str(bogus), database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")


def test_restore_refuses_a_backup_of_the_other_kind(tmp_path):
    fake_pg = tmp_path / "x.dump"
    fake_pg.write_bytes(b"PGDMP" + b"\x00" * 64)
    with pytest.raises(CommandError, match="postgresql backup but the target database is sqlite"):
        call_command("restore_db", str(fake_pg), database_url=f"sqlite:///{tmp_path / 'y.sqlite3'}")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL test run")
def test_postgres_backup_restores_into_an_empty_database_with_the_same_rows(data, tmp_path):
    import psycopg

    expected_counts, expected_hashes = _source_counts(), _source_hashes()
    backup = _backup(tmp_path)
    assert backup.read_bytes().startswith(b"PGDMP")

    settings_dict = connection.settings_dict
    name = f"svmonitor_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
        call_command("restore_db", str(backup), database_url=url, verbosity=0)
        target = dj_database_url.parse(url)
        params = {
            "dbname": name,
            "host": target["HOST"],
            "port": target["PORT"],
            "user": target["USER"] or settings_dict["USER"],
        }
        if target.get("PASSWORD"):
            params["password"] = target["PASSWORD"]
        with psycopg.connect(**params) as restored:
            counts, hashes = _read_target(lambda sql: restored.execute(sql).fetchall())
        assert counts == expected_counts
        assert hashes == expected_hashes
        with pytest.raises(CommandError, match="is not empty; nothing was changed"):
            call_command("restore_db", str(backup), database_url=url)
        call_command("restore_db", str(backup), database_url=url, replace=True, verbosity=0)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
