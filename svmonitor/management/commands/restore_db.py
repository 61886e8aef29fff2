"""manage.py restore_db: restore a backup_db file into an empty database, or any with --replace."""

from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from svmonitor.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_db. The target is the configured database, or "
        "--database-url. It must be empty unless --replace is given; a failed restore changes "
        "nothing. Stop the application before replacing a live database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file (.dump or .sqlite3).")
        parser.add_argument("--database", default="default", help="The DATABASES alias.")
        parser.add_argument(
            "--database-url", help="Restore into this database instead (e.g. a fresh one)."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite a database that already has tables.",
        )

    def handle(self, *args, **options):
        if options["database_url"]:
            target = dj_database_url.parse(options["database_url"])
        else:
            target = connections[options["database"]].settings_dict
            # Our own open connection must not hold locks on what is being replaced.
            connections[options["database"]].close()
        path = Path(options["path"])
        try:
            kind = database_restore(path=path, target=target, replace=options["replace"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path} into {kind} database {target['NAME']}")
