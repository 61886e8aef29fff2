"""Delete forms kept after an ended session once they have expired (svmonitor/pending.py)."""

from django.core.management.base import BaseCommand

from svmonitor.pending import pending_purge


class Command(BaseCommand):
    help = (
        "Delete kept form submissions (posted after a session ended) past their expiry. "
        "Expired ones are also deleted whenever a new one is kept; run this daily to be sure."
    )

    def handle(self, *args, **options):
        deleted = pending_purge()
        if options["verbosity"]:
            self.stdout.write(f"Deleted {deleted} expired kept submission(s).")
