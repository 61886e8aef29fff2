"""`manage.py build_demo_workbook`: write fixtures/demo-eastmoor.xlsx, the third demo council."""

from pathlib import Path

from django.core.management.base import BaseCommand

from demo.data.eastmoor import WORKBOOK_PATH, eastmoor_workbook_write


class Command(BaseCommand):
    help = (
        "Write the Eastmoor demo workbook (fixtures/demo-eastmoor.xlsx) from "
        "demo/data/eastmoor.py. load_demo imports that file through the workbook import, "
        "as a council's upload would."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", default=str(WORKBOOK_PATH), help="Where to write the .xlsx"
        )

    def handle(self, *args, **options):
        path = eastmoor_workbook_write(Path(options["output"]))
        if options["verbosity"]:
            self.stdout.write(f"Wrote {path}")
