"""manage.py export_report: a round's DfE monitoring report (or board pack) as a PDF file, or
the report as an editable Word document (--format docx, or an output file ending .docx); with
--dsg, a DSG plan round's plan or Schools Forum paper (reports/dsg/command.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.docx.produce import report_docx_produce
from reports.docx.template import DocxTemplateError
from reports.dsg.command import dsg_export
from reports.models import ReportFile
from reports.pdf.produce import report_pdf_produce
from svmonitor.fy import fy_parse
from svmonitor.models import LocalAuthority, ReportingRound


class Command(BaseCommand):
    help = (
        "Write a round's DfE Safety Valve monitoring report as PDF, e.g. "
        "`export_report wiltshire 2024-25 3 -o report.pdf`. A signed-off round is built from "
        "its frozen snapshot (and stored with its SHA-256); a draft says DRAFT on every page. "
        "`-o report.docx` (or --format docx) writes the report as an editable Word document "
        "from the same snapshot; the signed PDF stays the record of what was sent. "
        "`--dsg plan` or `--dsg schools-forum` writes a DSG plan round's plan or Schools Forum "
        "paper instead (n: the term)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The council's slug, as in its URLs.")
        parser.add_argument("fy", help='The financial year, e.g. "2024-25".')
        parser.add_argument("n", type=int, choices=[1, 2, 3], help="The update: 1, 2 or 3.")
        parser.add_argument(
            "-o", "--output", required=True, help="The file to write (.pdf or .docx)."
        )
        parser.add_argument(
            "--format",
            choices=["pdf", "docx"],
            help="pdf or docx; by default the output file's extension says (else pdf).",
        )
        parser.add_argument(
            "--dsg",
            choices=["plan", "schools-forum"],
            help="Write a DSG plan round's plan or its Schools Forum paper (n: the term, "
            "1 summer, 2 autumn, 3 spring).",
        )
        parser.add_argument(
            "--board-pack",
            action="store_true",
            help="Write the board pack of the dashboard instead of the DfE report.",
        )

    def handle(self, *args, **options):
        council = LocalAuthority.objects.filter(slug=options["slug"]).first()
        if council is None:
            raise CommandError(f"No council has the slug {options['slug']!r}.")
        try:
            financial_year = fy_parse(options["fy"])
        except ValueError as error:
            raise CommandError(f"fy: {error}") from error
        if options["dsg"]:
            output = Path(options["output"])
            if not output.parent.is_dir():
                raise CommandError(f"-o: the folder {output.parent} does not exist.")
            dsg_export(
                self, council=council, financial_year=financial_year, options=options, output=output
            )
            return
        found = (
            ReportingRound.objects.safety_valve()
            .filter(
                agreement__council=council,
                financial_year=financial_year,
                update_number=options["n"],
            )
            .select_related("agreement__council")
            .order_by("-agreement__date_signed")
            .first()
        )
        if found is None:
            raise CommandError(
                f"{council.name} has no round {options['fy']} Update {options['n']}."
            )
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"-o: the folder {output.parent} does not exist.")
        fmt = options["format"] or ("docx" if output.suffix.lower() == ".docx" else "pdf")
        if fmt == "docx":
            if options["board_pack"]:
                raise CommandError("The board pack is a PDF only: leave out --board-pack.")
            self._write_docx(found, output, options["verbosity"])
            return
        kind = ReportFile.Kind.BOARD_PACK if options["board_pack"] else ReportFile.Kind.REPORT
        produced = report_pdf_produce(round=found, kind=kind, bounded=False)
        output.write_bytes(produced.content)
        self.stdout.write(f"Wrote {output} ({len(produced.content):,} bytes)")
        if options["verbosity"] >= 1:
            self.stdout.write(f"SHA-256 {produced.sha256}")
            if produced.source.frozen:
                self.stdout.write(f"From the frozen snapshot {produced.source.sha256}")
            else:
                self.stdout.write("From live data" + (": DRAFT" if produced.is_draft else ""))
            if produced.stored:
                self.stdout.write(f"Stored as {produced.stored.file.name}")

    def _write_docx(self, found, output, verbosity):
        try:
            produced = report_docx_produce(round=found, strict=True)
        except DocxTemplateError as error:
            raise CommandError(str(error)) from error
        output.write_bytes(produced.content)
        self.stdout.write(f"Wrote {output} ({len(produced.content):,} bytes)")
        if verbosity >= 1:
            self.stdout.write(f"SHA-256 {produced.sha256}")
            if produced.source.frozen:
                self.stdout.write(f"From the frozen snapshot {produced.source.sha256}")
            else:
                self.stdout.write("From live data" + (": DRAFT" if produced.is_draft else ""))
