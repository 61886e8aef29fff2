"""Issue 19.6: DfE's published EHC plan figures (SEN2) loaded by `manage.py load_sen2`, a council's
statistical neighbours, and the council's EHCP rate and growth beside theirs and England's."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.models import Sen2Figure, StatisticalNeighbour
from metrics.selectors_cyp import ehcp_comparators
from metrics.sen2 import sen2_read
from metrics.services_cyp import sen2_load, statistical_neighbours_set
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.reports.conftest import build_council

pytestmark = pytest.mark.django_db

# The columns of DfE's "Number of EHC plans as at January each year" file (2025 release), cut
# to the geography, the filters and the first count columns.
COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
    "breakdown_topic",
    "breakdown",
    "ehcplans",
    "mainstream_la_maintained",
]
AREAS = {
    # code: (old code, name, region)
    "E06000054": ("865", "Wiltshire", "South West"),
    "E10000008": ("878", "Devon", "South West"),
    "E06000022": ("800", "Bath and North East Somerset", "South West"),
    "E10000013": ("916", "Gloucestershire", "South West"),
}


def _csv(figures: dict, *, extra_rows=(), columns=COLUMNS, total_column="ehcplans") -> bytes:
    """A file in the published layout: `figures` maps (code or "E92000001", "202425") to the
    total; each area also gets a breakdown row (age 10) that the loader must skip, and a
    regional row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    base = {"time_identifier": "Academic year", "country_code": "E92000001"}
    base["country_name"] = "England"
    for (code, period), total in figures.items():
        row = {**base, "time_period": period, total_column: total, "mainstream_la_maintained": 1}
        if code == "E92000001":
            row.update(geographic_level="National")
        else:
            old, name, region = AREAS[code]
            row.update(
                geographic_level="Local authority",
                region_code="E12000009",
                region_name=region,
                new_la_code=code,
                old_la_code=old,
                la_name=name,
            )
        topic = "All EHC plans" if total_column == "ehcplans" else "All new EHC plans"
        writer.writerow({**row, "breakdown_topic": topic, "breakdown": topic})
        writer.writerow(
            {
                **row,
                "breakdown_topic": "Child or young persons age",
                "breakdown": "age 10",
                total_column: 7,
            }
        )
    writer.writerow(
        {
            **base,
            "time_period": "202425",
            "geographic_level": "Regional",
            "region_code": "E12000009",
            "region_name": "South West",
            "breakdown_topic": "All",
            "breakdown": "All",
            total_column: 50000,
        }
    )
    for row in extra_rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


FIGURES = {
    ("E06000054", "202324"): 5000,
    ("E06000054", "202425"): 5500,
    ("E10000008", "202324"): 8000,
    ("E10000008", "202425"): 8400,
    ("E06000022", "202324"): 1500,
    ("E06000022", "202425"): 1800,
    ("E10000013", "202425"): 6000,
    ("E92000001", "202324"): 517049,
    ("E92000001", "202425"): 638745,
}


@pytest.fixture
def wiltshire_like(council):
    council.ons_code, council.dfe_la_number = "E06000054", "865"
    council.save()
    return council


@pytest.fixture
def lead(council):
    return MembershipFactory(council=council, role=Role.LEAD).user


def _load(data: bytes, **kwargs):
    return sen2_load(parsed=sen2_read(data), source="test.csv", **kwargs)


def test_the_published_layout_loads_england_and_every_authority_by_census_year():
    counts = _load(_csv(FIGURES))
    assert counts == {"created": 9, "changed": 0, "removed": 0}
    wilts = Sen2Figure.objects.get(area_code="E06000054", census_year=2025)
    assert (wilts.ehc_plans, wilts.old_la_code, wilts.name) == (5500, "865", "Wiltshire")
    england = Sen2Figure.objects.get(level="england", census_year=2025)
    assert england.ehc_plans == 638745
    assert not Sen2Figure.objects.filter(name="South West").exists()  # regions are skipped


def test_reloading_a_file_changes_nothing_and_a_new_release_replaces_its_years():
    _load(_csv(FIGURES))
    assert _load(_csv(FIGURES)) == {"created": 0, "changed": 0, "removed": 0}
    revised = {k: v for k, v in FIGURES.items() if k[1] == "202425" and k[0] != "E10000013"}
    revised[("E06000054", "202425")] = 5555
    counts = _load(_csv(revised))
    # Wiltshire's 2025 figure replaced; Gloucestershire's 2025 row, left out, goes; 2024 stays.
    assert counts == {"created": 0, "changed": 1, "removed": 1}
    assert Sen2Figure.objects.get(area_code="E06000054", census_year=2025).ehc_plans == 5555
    assert not Sen2Figure.objects.filter(area_code="E10000013").exists()
    assert Sen2Figure.objects.filter(census_year=2024).count() == 4


def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_loaded():
    bad = {
        "time_period": "202425",
        "time_identifier": "Academic year",
        "geographic_level": "Local authority",
        "country_code": "E92000001",
        "new_la_code": "E06000099",
        "old_la_code": "999",
        "la_name": "Nowhere",
        "breakdown_topic": "All EHC plans",
        "breakdown": "All EHC plans",
        "ehcplans": "12.5",
    }
    parsed = sen2_read(_csv(FIGURES, extra_rows=[bad]))
    assert parsed.errors == [
        "Row 21, ehcplans: '12.5' is not a whole number (or x, z or c for no figure)."
    ]
    with pytest.raises(ValidationError):
        sen2_load(parsed=parsed, source="bad.csv")
    assert not Sen2Figure.objects.exists()


def test_suppressed_figures_are_no_figure_and_a_file_without_counts_is_refused():
    figures = {**FIGURES, ("E10000013", "202425"): "x"}
    _load(_csv(figures))
    assert Sen2Figure.objects.get(area_code="E10000013").ehc_plans is None
    no_counts = sen2_read(b"time_period,time_identifier,geographic_level,new_la_code\n")
    assert no_counts.errors[0].startswith("The file has no count of EHC plans")
    no_geography = sen2_read(b"time_period,ehcplans\n2025,1\n")
    assert "no time_identifier, geographic_level, new_la_code column" in no_geography.errors[0]


def test_a_new_plans_file_keeps_a_calendar_years_plans_against_the_next_census():
    columns = [c if c != "ehcplans" else "new_ehc_plans" for c in COLUMNS]
    data = _csv(
        {("E06000054", "2024"): 900, ("E92000001", "2024"): 97747},
        columns=columns,
        total_column="new_ehc_plans",
    ).replace(b"Academic year", b"Calendar year")
    _load(_csv(FIGURES))
    _load(data)
    wilts = Sen2Figure.objects.get(area_code="E06000054", census_year=2025)
    assert (wilts.ehc_plans, wilts.new_plans) == (5500, 900)  # the caseload stays


def test_the_command_loads_a_file_and_names_the_bad_rows(tmp_path):
    path = tmp_path / "sen2.csv"
    path.write_bytes(_csv(FIGURES))
    out = io.StringIO()
    call_command("load_sen2", str(path), stdout=out)
    assert "9 added, 0 changed, 0 removed" in out.getvalue()
    assert AuditEvent.objects.get(action="sen2.load").username == "manage.py load_sen2"
    path.write_bytes(_csv(FIGURES).replace(b",5500,", b",lots,"))
    with pytest.raises(CommandError, match="Row 4, ehcplans: 'lots'"):
        call_command("load_sen2", str(path))
    assert Sen2Figure.objects.get(area_code="E06000054", census_year=2025).ehc_plans == 5500


def test_only_a_site_administrator_loads_national_figures():
    with pytest.raises(PermissionDenied):
        _load(_csv(FIGURES), by=UserFactory())
    assert not Sen2Figure.objects.exists()
    _load(_csv(FIGURES), by=UserFactory(is_superuser=True, is_staff=True))
    assert Sen2Figure.objects.exists()


def test_the_council_sits_beside_each_neighbour_their_median_and_england(wiltshire_like, lead):
    _load(_csv(FIGURES))
    statistical_neighbours_set(
        council=wiltshire_like, entries=["Devon", "E06000022", "gloucestershire"], by=lead
    )
    result = ehcp_comparators(council=wiltshire_like)
    assert result["available"] and result["year"] == 2025 and not result["illustrative"]
    rows = {r["name"]: r for r in result["rows"]}
    assert [r["role"] for r in result["rows"]] == [
        "council",
        "neighbour",
        "neighbour",
        "neighbour",
        "neighbour_median",
        "england",
    ]
    assert rows["Wiltshire"]["growth_pct"] == "10.0"  # 5,000 to 5,500
    assert rows["Devon"]["growth_pct"] == "5.0"
    assert rows["Bath and North East Somerset"]["growth_pct"] == "20.0"
    assert rows["Gloucestershire"]["growth_pct"] is None  # no 2024 figure
    assert rows["Statistical neighbours (median)"]["growth_pct"] == "12.5"
    assert rows["England"]["growth_pct"] == "23.5"
    assert rows["Wiltshire"]["rate_per_10k"] is None  # DfE's file gives no population


def test_the_rate_per_10000_shows_where_the_file_gives_population(wiltshire_like):
    columns = [*COLUMNS, "population_0_25"]
    extra = {
        "time_period": "202425",
        "time_identifier": "Academic year",
        "geographic_level": "Local authority",
        "country_code": "E92000001",
        "new_la_code": "E06000054",
        "old_la_code": "865",
        "la_name": "Wiltshire",
        "breakdown_topic": "All EHC plans",
        "breakdown": "All EHC plans",
        "ehcplans": 5500,
        "population_0_25": 150000,
    }
    _load(_csv({}, columns=columns, extra_rows=[extra]))
    row = ehcp_comparators(council=wiltshire_like)["rows"][0]
    assert row["rate_per_10k"] == "366.7"


def test_the_lead_chooses_neighbours_on_their_page_and_others_cannot(
    client, wiltshire_like, lead, la_officer, other_la_officer
):
    _load(_csv(FIGURES))
    url = reverse("metrics:statistical_neighbours", args=[wiltshire_like.slug])
    client.force_login(lead)
    page = client.get(url).content.decode()
    assert 'name="expected" value="none"' in page
    response = client.post(url, {"neighbours": "Devon\nNowhere\nWiltshire", "expected": "none"})
    body = response.content.decode()
    assert "Line 2: &quot;Nowhere&quot; is not a local authority" in body
    assert "Line 3: a council is not its own statistical neighbour." in body
    assert not StatisticalNeighbour.objects.exists()
    response = client.post(url, {"neighbours": "Devon\nE06000022", "expected": "none"})
    assert response.status_code == 302
    assert list(StatisticalNeighbour.objects.values_list("name", flat=True)) == [
        "Devon",
        "Bath and North East Somerset",
    ]
    event = AuditEvent.objects.get(action="statistical_neighbours.save")
    assert event.before == {"neighbours": []}
    # A second save from a page opened before the first is refused.
    stale = client.post(url, {"neighbours": "Devon", "expected": "none"}).content.decode()
    assert "Someone else changed the statistical neighbours" in stale
    assert StatisticalNeighbour.objects.count() == 2
    client.force_login(la_officer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"neighbours": "Devon", "expected": ""}).status_code == 403
    client.force_login(other_la_officer)
    assert client.get(url).status_code == 404


def test_the_comparators_page_shows_the_table_and_its_section_takes_one_query(
    client, wiltshire_like, lead, board_member
):
    _load(_csv(FIGURES))
    statistical_neighbours_set(council=wiltshire_like, entries=["Devon"], by=lead)
    client.force_login(board_member)
    url = reverse("metrics:ehcp_comparators", args=[wiltshire_like.slug])
    page = client.get(url).content.decode()
    assert "EHC plans at January 2025 and growth since January 2024" in page
    assert "<strong>Wiltshire</strong> (this council)" in page and ">5500<" in page
    assert "Illustrative" not in page
    with CaptureQueriesContext(connection) as queries:
        ehcp_comparators(council=wiltshire_like)
    assert len(queries) == 1
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Devon" in fragment


def test_illustrative_figures_say_so(client, wiltshire_like, board_member):
    _load(_csv(FIGURES), illustrative=True)
    client.force_login(board_member)
    page = client.get(reverse("metrics:ehcp_comparators", args=[wiltshire_like.slug]))
    assert "Illustrative figures." in page.content.decode()
    assert ehcp_comparators(council=wiltshire_like)["illustrative"] is True


def test_the_dashboard_summary_fetches_the_comparators_after_it_loads(client):
    council = build_council(scale=1).agreement.council
    client.force_login(MembershipFactory(council=council, role=Role.BOARD).user)
    page = client.get(reverse("reports:council_dashboard", args=[council.slug])).content.decode()
    url = reverse("metrics:ehcp_comparators", args=[council.slug])
    assert f'hx-get="{url}" hx-trigger="load"' in page
    assert f'<a class="govuk-link" href="{url}">' in page  # without JavaScript, a link


def test_the_comparators_page_has_its_own_h1_and_its_table_scrolls_in_its_own_box(
    client, wiltshire_like, lead
):
    _load(_csv(FIGURES))
    client.force_login(lead)
    url = reverse("metrics:ehcp_comparators", args=[wiltshire_like.slug])
    html = client.get(url).content.decode()
    assert html.count("<h1") == 1
    assert '<h1 class="govuk-heading-l" id="comparators-heading">' in html
    assert (
        '<div class="app-table-scroll" role="region" aria-labelledby="comparators-caption"' in html
    )
    # On the dashboard the same section is fetched by htmx: an h2 there, under the page's h1.
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<h1" not in part and '<h2 class="govuk-heading-l" id="comparators-heading">' in part
