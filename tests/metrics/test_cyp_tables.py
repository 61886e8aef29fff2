"""Issue 19: the DSG plan's children and young people tables (placement x age group and
placement x primary need by census year), entered as grids through one service."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics import cyp_part
from metrics.models import CypAgeGroup, CypFigure, CypNeed, CypPlacement, CypYear
from metrics.selectors_cyp import cyp_fragment, cyp_table_build
from metrics.services_cyp import CypRefused, cyp_categories_seed, cyp_table_save
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from svmonitor.sections import DSG_PLAN, return_parts
from tests.factories import MembershipFactory, ReportingRoundFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _categories(db):
    cyp_categories_seed()


@pytest.fixture
def officer(council):
    return MembershipFactory(council=council, role=Role.OFFICER).user


def _grid_url(council, year=2025, table="age"):
    return reverse("metrics:cyp_grid", args=[council.slug, year, table])


def _posted(council, year, table, figures: dict, *, basis="actual") -> dict:
    """The grid's form as the browser posts it: every box (empty unless in `figures`, keyed by
    (placement code, column code)) with the version it was opened at."""
    grid = cyp_table_build(council=council, census_year=year, table=table)
    data = {"basis": basis, "year_version": str(grid.year_version)}
    for row in grid.rows:
        for cell in row.cells:
            data[cell.name] = str(figures.get((cell.placement_code, cell.column_code), cell.typed))
            data[f"v-{cell.name}"] = str(cell.version)
    return data


def test_the_categories_are_dfes_seven_placements_five_ages_and_thirteen_needs():
    assert [p.name for p in CypPlacement.objects.all()][:2] == [
        "Mainstream schools and academies",
        "Resourced provision and SEN units",
    ]
    assert CypPlacement.objects.count() == 7
    assert [a.name for a in CypAgeGroup.objects.all()] == [
        "Under 5",
        "Age 5 to 10",
        "Age 11 to 15",
        "Age 16 to 19",
        "Age 20 to 25",
    ]
    assert CypNeed.objects.count() == 13
    assert CypNeed.objects.last().name.startswith("SEN support but no specialist assessment")


def test_a_saved_grid_shows_row_and_column_totals_and_records_history(client, council, officer):
    client.force_login(officer)
    figures = {("mainstream", "5-10"): "1,200", ("mainstream", "11-15"): "300"}
    figures[("special", "5-10")] = "45"
    response = client.post(_grid_url(council), _posted(council, 2025, "age", figures))
    assert response.status_code == 302
    assert CypFigure.objects.filter(year__council=council).count() == 3
    page = client.get(_grid_url(council)).content.decode()
    # Mainstream's row total 1,500; the 5-10 column total 1,245; the grand total 1,545.
    assert ">1500<" in page and ">1245<" in page and "<strong>1545</strong>" in page
    events = AuditEvent.objects.filter(action="cyp_figure.create", council=council)
    assert events.count() == 3
    assert {e.after["count"] for e in events} == {1200, 300, 45}
    assert CypYear.objects.get(council=council).basis == "actual"


def test_a_bad_box_names_placement_age_and_year_and_saves_nothing(client, council, officer):
    client.force_login(officer)
    figures = {("mainstream", "5-10"): "12", ("post-16", "16-19"): "lots"}
    response = client.post(_grid_url(council), _posted(council, 2025, "age", figures))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Post-16 and further education, Age 16 to 19, January 2025" in page
    assert "Nothing was saved" in page
    assert not CypFigure.objects.exists()
    assert 'value="lots"' in page  # what was typed stays in its box


def test_a_box_saved_by_someone_else_since_is_refused_and_nothing_changes(council, officer):
    key = ("mainstream", "asd")
    cyp_table_save(
        council=council, census_year=2024, table="need", cells={key: 10}, versions={}, by=officer
    )
    cyp_table_save(
        council=council,
        census_year=2024,
        table="need",
        cells={key: 11},
        versions={key: 1},
        by=officer,
    )
    with pytest.raises(CypRefused) as refused:
        cyp_table_save(
            council=council,
            census_year=2024,
            table="need",
            cells={key: 99, ("special", "asd"): 5},
            versions={key: 1, ("special", "asd"): 0},
            by=officer,
        )
    assert (
        "Mainstream schools and academies, Autistic spectrum disorder (ASD), January 2024"
        in (refused.value.problems[key])
    )
    assert refused.value.versions[key] == 2
    assert list(CypFigure.objects.values_list("count", flat=True)) == [11]


def test_an_empty_box_removes_a_stored_figure_with_its_before_value(council, officer):
    key = ("other", "under-5")
    cyp_table_save(council=council, census_year=2025, table="age", cells={key: 4}, by=officer)
    cyp_table_save(
        council=council,
        census_year=2025,
        table="age",
        cells={key: ""},
        versions={key: 1},
        by=officer,
    )
    assert not CypFigure.objects.exists()
    assert AuditEvent.objects.get(action="cyp_figure.delete").before["count"] == 4


def test_totals_by_age_and_by_need_that_differ_are_a_warning_in_words(client, council, officer):
    cyp_table_save(
        council=council,
        census_year=2025,
        table="age",
        cells={("mainstream", "5-10"): 352},
        by=officer,
    )
    cyp_table_save(
        council=council,
        census_year=2025,
        table="need",
        cells={("mainstream", "asd"): 350},
        by=officer,
    )
    client.force_login(officer)
    page = client.get(_grid_url(council, table="need")).content.decode()
    assert (
        "Mainstream schools and academies, January 2025: 352 by age group but 350 by primary need "
        "(2 more by age)" in page
    )
    assert "Warning" in page


def test_a_board_member_sees_the_grid_but_cannot_save_it(client, council, board_member):
    client.force_login(board_member)
    assert client.get(_grid_url(council)).status_code == 200
    response = client.post(_grid_url(council), {"mainstream__5-10": "3"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        cyp_table_save(
            council=council,
            census_year=2025,
            table="age",
            cells={("mainstream", "5-10"): 3},
            by=board_member,
        )
    assert not CypFigure.objects.exists()


def test_another_councils_officer_gets_404_for_every_cyp_page(client, council, other_la_officer):
    client.force_login(other_la_officer)
    for url in (
        _grid_url(council),
        reverse("metrics:cyp_tables", args=[council.slug]),
        reverse("metrics:ehcp_comparators", args=[council.slug]),
        reverse("metrics:statistical_neighbours", args=[council.slug]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(_grid_url(council), {"mainstream__5-10": "3"}).status_code == 404
    assert not CypFigure.objects.exists()


def _grid_queries(client, council) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as grid:
        assert client.get(_grid_url(council)).status_code == 200
    with CaptureQueriesContext(connection) as overview:
        assert client.get(reverse("metrics:cyp_tables", args=[council.slug])).status_code == 200
    return len(grid), len(overview)


def test_the_grid_and_every_year_page_take_the_same_queries_at_1_year_and_at_8(
    client, council, officer
):
    client.force_login(officer)
    cells = {("mainstream", "5-10"): 3}
    cyp_table_save(council=council, census_year=2025, table="age", cells=cells, by=officer)
    one = _grid_queries(client, council)
    for year in range(2018, 2025):
        cyp_table_save(council=council, census_year=year, table="age", cells=cells, by=officer)
        cyp_table_save(
            council=council,
            census_year=year,
            table="need",
            cells={("special", "vi"): 2},
            by=officer,
        )
    assert _grid_queries(client, council) == one


def test_the_every_year_page_opens_a_typed_year_and_refuses_a_bad_one(client, council, officer):
    client.force_login(officer)
    url = reverse("metrics:cyp_tables", args=[council.slug])
    assert client.get(url, {"year": "2027"})["Location"] == _grid_url(council, 2027)
    assert (
        "Enter a census year from 2010 to 2060" in client.get(url, {"year": "27"}).content.decode()
    )


def test_the_part_is_registered_for_the_dsg_plan_only():
    assert "cyp" in [p.name for p in return_parts("dsg_plan")]
    assert "cyp" not in [p.name for p in return_parts("safety_valve")]


def test_a_safety_valve_round_asks_the_part_nothing(council, django_assert_num_queries):
    round = ReportingRoundFactory(agreement=council.agreements.get())
    with django_assert_num_queries(0):
        assert cyp_part.cyp_completeness(round, False) == []
        assert cyp_part.cyp_progress([round], set()) == {}
        assert cyp_part.cyp_tasks(round) == []


def test_a_dsg_round_needs_an_actual_year_with_both_tables(council, officer):
    round = ReportingRoundFactory(agreement=council.agreements.get(), return_kind=DSG_PLAN)
    assert [g.problem for g in cyp_part.cyp_completeness(round, False)] == [
        "no actual census year entered yet"
    ]
    cyp_table_save(
        council=council, census_year=2025, table="age", cells={("other", "20-25"): 1}, by=officer
    )
    gaps = cyp_part.cyp_completeness(round, False)
    assert [(g.item, g.problem) for g in gaps] == [
        ("Children and young people, January 2025", "no figures by primary need")
    ]
    assert cyp_part.cyp_progress([round], set()) == {round.pk: (0, 1)}
    assert cyp_part.cyp_tasks(round)[0].status == "in_progress"
    cyp_table_save(
        council=council, census_year=2025, table="need", cells={("other", "oth"): 1}, by=officer
    )
    assert cyp_part.cyp_completeness(round, False) == []
    assert cyp_part.cyp_progress([round], set()) == {round.pk: (1, 1)}
    assert cyp_part.cyp_tasks(round)[0].status == "completed"


def test_the_frozen_fragment_holds_every_year_with_totals_in_a_fixed_number_of_queries(
    council, officer
):
    def build():
        with CaptureQueriesContext(connection) as queries:
            fragment = cyp_fragment(council=council)
        return fragment, len(queries)

    cyp_table_save(
        council=council,
        census_year=2025,
        table="age",
        cells={("mainstream", "5-10"): 7},
        by=officer,
    )
    _, one_year = build()
    cyp_table_save(
        council=council,
        census_year=2027,
        table="need",
        cells={("special", "semh"): 4, ("special", "asd"): 6},
        basis="projection",
        by=officer,
    )
    fragment, two_years = build()
    assert two_years == one_year
    json.dumps(fragment)  # JSON-serialisable, as the freezer stores it
    assert [(y["census_year"], y["basis"]) for y in fragment["years"]] == [
        (2025, "actual"),
        (2027, "projection"),
    ]
    special = fragment["years"][1]["by_need"]["rows"][2]
    assert special["placement"] == "special" and special["total"] == 10
    assert fragment["years"][0]["by_age"]["total"] == 7
    assert len(fragment["needs"]) == 13 and fragment["comparators"]["rows"] == []


def test_only_the_categories_dfe_names_are_accepted(council, officer):
    with pytest.raises(CypRefused) as refused:
        cyp_table_save(
            council=council,
            census_year=2025,
            table="age",
            cells={("made-up-placement", "5-10"): 1},
            by=officer,
        )
    assert "no such placement in DfE's template" in str(refused.value.problems)
    assert not CypYear.objects.exists()


def test_a_user_without_a_role_is_refused_by_the_service(council):
    with pytest.raises(PermissionDenied):
        cyp_table_save(
            council=council,
            census_year=2025,
            table="age",
            cells={("mainstream", "5-10"): 1},
            by=UserFactory(),
        )


def test_the_demo_tables_agree_by_age_and_by_need_and_keep_the_seeds_total(council):
    from demo.data.common import Tally
    from demo.data.dsg_cyp import WILTSHIRE_YEARS, cyp_tables_demo_load, split

    assert split(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    tally = Tally()
    cyp_tables_demo_load(council, tally, WILTSHIRE_YEARS)
    fragment = cyp_fragment(council=council)
    january_2025 = next(y for y in fragment["years"] if y["census_year"] == 2025)
    assert january_2025["by_age"]["total"] == january_2025["by_need"]["total"] == 6357
    assert all(not y["mismatches"] for y in fragment["years"])
    again = Tally()
    cyp_tables_demo_load(council, again, WILTSHIRE_YEARS)
    assert not again.created and not again.changed  # a second run changes nothing


def _column_url(council, table="age", column="11-15"):
    return reverse("metrics:cyp_column", args=[council.slug, table, column])


def test_every_year_of_one_age_group_saves_all_or_none(client, council, officer):
    cyp_table_save(
        council=council, census_year=2024, table="age", cells={("special", "11-15"): 5}, by=officer
    )
    client.force_login(officer)
    page = client.get(_column_url(council), {"add": "2026"}).content.decode()
    assert "January 2024" in page and "January 2026" in page
    data = {"add": "2026", "v-2024__special": "1", "v-2026__special": "0"}
    data.update({"2024__special": "6", "2026__special": "x", "2026__mainstream": "40"})
    response = client.post(_column_url(council), data)
    body = response.content.decode()
    assert "Maintained special schools and special academies, Age 11 to 15, January 2026" in body
    assert list(CypFigure.objects.values_list("count", flat=True)) == [5]  # nothing changed
    assert not CypYear.objects.filter(census_year=2026).exists()
    data["2026__special"] = "7"
    assert client.post(_column_url(council), data).status_code == 302
    counts = {
        (f.year.census_year, f.placement.code): f.count
        for f in CypFigure.objects.select_related("year", "placement")
    }
    assert counts == {(2024, "special"): 6, (2026, "special"): 7, (2026, "mainstream"): 40}
    page = client.get(_column_url(council)).content.decode()
    assert "<strong>6</strong>" in page and "<strong>47</strong>" in page  # each year's total


def test_the_every_year_grid_refuses_a_stale_box_and_other_councils(
    client, council, officer, other_la_officer
):
    key = ("mainstream", "asd")
    cyp_table_save(council=council, census_year=2025, table="need", cells={key: 1}, by=officer)
    cyp_table_save(
        council=council,
        census_year=2025,
        table="need",
        cells={key: 2},
        versions={key: 1},
        by=officer,
    )
    client.force_login(officer)
    url = _column_url(council, "need", "asd")
    body = client.post(url, {"2025__mainstream": "9", "v-2025__mainstream": "1"}).content
    assert "Someone else saved this figure" in body.decode()
    assert CypFigure.objects.get().count == 2
    assert client.get(_column_url(council, "need", "made-up")).status_code == 404
    client.force_login(other_la_officer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"2025__mainstream": "9"}).status_code == 404


def test_a_frozen_dsg_round_keeps_the_tables_as_they_stood(council, officer):
    from reports.freeze import round_snapshot_freeze
    from reports.snapshot.record import round_record

    round = ReportingRoundFactory(agreement=council.agreements.get(), return_kind=DSG_PLAN)
    cells = {("mainstream", "5-10"): 100}
    cyp_table_save(council=council, census_year=2025, table="age", cells=cells, by=officer)
    live = round_record(round).parts["cyp"]
    assert live["years"][0]["by_age"]["total"] == 100
    round_snapshot_freeze(round=round, by=officer)
    round.status = "ready"
    round.save(update_fields=["status"])
    cyp_table_save(
        council=council,
        census_year=2025,
        table="age",
        cells={("mainstream", "5-10"): 120},
        versions={("mainstream", "5-10"): 1},
        by=officer,
    )
    frozen = round_record(round).parts["cyp"]
    assert frozen["years"][0]["by_age"]["total"] == 100  # the record, not the live table


def test_the_plans_task_list_shows_the_cyp_task_and_its_page(client, council, officer):
    from svmonitor.services import round_open_next

    council.return_kinds = ["safety_valve", DSG_PLAN]
    council.save(update_fields=["return_kinds"])
    lead = MembershipFactory(council=council, role=Role.LEAD).user
    round = round_open_next(
        agreement=council.agreements.get(),
        financial_year=2025,
        update_number=2,
        by=lead,
        return_kind=DSG_PLAN,
    )
    cells = {("mainstream", "5-10"): 8}
    cyp_table_save(council=council, census_year=2025, table="age", cells=cells, by=officer)
    client.force_login(lead)
    args = [council.slug, round.fy, round.update_number]
    tasks = client.get(reverse("reports:dsg_task_list", args=args)).content.decode()
    assert "Children and young people" in tasks and "1 census year: 1 to finish" in tasks
    page = client.get(reverse("reports:dsg_task_detail", args=[*args, "cyp"]))
    assert page.status_code == 200
    assert "8 by age group; 0 by primary need" in page.content.decode()


def test_the_parts_progress_takes_the_same_queries_for_1_plan_round_and_for_4(council, officer):
    from tests.factories import AgreementFactory

    def queries(rounds):
        with CaptureQueriesContext(connection) as captured:
            cyp_part.cyp_progress(rounds, set())
        return len(captured)

    one = [ReportingRoundFactory(agreement=council.agreements.get(), return_kind=DSG_PLAN)]
    more = list(one)
    for _ in range(3):
        more.append(ReportingRoundFactory(agreement=AgreementFactory(), return_kind=DSG_PLAN))
    cells = {("special", "pd"): 2}
    cyp_table_save(council=council, census_year=2025, table="need", cells=cells, by=officer)
    assert queries(one) == queries(more) == 2
