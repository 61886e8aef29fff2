"""manage.py build_docx_template: write the default Word template of the DfE report."""

from pathlib import Path

from django.core.management.base import BaseCommand

from reports.docx.template import DEFAULT_TEMPLATE, docx_template_build


class Command(BaseCommand):
    help = (
        "Write the default Word template of the DfE report (reports/docx/templates/report.docx), "
        "byte for byte the same each time; -o writes a copy elsewhere for a council to restyle."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default=str(DEFAULT_TEMPLATE), help="Where to write.")

    def handle(self, *args, **options):
        output = Path(options["output"])
        output.write_bytes(docx_template_build())
        self.stdout.write(f"Wrote {output}")
