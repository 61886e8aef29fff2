"""The data feed (issue 16.2): what each resource says, from which record, in JSON and CSV."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.services import api_token_create
from conditions.models import AgreementCondition, ConditionUpdate
from metrics.models import MeasureValue
from reports.freeze import round_snapshot_freeze
from svmonitor.choices import RoundStatus
from svmonitor.models import LocalAuthority, Membership
from svmonitor.roles import Role
from svmonitor.services.council import council_drafts_sharing_set
from tests import factories as f
from tests.accounts.graph import build_council
from tests.accounts.urlwalk import app_urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return UserFactory(username="site-admin", is_superuser=True, is_staff=True)


@pytest.fixture
def council_a(db):
    return build_council("A")


def feed_client(admin, user, councils) -> Client:
    _, text = api_token_create(by=admin, name="Power BI", user=user, councils=councils)
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def url(name: str, council=None, **query) -> str:
    path = reverse(f"api:{name}", args=[council.slug] if council else [])
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


def rows(client, path) -> list[dict]:
    """Every row of a list, following the next links."""
    found = []
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.content
        body = response.json()
        found += body["results"]
        path = body["next"]
    return found


def test_a_locked_return_is_read_from_its_frozen_record_and_a_draft_from_live_data(
    council_a, admin
):
    council = council_a.council
    signed_off = council_a.objects["snapshot"].round
    round_snapshot_freeze(round=signed_off, by=council_a.users[Role.LEAD])  # with its conditions
    # Live data moves after the freeze (as an edit that bypassed the lock would).
    ConditionUpdate.objects.filter(round=signed_off).update(narrative="Changed after freezing")
    ConditionUpdate.objects.filter(round=council_a.round).update(narrative="Draft edited now")
    client = feed_client(admin, council_a.users[Role.BOARD], [council])

    ratings = rows(client, url("condition_rating_list", council))
    by_round = {}
    for row in ratings:
        by_round.setdefault(row["round"], set()).add((row["record"], row["narrative"]))
    assert by_round["2024-25/2"] == {("frozen", "Progress A 2")}
    assert by_round["2024-25/3"] == {("live", "Draft edited now")}
    rounds = {r["round"]: r for r in rows(client, url("round_list", council))}
    assert rounds["2024-25/2"]["record"] == "frozen"
    assert len(rounds["2024-25/2"]["sha256"]) == 64
    assert (rounds["2024-25/3"]["record"], rounds["2024-25/3"]["sha256"]) == ("live", "")
    assert rounds["2024-25/3"]["status"] == "draft"
    assert rounds["2024-25/1"]["submitted_on"] == "2024-05-30"


def test_figures_are_long_form_as_the_chosen_rounds_record_has_them(council_a, admin):
    council = council_a.council
    signed_off = council_a.objects["snapshot"].round
    round_snapshot_freeze(round=signed_off, by=council_a.users[Role.LEAD])  # with its figures
    measure = council_a.objects["measure"]
    client = feed_client(admin, council_a.users[Role.BOARD], [council])
    figure = MeasureValue.objects.get(measure=measure, series__slug="actual", period="2024-04-01")
    MeasureValue.objects.filter(pk=figure.pk).update(
        value=None, not_available_reason="Not collected"
    )

    latest = rows(client, url("measure_value_list", council))
    keys = [(r["measure"], r["series"], r["period"]) for r in latest]
    # 2 measures x (9 forecast months + 8 actual months up to the round's data date).
    assert len(keys) == len(set(keys)) == 2 * (9 + 8)
    april = next(
        r
        for r in latest
        if (r["measure"], r["series"], r["period"]) == (measure.code, "actual", "2024-04-01")
    )
    assert april["round"] == "2024-25/3" and april["record"] == "live"
    assert (april["value"], april["not_available"]) == (None, "Not collected")
    assert april["period_label"] == "Apr 2024" and april["period_kind"] == "month"

    # The signed-off round's record was frozen with the figure as it was then.
    frozen = rows(client, url("measure_value_list", council, round="2024-25/2"))
    april = next(
        r
        for r in frozen
        if (r["measure"], r["series"], r["period"]) == (measure.code, "actual", "2024-04-01")
    )
    assert april["record"] == "frozen" and april["value"] == 104
    assert {r["round"] for r in frozen} == {"2024-25/2"}
    assert client.get(url("measure_value_list", council, round="2023-24/1")).status_code == 404
    nonsense = client.get(url("measure_value_list", council, round="nonsense"))
    assert nonsense.status_code == 400
    assert nonsense.json() == {
        "round": [
            "'nonsense' is not a round: give its financial year and update number, e.g. 2024-25/3."
        ]
    }

    measures = rows(client, url("measure_list", council))
    assert [m["code"] for m in measures] == sorted(m["code"] for m in measures)
    finance = rows(client, url("finance_line_list", council))
    assert {(r["year"], r["scenario"]) for r in finance} >= {(2024, "agreement"), (2024, "latest")}
    line = next(r for r in finance if (r["year"], r["scenario"]) == (2024, "latest"))
    assert line["cumulative_deficit"] == 80000000 and line["reflects"] == "Q2"


def test_an_advisers_token_reads_submitted_returns_only_unless_drafts_are_shared(council_a, admin):
    council = council_a.council
    client = feed_client(admin, council_a.users[Role.ADVISER], [council])
    assert [r["round"] for r in rows(client, url("round_list", council))] == ["2024-25/1"]
    ratings = rows(client, url("condition_rating_list", council))
    assert {r["narrative"] for r in ratings} == {"Progress A 1"}
    assert {r["round"] for r in rows(client, url("measure_list", council))} == {"2024-25/1"}
    for name in ("condition_rating_list", "risk_rating_list", "measure_value_list"):
        assert client.get(url(name, council, round="2024-25/3")).status_code == 404, name

    council_drafts_sharing_set(council=council, shared=True, by=council_a.users[Role.LEAD])
    assert len(rows(client, url("round_list", council))) == 3
    assert client.get(url("risk_rating_list", council, round="2024-25/3")).status_code == 200


def test_a_token_never_reaches_another_council_even_where_its_user_could(council_a, admin):
    council_b = build_council("B")
    user = council_a.users[Role.BOARD]
    Membership.objects.create(user=user, council=council_b.council, role=Role.BOARD)
    client = feed_client(admin, user, [council_a.council])
    listed = rows(client, url("council_list"))
    assert [c["slug"] for c in listed] == ["council-a"]
    for name in ("council_detail", "round_list", "condition_rating_list", "finance_line_list"):
        response = client.get(url(name, council_b.council))
        assert response.status_code == 404, name
        assert "Council B" not in response.content.decode()
        assert "Progress B" not in response.content.decode()


def test_a_token_made_for_a_user_later_removed_from_the_council_reads_nothing(council_a, admin):
    user = council_a.users[Role.BOARD]
    client = feed_client(admin, user, [council_a.council])
    assert client.get(url("round_list", council_a.council)).status_code == 200
    user.memberships.all().delete()
    assert client.get(url("round_list", council_a.council)).status_code == 404
    assert rows(client, url("council_list")) == []


def test_csv_has_the_same_fields_and_rows_as_json_and_a_next_link(council_a, admin):
    council = council_a.council
    client = feed_client(admin, council_a.users[Role.BOARD], [council])
    json_rows = rows(client, url("risk_rating_list", council))
    response = client.get(url("risk_rating_list", council, format="csv"))
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(table[0]) == list(json_rows[0])
    assert [r["narrative"] for r in table] == [r["narrative"] for r in json_rows]
    assert table[0]["is_key"] in ("true", "false")

    by_accept = client.get(url("risk_rating_list", council), HTTP_ACCEPT="text/csv")
    assert by_accept.content == response.content

    paged = client.get(url("measure_value_list", council, format="csv", page_size=5))
    assert len(list(csv.DictReader(io.StringIO(paged.content.decode("utf-8-sig"))))) == 5
    assert 'rel="next"' in paged["Link"] and "format=csv" in paged["Link"]

    empty = client.get(url("condition_rating_list", council, format="csv", round="2024-25/2"))
    header = empty.content.decode("utf-8-sig").splitlines()
    columns = ["condition", "title", "rag", "rag_label", "dfe_rag", "narrative"]
    assert header == [",".join([*list(json_rows[0])[:6], *columns])]


def test_pages_follow_a_stable_order_and_cover_every_row_once(council_a, admin):
    council = council_a.council
    client = feed_client(admin, council_a.users[Role.BOARD], [council])
    whole = client.get(url("measure_value_list", council, page_size=1000)).json()
    paged = rows(client, url("measure_value_list", council, page_size=7))
    assert paged == whole["results"]
    assert whole["count"] == len(paged) == 34
    first = client.get(url("measure_value_list", council, page_size=7)).json()
    assert first["next"].endswith("page=2&page_size=7")
    assert first["previous"] is None


def test_the_openapi_description_lists_every_resource_and_the_bearer_scheme():
    response = Client().get(reverse("api:schema") + "?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/councils/",
        "/api/councils/{slug}/",
        "/api/councils/{slug}/rounds/",
        "/api/councils/{slug}/condition-ratings/",
        "/api/councils/{slug}/risk-ratings/",
        "/api/councils/{slug}/measures/",
        "/api/councils/{slug}/measure-values/",
        "/api/councils/{slug}/finance-lines/",
        "/api/councils/{slug}/dsg-plan/rounds/",
        "/api/councils/{slug}/dsg-plan/finance-summary/",
        "/api/councils/{slug}/dsg-plan/finance-figures/",
        "/api/councils/{slug}/dsg-plan/workstreams/",
        "/api/councils/{slug}/dsg-plan/workstream-savings/",
        "/api/councils/{slug}/dsg-plan/cyp/",
    }
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    values = schema["components"]["schemas"]["MeasureValue"]["properties"]
    assert {"measure", "series", "period", "value", "not_available"} <= set(values)
    listing = schema["paths"]["/api/councils/{slug}/measure-values/"]["get"]
    assert "round" in {p["name"] for p in listing["parameters"]}
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert "next" in schema["components"]["schemas"][page.rsplit("/", 1)[1]]["properties"]


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name", ["council_list", "round_list", "condition_rating_list", "risk_rating_list"]
)
def test_a_list_costs_the_same_queries_however_many_councils_and_rows(admin, name):
    small = build_council("A")
    big = build_council("B")
    for tag in ("C", "D"):
        build_council(tag)
    # One council with 2 conditions and 2 risks against four with B's 8 and 8.
    user = UserFactory(username="reader")
    for council in LocalAuthority.objects.all():
        Membership.objects.create(user=user, council=council, role=Role.BOARD)
    one = feed_client(admin, user, [small.council])
    every = feed_client(admin, user, list(LocalAuthority.objects.all()))
    for n in range(3, 9):
        condition = f.AgreementConditionFactory(
            agreement=big.objects["agreement"], label=str(n), order=n
        )
        for round_ in big.council.agreements.get().rounds.all():
            f.ConditionUpdateFactory(round=round_, condition=condition)
            f.RiskUpdateFactory(round=round_, risk=f.RiskFactory(council=big.council))
    assert AgreementCondition.objects.filter(agreement__council=big.council).count() == 8
    # And three more returns, submitted and frozen: read in the same one query as the first.
    for number in (1, 2, 3):
        extra = f.ReportingRoundFactory(
            agreement=big.objects["agreement"],
            financial_year=2025,
            update_number=number,
            due_date=dt.date(2025, 5, 31),
            status=RoundStatus.SUBMITTED,
            submitted_on=dt.date(2025, 5, 30),
        )
        round_snapshot_freeze(round=extra, by=admin)
    council_arg = name != "council_list"
    small_path = url(name, small.council if council_arg else None)
    big_path = url(name, big.council if council_arg else None)
    assert _queries(one, small_path) == _queries(every, big_path)


@pytest.mark.parametrize("name", ["measure_list", "measure_value_list", "finance_line_list"])
@pytest.mark.parametrize("round_key", ["2024-25/2", "2024-25/3"])  # frozen, live
def test_a_rounds_figures_cost_the_same_queries_however_many_measures_and_figures(
    admin, name, round_key
):
    small, big = build_council("A"), build_council("B")
    source, actual = big.objects["data_source"], big.objects["measure_value"].series
    for n in range(3, 8):
        measure = f.MeasureFactory(council=big.council, data_source=source, order=n)
        for month in range(4, 13):
            f.MeasureValueFactory(measure=measure, period=dt.date(2024, month, 1), series=actual)
    for year in range(2023, 2029):
        f.FinanceLineFactory(
            agreement=big.objects["agreement"], financial_year=year, scenario="unmitigated"
        )
    for graph in (small, big):
        round_snapshot_freeze(round=graph.objects["snapshot"].round, by=admin)
    user = UserFactory(username="reader")
    for graph in (small, big):
        Membership.objects.create(user=user, council=graph.council, role=Role.BOARD)
    client = feed_client(admin, user, [small.council, big.council])
    small_path = url(name, small.council, round=round_key)
    big_path = url(name, big.council, round=round_key)
    assert len(rows(client, big_path)) > len(rows(client, small_path))
    assert _queries(client, small_path) == _queries(client, big_path)


LISTS = [
    "council_list",
    "round_list",
    "condition_rating_list",
    "risk_rating_list",
    "measure_list",
    "measure_value_list",
    "finance_line_list",
]


def test_every_lists_rows_have_the_fields_the_openapi_description_gives_in_its_order(
    council_a, admin
):
    council = council_a.council
    client = feed_client(admin, council_a.users[Role.BOARD], [council])
    schema = Client().get(reverse("api:schema") + "?format=json").json()
    for name in LISTS:
        path = url(name, None if name == "council_list" else council)
        body = client.get(path).json()
        assert body["results"], name
        ref = schema["paths"][path.replace(council.slug, "{slug}")]["get"]["responses"]["200"]
        page = ref["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        item = schema["components"]["schemas"][page]["properties"]["results"]["items"]["$ref"]
        fields = list(schema["components"]["schemas"][item.rsplit("/", 1)[1]]["properties"])
        for row in body["results"]:
            assert list(row) == fields, name


def test_the_url_walk_of_the_access_and_canary_tests_covers_every_feed_url(council_a):
    walked = {route.name for route, path, _names in app_urls(council_a) if path.startswith("/api/")}
    dsg = [
        "dsg_round_list",
        "dsg_finance_summary_list",
        "dsg_finance_figure_list",
        "dsg_workstream_list",
        "dsg_workstream_saving_list",
        "dsg_cyp_list",
    ]
    assert walked == {f"api:{name}" for name in [*LISTS, *dsg, "council_detail", "schema"]}
    naming_a_council = {
        route.name
        for route, path, names in app_urls(council_a)
        if path.startswith("/api/") and names
    }
    assert len(naming_a_council) == 13  # every URL under /api/councils/<slug>/
