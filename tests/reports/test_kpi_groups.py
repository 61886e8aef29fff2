"""Issue 13.1: key measures belong to what the council groups them by.

A council chooses conditions, programme areas or both (LocalAuthority.kpi_grouping). The
dashboard, the board pack and the DfE report list every measure with a figure in the round's
financial year under its condition or area, and one attached to neither under "Other
measures"; a measure without a figure in the year is not listed.
"""

import datetime as dt
from decimal import Decimal

import pytest

from metrics.models import Series
from reports.freeze import payload_sha256
from reports.models import RoundSnapshot as FrozenSnapshot
from reports.pdf.render import board_pack_html, pdf_from_html, report_html
from reports.pdf.selectors import report_source_for_round
from reports.selectors import dashboard_page
from reports.snapshot import round_snapshot_build, snapshot_as_dict
from svmonitor.choices import KpiGrouping, RoundStatus
from svmonitor.roles import Role
from tests.dashboard_pages import dashboard_pages
from tests.factories import (
    AgreementConditionFactory,
    AgreementFactory,
    ConditionUpdateFactory,
    DataSourceFactory,
    LocalAuthorityFactory,
    MeasureFactory,
    MeasureValueFactory,
    MembershipFactory,
    ProgrammeAreaFactory,
    ReportingRoundFactory,
    SeriesFactory,
    UserFactory,
)
from tests.pdf.conftest import pdf_text
from tests.reports.test_snapshot_queries import SNAPSHOT_QUERIES

pytestmark = pytest.mark.django_db

CONDITIONS = {"1": "Reduce demand", "2": "Grow local places", "3": "Improve timeliness"}
# name -> labels of the conditions it is attached to (by condition) or its area (by area)
ATTACHED = {
    "Alpha placements": ("1",),
    "Bravo assessments": ("1",),
    "Charlie tribunals": ("2", "3"),
    "Delta transport": (),
    "Echo ceased plans": (),
}
STALE = "Foxtrot old survey"  # attached to condition 1, figures only in 2023-24
OTHER = ("Delta transport", "Echo ceased plans")
YEAR_MONTHS = [dt.date(2024, m, 1) for m in range(4, 11)]


def _council(grouping, *, areas=0):
    council = LocalAuthorityFactory(kpi_grouping=grouping)
    agreement = AgreementFactory(council=council)
    rnd = ReportingRoundFactory(
        agreement=agreement,
        financial_year=2024,
        update_number=3,
        due_date=dt.date(2024, 11, 30),
        data_as_at=dt.date(2024, 10, 1),
    )
    conditions = {
        label: AgreementConditionFactory(agreement=agreement, label=label, title=title, order=i)
        for i, (label, title) in enumerate(CONDITIONS.items())
    }
    for condition in conditions.values():
        ConditionUpdateFactory(round=rnd, condition=condition, narrative="On plan.")
    return council, rnd, conditions, [ProgrammeAreaFactory(council=council) for _ in range(areas)]


def _measures(council, conditions, *, area_of=lambda name: None):
    source = DataSourceFactory(council=council, name="Council MI")
    actual = SeriesFactory(council=council, kind=Series.Kind.ACTUAL, name="Actual", slug="actual")
    for order, (name, labels) in enumerate([*ATTACHED.items(), (STALE, ("1",))]):
        measure = MeasureFactory(
            council=council,
            name=name,
            data_source=source,
            order=order,
            programme_area=area_of(name),
        )
        measure.conditions.set([conditions[label] for label in labels])
        months = [dt.date(2023, 6, 1)] if name == STALE else YEAR_MONTHS
        for k, period in enumerate(months):
            MeasureValueFactory(
                measure=measure, series=actual, period=period, value=Decimal(40 + k)
            )


def _by_condition():
    council, rnd, conditions, _ = _council(KpiGrouping.CONDITIONS)
    _measures(council, conditions)
    return council, rnd


def _dashboard_sections(client, council) -> dict[str, str]:
    """Each page of the dashboard by its heading: the summary, each condition's and area's
    page, and other measures' (tests/dashboard_pages.py)."""
    user = UserFactory()
    MembershipFactory(user=user, council=council, role=Role.BOARD)
    client.force_login(user)
    return dashboard_pages(client, council)


def _between(text: str, start: str, end: str) -> str:
    """The text after `start` up to the next `end`."""
    assert start in text, start
    tail = text[text.index(start) + len(start) :]
    return tail[: tail.index(end)] if end in tail else tail


def _names_in(text: str) -> set[str]:
    return {name for name in [*ATTACHED, STALE] if name in text}


def test_a_council_grouping_by_condition_lists_every_measure_on_the_dashboard(client):
    council, rnd = _by_condition()
    page = dashboard_page(round_snapshot_build(rnd))
    assert page.measure_count == len(ATTACHED)
    sections = _dashboard_sections(client, council)
    assert _names_in(sections["Condition 1: Reduce demand"]) == {
        "Alpha placements",
        "Bravo assessments",
    }
    assert _names_in(sections["Condition 2: Grow local places"]) == {"Charlie tribunals"}
    assert _names_in(sections["Condition 3: Improve timeliness"]) == {"Charlie tribunals"}
    assert _names_in(sections["Other measures"]) == set(OTHER)
    # Each listing keeps its chart's figures as tables, under names of their own.
    for section in ("Condition 2: Grow local places", "Condition 3: Improve timeliness"):
        html = sections[section]
        assert f'aria-label="Charlie tribunals ({section}): latest periods table"' in html
        assert f"Figures for Charlie tribunals ({section})" in html
        assert 'data-chart="chart-measure-' in html
    assert not any(STALE in html for html in sections.values())


def test_a_council_grouping_by_condition_lists_every_measure_in_the_board_pack():
    _, rnd = _by_condition()
    text = pdf_text(
        pdf_from_html(board_pack_html(report_source_for_round(round=rnd)), bounded=False)
    )
    assert _names_in(_between(text, "Condition 1: Reduce demand", "Condition 2:")) == {
        "Alpha placements",
        "Bravo assessments",
    }
    assert _names_in(_between(text, "Condition 2: Grow local places", "Condition 3:")) == {
        "Charlie tribunals"
    }
    assert _names_in(_between(text, "Condition 3: Improve timeliness", "Other measures")) == {
        "Charlie tribunals"
    }
    assert _names_in(_between(text, "Other measures", "Finance: High Needs Block")) == set(OTHER)
    assert STALE not in text


def test_a_council_grouping_by_condition_lists_every_measure_in_the_dfe_report():
    _, rnd = _by_condition()
    text = pdf_text(pdf_from_html(report_html(report_source_for_round(round=rnd)), bounded=False))
    assert _names_in(_between(text, "Condition 1: Reduce demand", "Condition 2:")) == {
        "Alpha placements",
        "Bravo assessments",
    }
    assert _names_in(_between(text, "Condition 2: Grow local places", "Condition 3:")) == {
        "Charlie tribunals"
    }
    assert _names_in(_between(text, "Condition 3: Improve timeliness", "RAG definitions")) == {
        "Charlie tribunals"
    }
    further = _between(text, "FURTHER KEY MEASURES", "SAFETY VALVE PROGRAMME RISK REGISTER")
    assert _names_in(_between(further, "Other measures", "SAFETY VALVE")) == set(OTHER)
    assert STALE not in text
    shown = {name for name in ATTACHED if name in text}
    assert len(shown) == len(ATTACHED)


def _by_area():
    council, rnd, conditions, areas = _council(KpiGrouping.AREAS, areas=2)
    area_of = {
        "Alpha placements": areas[0],
        "Bravo assessments": areas[1],
        "Charlie tribunals": areas[1],
        "Delta transport": areas[0],
    }
    _measures(council, conditions, area_of=area_of.get)
    return council, rnd, areas


def test_a_council_grouping_by_area_lists_measures_under_its_areas_as_before(client):
    council, rnd, areas = _by_area()
    sections = _dashboard_sections(client, council)
    first, second = (f"{a.number} - {a.name}" for a in areas)
    assert _names_in(sections[first]) == {"Alpha placements", "Delta transport"}
    assert _names_in(sections[second]) == {"Bravo assessments", "Charlie tribunals"}
    # No condition headings for a council that groups by area; the one measure in no area
    # is listed rather than dropped.
    assert not any(heading.startswith("Condition ") for heading in sections)
    assert _names_in(sections["Other measures"]) == {"Echo ceased plans"}
    text = pdf_text(pdf_from_html(report_html(report_source_for_round(round=rnd)), bounded=False))
    further = _between(text, "FURTHER KEY MEASURES", "SAFETY VALVE PROGRAMME RISK REGISTER")
    assert _names_in(_between(further, first, second)) == {"Alpha placements", "Delta transport"}
    assert _names_in(_between(further, second, "Other measures")) == {
        "Bravo assessments",
        "Charlie tribunals",
    }
    assert _names_in(_between(further, "Other measures", "SAFETY VALVE")) == {"Echo ceased plans"}


def test_a_council_grouping_by_both_lists_a_measure_under_its_condition_and_its_area(client):
    council, rnd, conditions, areas = _council(KpiGrouping.BOTH, areas=1)
    _measures(council, conditions, area_of={"Alpha placements": areas[0]}.get)
    groups = {g.heading: g.measure_codes for g in round_snapshot_build(rnd).kpi_groups}
    sections = _dashboard_sections(client, council)
    area = f"{areas[0].number} - {areas[0].name}"
    assert "Alpha placements" in sections[area]
    assert "Alpha placements" in sections["Condition 1: Reduce demand"]
    assert _names_in(sections["Other measures"]) == set(OTHER)
    assert list(groups) == [
        "Condition 1: Reduce demand",
        "Condition 2: Grow local places",
        "Condition 3: Improve timeliness",
        area,
        "Other measures",
    ]


def test_a_payload_frozen_before_kpi_groups_still_renders_everywhere(client):
    council, rnd, _ = _by_area()
    payload = snapshot_as_dict(round_snapshot_build(rnd))
    del payload["kpi_groups"]
    del payload["council"]["kpi_grouping"]
    FrozenSnapshot.objects.create(
        round=rnd, created_by=None, payload=payload, sha256=payload_sha256(payload)
    )
    type(rnd).objects.filter(pk=rnd.pk).update(
        status=RoundStatus.SUBMITTED, submitted_on=dt.date(2024, 11, 30)
    )
    rnd.refresh_from_db()
    source = report_source_for_round(round=rnd)
    assert source.frozen is not None and source.snapshot.kpi_groups is None
    sections = _dashboard_sections(client, council)
    # Read as grouped by programme area, the grouping every council had then.
    assert any("Alpha placements" in html for h, html in sections.items() if " - " in h)
    assert _names_in(sections["Other measures"]) == {"Echo ceased plans"}
    # A field added since the freeze is not a change to the return.
    assert not any("have changed since" in html for html in sections.values())
    board = pdf_text(pdf_from_html(board_pack_html(source), bounded=False))
    report = pdf_text(pdf_from_html(report_html(source), bounded=False))
    for text in (board, report):
        assert {name for name in ATTACHED if name in text} == set(ATTACHED)
        assert STALE not in text


def test_the_snapshot_takes_the_same_queries_for_three_times_the_measures_and_groups(
    django_assert_num_queries,
):
    council, rnd = _by_condition()
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        small = round_snapshot_build(rnd)
    source = DataSourceFactory(council=council)
    actual = Series.objects.get(council=council, kind=Series.Kind.ACTUAL)
    for i in range(10):
        condition = AgreementConditionFactory(agreement=rnd.agreement, label=f"9.{i}")
        ConditionUpdateFactory(round=rnd, condition=condition)
        measure = MeasureFactory(council=council, data_source=source)
        measure.conditions.set([condition])
        MeasureValueFactory(measure=measure, series=actual, period=YEAR_MONTHS[0])
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        large = round_snapshot_build(rnd)
    assert len(large.kpi_groups) == len(small.kpi_groups) + 10
