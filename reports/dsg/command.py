"""`manage.py export_report <slug> <fy> <n> --dsg plan|schools-forum -o FILE`: a DSG round's
plan or Schools Forum paper, as PDF or .docx (by the output's extension or --format)."""

from __future__ import annotations

from django.core.management.base import CommandError

from reports.dsg.produce import DOCX, PDF, dsg_output_produce
from reports.dsg.render import PLAN, SCHOOLS_FORUM
from svmonitor.models import ReportingRound

DOCUMENTS = {"plan": PLAN, "schools-forum": SCHOOLS_FORUM}


def dsg_export(command, *, council, financial_year: int, options: dict, output) -> None:
    """Write the DSG output the options ask for, or raise CommandError."""
    found = (
        ReportingRound.objects.dsg_plan()
        .filter(
            agreement__council=council,
            financial_year=financial_year,
            update_number=options["n"],
        )
        .select_related("agreement__council")
        .first()
    )
    if found is None:
        raise CommandError(
            f"{council.name} has no DSG plan update {options['fy']} term {options['n']}."
        )
    if options.get("board_pack"):
        raise CommandError("--board-pack is the Safety Valve dashboard's: leave it out with --dsg.")
    fmt = options["format"] or (DOCX if output.suffix.lower() == ".docx" else PDF)
    produced = dsg_output_produce(
        round=found, document=DOCUMENTS[options["dsg"]], fmt=fmt, bounded=False
    )
    output.write_bytes(produced.content)
    command.stdout.write(f"Wrote {output} ({len(produced.content):,} bytes)")
    if options["verbosity"] >= 1:
        command.stdout.write(f"SHA-256 {produced.sha256}")
        if produced.source.frozen:
            command.stdout.write(f"From the frozen record {produced.source.sha256}")
        else:
            command.stdout.write("From live data" + (": DRAFT" if produced.is_draft else ""))
