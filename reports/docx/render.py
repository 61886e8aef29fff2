"""The DfE monitoring report as a Word document, written into the council's template.

It shows what the PDF shows, from the same context (reports.pdf.render.report_context, itself
built from the one snapshot reports.pdf.selectors chooses: the frozen payload of a ready,
signed-off or submitted round, live data for a draft), in the same sections: the overview with
its sign-offs, each condition with its assurance level at each update, its progress update and
its key-measure tables, the RAG definitions, the key measures, the risk register and the High
Needs Block forecast. Charts are not drawn: every PDF chart's figures are in a table, and those
tables are here.

Accessibility: headings are Word's heading styles, every table's first row is marked as a
header row that repeats on each page, and a RAG is its word in a shaded cell (white on the
PDF's colours, which meet WCAG AA contrast), never colour alone.
"""

from __future__ import annotations

import io
import logging
import re

from django.utils import timezone

from reports.docx.template import (
    DEFAULT_TEMPLATE,
    NOTICE_STYLE,
    SMALL_STYLE,
    TABLE_STYLE,
    DocxTemplate,
    DocxTemplateError,
    docx_template_for,
    docx_template_open,
)
from reports.docx.writing import (
    DocxWriter,
    docx_body_clear,
    docx_draft_marks,
    docx_properties_set,
    table_header_row_mark,
)
from reports.pdf.render import report_context
from reports.pdf.selectors import ReportSource

logger = logging.getLogger(__name__)

# The PDF's RAG fills (static/css/pdf.css), each carrying white text.
RAG_FILLS = {
    "rag--blue": "1D70B8",
    "rag--green": "00703C",
    "rag--amber-green": "5D7A16",
    "rag--amber": "A86500",
    "rag--amber-red": "C4461C",
    "rag--red": "942514",
}
NO_UPDATE = "No update"
CHARTS_NOTE = "The charts of the PDF report are not repeated here: their figures are in the tables."


def report_docx(source: ReportSource, *, strict: bool = False) -> bytes:
    """The report as .docx bytes, in the council's template (or the default one).

    A council template that cannot be used raises DocxTemplateError when `strict` (the export
    command, so whoever installs a template sees why); the web view logs the error and writes
    the report in the default template, so officers still get their document.
    """
    from docx.shared import RGBColor

    context = report_context(source)
    snap = source.snapshot
    template = docx_template_for(snap.council.slug)
    try:
        document = docx_template_open(template)
    except DocxTemplateError:
        if strict or not template.is_council_own:
            raise
        logger.exception("Word template of %s unusable; using the default", snap.council.slug)
        document = docx_template_open(DocxTemplate(DEFAULT_TEMPLATE, False))
    writer = _Writer(document, RGBColor)
    docx_body_clear(document)
    _properties(document, context)
    if context["is_draft"]:
        writer.draft_marks(snap)
    _overview(writer, context)
    _detailed_update(writer, context)
    _key_measures(writer, context)
    _further_measures(writer, context)
    _risks(writer, context)
    _finance(writer, context)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _properties(document, context) -> None:
    snap = context["snap"]
    docx_properties_set(
        document,
        title=f"Safety Valve monitoring report: {snap.council.name}, {snap.round.label}"
        + (" (DRAFT)" if context["is_draft"] else ""),
        subject="DfE Safety Valve monitoring report",
        author=snap.council.name,
    )


class _Writer(DocxWriter):
    """Paragraphs and tables in the template's styles, RAGs on the PDF's colours."""

    def __init__(self, document, rgb):
        super().__init__(document)
        self.rgb = rgb

    def draft_marks(self, snap) -> None:
        """DRAFT at the top and bottom of every page and as the first paragraph."""
        docx_draft_marks(self.document, "DRAFT: not signed off. Do not send to DfE.")
        if snap.round.status == "ready":
            why = (
                ": it has not been signed off by both the S151 officer and the director of "
                "children's services"
            )
        else:
            why = " and may still change"
        self.paragraph(
            f"DRAFT. This return is {snap.round.status_label.lower()}{why}. Do not send it to DfE.",
            style=NOTICE_STYLE,
        )

    # --- text -----------------------------------------------------------------------------

    def heading(self, text: str, level: int):
        """A paragraph in Word's "Heading <level>" style."""
        return self.paragraph(text, style=f"Heading {level}")

    def text(self, text: str, *, into=None, empty: str = "") -> None:
        """Text as the PDF's |linebreaks: a paragraph per blank-line block, line breaks kept."""
        target = into if into is not None else self.document
        blocks = [b for b in re.split(r"\n\s*\n", (text or "").strip()) if b.strip()]
        if not blocks:
            if empty:
                self.paragraph(empty, into=target)
            return
        for block in blocks:
            self.lines(block.strip(), into=target)

    def bullets(self, items, *, into=None) -> None:
        for item in items:
            self.paragraph(item, style="List Bullet", into=into)

    def numbered_notes(self, notes) -> None:
        """A table's footnotes, numbered as the cells' marks ("42¹")."""
        for number, note in enumerate(notes, start=1):
            self.paragraph(f"{number}. {note}", style=SMALL_STYLE)

    # --- tables ---------------------------------------------------------------------------

    def table(self, header, *, shares=None):
        """A table with its header row marked to repeat on every page it runs onto; `shares`
        are the columns' parts of the page width."""
        table = self.document.add_table(rows=1, cols=len(header))
        table._tbl.tblStyle_val = self.style_ids[TABLE_STYLE]
        table.autofit = shares is None
        row = table.rows[0]
        table_header_row_mark(row)
        for cell, text in zip(row.cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        if shares:
            table.sv_shares = shares  # for the rows added later
            # The grid's widths (LibreOffice reads these) and each cell's (Word reads those).
            total = sum(shares)
            for column, share in zip(table.columns, shares, strict=True):
                column.width = int(self.width * share / total)
            self._widths(row, shares)
        return table

    def row(self, table, values=(), *, first_bold: bool = False):
        row = table.add_row()
        for i, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
            if value is None:
                continue
            cell.text = ""
            cell.paragraphs[0].add_run(str(value)).bold = first_bold and i == 0
        shares = getattr(table, "sv_shares", None)
        if shares:
            self._widths(row, shares)
        return row

    def _widths(self, row, shares) -> None:
        total = sum(shares)
        for cell, share in zip(row.cells, shares, strict=True):
            cell.width = int(self.width * share / total)

    def rag(self, cell, rating) -> None:
        """A RAG as the PDF prints it: the DfE word on the DfE colour, the council's own word
        beside it when it differs; "No update" unshaded when there is none."""
        cell.text = ""
        paragraph = cell.paragraphs[0]
        if rating is None:
            paragraph.add_run(NO_UPDATE)
            return
        fill = RAG_FILLS.get(rating.dfe_css)
        word = paragraph.add_run(rating.dfe_label)
        word.bold = True
        runs = [word]
        if rating.label != rating.dfe_label:
            runs.append(paragraph.add_run(f" ({rating.label})"))
        if fill:
            _shade(cell, fill)
            for run in runs:
                run.font.color.rgb = self.rgb(0xFF, 0xFF, 0xFF)

    def own_rag(self, cell, rating, *, dfe: bool) -> None:
        """A RAG definition's word on its own colour (the council's level, or the DfE one)."""
        cell.text = ""
        run = cell.paragraphs[0].add_run(rating.dfe_label if dfe else rating.label)
        run.bold = True
        fill = RAG_FILLS.get(rating.dfe_css if dfe else rating.css)
        if fill:
            _shade(cell, fill)
            run.font.color.rgb = self.rgb(0xFF, 0xFF, 0xFF)


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _date(day) -> str:
    return f"{day:%-d %B %Y}" if day else ""


# --- the sections ---------------------------------------------------------------------------


def _overview(w: _Writer, context) -> None:
    snap, source = context["snap"], context["source"]
    w.paragraph("Safety Valve monitoring report", style="Title")
    w.paragraph(f"{snap.council.name}, {snap.round.label}", style="Subtitle")
    if snap.round.is_imported:
        w.paragraph(
            f"{snap.round.origin_label}. svmonitor holds this return as the council submitted "
            "it and recorded no sign-off of its own.",
            bold=True,
        )
    if source.frozen:
        how = "imported" if snap.round.is_imported else "for sign-off"
        note = (
            f"Built from the return as frozen {how} on "
            f"{timezone.localtime(source.frozen_at):%-d %B %Y, %H:%M} (SHA-256 {source.sha256})."
        )
    else:
        note = f"Built from live data on {context['rendered_at']:%-d %B %Y, %H:%M}."
    w.paragraph(
        note + " An editable copy: the signed PDF is the record of what was sent to DfE.",
        style=SMALL_STYLE,
    )

    w.heading("SAFETY VALVE PROGRAMME OVERVIEW", 1).paragraph_format.page_break_before = False
    table = w.table(
        (
            "LA name",
            "Date report submitted",
            "Signed off by S151 officer and director of children's services",
            "Name and email address of key personnel",
        ),
        shares=(15, 15, 30, 40),
    )
    row = w.row(table)
    name, submitted, signed, people = row.cells
    name.text = snap.council.name
    if snap.council.dfe_la_number:
        w.paragraph(f"LA number {snap.council.dfe_la_number}", into=name)
    if snap.round.submitted_on:
        submitted.text = _date(snap.round.submitted_on) + (
            " (before svmonitor)" if snap.round.is_imported else ""
        )
    else:
        submitted.text = f"Not yet submitted ({snap.round.status_label.lower()})"
    signed.text = ""
    lines = []
    if snap.round.is_imported:
        for capacity, sign_off in context["council_sign_off_rows"]:
            if sign_off:
                said = "signed off" + (f" by {sign_off.name}" if sign_off.name else "")
                said += f" on {_date(sign_off.signed_on)}" if sign_off.signed_on else ""
                said += ", as recorded by the council"
            else:
                said = "sign-off not recorded in svmonitor"
            lines.append((capacity, said))
    else:
        for capacity, sign_off in context["sign_off_rows"]:
            said = (
                f"signed off by {sign_off.signed_by} on {_date(sign_off.signed_at)}"
                if sign_off
                else "not signed off"
            )
            lines.append((capacity, said))
    for i, (capacity, said) in enumerate(lines):
        paragraph = signed.paragraphs[0] if i == 0 else signed.add_paragraph()
        paragraph.add_run(f"{capacity}:").bold = True
        paragraph.add_run(f" {said}")
    people.text = ""
    if snap.contacts:
        for i, c in enumerate(snap.contacts):
            who = c.name or c.job_title
            if c.name and c.job_title and c.job_title != c.name:
                who += f", {c.job_title}"
            if c.email:
                who += f" ({c.email})"
            paragraph = people.paragraphs[0] if i == 0 else people.add_paragraph()
            paragraph.add_run(f"{c.role_label}:").bold = True
            paragraph.add_run(f" {who}")
    else:
        people.text = "No key personnel recorded."
    meta = (
        f"Agreement: {snap.agreement.title}, signed {_date(snap.agreement.date_signed)}, "
        f"{snap.agreement.period_label}."
    )
    if snap.tier:
        meta += f" {snap.tier.label} since {_date(snap.tier.effective_from)}."
    w.paragraph(meta + f" Data as at {snap.round.as_at_label}.", style=SMALL_STYLE)

    table = w.table(
        ("Is your LA's Safety Valve plan on track?", "Yes/No", "Commentary"), shares=(30, 8, 62)
    )
    for question, answer, commentary in context["on_track"]:
        row = w.row(table, (question, answer), first_bold=True)
        row.cells[1].paragraphs[0].runs[0].bold = True
        row.cells[2].text = ""
        _cell_text(w, row.cells[2], commentary)

    w.heading("Programme headlines", 2)
    for question, items in context["headlines_by_kind"]:
        w.paragraph(f"{question} (up to 3):", bold=True)
        if items:
            w.bullets(items)
        else:
            w.paragraph("None given this quarter.")

    w.heading("SEND adviser support", 2)
    table = w.table(
        (
            "Would you like support from either of our SEND advisers (early years / inclusion) "
            "in the delivery of your Safety Valve plan?",
            "Yes/No",
            "Which area, and what support would help",
        ),
        shares=(30, 8, 62),
    )
    row = w.row(table, ("Request for SEND adviser support", context["adviser_support"]))
    row.cells[1].paragraphs[0].runs[0].bold = True
    detail = snap.overview.adviser_support_detail
    if not detail:
        detail = (
            "No request made."
            if snap.overview.adviser_support_requested == "no"
            else "The council has not answered this question."
        )
    row.cells[2].text = ""
    _cell_text(w, row.cells[2], detail)


def _cell_text(w: _Writer, cell, text: str) -> None:
    """Narrative in a cell: its first paragraph in the cell's own, the rest after it."""
    w.text(text, into=cell)
    first = cell.paragraphs[0]
    if not first.text and len(cell.paragraphs) > 1:
        first._p.getparent().remove(first._p)


def _ratings_table(w: _Writer, name: str, ratings) -> None:
    table = w.table(("Assurance level", *(label for label, _ in ratings)), shares=(25, 25, 25, 25))
    row = w.row(table, (name,), first_bold=True)
    for cell, (_, rating) in zip(row.cells[1:], ratings, strict=True):
        w.rag(cell, rating)


def _detailed_update(w: _Writer, context) -> None:
    w.heading("SAFETY VALVE PROGRAMME DETAILED UPDATE", 1)
    if not context["conditions"]:
        w.paragraph("No agreement conditions are in force for this round.")
    for block in context["conditions"]:
        c = block.condition
        w.heading(f"Condition {c.label}: {c.title}", 2)
        if c.wording:
            w.text(c.wording)
        _ratings_table(w, f"Condition {c.label}", block.ratings)
        w.heading("Progress update from this quarter", 3)
        w.text(c.narrative, empty="No progress update was written for this round.")
        for mb in block.measures:
            _measure_block(w, mb)
        if block.grid:
            count = len(block.grid.measures)
            w.paragraph(
                f"{count} key measure{'s' if count != 1 else ''}: see Key measures, "
                f"{block.grid.group.heading}."
            )
    w.heading("RAG definitions", 2)
    table = w.table(("RAG", "Definition", "Reported to DfE as"), shares=(22, 64, 14))
    for d in context["rag_definitions"]:
        row = w.row(table, (None, d["definition"]))
        w.own_rag(row.cells[0], d["rating"], dfe=False)
        w.own_rag(row.cells[2], d["rating"], dfe=True)


def _measure_block(w: _Writer, mb) -> None:
    """A key measure in the "series" layout: its table, notes and source, or why none."""
    if mb.missing:
        paragraph = w.paragraph(f"{mb.title}:", bold=True)
        paragraph.add_run(f" {mb.missing}")
        return
    w.paragraph(mb.caption, style="Caption")
    periods = mb.table.periods
    table = w.table((mb.measure.name, *periods), shares=(3, *(1,) * len(periods)))
    for name, values in mb.table.rows:
        w.row(table, (name, *values), first_bold=True)
    w.numbered_notes(mb.table.footnotes)
    w.paragraph(_source(mb.measure), style=SMALL_STYLE)


def _source(measure) -> str:
    refreshed = f", refreshed {_date(measure.source_refreshed)}" if measure.source_refreshed else ""
    return f"Source: {measure.source_name}{refreshed}."


def _key_measures(w: _Writer, context) -> None:
    grids = context["measure_grids"]
    if not grids:
        return
    snap = context["snap"]
    months = snap.council.kpi_table_months
    w.heading("KEY MEASURES", 1)
    where = "" if snap.council.kpi_grouping == "conditions" else " or programme area"
    w.paragraph(
        f"Key measures with figures in {snap.round.fy}, month by month over the last {months} "
        f"month{'s' if months != 1 else ''}, under the condition{where} they belong to."
    )
    for g in grids:
        w.heading(g.group.heading, 2)
        w.paragraph(g.caption, style="Caption")
        header = ["Measure", *(["Series"] if g.series_column else []), *g.months]
        shares = (4, *((2,) if g.series_column else ()), *(1.2,) * len(g.months))
        table = w.table(header, shares=shares)
        for body in g.bodies:
            first_row = None
            for row_data in body:
                row = w.row(table)
                if row_data.first:
                    first_row = row
                    row.cells[0].text = ""
                    row.cells[0].paragraphs[0].add_run(row_data.title).bold = True
                elif first_row is not None:
                    first_row.cells[0].merge(row.cells[0])
                start = 2 if g.series_column else 1
                if row_data.words:
                    merged = row.cells[1].merge(row.cells[-1])
                    merged.text = row_data.words
                    continue
                if g.series_column:
                    row.cells[1].text = row_data.series
                for cell, value in zip(row.cells[start:], row_data.cells, strict=True):
                    cell.text = value
        w.numbered_notes(g.footnotes)
        gaps = f"{context['no_figure']} no figure reported for the month. " if g.has_gaps else ""
        plural = "s" if len(g.sources) != 1 else ""
        w.paragraph(f"{gaps}Source{plural}: {'; '.join(g.sources)}.", style=SMALL_STYLE)


def _further_measures(w: _Writer, context) -> None:
    further = context["further_measures"]
    if not further:
        return
    snap = context["snap"]
    w.heading("FURTHER KEY MEASURES", 1)
    w.paragraph(
        f"Key measures with figures in {snap.round.fy} that are not shown under an agreement "
        "condition above."
    )
    for block in further:
        w.heading(block.group.heading, 2)
        for mb in block.measures:
            _measure_block(w, mb)


def _risks(w: _Writer, context) -> None:
    snap = context["snap"]
    w.heading("SAFETY VALVE PROGRAMME RISK REGISTER", 1)
    risks = context["risks"]
    if not risks:
        left_out = context["risks_left_out"]
        if left_out:
            w.paragraph(
                f"No risk is in this report: the council keeps its {left_out} open "
                f"risk{'s' if left_out != 1 else ''} to its board's dashboard this round."
            )
        else:
            w.paragraph("No open risks are recorded.")
        return
    labels = [label for label, _ in risks[0].ratings]
    table = w.table(
        ("Risk", *labels, "Mitigation", "Progress update from this quarter"),
        shares=(20, *([10] * len(labels)), 22, 28),
    )
    for block in risks:
        r = block.risk
        row = w.row(table)
        cell = row.cells[0]
        cell.text = ""
        cell.paragraphs[0].add_run(f"Risk {r.number}: {r.title}").bold = True
        detail = ""
        if snap.council.risks_scored:
            detail = (
                f"Score {r.score} (impact {r.impact} \u00d7 likelihood {r.likelihood})"
                if r.score is not None
                else "Not scored"
            )
            if r.owner_role:
                detail += f". Owner: {r.owner_role}"
        elif r.is_key or r.owner_role:
            parts = (["Key risk"] if r.is_key else []) + (
                [f"Owner: {r.owner_role}"] if r.owner_role else []
            )
            detail = ". ".join(parts)
        if detail:
            w.paragraph(detail, style=SMALL_STYLE, into=cell)
        for rag_cell, (_, rating) in zip(row.cells[1:], block.ratings, strict=False):
            w.rag(rag_cell, rating)
        mitigation, progress = row.cells[-2], row.cells[-1]
        mitigation.text = ""
        _cell_text(w, mitigation, r.mitigation or "None recorded.")
        progress.text = ""
        _cell_text(w, progress, r.narrative or "No progress update was written for this round.")


def _finance(w: _Writer, context) -> None:
    snap = context["snap"]
    w.heading("HIGH NEEDS BLOCK FORECAST BY FINANCIAL YEAR", 1)
    rows = context["finance_rows"]
    if not rows:
        w.paragraph("No High Needs Block figures are recorded.")
        return
    if snap.finance_reflects:
        paragraph = w.paragraph("The latest forecast reflects: ")
        paragraph.add_run(snap.finance_reflects).bold = True
        paragraph.add_run(".")
    w.paragraph(
        "High Needs Block in-year and cumulative position by financial year (£m; an in-year "
        "deficit is negative)",
        style="Caption",
    )
    table = w.table(
        (
            "Financial year",
            "In-year: agreement profile",
            "In-year: latest forecast",
            "Cumulative deficit: agreement profile",
            "Cumulative deficit: latest forecast",
            "Deficit cap",
            "Latest against cap",
        )
    )
    for row in rows:
        cells = w.row(
            table,
            (
                row.fy,
                row.agreement_in_year,
                row.latest_in_year,
                row.agreement_cumulative,
                row.latest_cumulative,
                row.cap,
                row.against_cap,
            ),
            first_bold=True,
        ).cells
        if row.is_over_cap:
            cells[-1].paragraphs[0].runs[0].bold = True
    w.paragraph(CHARTS_NOTE, style=SMALL_STYLE)
