"""Write a council's workbook (or the empty template) to an .xlsx file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from svmonitor.models import LocalAuthority
from workbook.exporter import workbook_export


class Command(BaseCommand):
    help = (
        "Export everything held for a council as the svmonitor workbook format "
        "(docs/import-formats.md); --template writes the blank template instead (instructions and "
        "one example row a sheet; no council's data, so the slug may be left out)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="The council's slug")
        parser.add_argument("-o", "--output", required=True, help="The .xlsx file to write")
        parser.add_argument("--template", action="store_true", help="The blank template")

    def handle(self, *args, **options):
        output = Path(options["output"])
        if options["template"]:
            data = workbook_export(council=None, template=True)
            output.write_bytes(data)
            if options["verbosity"]:
                self.stdout.write(f"Wrote the template to {output} ({len(data)} bytes)")
            return
        council = LocalAuthority.objects.filter(slug=options["slug"] or "").first()
        if council is None:
            raise CommandError(f"No council with slug {options['slug']!r}.")
        data = workbook_export(council=council)
        output.write_bytes(data)
        if options["verbosity"]:
            self.stdout.write(
                f"Wrote the workbook for {council.name} to {output} ({len(data)} bytes)"
            )
