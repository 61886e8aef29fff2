"""The DSG management plan's financial summary (issue 19.2-19.3): figures saved all or none by
block, line, year and scenario, totals and balances computed, and the high needs block's
position written to the Safety Valve finance lines in the same save (one forecast, keyed once)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from finance.dsg_summary import dsg_summary_build, dsg_summary_fragment
from finance.models import FinanceLine
from finance.models_dsg import DsgPlanFigure, DsgPlanLine
from finance.services_dsg import DsgRefused, dsg_plan_figures_import, dsg_plan_grid_save
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests.conftest import _member

pytestmark = pytest.mark.django_db

HN = "high_needs"
ALLOC = "DSG allocation after recoupment"
TRANSFER = "Block transfers (in positive, out negative)"
OPENING = "Cumulative balance at the start of the plan"
TOPUPS = "Mainstream schools: top-up funding"
INMSS = "Independent and non-maintained special schools"
SV = "Safety Valve payments and contributions to the deficit"


@pytest.fixture
def finance(council):
    return _member(council, Role.FINANCE, "finance-lead")


def _m(text):
    return Decimal(text) * 1_000_000


def _plan(agreement, finance):
    """A high needs block: outturn 2023-24, then mitigated and unmitigated forecasts."""
    entries = {
        (HN, "actual", OPENING, 2023): _m("-30"),
        (HN, "actual", ALLOC, 2023): _m("70"),
        (HN, "actual", TOPUPS, 2023): _m("40"),
        (HN, "actual", INMSS, 2023): _m("57.3"),
        (HN, "actual", SV, 2023): _m("26.8"),
    }
    for year, spend in ((2024, "110"), (2025, "100"), (2026, "85")):
        entries[(HN, "mitigated", ALLOC, year)] = _m("80")
        entries[(HN, "mitigated", TRANSFER, year)] = _m("2")
        entries[(HN, "mitigated", INMSS, year)] = _m(spend)
        entries[(HN, "unmitigated", ALLOC, year)] = _m("80")
        entries[(HN, "unmitigated", INMSS, year)] = _m("120")
    entries[("schools", "mitigated", TRANSFER, 2024)] = _m("-2")
    entries[("schools", "mitigated", ALLOC, 2024)] = _m("300")
    entries[("schools", "mitigated", "Individual schools budgets", 2024)] = _m("298")
    return dsg_plan_figures_import(agreement=agreement, entries=entries, by=finance)


def test_the_summary_computes_positions_and_balances_from_the_lines(agreement, finance):
    _plan(agreement, finance)
    summary = dsg_summary_build(agreement=agreement)
    actual = summary.derived[(HN, "actual", 2023)]
    assert actual.in_year == _m("-27.3")
    assert actual.brought_forward == _m("-30")
    assert actual.carried_forward == _m("-30.5")  # -30 - 27.3 + 26.8
    assert actual.carried_forward_before_adjustments == _m("-57.3")
    m2024 = summary.derived[(HN, "mitigated", 2024)]
    assert (m2024.income, m2024.in_year, m2024.brought_forward) == (
        _m("82"),
        _m("-28"),
        _m("-30.5"),
    )
    assert m2024.in_year_pct_of_dsg == Decimal("-35.0")
    m2026 = summary.derived[(HN, "mitigated", 2026)]
    assert m2026.in_year == _m("-3") and m2026.carried_forward == _m("-79.5")
    assert summary.mitigation(HN, 2026) == (_m("37"), _m("71"))
    total = summary.derived[("total", "mitigated", 2024)]
    assert total.in_year == _m("-28") and total.transfers == Decimal("0.00")
    assert summary.balances_in(HN, "mitigated") is None


def test_the_year_the_position_balances_is_the_first_of_the_balanced_run(agreement, finance):
    _plan(agreement, finance)
    dsg_plan_figures_import(
        agreement=agreement,
        entries={
            (HN, "mitigated", INMSS, 2026): _m("80"),
            (HN, "mitigated", ALLOC, 2027): _m("80"),
            (HN, "mitigated", INMSS, 2027): _m("79"),
        },
        by=finance,
    )
    summary = dsg_summary_build(agreement=agreement)
    assert summary.balances_in(HN, "mitigated") == 2026
    fragment = dsg_summary_fragment(summary)
    high = next(b for b in fragment["blocks"] if b["key"] == HN)
    mitigated = next(s for s in high["scenarios"] if s["key"] == "mitigated")
    assert mitigated["balances_in_label"] == "2026-27"
    assert mitigated["derived"]["2024"]["in_year"] == "-28000000.00"
    assert fragment["end_of_plan"]["financial_year"] == 2027


def test_one_changed_high_needs_figure_moves_the_finance_lines_and_the_summary(agreement, finance):
    _plan(agreement, finance)
    latest = {f.financial_year: f for f in FinanceLine.objects.filter(scenario="latest")}
    assert latest[2025].in_year_position == _m("-18")
    assert latest[2025].cumulative_deficit == _m("76.5")  # 30.5 + 28 + 18
    assert latest[2025].hnb_income == _m("80") and latest[2025].schools_block_transfer == _m("2")
    assert FinanceLine.objects.get(scenario="actual", financial_year=2023).cumulative_deficit == _m(
        "30.5"
    )
    assert FinanceLine.objects.get(
        scenario="unmitigated", financial_year=2026
    ).in_year_position == _m("-40")
    line = DsgPlanLine.objects.get(block=HN, name=INMSS)
    figure = DsgPlanFigure.objects.get(line=line, scenario="mitigated", financial_year=2025)
    dsg_plan_grid_save(
        agreement=agreement,
        block=HN,
        scenario="mitigated",
        cells={(INMSS, 2025): "95,000.5"},
        versions={(INMSS, 2025): figure.version},
        unit="thousands",
        by=finance,
    )
    changed = FinanceLine.objects.get(scenario="latest", financial_year=2025)
    assert changed.in_year_position == Decimal("-13000500.00")
    assert changed.cumulative_deficit == Decimal("71500500.00")
    later = FinanceLine.objects.get(scenario="latest", financial_year=2026)
    assert later.cumulative_deficit == Decimal("74500500.00")  # carried on from the new 2025
    summary = dsg_summary_build(agreement=agreement)
    assert summary.derived[(HN, "mitigated", 2025)].in_year == changed.in_year_position
    assert -summary.derived[(HN, "mitigated", 2026)].carried_forward == later.cumulative_deficit
    history = AuditEvent.objects.filter(action="finance_line.save", object_id=str(changed.pk))
    assert history.last().after["in_year_position"] == "-13000500.00"


def test_a_bad_figure_is_named_by_block_line_and_year_and_nothing_is_written(agreement, finance):
    _plan(agreement, finance)
    before = list(DsgPlanFigure.objects.values_list("pk", "amount", "version").order_by("pk"))
    finance_before = list(FinanceLine.objects.values_list("pk", "version").order_by("pk"))
    with pytest.raises(DsgRefused) as refused:
        dsg_plan_grid_save(
            agreement=agreement,
            block=HN,
            scenario="mitigated",
            cells={(INMSS, 2025): "12", (TOPUPS, 2026): "lots"},
            versions={},
            unit="thousands",
            by=finance,
        )
    assert list(refused.value.problems.values()) == [
        "High needs block, Mitigated forecast, Mainstream schools: top-up funding, 2026-27: "
        "Enter a number, not 'lots'."
    ]
    assert (
        list(DsgPlanFigure.objects.values_list("pk", "amount", "version").order_by("pk")) == before
    )
    assert list(FinanceLine.objects.values_list("pk", "version").order_by("pk")) == finance_before


def test_a_figure_saved_since_the_grid_opened_is_refused_with_theirs(agreement, finance):
    _plan(agreement, finance)
    with pytest.raises(DsgRefused) as refused:
        dsg_plan_grid_save(
            agreement=agreement,
            block=HN,
            scenario="mitigated",
            cells={(INMSS, 2025): "1"},
            versions={(INMSS, 2025): 0},
            unit="millions",
            by=finance,
        )
    (message,) = refused.value.problems.values()
    assert message.startswith(
        "High needs block, Mitigated forecast, Independent and non-maintained"
    )
    assert "theirs is £100,000,000.00" in message
    assert DsgPlanFigure.objects.get(
        line__name=INMSS, scenario="mitigated", financial_year=2025
    ).amount == _m("100")


def test_a_council_adds_its_own_line_by_naming_it(agreement, finance):
    _plan(agreement, finance)
    dsg_plan_grid_save(
        agreement=agreement,
        block=HN,
        scenario="mitigated",
        cells={("Speech and language therapy contract", 2024): "1000"},
        versions={},
        unit="thousands",
        by=finance,
    )
    line = DsgPlanLine.objects.get(name="Speech and language therapy contract")
    assert (line.block, line.kind) == (HN, "expenditure")
    assert dsg_summary_build(agreement=agreement).derived[(HN, "mitigated", 2024)].in_year == _m(
        "-29"
    )


def test_a_board_member_cannot_save_the_plan(agreement, board_member):
    with pytest.raises(PermissionDenied):
        dsg_plan_grid_save(
            agreement=agreement,
            block=HN,
            scenario="mitigated",
            cells={(ALLOC, 2024): "1"},
            versions={},
            unit="thousands",
            by=board_member,
        )
    assert not DsgPlanFigure.objects.exists()
