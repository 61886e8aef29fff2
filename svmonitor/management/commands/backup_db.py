"""manage.py backup_db: a consistent backup of the live database (see docs/deploy.md)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from svmonitor.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Back up the database: pg_dump -Fc for PostgreSQL, SQLite's online backup API for "
        "SQLite. Safe while the application runs. Writes into BACKUP_DIR (default backups/)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="A file, or a directory for a time-stamped file (default: $BACKUP_DIR, backups/).",
        )
        parser.add_argument("--database", default="default", help="The DATABASES alias.")

    def handle(self, *args, **options):
        output = Path(
            options["output"] or os.environ.get("BACKUP_DIR") or settings.BASE_DIR / "backups"
        )
        if not output.suffix:
            output.mkdir(parents=True, exist_ok=True)
        try:
            result = database_backup(alias=options["database"], output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up to {result.path} ({result.size:,} bytes)")
        if options["verbosity"] >= 1:
            self.stdout.write(f"SHA-256 {result.sha256}")
