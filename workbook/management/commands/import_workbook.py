"""Import a council's workbook from an .xlsx file, or check it with --dry-run."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from workbook.importer import workbook_import
from workbook.safety import WorkbookRefused


class Command(BaseCommand):
    help = (
        "Import an svmonitor workbook for a council (created from the Council sheet if new). "
        "All or nothing: every bad cell is listed and nothing is written. "
        "It acts as --user, meeting that user's roles as the browser does. "
        "--dry-run shows what would be created, changed and left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The council's slug")
        parser.add_argument("file", help="The .xlsx workbook")
        parser.add_argument("--dry-run", action="store_true", help="Check and report only")
        parser.add_argument(
            "--user",
            help=(
                "The username the import acts as (required unless --dry-run): each row is "
                "written with that user's roles, and the history names them."
            ),
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}.")
        elif not options["dry_run"]:
            raise CommandError("Give --user: the import acts as a named user, with their roles.")
        try:
            result = workbook_import(
                file=path,
                council_slug=options["slug"],
                dry_run=options["dry_run"],
                by=user,
                filename=path.name,
            )
        except WorkbookRefused as refusal:
            raise CommandError(f"Refused: {refusal}") from refusal
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            if result.errors.hidden:
                self.stderr.write(f"... and {result.errors.hidden:,} more problem(s).")
            least = "at least " if result.errors.stopped else ""
            raise CommandError(
                f"{least}{result.errors.total:,} problem(s) found; nothing was written."
            )
        verb = "Would import" if options["dry_run"] else "Imported"
        if options["verbosity"]:
            for sheet in result.sheets:
                self.stdout.write(
                    f"{sheet.name}: {sheet.created} new, {sheet.changed} changed, "
                    f"{sheet.unchanged} unchanged"
                )
            if options["verbosity"] > 1:
                for notation in result.rag_notations():
                    self.stdout.write(
                        f"RAG {notation['written']!r} read as {notation['level']} "
                        f"({notation['count']} cells)"
                    )
            for note in result.notes:
                self.stdout.write(note)
        totals = result.totals
        self.stdout.write(
            f"{verb} {totals['created']} new and {totals['changed']} changed rows "
            f"({totals['unchanged']} unchanged) for {options['slug']}"
            + (" (council created)" if result.council_created else "")
        )
