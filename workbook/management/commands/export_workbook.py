"""Write a council's workbook (or the empty template) to an .xlsx file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from svmonitor.models import LocalAuthority
from workbook.exporter import workbook_export


class Command(BaseCommand):
    help = (
        "Export everything held for a council as the svmonitor workbook format "
        "(docs/import-formats.md); --template writes only the headers and the council row."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The council's slug")
        parser.add_argument("-o", "--output", required=True, help="The .xlsx file to write")
        parser.add_argument("--template", action="store_true", help="Headers only")

    def handle(self, *args, **options):
        council = LocalAuthority.objects.filter(slug=options["slug"]).first()
        if council is None:
            raise CommandError(f"No council with slug {options['slug']!r}.")
        data = workbook_export(council=council, template=options["template"])
        output = Path(options["output"])
        output.write_bytes(data)
        if options["verbosity"]:
            kind = "template" if options["template"] else "workbook"
            self.stdout.write(
                f"Wrote the {kind} for {council.name} to {output} ({len(data)} bytes)"
            )
