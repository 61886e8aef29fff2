"""The DSG plan and the Schools Forum paper print the figures of the record they are given, in
both formats; the paper's movement is its forecast less the previous update's."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from reports.dsg.figures import money, pounds
from reports.dsg.render import forum_docx, forum_pdf, plan_docx, plan_pdf
from reports.dsg.source import DsgSource, PreviousRecord
from svmonitor.choices import RoundStatus
from tests.dsg_outputs.conftest import docx_text, pdf_text
from tests.dsg_outputs.payload import payload
from tests.factories import ReportingRoundFactory

pytestmark = pytest.mark.django_db


def _source(status=RoundStatus.DRAFT, previous=None, **figures):
    round_ = ReportingRoundFactory(financial_year=2025, update_number=2, status=status)
    return round_, DsgSource(
        round=round_, payload=payload(**figures), frozen=None, previous=previous
    )


def _plan_figures(record: dict) -> list[str]:
    """Figures of each part of the record, as the outputs print them."""
    parts = record["parts"]
    finance = parts["dsg_finance"]
    high_needs = finance["blocks"][3]
    mitigated = high_needs["scenarios"][3]["derived"]["2027"]
    cyp = parts["cyp"]
    return [
        pounds(finance["end_of_plan"]["mitigated_carried_forward"]),
        pounds(finance["end_of_plan"]["unmitigated_carried_forward"]),
        money(mitigated["carried_forward"]),
        money(mitigated["in_year"]),
        mitigated["in_year_pct_of_dsg"] + "%",
        money(high_needs["scenarios"][1]["figures"]["2025"]["42"]),  # budget, special schools
        money(high_needs["mitigation"]["2026"]["cumulative"]),
        money(finance["total"]["scenarios"][0]["derived"]["2026"]["carried_forward"]),
        f"{cyp['years'][1]['by_age']['total']:,}",
        f"{cyp['years'][0]['by_need']['rows'][0]['total']:,}",
        cyp["comparators"]["rows"][0]["growth_pct"] + "%",
        f"{cyp['comparators']['rows'][2]['ehc_plans']:,}",
        money(parts["dsg_workstreams"]["workstreams"][0]["savings"]["2026"]),
        money(parts["dsg_workstreams"]["savings_total"]),
    ]


def _plan_words(record: dict) -> list[str]:
    parts = record["parts"]
    return [
        parts["dsg_narrative"]["topics"][0]["text"].split("\n")[0],
        parts["dsg_stakeholders"]["topics"][1]["text"],
        "Head of SEND commissioning",
        "Resourced provision and SEN units",
        "12 June 2025",  # presented to Schools Forum
        "9 October 2025",  # next review
        "Reviewed by the DSG board monthly.",
    ]


def test_the_plan_pdf_holds_every_parts_figures_and_words():
    round_, source = _source()
    text = pdf_text(plan_pdf(round_, source, bounded=False))
    for expected in _plan_figures(source.payload) + _plan_words(source.payload):
        assert expected in text, expected
    for section in (
        "Narrative",
        "Financial summary",
        "Children and young people",
        "Comparators",
        "Workstream log",
        "Stakeholder engagement",
        "Governance",
    ):
        assert section in text


def test_the_plan_docx_holds_the_same_figures_as_the_pdf():
    round_, source = _source()
    text = docx_text(plan_docx(round_, source))
    for expected in _plan_figures(source.payload) + _plan_words(source.payload):
        assert expected in text, expected


def test_the_plan_pdf_is_tagged_a4_landscape_and_a_draft_says_draft_on_every_page():
    round_, source = _source()
    reader = PdfReader(io.BytesIO(plan_pdf(round_, source, bounded=False)))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (842, 595)
        assert "DRAFT" in page.extract_text()
    word = plan_docx(round_, source)
    assert "DRAFT" in docx_text(word)
    import docx
    from docx.enum.section import WD_ORIENT

    section = docx.Document(io.BytesIO(word)).sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height


def test_a_signed_off_update_is_not_marked_draft():
    round_, source = _source(status=RoundStatus.SIGNED_OFF)
    assert "DRAFT" not in pdf_text(forum_pdf(round_, source, bounded=False))
    assert "DRAFT" not in docx_text(forum_docx(round_, source))


def test_the_forum_papers_movement_is_the_forecast_less_the_previous_forecast():
    before = payload(special_forecast=6_000_000.00)
    previous = PreviousRecord("2025-26 Summer term (July)", before, None)
    round_, source = _source(previous=previous, special_forecast=6_150_000.00)
    forecast = Decimal("6150000.00")
    prior = Decimal("6000000.00")
    budget = Decimal("5042000.00")
    row = " ".join(
        [
            money(budget),
            money(forecast),
            money(prior),
            money(forecast - prior),
            money(forecast - budget),
        ]
    )
    text = pdf_text(forum_pdf(round_, source, bounded=False))
    assert f"Maintained special schools {row}" in text
    assert "Previous forecast: 2025-26 Summer term (July)" in text
    # The block's total moves by the same amount.
    assert money(Decimal("150000.00")) in text
    assert f"Maintained special schools {row}" in docx_text(forum_docx(round_, source))


def test_the_forum_paper_holds_its_own_words_in_order_and_the_plans_figures():
    round_, source = _source()
    text = pdf_text(forum_pdf(round_, source, bounded=False))
    order = [
        "Purpose of the report",
        "Recommendations",
        "Background",
        "Position by funding block",
        "High needs variances by provision type",
        "EHCP demand",
        "Cumulative deficit and trajectory",
        "Progress on the plan's workstreams",
        "Decisions sought",
    ]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    for words in (
        "To update the forum on the plan.",
        "Approve a 0.5% block transfer.",
        pounds("-137200000.00"),
        "5,504",
        "9.6%",
        money("450000.00"),
    ):
        assert words in text, words


def test_without_a_previous_update_the_paper_says_so_and_shows_no_movement():
    round_, source = _source()
    text = pdf_text(forum_pdf(round_, source, bounded=False))
    assert "Previous forecast: no previous update" in text


def test_parts_without_figures_say_so_instead_of_printing_empty_tables():
    round_, source = _source()
    finance = source.payload["parts"]["dsg_finance"]
    for part in [finance["total"], *finance["blocks"]]:
        for scenario in part["scenarios"]:
            scenario["figures"], scenario["derived"] = {}, {}
        part["mitigation"] = {}
    finance["end_of_plan"] = {"financial_year": 2027, "label": "2027-28"}
    del source.payload["parts"]["cyp"]
    plan = pdf_text(plan_pdf(round_, source, bounded=False))
    assert "No figures are entered in the financial summary." in plan
    assert "Cumulative balance at the end of" not in plan
    assert "Not in this record" in plan  # the CYP part, absent from the record
    paper = pdf_text(forum_pdf(round_, source, bounded=False))
    assert "No financial summary figures are in this record." in paper
