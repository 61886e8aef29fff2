"""manage.py send_reminders: e-mail today's reminders about returns (run daily; docs/deploy.md)."""

import datetime as dt

from django.conf import settings
from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError

from svmonitor.due import today
from svmonitor.jobs import job_request
from svmonitor.reminders import REMINDERS, reminder_send, reminders_owed

NO_SITE_URL = (
    "Set SITE_URL to the address people open svmonitor at (e.g. https://svmonitor.example.gov.uk):"
    " the reminders link to the return."
)


def _count(n: int) -> str:
    return f"{n} reminder" if n == 1 else f"{n} reminders"


class Command(BaseCommand):
    help = (
        "E-mail the reminders owed today: the council's team 14 and 3 days before a draft "
        "return is due and when it is overdue, the S151 officer and DCS when a return is ready "
        "for their sign-off, the finance lead when both have signed. Each reminder goes once "
        "per user and return (safe to run twice); users who switched reminders off get none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, help="Count days from this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent; send nothing."
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the run as a background job for a worker (db_worker) and return at once.",
        )

    def handle(self, *args, **options):
        if not settings.SITE_URL:
            raise CommandError(NO_SITE_URL)
        on = options["date"] or today()
        if options["queue"]:
            job = job_request(kind=REMINDERS, by=None, params={"on": on.isoformat()})
            self.stdout.write(f"Queued the reminders of {on:%-d %B %Y} as job {job.pk}.")
            return
        owed = reminders_owed(on=on)
        if options["dry_run"]:
            for reminder in owed:
                self.stdout.write(self._line("Would send", reminder))
            self.stdout.write(f"{_count(len(owed))} owed on {on:%-d %B %Y}; none sent (dry run).")
            return
        sent = skipped = 0
        failed = []
        # One connection object; each send opens and closes it, so a refused or dropped
        # connection fails that reminder only (its claim is given back for the next run).
        connection = get_connection()
        for reminder in owed:
            try:
                if reminder_send(reminder, on=on, connection=connection):
                    sent += 1
                    if options["verbosity"] >= 2:
                        self.stdout.write(self._line("Sent", reminder))
                else:
                    skipped += 1
            except Exception as exc:  # noqa: BLE001 - report every failure, then fail
                failed.append(f"{self._line('Not sent', reminder)}: {exc}")
        self.stdout.write(
            f"Sent {_count(sent)} on {on:%-d %B %Y}"
            + (f"; {skipped} already sent by another run" if skipped else "")
            + "."
        )
        if failed:
            for line in failed:
                self.stderr.write(line)
            raise CommandError(
                f"{_count(len(failed))} could not be sent; the next run tries again."
            )

    @staticmethod
    def _line(verb: str, reminder) -> str:
        return (
            f"{verb} {reminder.kind} to {reminder.user.get_username()} <{reminder.user.email}> "
            f"about {reminder.council.name} {reminder.round.label}"
        )
