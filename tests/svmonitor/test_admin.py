"""The admin: every model registered and its pages working; history read-only."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from conditions.models import ConditionUpdate
from finance.models import ForecastReview
from metrics.models import (
    CypAgeGroup,
    CypFigure,
    CypPlacement,
    CypYear,
    Sen2Figure,
    StatisticalNeighbour,
)
from metrics.services_cyp import cyp_categories_seed
from overview.models import NarrativeTopic, RoundGovernance, RoundNarrative
from reports.models import DriftDecision, ReportFile, RoundSnapshot
from reports.portfolio import portfolio_rows
from svmonitor.audit import audit_record
from svmonitor.choices import Rag, RoundStatus
from svmonitor.models import (
    BackgroundJob,
    ImportPreview,
    PendingSubmission,
    ReminderKind,
    ReminderSent,
    RenderSlot,
)
from svmonitor.services.account import account_reminders_set
from tests import factories as f
from tests.round_builders import programme, round_in

pytestmark = pytest.mark.django_db

OUR_APPS = ("svmonitor", "conditions", "risks", "metrics", "finance", "overview", "reports")
READ_ONLY = {
    "svmonitor.auditevent",
    "svmonitor.signoff",
    "svmonitor.roundevent",
    "svmonitor.remindersent",
    "svmonitor.accountsettings",
    "reports.roundsnapshot",
    "reports.reportfile",
    "svmonitor.pendingsubmission",
    "svmonitor.importpreview",
    "finance.forecastreview",
    "finance.dsgplanline",
    "reports.driftdecision",
    "svmonitor.backgroundjob",
    "svmonitor.renderslot",
    # Seeded by a migration, the same for every council.
    "overview.narrativetopic",
    "reports.portfolioentry",
    "metrics.sen2figure",  # DfE's published figures: manage.py load_sen2 loads them
}
# Made by opening a round (round_open_next makes a row for every section), never added alone.
MADE_BY_OPENING = {
    "conditions.conditionupdate",
    "risks.riskupdate",
    "conditions.workstreamupdate",
    "conditions.milestoneupdate",
    "overview.roundoverview",
    "overview.roundnarrative",
    "overview.roundgovernance",
}


def _our_models():
    return [model for label in OUR_APPS for model in apps.get_app_config(label).get_models()]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    user = f.UserFactory(username="site-admin", is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def everything(db):
    """One of every model, through the lifecycle where it has one."""
    prog = programme()
    round = round_in(RoundStatus.SUBMITTED, prog)
    council = prog.agreement.council
    portfolio_rows(user=f.UserFactory(is_superuser=True))  # the council's stored row
    f.HeadlineFactory(overview=round.overview)
    f.KeyContactFactory(council=council)
    f.RagDefinitionFactory(council=council)
    f.MembershipFactory(council=council)
    f.PaymentInstalmentFactory(agreement=prog.agreement)
    f.DeficitCapFactory(agreement=prog.agreement)
    f.MonitoringTierChangeFactory(agreement=prog.agreement)
    f.MilestoneFactory()
    f.MilestoneUpdateFactory(round=round, milestone__workstream__area__council=council)
    f.MeasureValueFactory()
    f.HeadlineCardFactory(council=council)
    f.FinanceLineFactory(agreement=prog.agreement)
    f.DsgPlanFigureFactory(line__agreement=prog.agreement)
    f.WorkstreamSavingFactory(workstream__area__council=council)
    ForecastReview.objects.create(
        round=round, how="confirmed", reviewed_by=prog.officer, reviewed_at=round.ready_at
    )
    audit_record(action="test.event", obj=council)
    PendingSubmission.objects.create(
        token="t" * 43,
        user=prog.officer,
        url_name="conditions:condition_update_edit",
        posted_to="/",
        shown_at="/",
        fields={"narrative": ["typed"]},
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    ImportPreview.objects.create(
        token="p" * 32,
        user=prog.officer,
        council_slug=council.slug,
        filename="book.xlsx",
        content=b"PK",
        sha256="0" * 64,
    )
    account_reminders_set(user=prog.officer, by=prog.officer, enabled=False)
    job = BackgroundJob.objects.create(kind="report_pdf", council=council, round=round)
    RenderSlot.objects.create(number=0, job=job, held_until=timezone.now())
    ReminderSent.objects.create(
        user=prog.officer, round=round, kind=ReminderKind.OVERDUE, sent_at=timezone.now()
    )
    ReportFile.objects.create(
        round=round,
        snapshot=RoundSnapshot.objects.filter(round=round).first(),
        kind="report",
        round_version=round.version,
        file="reports/test-report.pdf",  # a name only: the admin lists it, never opens it
        sha256="0" * 64,
        size=1,
        pages=1,
    )
    plan = f.ReportingRoundFactory(
        agreement=prog.agreement, return_kind="dsg_plan", update_number=2, due_date=round.due_date
    )
    RoundNarrative.objects.create(round=plan, topic=NarrativeTopic.objects.first(), text="A text")
    RoundGovernance.objects.create(round=plan, notes="Governance notes")
    DriftDecision.objects.create(
        round=round,
        section="risk",
        section_pk=1,
        measure=f.MeasureFactory(council=council),
        evidence="above:2024-09",
        outcome="dismissed",
        suggestion="A suggestion",
        decided_by=prog.officer,
        decided_at=timezone.now(),
    )
    # Issue 19: the DSG plan's CYP tables, DfE's SEN2 figures and a statistical neighbour.
    cyp_categories_seed()
    year = CypYear.objects.create(council=council, census_year=2025)
    CypFigure.objects.create(
        year=year,
        placement=CypPlacement.objects.first(),
        age_group=CypAgeGroup.objects.first(),
        count=3,
    )
    Sen2Figure.objects.create(
        level="la",
        area_code="E06000054",
        name="An authority",
        census_year=2025,
        ehc_plans=10,
        loaded_at=timezone.now(),
    )
    StatisticalNeighbour.objects.create(council=council, area_code="E06000054", name="Another")
    return round


def test_every_model_of_our_apps_is_registered():
    missing = [m._meta.label for m in _our_models() if not admin.site.is_registered(m)]
    assert missing == []


def test_every_changelist_search_and_change_page_loads(client, superuser, everything):
    client.force_login(superuser)
    for model in _our_models():
        assert model.objects.exists(), model._meta.label
        assert client.get(_url(model, "changelist")).status_code == 200, model._meta.label
        assert client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200
        obj = model.objects.first()
        response = client.get(_url(model, "change", obj.pk))
        assert response.status_code == 200, model._meta.label


def test_add_pages_load_except_for_history_and_sections(client, superuser):
    client.force_login(superuser)
    for model in _our_models():
        status = client.get(_url(model, "add")).status_code
        expected = 403 if model._meta.label_lower in READ_ONLY | MADE_BY_OPENING else 200
        assert status == expected, model._meta.label


def test_history_cannot_be_changed_or_deleted_in_the_admin(client, superuser, everything):
    client.force_login(superuser)
    for label in READ_ONLY:
        model = apps.get_model(label)
        obj = model.objects.first()
        page = client.get(_url(model, "change", obj.pk))
        assert b'name="_save"' not in page.content
        assert client.post(_url(model, "change", obj.pk), {}).status_code == 403
        assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=obj.pk).exists()


def test_a_section_of_a_submitted_return_is_read_only_in_the_admin(client, superuser, everything):
    client.force_login(superuser)
    update = ConditionUpdate.objects.filter(round=everything).first()
    page = client.get(_url(ConditionUpdate, "change", update.pk))
    assert b'name="_save"' not in page.content
    data = {
        "round": everything.pk,
        "condition": update.condition_id,
        "rag": "red",
        "narrative": "x",
    }
    assert client.post(_url(ConditionUpdate, "change", update.pk), data).status_code == 403
    update.refresh_from_db()
    assert update.rag == Rag.GREEN


def test_an_admin_save_of_a_draft_section_bumps_its_version(client, superuser):
    client.force_login(superuser)
    round = round_in(RoundStatus.DRAFT)
    update = ConditionUpdate.objects.filter(round=round).first()
    data = {
        "round": round.pk,
        "condition": update.condition_id,
        "rag": "amber",
        "narrative": "Corrected by the administrator.",
        "_save": "Save",
    }
    response = client.post(_url(ConditionUpdate, "change", update.pk), data)
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.rag, update.version, update.updated_by) == (Rag.AMBER, 2, superuser)


def test_the_round_page_shows_its_sections_inline(client, superuser, everything):
    client.force_login(superuser)
    page = client.get(_url(type(everything), "change", everything.pk)).content.decode()
    for prefix in (
        "condition_updates",
        "risk_updates",
        "workstream_updates",
        "sign_offs",
        "events",
    ):
        assert f'id="{prefix}-group"' in page
