"""The data feed's DSG deficit management plan (/api/councils/<slug>/dsg-plan/): its updates and
its financial summary, read as every surface reads them: a frozen update from its record, a
draft live; another council's is 404; the Safety Valve return's tables never mix with it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from conditions.models import WorkstreamSaving
from finance.models_dsg import DsgPlanFigure
from finance.services_dsg import dsg_plan_figures_import
from metrics.models import CypFigure
from metrics.services_cyp import cyp_categories_seed, cyp_table_save
from svmonitor.choices import RoundStatus
from svmonitor.models import Membership, ReportingRound
from svmonitor.roles import Role
from svmonitor.services.council import council_drafts_sharing_set
from tests import factories as f
from tests.accounts.graph import build_council
from tests.api.test_feed import _queries, feed_client, rows, url
from tests.dsg_outputs.builders import dsg_plan, dsg_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HN = "high_needs"
ALLOC = "DSG allocation after recoupment"
INMSS = "Independent and non-maintained special schools"
DSG_LISTS = [
    "dsg_round_list",
    "dsg_finance_summary_list",
    "dsg_finance_figure_list",
    "dsg_workstream_list",
    "dsg_workstream_saving_list",
    "dsg_cyp_list",
]
SUMMER, AUTUMN = "2025-26/1", "2025-26/2"
AGES = ["under-5", "5-10", "11-15", "16-19", "20-25"]


@pytest.fixture
def admin(db):
    return UserFactory(username="site-admin", is_superuser=True, is_staff=True)


def _figures(plan, entries: dict) -> None:
    """The plan's figures, saved by its finance lead through the service."""
    finance = f.UserFactory()
    f.MembershipFactory(user=finance, council=plan.agreement.council, role=Role.FINANCE)
    dsg_plan_figures_import(agreement=plan.agreement, entries=entries, by=finance)


def _workstreams(plan, count: int, saving: str = "450000") -> None:
    """`count` workstreams in the plan's workstream log, each saving `saving` in 2025-26 and
    twice that in 2026-27."""
    area = f.ProgrammeAreaFactory(council=plan.agreement.council, number=3, name="Right support")
    for n in range(count):
        workstream = f.WorkstreamFactory(
            area=area,
            name=f"Resource bases {n}",
            order=n,
            lead_role="Head of SEND",
            status="on_track",
        )
        for year, amount in ((2025, Decimal(saving)), (2026, 2 * Decimal(saving))):
            f.WorkstreamSavingFactory(workstream=workstream, financial_year=year, saving=amount)


def _cyp(plan, cells: dict) -> None:
    """The council's January 2025 EHC plans by age group, saved by its lead."""
    cyp_categories_seed()
    council = plan.agreement.council
    cyp_table_save(council=council, census_year=2025, table="age", cells=cells, by=plan.lead)


def _seeded_plan(inmss: str = "90000000"):
    """A plan whose high needs block's 2025-26 mitigated forecast is an £80m allocation and
    `inmss` spent on independent and non-maintained special schools, with one workstream."""
    plan = dsg_plan()
    _figures(
        plan,
        {
            (HN, "mitigated", ALLOC, 2025): Decimal("80000000"),
            (HN, "mitigated", INMSS, 2025): Decimal(inmss),
        },
    )
    _workstreams(plan, 1)
    _cyp(plan, {("mainstream", "5-10"): 1200, ("special", "11-15"): 45})
    return plan


def _one(found: list[dict], **match) -> dict:
    (row,) = [r for r in found if all(r[key] == value for key, value in match.items())]
    return row


def test_a_frozen_update_keeps_its_figure_after_an_edit_and_a_draft_reads_live(admin):
    plan = _seeded_plan()
    council = plan.agreement.council
    dsg_round(plan, 1, RoundStatus.SIGNED_OFF)  # frozen with £90m
    dsg_round(plan, 2)  # the autumn term, a draft
    # A figure moves after the summer term was frozen (as an edit that bypassed the lock would).
    DsgPlanFigure.objects.filter(line__name=INMSS, financial_year=2025).update(
        amount=Decimal("95000000")
    )
    WorkstreamSaving.objects.filter(financial_year=2025).update(saving=Decimal("1"))
    CypFigure.objects.filter(count=1200).update(count=1300)
    client = feed_client(admin, plan.board, [council])

    frozen = rows(client, url("dsg_finance_figure_list", council, round=SUMMER))
    figure = _one(frozen, line=INMSS, scenario="mitigated", year=2025)
    assert (figure["round"], figure["record"], figure["amount"]) == (SUMMER, "frozen", 90000000)
    assert (figure["block"], figure["fy"], figure["line_kind"]) == (HN, "2025-26", "expenditure")
    # With no ?round=, the latest update the token reads: the autumn draft, built live.
    live = _one(rows(client, url("dsg_finance_figure_list", council)), line=INMSS, year=2025)
    assert (live["round"], live["record"], live["amount"]) == (AUTUMN, "live", 95000000)

    summary = rows(client, url("dsg_finance_summary_list", council, round=SUMMER))
    high_needs = _one(summary, block=HN, scenario="mitigated", year=2025)
    assert high_needs["record"] == "frozen"
    assert (high_needs["allocation"], high_needs["expenditure"]) == (80000000, 90000000)
    assert (high_needs["in_year"], high_needs["in_year_pct_of_dsg"]) == (-10000000, -12.5)
    total = _one(summary, block="total", scenario="mitigated", year=2025)
    assert total["carried_forward"] == -10000000
    now = _one(rows(client, url("dsg_finance_summary_list", council)), block=HN, year=2025)
    assert (now["record"], now["in_year"]) == ("live", -15000000)

    (workstream,) = rows(client, url("dsg_workstream_list", council, round=SUMMER))
    assert (workstream["record"], workstream["name"], workstream["savings_total"]) == (
        "frozen",
        "Resource bases 0",
        1350000,
    )
    assert (workstream["area_number"], workstream["status"]) == (3, "on_track")
    savings = rows(client, url("dsg_workstream_saving_list", council, round=SUMMER))
    assert [(r["fy"], r["saving"]) for r in savings] == [("2025-26", 450000), ("2026-27", 900000)]
    savings = rows(client, url("dsg_workstream_saving_list", council))
    assert [(r["record"], r["saving"]) for r in savings] == [("live", 1), ("live", 900000)]

    cyp = rows(client, url("dsg_cyp_list", council, round=SUMMER))
    assert [(r["record"], r["table"], r["placement"], r["category"], r["count"]) for r in cyp] == [
        ("frozen", "age", "mainstream", "5-10", 1200),
        ("frozen", "age", "special", "11-15", 45),
    ]
    assert (cyp[0]["census_label"], cyp[0]["basis"]) == ("January 2025", "actual")
    cyp = rows(client, url("dsg_cyp_list", council))
    assert [(r["record"], r["count"]) for r in cyp] == [("live", 1300), ("live", 45)]

    updates = {r["round"]: r for r in rows(client, url("dsg_round_list", council))}
    assert list(updates) == [SUMMER, AUTUMN]
    assert updates[SUMMER]["status"] == "signed_off" and updates[SUMMER]["record"] == "frozen"
    assert len(updates[SUMMER]["sha256"]) == 64
    assert updates[SUMMER]["label"] == "2025-26 DSG plan, summer term (July)"
    assert (updates[AUTUMN]["record"], updates[AUTUMN]["sha256"]) == ("live", "")


def test_another_councils_plan_is_404_even_where_the_tokens_user_reads_it(admin):
    mine, theirs = _seeded_plan(), _seeded_plan(inmss="12345678")
    for plan in (mine, theirs):
        dsg_round(plan, 1, RoundStatus.SIGNED_OFF)
    Membership.objects.create(user=mine.board, council=theirs.agreement.council, role=Role.BOARD)
    client = feed_client(admin, mine.board, [mine.agreement.council])
    other = theirs.agreement.council
    for name in DSG_LISTS:
        response = client.get(url(name, other))
        assert response.status_code == 404, name
        assert other.name not in response.content.decode(), name
        assert "12345678" not in response.content.decode(), name
    figures = rows(client, url("dsg_finance_figure_list", mine.agreement.council))
    assert {r["council"] for r in figures} == {mine.agreement.council.slug}
    assert 12345678 not in {r["amount"] for r in figures}


def test_an_advisers_token_reads_submitted_updates_only_unless_drafts_are_shared(admin):
    plan = _seeded_plan()
    council = plan.agreement.council
    summer = dsg_round(plan, 1, RoundStatus.SIGNED_OFF)
    ReportingRound.objects.filter(pk=summer.pk).update(
        status=RoundStatus.SUBMITTED, submitted_on=dt.date(2025, 7, 14)
    )
    dsg_round(plan, 2)
    adviser = f.UserFactory()
    f.MembershipFactory(user=adviser, council=council, role=Role.ADVISER)
    client = feed_client(admin, adviser, [council])
    assert [
        (r["round"], r["status_label"]) for r in rows(client, url("dsg_round_list", council))
    ] == [(SUMMER, "Presented to the Schools Forum")]
    assert {r["round"] for r in rows(client, url("dsg_finance_summary_list", council))} == {SUMMER}
    for name in ("dsg_finance_summary_list", "dsg_finance_figure_list"):
        assert client.get(url(name, council, round=AUTUMN)).status_code == 404, name

    council_drafts_sharing_set(council=council, shared=True, by=plan.lead)
    assert [r["round"] for r in rows(client, url("dsg_round_list", council))] == [SUMMER, AUTUMN]
    assert client.get(url("dsg_finance_figure_list", council, round=AUTUMN)).status_code == 200


def test_the_safety_valve_and_dsg_tables_never_mix_their_rounds(admin):
    """A council running both has a 2024-25/2 of each kind: each table lists its own."""
    graph = build_council("A")
    council = graph.council
    client = feed_client(admin, graph.users[Role.BOARD], [council])
    safety_valve = rows(client, url("round_list", council))
    assert [(r["round"], r["status"], r["record"]) for r in safety_valve] == [
        ("2024-25/1", "submitted", "live"),  # loaded as submitted, never frozen
        ("2024-25/2", "signed_off", "frozen"),
        ("2024-25/3", "draft", "live"),
    ]
    plan = rows(client, url("dsg_round_list", council))
    assert [(r["round"], r["status"], r["record"], r["label"]) for r in plan] == [
        ("2024-25/2", "draft", "live", "2024-25 DSG plan, autumn term (December)")
    ]
    assert client.get(url("dsg_finance_summary_list", council, round="2024-25/3")).status_code == (
        404
    )


def test_every_dsg_lists_rows_have_the_fields_the_openapi_description_gives_in_its_order(admin):
    plan = _seeded_plan()
    council = plan.agreement.council
    dsg_round(plan, 1, RoundStatus.SIGNED_OFF)
    client = feed_client(admin, plan.board, [council])
    schema = Client().get(reverse("api:schema") + "?format=json").json()
    for name in DSG_LISTS:
        path = url(name, council)
        body = client.get(path).json()
        assert body["results"], name
        ref = schema["paths"][path.replace(council.slug, "{slug}")]["get"]["responses"]["200"]
        page = ref["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        item = schema["components"]["schemas"][page]["properties"]["results"]["items"]["$ref"]
        fields = list(schema["components"]["schemas"][item.rsplit("/", 1)[1]]["properties"])
        for row in body["results"]:
            assert list(row) == fields, name
    csv = client.get(url("dsg_finance_figure_list", council, format="csv"))
    assert csv["Content-Type"].startswith("text/csv")
    header = csv.content.decode("utf-8-sig").splitlines()[0]
    assert header.endswith("scenario,scenario_label,year,fy,amount")


def _plan_with_rounds(lines: int, frozen: int):
    """A plan with `lines` expenditure lines (in turn in each block) in each of two
    scenarios and five years and as many workstreams, its
    summer term (and autumn, if `frozen` is 2) frozen, and the next term a draft."""
    plan = dsg_plan()
    entries = {}
    for n in range(lines):
        block = ("high_needs", "schools", "early_years", "central")[n % 4]
        for scenario in ("unmitigated", "mitigated"):
            for year in range(2025, 2030):
                entries[(block, scenario, f"Line {n}", year)] = Decimal(1000 * (n + 1))
    entries[(HN, "mitigated", ALLOC, 2025)] = Decimal("80000000")
    _figures(plan, entries)
    _workstreams(plan, lines)
    _cyp(plan, {("mainstream", code): n + 1 for n, code in enumerate(AGES[:lines])})
    for number in range(1, frozen + 1):
        dsg_round(plan, number, RoundStatus.SIGNED_OFF)
    dsg_round(plan, frozen + 1)
    return plan


@pytest.mark.parametrize("name", DSG_LISTS)
@pytest.mark.parametrize("round_key", [SUMMER, None])  # frozen, the latest (a draft, live)
def test_a_dsg_list_costs_the_same_queries_however_many_updates_lines_and_figures(
    admin, name, round_key
):
    small, big = _plan_with_rounds(lines=1, frozen=1), _plan_with_rounds(lines=5, frozen=2)
    user = UserFactory(username="reader")
    for plan in (small, big):
        Membership.objects.create(user=user, council=plan.agreement.council, role=Role.BOARD)
    client = feed_client(admin, user, [small.agreement.council, big.agreement.council])
    query = {"round": round_key} if round_key else {}
    small_path = url(name, small.agreement.council, **query)
    big_path = url(name, big.agreement.council, **query)
    assert len(rows(client, big_path)) > len(rows(client, small_path))
    assert _queries(client, small_path) == _queries(client, big_path)
    if round_key or name == "dsg_round_list":
        # The token; the council; its DSG rounds the user reads; one part of every frozen
        # payload (the round list: each frozen payload's hash); the token's counter; the
        # api_read audit event.
        assert _queries(client, big_path) == 6
