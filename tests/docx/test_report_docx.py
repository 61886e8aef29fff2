"""The DfE monitoring report as Word: every condition, RAG word, risk and key figure the PDF
has, read back with python-docx, for a council shaped like Wiltshire (programme areas, scored
risks, a table per measure) and one imported like Eastmoor (12 conditions, RAG-only risks, a
13-month grid of KPIs)."""

from django.test import TestCase

from demo.data.eastmoor import WORKBOOK_PATH
from reports.docx.render import RAG_FILLS, report_docx
from reports.pdf.render import report_context
from reports.pdf.selectors import report_source_for_round
from svmonitor.models import ReportingRound
from tests.docx.conftest import (
    cell_text,
    document,
    fill,
    full_text,
    header_row_marked,
    headings,
    section,
)
from tests.factories import UserFactory
from tests.pdf.conftest import report_council
from workbook.importer import workbook_import

SECTIONS = (
    "SAFETY VALVE PROGRAMME OVERVIEW",
    "SAFETY VALVE PROGRAMME DETAILED UPDATE",
    "SAFETY VALVE PROGRAMME RISK REGISTER",
    "HIGH NEEDS BLOCK FORECAST BY FINANCIAL YEAR",
)


def _written(rating) -> str:
    word = rating.dfe_label
    return word if rating.label == rating.dfe_label else f"{word} ({rating.label})"


class _Rendered:
    """What a test reads: the snapshot, the PDF's context and the .docx read back."""

    def __init__(self, round):
        self.source = report_source_for_round(round=round)
        self.snap = self.source.snapshot
        self.context = report_context(self.source)
        self.content = report_docx(self.source)

    @property
    def doc(self):
        return document(self.content)


def _conditions_have_their_rags(snap, doc):
    for condition in snap.conditions:
        part = section(doc, f"Condition {condition.label}: {condition.title}")
        table = part.tables[0]
        assert header_row_marked(table)
        labels = [cell_text(c) for c in table.rows[0].cells[1:]]
        assert labels == list(snap.update_labels)
        for cell, rating in zip(table.rows[1].cells[1:], condition.by_update, strict=True):
            if rating is None:
                assert cell_text(cell) == "No update" and fill(cell) is None
            else:
                # The word is written, on the DfE level's colour.
                assert cell_text(cell) == _written(rating)
                assert fill(cell) == RAG_FILLS.get(rating.dfe_css)
        if condition.narrative:
            assert condition.narrative.split("\n")[0].strip() in part.text


def _risks_have_their_rags(snap, context, doc):
    register = section(doc, "SAFETY VALVE PROGRAMME RISK REGISTER").tables[0]
    assert header_row_marked(register)
    rows = {cell_text(row.cells[0]).split(" ", 2)[1].rstrip(":"): row for row in register.rows[1:]}
    assert len(context["risks"]) == len(register.rows) - 1 > 0
    for block in context["risks"]:
        risk = block.risk
        row = rows[str(risk.number)]
        assert cell_text(row.cells[0]).startswith(f"Risk {risk.number}: {risk.title}")
        for cell, (_, rating) in zip(row.cells[1:], block.ratings, strict=False):
            assert cell_text(cell) == (_written(rating) if rating else "No update")
            assert fill(cell) == (RAG_FILLS.get(rating.dfe_css) if rating else None)
        assert cell_text(row.cells[-2]) == " ".join((risk.mitigation or "None recorded.").split())


# --- a council shaped like Wiltshire --------------------------------------------------------


class TestAWiltshireLikeReport(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.r = _Rendered(report_council())

    def test_it_has_the_pdfs_sections_as_word_headings(self):
        snap, doc = self.r.snap, self.r.doc
        found = headings(doc)
        for heading in SECTIONS:
            assert (1, heading) in found
        assert (2, "RAG definitions") in found
        assert [text for level, text in found if level == 2 and text.startswith("Condition ")] == [
            f"Condition {c.label}: {c.title}" for c in snap.conditions
        ]
        assert doc.paragraphs[0].style.name == "Title"
        assert doc.core_properties.language == "en-GB"

    def test_every_table_marks_its_header_row(self):
        doc = self.r.doc
        assert len(doc.tables) >= 8
        assert all(header_row_marked(table) for table in doc.tables)

    def test_the_cover_has_the_council_sign_off_answers_and_headlines(self):
        snap, doc = self.r.snap, self.r.doc
        text = full_text(doc)
        assert snap.council.name in text
        assert "S151 officer: not signed off" in text
        assert "Finance Director" in text and "Children's Director" in text
        assert "Balance is now expected seven years after the agreement began." in text
        for headline in ("Early help works", "Inspection took a month", "Parent carer forums"):
            assert headline in text
        assert "Early years inclusion advice for the reception triads." in text
        # A return recorded as submitted is not a draft.
        assert "DRAFT" not in text

    def test_every_condition_has_its_rag_word_shaded_at_each_update(self):
        snap, doc = self.r.snap, self.r.doc
        assert len(snap.conditions) >= 3
        _conditions_have_their_rags(snap, doc)

    def test_every_risk_has_its_levels_and_mitigation(self):
        snap, context, doc = self.r.snap, self.r.context, self.r.doc
        _risks_have_their_rags(snap, context, doc)
        assert "Score " in section(doc, "SAFETY VALVE PROGRAMME RISK REGISTER").text

    def test_it_has_the_key_figures_and_the_finance_table(self):
        snap, doc = self.r.snap, self.r.doc
        text = full_text(doc)
        assert "Actual against SV forecast" in text
        for figure in ("6,005", "5,705", "+300", "5,400"):
            assert figure in text
        finance = section(doc, "HIGH NEEDS BLOCK FORECAST BY FINANCIAL YEAR").text
        assert "£80.00m" in finance and "£84.50m" in finance and "-£20.00m" in finance
        rag = section(doc, "RAG definitions").tables[0]
        for definition, row in zip(snap.rag_definitions, rag.rows[1:], strict=False):
            assert fill(row.cells[0]) is not None or definition.level == "not_rated"
        for definition in snap.rag_definitions:
            assert definition.label in text


# --- a council imported like Eastmoor -------------------------------------------------------


class TestAnEastmoorLikeReport(TestCase):
    @classmethod
    def setUpTestData(cls):
        """The Eastmoor demo workbook imported as a council does: its open Update 3, and its
        Update 2, submitted before svmonitor and so read from the payload frozen at import."""
        admin = UserFactory(username="site-admin", is_superuser=True)
        result = workbook_import(file=WORKBOOK_PATH, council_slug="eastmoor", by=admin, create=True)
        assert not result.errors, [str(e) for e in result.errors]
        rounds = ReportingRound.objects.filter(
            agreement__council__slug="eastmoor", financial_year=2024
        )
        cls.r = {r.update_number: _Rendered(r) for r in rounds}

    def test_eastmoors_twelve_conditions_each_have_their_rag_words(self):
        snap, doc = self.r[3].snap, self.r[3].doc
        assert len(snap.conditions) == 12
        _conditions_have_their_rags(snap, doc)
        assert "DRAFT: not signed off. Do not send to DfE." in full_text(doc)

    def test_eastmoors_risks_are_rated_by_rag_only(self):
        r = self.r[3]
        _risks_have_their_rags(r.snap, r.context, r.doc)
        doc = r.doc
        assert "Score " not in section(doc, "SAFETY VALVE PROGRAMME RISK REGISTER").text

    def test_eastmoors_key_measure_grids_carry_every_figure(self):
        context, doc = self.r[3].context, self.r[3].doc
        grids = context["measure_grids"]
        assert grids
        key = section(doc, "KEY MEASURES")
        tables = key.tables
        assert len(tables) == len(grids)
        figures = 0
        for grid, table in zip(grids, tables, strict=True):
            assert header_row_marked(table)
            header = [cell_text(c) for c in table.rows[0].cells]
            assert header[-len(grid.months) :] == list(grid.months)
            for row_data, row in zip(grid.rows, table.rows[1:], strict=True):
                if row_data.first:
                    assert cell_text(row.cells[0]) == row_data.title
                if row_data.words:
                    assert cell_text(row.cells[-1]) == row_data.words
                    continue
                cells = [cell_text(c) for c in row.cells[-len(grid.months) :]]
                assert cells == list(row_data.cells)
                figures += sum(1 for c in cells if c[:1].isdigit())
        assert figures > 100
        # The grid's figures as the workbook gives them, e.g. a percentage with its note mark.
        assert "%" in key.text

    def test_an_imported_return_reads_from_its_frozen_record(self):
        source, doc = self.r[2].source, self.r[2].doc
        assert source.frozen is not None
        text = full_text(doc)
        assert "Built from the return as frozen imported on" in text
        assert source.sha256 in text
        assert "DRAFT" not in text
        _conditions_have_their_rags(source.snapshot, doc)
