"""One record out: a locked return is read from its frozen record on every surface.

A return is submitted through the lifecycle services; then live data under it is changed the
way the admin, an import or a shell could (a figure for a month inside the round, a
condition's wording, a risk, a rating). The dashboard, the round page, the changes page, the
Excel export, the portfolio and the PDFs' source still show what was frozen, and the pages say
in one line that live data has moved, linking to the list of what changed. A draft shows live
values and says nothing. Milestones are kept per round: completing one in 2025-26 leaves the
2024-25 return as it was, frozen or built live.
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    MilestoneUpdate,
    Workstream,
)
from conditions.services import milestone_save
from finance.models import FinanceLine
from metrics.models import MeasureValue, Series
from overview.models import Headline, RoundOverview
from reports.freeze import round_snapshot_freeze
from reports.pdf.selectors import report_source_for_round
from reports.portfolio import portfolio_rows
from reports.snapshot import round_snapshot_build
from reports.snapshot.record import round_record, round_record_changes
from risks.models import Risk
from svmonitor.choices import Rag, RoundStatus
from svmonitor.models import ReportingRound
from svmonitor.roles import Role
from svmonitor.services import (
    round_mark_ready,
    round_open_next,
    round_record_submission,
    round_sign_off,
)
from tests import factories as f
from tests.dashboard_pages import dashboard_html
from tests.round_builders import complete, programme, round_in, signing_day
from workbook.exporter import workbook_export

pytestmark = pytest.mark.django_db

NOTICE = "Figures or text have changed since this return was frozen on"
FROZEN_FIGURE, LIVE_FIGURE = Decimal("1234"), Decimal("9876")
WORDING = "The council will reduce reliance on independent special schools."


@dataclass
class World:
    """A council with a submitted 2024-25 Update 1 and the people who read it."""

    round: ReportingRound
    board: object
    lead: object
    adviser: object
    officer: object
    milestone: Milestone


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="svmonitor.backends.AccountBackend")
    return client


def _world(*, measures: int = 1) -> World:
    prog = programme()
    agreement = prog.agreement
    council = agreement.council
    AgreementCondition.objects.filter(agreement=agreement, label="1").update(wording=WORDING)
    workstream = Workstream.objects.get(area__council=council)
    milestone = f.MilestoneFactory(
        workstream=workstream, title="Hub open", due_date=dt.date(2026, 3, 31)
    )
    actual = f.SeriesFactory(council=council, kind=Series.Kind.ACTUAL, slug="actual")
    for n in range(measures):
        measure = f.MeasureFactory(
            council=council, code=f"EHCP-{n}", programme_area=workstream.area
        )
        # April 2024: the month Update 1 (due 31 May 2024) reports figures up to.
        f.MeasureValueFactory(
            measure=measure, series=actual, period=dt.date(2024, 4, 1), value=FROZEN_FIGURE
        )
    f.FinanceLineFactory(agreement=agreement, cumulative_deficit=Decimal("80000000"))
    f.DeficitCapFactory(agreement=agreement, cap=Decimal("84500000"))
    round = round_in(RoundStatus.DRAFT, prog)
    complete(round, prog.officer)
    f.HeadlineFactory(overview=round.overview, text="Early help works.")
    round = round_mark_ready(round=round, by=prog.officer)
    with signing_day(round.due_date - dt.timedelta(days=2)):
        round_sign_off(round=round, by=prog.s151, capacity="s151")
        round_sign_off(round=round, by=prog.dcs, capacity="dcs")
    round.refresh_from_db()
    round = round_record_submission(round=round, by=prog.officer, submitted_on=round.due_date)
    people = {}
    for role in (Role.BOARD, Role.LEAD, Role.ADVISER):
        people[role] = f.UserFactory()
        f.MembershipFactory(user=people[role], council=council, role=role)
    return World(
        round=round,
        board=people[Role.BOARD],
        lead=people[Role.LEAD],
        adviser=people[Role.ADVISER],
        officer=prog.officer,
        milestone=milestone,
    )


def _change_live_data(round: ReportingRound) -> None:
    """Change what the submitted return reported, bypassing its lock (as admin or SQL could)."""
    council = round.agreement.council
    MeasureValue.objects.filter(measure__council=council, period=dt.date(2024, 4, 1)).update(
        value=LIVE_FIGURE
    )
    AgreementCondition.objects.filter(agreement=round.agreement, label="1").update(
        wording="Reworded after submission."
    )
    Risk.objects.filter(council=council).update(title="Retitled after submission")
    ConditionUpdate.objects.filter(round=round, condition__label="1").update(
        rag=Rag.RED, narrative="Rewritten after submission."
    )
    FinanceLine.objects.filter(agreement=round.agreement).update(
        cumulative_deficit=Decimal("99000000")
    )
    RoundOverview.objects.filter(round=round).update(
        deficit_this_year_commentary="Rewritten commentary."
    )
    Headline.objects.filter(overview__round=round).update(text="Rewritten headline.")


def _dashboard(user, round) -> str:
    """Every page of the dashboard at the round (its summary and the pages it links to)."""
    query = f"?round={round.fy}/{round.update_number}"
    return dashboard_html(_client(user), round.agreement.council, query)


def _round_page(user, round, suffix: str = "") -> str:
    url = reverse(
        "reports:round_detail",
        args=[round.agreement.council.slug, round.fy, round.update_number],
    )
    return _client(user).get(url + suffix).content.decode()


def _sheet(workbook, name: str) -> list[tuple]:
    return list(workbook[name].iter_rows(min_row=2, values_only=True))


def _export(round) -> object:
    return load_workbook(io.BytesIO(workbook_export(council=round.agreement.council)))


# --- a submitted return after live data changed ----------------------------------------------


@pytest.fixture
def changed() -> World:
    world = _world()
    _change_live_data(world.round)
    return world


def test_the_dashboard_shows_the_frozen_figures_and_says_live_data_changed(changed):
    html = _dashboard(changed.board, changed.round)
    assert "1,234" in html and "9,876" not in html
    assert NOTICE in html
    changes = reverse(
        "reports:round_changes",
        args=[changed.round.agreement.council.slug, changed.round.fy, 1],
    )
    assert f'href="{changes}#since-frozen"' in html


def test_the_round_page_shows_the_frozen_return_with_a_one_line_notice(changed):
    html = _round_page(changed.lead, changed.round)
    assert WORDING in html and "Reworded after submission." not in html
    assert "Retitled after submission" not in html
    assert "Rewritten after submission." not in html
    assert html.count(NOTICE) == 1
    assert 'changes/#since-frozen">See what changed</a>' in html


def test_a_sections_own_view_shows_it_as_frozen(changed):
    update = ConditionUpdate.objects.get(round=changed.round, condition__label="1")
    args = [changed.round.agreement.council.slug, changed.round.fy, 1, update.pk]
    lead = _client(changed.lead)
    htmx = {"HTTP_HX_REQUEST": "true"}
    text = lead.get(reverse("conditions:condition_update_show", args=args), **htmx).content.decode()
    assert WORDING in text and "Rewritten after submission." not in text
    # The milestone completed live after submission still shows as the return reported it.
    MilestoneUpdate.objects.filter(round=changed.round).update(
        status=Milestone.Status.COMPLETE, completed_on=dt.date(2024, 5, 1)
    )
    args[-1] = changed.milestone.pk
    text = lead.get(reverse("conditions:milestone_show", args=args), **htmx).content.decode()
    assert "On track" in text and "1 May 2024" not in text


def test_the_changes_page_lists_what_differs_from_the_frozen_return(changed):
    html = _round_page(changed.lead, changed.round, "changes/")
    assert 'id="since-frozen"' in html
    assert "Condition 1, wording" in html and "Reworded after submission." in html
    assert "EHCP-0" in html and "April 2024" in html
    assert "1234" in html and "9876" in html
    assert "Retitled after submission" in html


def test_the_excel_export_writes_the_frozen_rows_of_a_locked_return(changed):
    workbook = _export(changed.round)
    condition_rows = [r for r in _sheet(workbook, "Condition updates") if r[3] == "1"]
    # Agreement, year, update, condition, RAG, progress update, key measures: as frozen.
    assert [r[1:] for r in condition_rows] == [("2024-25", 1, "1", "Green", None, None)]
    risk_rows = _sheet(workbook, "Risk updates")
    # The last cell: In DfE report, blank for a risk left to the default (issue 15.8).
    assert [r[1:] for r in risk_rows] == [
        ("2024-25", 1, 1, "Amber", "Mitigation in hand.", 4, 4, None)
    ]
    (overview,) = _sheet(workbook, "Overviews")
    assert overview[1:3] == ("2024-25", 1)
    assert "Placement costs rose faster than planned." in overview
    assert "Rewritten commentary." not in overview
    assert [r[3:] for r in _sheet(workbook, "Headlines")] == [("driver", 1, "Early help works.")]
    figures = _sheet(workbook, "Frozen figures")
    # (February and March are marked not available: the quarter's KPIs were completed.)
    assert [(r[3], r[5], r[6]) for r in figures if r[5] == dt.datetime(2024, 4, 1)] == [
        ("EHCP-0", dt.datetime(2024, 4, 1), FROZEN_FIGURE)
    ]


def test_the_portfolio_shows_the_frozen_levels_and_deficit(changed):
    (row,) = portfolio_rows(user=changed.adviser)
    assert [(c.label, c.code) for c in row.conditions] == [("1", Rag.GREEN), ("2", Rag.GREEN)]
    assert row.deficit == Decimal("80000000")
    html = _client(changed.adviser).get(reverse("reports:portfolio")).content.decode()
    assert "£4.50m within the cap" in html


def test_every_surface_reads_the_same_frozen_record(changed):
    record = round_record(changed.round)
    pdf = report_source_for_round(round=changed.round)
    assert record.sha256 == pdf.sha256 is not None
    assert record.snapshot.conditions == pdf.snapshot.conditions
    assert record.snapshot.conditions[0].wording == WORDING
    april = [p for p in record.snapshot.measures[0].actual.points if p.period.month == 4]
    assert april[0].value == FROZEN_FIGURE
    # The live build has moved; the record says what moved.
    assert round_snapshot_build(changed.round).conditions[0].wording != WORDING
    where = [c.where for c in round_record_changes(record)]
    assert "Agreement conditions, Condition 1, wording" in where


def test_a_frozen_return_nobody_changed_shows_no_notice():
    world = _world()
    assert round_record_changes(round_record(world.round)) == []
    assert NOTICE not in _dashboard(world.board, world.round)
    assert NOTICE not in _round_page(world.lead, world.round)
    assert "Nothing has changed since" in _round_page(world.lead, world.round, "changes/")


def test_marking_the_council_as_a_demo_council_is_not_a_change_to_its_frozen_return():
    """The demo marks a council it imported as fictional after the import froze its earlier
    returns; no page shows the marker, so the returns read as unchanged."""
    world = _world()
    council = world.round.agreement.council
    council.is_fictional = not council.is_fictional
    council.save(update_fields=["is_fictional"])
    assert round_record_changes(round_record(world.round)) == []
    assert NOTICE not in _dashboard(world.board, world.round)


def test_a_draft_shows_live_values_and_no_notice(changed):
    draft = round_open_next(
        agreement=changed.round.agreement, financial_year=2024, update_number=2, by=changed.lead
    )
    html = _dashboard(changed.board, draft)
    assert "9,876" in html and NOTICE not in html
    page = _round_page(changed.lead, draft)
    assert "Reworded after submission." in page and NOTICE not in page
    assert not round_record(draft).is_frozen


def test_a_body_kept_for_a_draft_is_not_served_once_it_is_frozen(changed):
    draft = round_open_next(
        agreement=changed.round.agreement, financial_year=2024, update_number=2, by=changed.lead
    )
    assert "9,876" in _dashboard(changed.board, draft)
    # Marking ready freezes the draft as it stands; then live data moves on.
    ReportingRound.objects.filter(pk=draft.pk).update(status=RoundStatus.READY)
    draft.refresh_from_db()
    round_snapshot_freeze(round=draft, by=changed.lead)
    MeasureValue.objects.filter(period=dt.date(2024, 4, 1)).update(value=Decimal("5555"))
    html = _dashboard(changed.board, draft)
    assert "9,876" in html and "5,555" not in html and NOTICE in html


# --- milestones per round --------------------------------------------------------------------


def test_completing_a_milestone_in_2025_26_leaves_the_2024_25_return_as_it_was():
    world = _world()
    next_year = round_open_next(
        agreement=world.round.agreement, financial_year=2025, update_number=1, by=world.lead
    )
    record = MilestoneUpdate.objects.get(round=next_year, milestone=world.milestone)
    milestone_save(
        milestone=world.milestone,
        round_id=next_year.pk,
        expected_version=record.version,
        status=Milestone.Status.COMPLETE,
        due_date=world.milestone.due_date,
        completed_on=dt.date(2025, 6, 1),
        by=world.lead,
    )
    # 2024-25 Update 1, built live from its own records: unchanged, so nothing to report.
    live = round_snapshot_build(world.round)
    (shown,) = [m for a in live.areas for w in a.workstreams for m in w.milestones]
    assert (shown.status, shown.completed_on) == (Milestone.Status.ON_TRACK, None)
    assert round_record_changes(round_record(world.round)) == []
    # On every surface.
    page = _round_page(world.lead, world.round)
    assert "1 Jun 2025" not in page and NOTICE not in page
    dashboard = _dashboard(world.board, world.round)
    assert NOTICE not in dashboard
    rows = _sheet(_export(world.round), "Round milestones")
    assert [(r[1], r[7], r[8]) for r in rows] == [
        ("2024-25", "On track", None),
        ("2025-26", "Complete", dt.datetime(2025, 6, 1)),
    ]
    source = report_source_for_round(round=world.round)
    (frozen,) = [m for a in source.snapshot.areas for w in a.workstreams for m in w.milestones]
    assert frozen.status == Milestone.Status.ON_TRACK
    # And the 2025-26 draft shows its completion.
    assert "1 Jun 2025" in _round_page(world.lead, next_year)


def test_a_milestone_saved_outside_a_return_reaches_the_open_draft_only():
    # The workbook's Milestones sheet and the admin save the milestone as set up.
    world = _world()
    draft = round_open_next(
        agreement=world.round.agreement, financial_year=2025, update_number=1, by=world.lead
    )
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    milestone_save(
        milestone=milestone,
        expected_version=milestone.version,
        status=Milestone.Status.COMPLETE,
        due_date=milestone.due_date,
        completed_on=dt.date(2025, 6, 1),
        by=world.lead,
    )
    records = MilestoneUpdate.objects.filter(milestone=milestone)
    assert records.get(round=draft).status == Milestone.Status.COMPLETE
    assert records.get(round=world.round).status == Milestone.Status.ON_TRACK
    assert round_record_changes(round_record(world.round)) == []


def test_opening_a_round_carries_each_milestone_record_forward():
    world = _world()
    next_year = round_open_next(
        agreement=world.round.agreement, financial_year=2025, update_number=1, by=world.lead
    )
    before = MilestoneUpdate.objects.get(round=world.round, milestone=world.milestone)
    after = MilestoneUpdate.objects.get(round=next_year, milestone=world.milestone)
    assert (after.status, after.due_date, after.completed_on, after.version) == (
        before.status,
        before.due_date,
        before.completed_on,
        1,
    )


# --- query counts ----------------------------------------------------------------------------


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


def _urls(world) -> tuple[str, str]:
    slug = world.round.agreement.council.slug
    return (
        reverse("reports:council_dashboard", args=[slug]),
        reverse("reports:round_detail", args=[slug, "2024-25", 1]),
    )


def test_a_frozen_return_takes_the_same_queries_for_six_times_the_measures(
    django_assert_num_queries,
):
    small, large = _world(measures=1), _world(measures=6)
    for world in (small, large):
        _change_live_data(world.round)
    dashboard, page = _urls(small)
    # A kept body is dropped by the change above; each first request builds it again.
    expected_dashboard = _queries(_client(small.board), dashboard, round="2024-25/1")
    expected_page = _queries(_client(small.lead), page)
    dashboard, page = _urls(large)
    board, lead = _client(large.board), _client(large.lead)
    with django_assert_num_queries(expected_dashboard):
        board.get(dashboard, {"round": "2024-25/1"})
    with django_assert_num_queries(expected_page):
        lead.get(page)
