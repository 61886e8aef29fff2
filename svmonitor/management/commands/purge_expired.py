"""Delete what svmonitor keeps only for a while, once past its age (svmonitor/housekeeping.py)."""

from django.core.management.base import BaseCommand

from svmonitor.housekeeping import IMPORT_MAX_AGE, expired_purge


class Command(BaseCommand):
    help = (
        "Delete abandoned workbook uploads (previews never confirmed, older than "
        f"{int(IMPORT_MAX_AGE.total_seconds() // 3600)} hours), forms kept after a session "
        "ended past their expiry, expired sessions, failed sign-in records past the lockout "
        "cool-off, and background jobs (with their files) finished a week ago and not kept to be "
        "served again. Records one audit event with the counts. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        counts = expired_purge(dry_run=dry_run)
        if not options["verbosity"]:
            return
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {counts.import_previews} abandoned workbook upload(s).")
        self.stdout.write(f"{verb} {counts.pending_submissions} expired kept form(s).")
        self.stdout.write(f"{verb} {counts.sessions} expired session(s).")
        self.stdout.write(f"{verb} {counts.sign_in_attempts} old failed sign-in record(s).")
        self.stdout.write(f"{verb} {counts.finished_jobs} finished background job(s).")
