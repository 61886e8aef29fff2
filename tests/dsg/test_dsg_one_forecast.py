"""One forecast, keyed once (issue 19.3): one high needs figure changed in the DSG plan's grid is
found, to the penny, in the Safety Valve return's record (the finance chart reads it), in the
finance lines and in the DSG plan return's record, live for drafts and frozen once ready."""

from decimal import Decimal

import pytest

from finance.models import FinanceLine
from finance.models_dsg import DsgPlanFigure
from finance.services_dsg import dsg_plan_figures_import, dsg_plan_grid_save
from reports.snapshot.record import round_record
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member

pytestmark = pytest.mark.django_db

HN = "high_needs"
ALLOC = "DSG allocation after recoupment"
INMSS = "Independent and non-maintained special schools"


def _hn(fragment, scenario, year):
    block = next(b for b in fragment["blocks"] if b["key"] == HN)
    return next(s for s in block["scenarios"] if s["key"] == scenario)["derived"][str(year)]


def test_one_high_needs_figure_changed_is_the_same_in_both_returns(agreement):
    council = agreement.council
    council.return_kinds = ["safety_valve", "dsg_plan"]
    council.save()
    finance = _member(council, Role.FINANCE, "finance-lead")
    dsg_plan_figures_import(
        agreement=agreement,
        entries={
            (HN, "actual", "Cumulative balance at the start of the plan", 2023): Decimal("-50e6"),
            (HN, "actual", ALLOC, 2023): Decimal("70e6"),
            (HN, "actual", INMSS, 2023): Decimal("80e6"),
            (HN, "mitigated", ALLOC, 2024): Decimal("75e6"),
            (HN, "mitigated", INMSS, 2024): Decimal("90e6"),
        },
        by=finance,
    )
    sv = f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=2)
    plan = f.ReportingRoundFactory(
        agreement=agreement, financial_year=2024, update_number=2, return_kind="dsg_plan"
    )
    figure = DsgPlanFigure.objects.get(line__name=INMSS, scenario="mitigated")
    dsg_plan_grid_save(
        agreement=agreement,
        block=HN,
        scenario="mitigated",
        cells={(INMSS, 2024): "91234.56"},
        versions={(INMSS, 2024): figure.version},
        unit="thousands",
        by=finance,
    )
    in_year, cumulative = Decimal("-16234560.00"), Decimal("76234560.00")
    line = FinanceLine.objects.get(scenario="latest", financial_year=2024)
    assert (line.in_year_position, line.cumulative_deficit) == (in_year, cumulative)
    year = next(y for y in round_record(sv).snapshot.finance if y.financial_year == 2024)
    assert (year.latest.in_year_position, year.latest.cumulative_deficit) == (in_year, cumulative)
    fragment = round_record(plan).payload["parts"]["dsg_finance"]
    derived = _hn(fragment, "mitigated", 2024)
    assert derived["in_year"] == str(in_year)
    assert derived["carried_forward"] == str(-cumulative)


def test_the_changed_figure_is_in_the_finance_chart_the_plan_and_the_schools_forum_paper(
    agreement,
):
    """Issue 19.3 end to end: one high needs figure changed once, then found to the penny in the
    Safety Valve dashboard's finance table (the chart's data), the DSG plan and the termly
    Schools Forum paper, as their readers get them."""
    from docx import Document

    from reports.dsg.render import forum_docx, plan_docx
    from reports.dsg.source import dsg_source_for_round
    from tests.round_page.conftest import client_for

    council = agreement.council
    council.return_kinds = ["safety_valve", "dsg_plan"]
    council.save()
    finance = _member(council, Role.FINANCE, "finance-lead")
    dsg_plan_figures_import(
        agreement=agreement,
        entries={
            (HN, "actual", "Cumulative balance at the start of the plan", 2023): Decimal("-50e6"),
            (HN, "actual", ALLOC, 2023): Decimal("70e6"),
            (HN, "actual", INMSS, 2023): Decimal("80e6"),
            (HN, "budget", ALLOC, 2024): Decimal("75e6"),
            (HN, "budget", INMSS, 2024): Decimal("88e6"),
            (HN, "mitigated", ALLOC, 2024): Decimal("75e6"),
            (HN, "mitigated", INMSS, 2024): Decimal("90e6"),
        },
        by=finance,
    )
    f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=2)
    plan = f.ReportingRoundFactory(
        agreement=agreement, financial_year=2024, update_number=2, return_kind="dsg_plan"
    )
    figure = DsgPlanFigure.objects.get(line__name=INMSS, scenario="mitigated")
    dsg_plan_grid_save(
        agreement=agreement,
        block=HN,
        scenario="mitigated",
        cells={(INMSS, 2024): "91234.56"},
        versions={(INMSS, 2024): figure.version},
        unit="thousands",
        by=finance,
    )

    def docx_text(content: bytes) -> str:
        document = Document(__import__("io").BytesIO(content))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)

    source = dsg_source_for_round(round=plan)
    paper, plan_text = docx_text(forum_docx(plan, source)), docx_text(plan_docx(plan, source))
    for text in (paper, plan_text):
        assert "-16,234,560.00" in text  # the high needs in-year position, 2024-25
        assert "91,234,560.00" in text  # the figure typed
    assert "-76,234,560.00" in plan_text  # the cumulative balance carried forward
    board = _member(council, Role.BOARD, "board-member")
    page = client_for(board).get(f"/councils/{council.slug}/").content.decode()
    # The Safety Valve finance table (the finance chart's data), in £m.
    finance_table = page[page.index("High Needs Block") :]
    assert "76.23" in finance_table and "-16.23" in finance_table
