"""The DfE monitoring report as PDF: its content, its PDF/UA markers, its layout."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from reports.pdf.render import pdf_from_html, report_html
from reports.pdf.selectors import report_source_for_round
from tests.pdf.conftest import pdf_pages_text, report_council

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker):
    """One rich council's report, rendered once for the module (in-process, unbounded)."""
    with django_db_blocker.unblock(), transaction.atomic():
        latest = report_council()
        source = report_source_for_round(round=latest)
        pdf = pdf_from_html(report_html(source), bounded=False)
        transaction.set_rollback(True)
    return source.snapshot, pdf


@pytest.fixture(scope="module")
def pages(rendered):
    return pdf_pages_text(rendered[1])


@pytest.fixture(scope="module")
def text(pages):
    return " ".join(pages)


@pytest.fixture(scope="module")
def reader(rendered):
    return PdfReader(io.BytesIO(rendered[1]))


def test_it_has_the_four_dfe_sections_and_the_finance_forecast(text):
    for heading in (
        "SAFETY VALVE PROGRAMME OVERVIEW",
        "SAFETY VALVE PROGRAMME DETAILED UPDATE",
        "RAG definitions",
        "SAFETY VALVE PROGRAMME RISK REGISTER",
        "HIGH NEEDS BLOCK FORECAST BY FINANCIAL YEAR",
    ):
        assert heading in text


def test_it_shows_the_overview_answers_headlines_and_adviser_request(rendered, text):
    snap, _ = rendered
    assert snap.council.name in text
    assert "To achieve a £0 DSG deficit by the end of the Safety Valve agreement? No" in text
    assert "Is your LA's Safety Valve capital project on track? Yes" in text
    assert "Balance is now expected seven years after the agreement began." in text
    for headline in ("Early help works", "Inspection took a month", "Parent carer forums"):
        assert headline in text
    assert "Early years inclusion advice for the reception triads." in text
    assert "Finance Director" in text and "Children's Director" in text
    # build_council's round is recorded as submitted, without sign-offs.
    assert "S151 officer: not signed off" in text


def test_it_has_every_condition_with_its_rag_word_at_each_update(rendered, text):
    snap, _ = rendered
    for condition in snap.conditions:
        assert f"Condition {condition.label}: {condition.title}" in text
        assert condition.narrative in text
        for label, rating in zip(snap.update_labels, condition.by_update, strict=True):
            assert rating is not None
            # The DfE word is printed on the colour, with the council's own word beside it.
            word = rating.dfe_label
            if rating.label != rating.dfe_label:
                word += f" ({rating.label})"
            assert f"{label} {word}" in text


def test_it_has_every_risk_with_its_mitigation_and_levels(rendered, text):
    snap, _ = rendered
    for risk in snap.risks:
        assert f"Risk {risk.number}: {risk.title}" in text
        assert risk.mitigation in text
        assert f"Update 3 (November) {risk.rating.dfe_label}" in text
    # Risks were first rated at Update 3, so Updates 1 and 2 say so rather than guess.
    assert "Update 1 (May) No update" in text


def test_it_has_the_key_figures(rendered, text):
    snap, _ = rendered
    # The cited measure's table: actual and plan for December, and the difference.
    assert "Actual against SV forecast" in text
    for figure in ("6,005", "5,705", "+300", "5,400"):
        assert figure in text
    # The High Needs Block table in £m, and the RAG definitions in the council's words.
    assert "£80.00m" in text and "£84.50m" in text and "-£20.00m" in text
    for definition in snap.rag_definitions:
        assert definition.label in text


def test_it_is_tagged_pdf_ua_with_title_and_language(reader, rendered):
    snap, _ = rendered
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == (
        f"Safety Valve monitoring report: {snap.council.name}, {snap.round.label}"
    )
    # The XMP metadata declares PDF/UA part 1.
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


def _alt_texts(node, found):
    node = node.get_object() if isinstance(node, IndirectObject) else node
    if isinstance(node, list):
        for item in node:
            _alt_texts(item, found)
    elif hasattr(node, "get"):
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        if "/K" in node:
            _alt_texts(node["/K"], found)
    return found


def test_every_chart_has_its_alt_text_in_the_structure_tree(reader, rendered):
    snap, _ = rendered
    alts = _alt_texts(reader.trailer["/Root"]["/StructTreeRoot"], [])
    cited = {code for c in snap.conditions for code in c.key_measure_codes}
    for code in cited:
        assert any(alt.startswith(f"Line chart of {snap.measure(code).name}") for alt in alts)
    assert any(alt.startswith("High Needs Block") for alt in alts)


def test_only_the_shipped_font_is_embedded(reader):
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            # Subset fonts are named ABCDEF+Name; every one must be embedded.
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()
            fonts.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert "SV-Sans" in fonts
    assert fonts <= {"SV-Sans", "SV-Sans-Bold", "SV-Sans-Oblique"}


def test_it_is_a4_landscape_with_a_running_header_and_page_n_of_n(reader, pages, rendered):
    snap, _ = rendered
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert f"{snap.council.name}: {snap.round.label}" in page


def test_table_headers_repeat_on_every_page_a_table_runs_onto(pages):
    detail = [p for p in pages if "Condition " in p and "Assurance level" in p]
    assert len(detail) >= 2
    for page in detail:
        assert "Agreement condition Assurance level Progress update from this quarter" in page


def test_a_submitted_round_built_from_live_data_is_not_marked_draft(pages):
    assert not any("DRAFT" in page for page in pages)


def test_page_one_renders_to_png_for_a_person_to_look_at(rendered):
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(rendered[1])
    subprocess.run(  # noqa: S603 - our own fixed arguments
        [
            pdftoppm,
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(ARTIFACTS / "report.pdf"),
            str(ARTIFACTS / "report-page-1"),
        ],
        check=True,
    )
    png = ARTIFACTS / "report-page-1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000
