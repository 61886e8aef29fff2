"""A draft return as a GOV.UK task list (issue 15.1, 15.2): one task per condition, risk,
programme area's workstreams, the overview and the headlines, each with its status and the
count; each task's page with its answers and Change links; "No change this quarter" for one
task or for every unchanged section, recorded in each section's history."""

import re
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conditions.models import ConditionUpdate, WorkstreamUpdate
from conditions.services import condition_update_confirm, condition_update_save
from overview.models import RoundOverview
from reports.task_list import return_tasks
from risks.models import RiskUpdate
from svmonitor.choices import Rag, RoundStatus
from svmonitor.history import section_history
from svmonitor.models import AuditEvent
from svmonitor.sections import (
    TASK_CANNOT_START,
    TASK_COMPLETED,
    TASK_IN_PROGRESS,
    TASK_NOT_STARTED,
    ReturnPart,
    ReturnTask,
    return_part_register,
    return_part_unregister,
)
from svmonitor.services import round_open_next
from tests import factories as f
from tests.round_builders import complete, leave_draft
from tests.round_page.conftest import client_for

pytestmark = pytest.mark.django_db


def _url(round, name, *extra):
    args = [round.agreement.council.slug, round.fy, round.update_number, *extra]
    return reverse(f"reports:{name}", args=args)


@pytest.fixture
def carried(draft, lead):
    """2024-25 Update 2, carried forward from a complete Update 1: nothing touched yet."""
    complete(draft, lead)
    leave_draft(draft)
    return round_open_next(agreement=draft.agreement, financial_year=2024, update_number=2, by=lead)


def _statuses(round) -> dict[str, str]:
    return {row.task.key: row.status for row in return_tasks(round).rows}


def _count(html: str) -> str:
    return re.search(r'id="task-count">([^<]+)<', html).group(1)


def test_the_task_list_has_a_task_per_condition_risk_area_overview_and_headlines(draft, lead):
    conditions = ConditionUpdate.objects.filter(round=draft).order_by("condition__order")
    risk = RiskUpdate.objects.get(round=draft)
    area = WorkstreamUpdate.objects.get(round=draft).workstream.area
    keys = [row.task.key for row in return_tasks(draft).rows]
    assert keys == [
        *[f"condition-{u.pk}" for u in conditions],
        f"risk-{risk.pk}",
        f"workstreams-{area.pk}",
        "overview",
        "headlines",
    ]
    html = client_for(lead).get(_url(draft, "task_list")).content.decode()
    assert _count(html) == "You have completed 0 of 6 tasks"
    assert 'class="govuk-task-list"' in html
    # The one-page return is one link away, for reading and printing.
    assert _url(draft, "round_detail") in html


def test_the_overview_cannot_start_until_every_condition_is_rated(draft, lead):
    statuses = _statuses(draft)
    assert statuses["overview"] == TASK_CANNOT_START
    html = client_for(lead).get(_url(draft, "task_list")).content.decode()
    assert "Waits for every condition to be rated." in html
    assert f'href="{_url(draft, "task_detail", "overview")}"' not in html
    for update in ConditionUpdate.objects.filter(round=draft):
        condition_update_save(
            update=update, expected_version=1, rag=Rag.GREEN, narrative="", by=lead
        )
    assert _statuses(draft)["overview"] == TASK_NOT_STARTED


def test_a_narrative_without_a_level_is_in_progress_and_a_rated_one_completed(draft, lead):
    update = ConditionUpdate.objects.filter(round=draft).order_by("condition__order").first()
    key = f"condition-{update.pk}"
    condition_update_save(
        update=update, expected_version=1, rag=Rag.NOT_RATED, narrative="Draft words", by=lead
    )
    assert _statuses(draft)[key] == TASK_IN_PROGRESS
    condition_update_save(
        update=update, expected_version=2, rag=Rag.AMBER, narrative="Draft words", by=lead
    )
    assert _statuses(draft)[key] == TASK_COMPLETED
    html = client_for(lead).get(_url(draft, "task_list")).content.decode()
    assert _count(html) == "You have completed 1 of 6 tasks"


def test_a_carried_forward_return_starts_with_every_task_not_yet_started(carried):
    assert set(_statuses(carried).values()) == {TASK_NOT_STARTED}


def test_no_change_this_quarter_completes_a_task_and_is_in_its_history(carried, lead):
    update = ConditionUpdate.objects.filter(round=carried).order_by("condition__order").first()
    key = f"condition-{update.pk}"
    client = client_for(lead)
    page = client.get(_url(carried, "task_detail", key)).content.decode()
    assert "No change this quarter" in page
    assert f'value="condition:{update.pk}:1"' in page
    response = client.post(
        _url(carried, "task_confirm_unchanged", key), {"section": f"condition:{update.pk}:1"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url(carried, "task_list")
    update.refresh_from_db()
    assert (update.version, update.updated_by) == (2, lead)
    assert _statuses(carried)[key] == TASK_COMPLETED
    entries = section_history(user=lead, section="condition", object_id=update.pk)
    assert [e.action for e in entries] == ["Confirmed: no change this quarter"]
    assert entries[0].who == lead.username
    html = client.get(_url(carried, "task_list")).content.decode()
    assert "1 section confirmed: no change this quarter." in html
    assert _count(html) == "You have completed 1 of 6 tasks"


def test_confirming_every_unchanged_section_lets_the_return_be_marked_ready(carried, lead):
    client = client_for(lead)
    html = client.get(_url(carried, "task_list")).content.decode()
    refs = re.findall(r'name="section" value="([^"]+)"', html)
    # Two conditions, a risk, a workstream, the overview and three headline lists.
    assert len(refs) == 8
    assert "Confirm 8 unchanged sections: no change this quarter" in unescape(html)
    response = client.post(_url(carried, "tasks_confirm_unchanged"), {"section": refs})
    assert response["Location"] == _url(carried, "task_list")
    assert set(_statuses(carried).values()) == {TASK_COMPLETED}
    # Each section's own history has its confirmation: one event per section.
    confirms = AuditEvent.objects.filter(action__endswith=".confirm")
    assert confirms.count() == 8
    html = client.get(_url(carried, "task_list")).content.decode()
    assert "You have completed all 6 tasks" in html
    assert "Mark ready for sign-off" in html
    client.post(_url(carried, "round_ready"))
    carried.refresh_from_db()
    assert carried.status == RoundStatus.READY


def test_a_section_saved_after_the_list_was_loaded_is_not_confirmed(carried, lead, la_officer):
    client = client_for(lead)
    html = client.get(_url(carried, "task_list")).content.decode()
    refs = re.findall(r'name="section" value="([^"]+)"', html)
    update = ConditionUpdate.objects.filter(round=carried).order_by("condition__order").first()
    # Someone rates it Red with their words after the lead loaded the list.
    condition_update_save(
        update=update, expected_version=1, rag=Rag.RED, narrative="Worse.", by=la_officer
    )
    response = client.post(_url(carried, "tasks_confirm_unchanged"), {"section": refs}, follow=True)
    html = unescape(response.content.decode())
    assert "7 sections confirmed: no change this quarter." in html
    assert "A condition section was not confirmed: someone saved it after your page" in html
    update.refresh_from_db()
    assert (update.rag, update.version) == (Rag.RED, 2)
    assert not AuditEvent.objects.filter(
        action="condition_update.confirm", object_id=str(update.pk)
    ).exists()


def test_the_confirm_service_refuses_a_stale_version_a_level_to_keep_and_other_roles(
    draft, lead, board_member
):
    update = ConditionUpdate.objects.filter(round=draft).first()
    with pytest.raises(ValidationError, match="not rated"):
        condition_update_confirm(pk=update.pk, expected_version=1, by=lead)
    condition_update_save(update=update, expected_version=1, rag=Rag.GREEN, narrative="", by=lead)
    with pytest.raises(PermissionDenied):
        condition_update_confirm(pk=update.pk, expected_version=2, by=board_member)
    from svmonitor.errors import StaleEdit

    with pytest.raises(StaleEdit):
        condition_update_confirm(pk=update.pk, expected_version=1, by=lead)
    confirmed = condition_update_confirm(pk=update.pk, expected_version=2, by=lead)
    assert confirmed.version == 3


def test_a_locked_return_refuses_the_confirmation(carried, lead):
    update = ConditionUpdate.objects.filter(round=carried).first()
    leave_draft(carried)
    with pytest.raises(ValidationError, match="can no longer be edited"):
        condition_update_confirm(pk=update.pk, expected_version=1, by=lead)


def test_a_task_page_lists_its_answers_with_change_links_back_to_it(carried, lead):
    risk = RiskUpdate.objects.get(round=carried)
    key = f"risk-{risk.pk}"
    task = _url(carried, "task_detail", key)
    html = unescape(client_for(lead).get(task).content.decode())
    assert 'class="govuk-summary-list"' in html
    assert "Mitigation in hand." in html
    edit = reverse(
        "risks:risk_update_edit",
        args=[carried.agreement.council.slug, carried.fy, carried.update_number, risk.pk],
    )
    assert f'href="{edit}?next={task.replace("/", "%2F")}"' in html
    # Saving from the edit page opened there comes back to the task's page.
    response = client_for(lead).post(
        edit,
        {
            "rag": "red",
            "narrative": "Worse than planned.",
            "impact": "5",
            "likelihood": "4",
            "version": "1",
            "next": task,
        },
    )
    assert response["Location"] == task
    assert _statuses(carried)[key] == TASK_COMPLETED


def test_an_edit_page_ignores_a_next_address_on_another_site(carried, lead):
    update = ConditionUpdate.objects.filter(round=carried).first()
    edit = reverse(
        "conditions:condition_update_edit",
        args=[carried.agreement.council.slug, carried.fy, carried.update_number, update.pk],
    )
    data = {"rag": "green", "narrative": "", "version": "1", "next": "//evil.example/"}
    response = client_for(lead).post(edit, data)
    assert response["Location"].startswith(_url(carried, "round_detail"))


def test_the_workstream_task_is_the_programme_areas_workstreams_and_milestones(carried, lead):
    update = WorkstreamUpdate.objects.get(round=carried)
    area = update.workstream.area
    html = client_for(lead).get(_url(carried, "task_detail", f"workstreams-{area.pk}"))
    html = unescape(html.content.decode())
    assert f"Workstream: {update.workstream.name}" in html
    milestone = update.workstream.milestones.first()
    assert f"Milestone: {milestone.title}" in html


def test_a_board_member_reads_the_list_but_cannot_confirm(carried, board_member):
    client = client_for(board_member)
    html = client.get(_url(carried, "task_list")).content.decode()
    assert "You have completed 0 of 6 tasks" in html
    assert "unchanged section" not in html
    update = ConditionUpdate.objects.filter(round=carried).first()
    response = client.post(
        _url(carried, "tasks_confirm_unchanged"), {"section": f"condition:{update.pk}:1"}
    )
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.version == 1


def test_another_councils_officer_gets_404(carried, other_la_officer):
    client = client_for(other_la_officer)
    assert client.get(_url(carried, "task_list")).status_code == 404
    assert client.get(_url(carried, "task_detail", "overview")).status_code == 404


def test_a_locked_return_goes_to_its_one_page_record(carried, lead):
    leave_draft(carried)
    response = client_for(lead).get(_url(carried, "task_list"))
    assert response["Location"] == _url(carried, "round_detail")


def test_an_unknown_task_is_404(draft, lead):
    assert client_for(lead).get(_url(draft, "task_detail", "condition-999999")).status_code == 404


@pytest.fixture
def second_kind():
    """A part of another kind of return, registered for the test only."""

    def tasks(round, carried):
        return [ReturnTask(key="plan", group="Plan", title="Financial plan", status="completed")]

    part = ReturnPart(
        "dsg_plan",
        5,
        carry_forward=lambda *a: None,
        completeness=lambda *a: [],
        tasks=tasks,
        return_kind="dsg_deficit_plan",
    )
    return_part_register(part)
    yield part
    return_part_unregister(part.name)


def test_another_kind_of_return_lists_only_the_parts_it_registered(draft, second_kind):
    other = return_tasks(draft, return_kind="dsg_deficit_plan")
    assert [row.task.key for row in other.rows] == ["plan"]
    assert "plan" not in [row.task.key for row in return_tasks(draft).rows]


def test_rag_radios_use_the_councils_notation_with_the_dfe_meaning_as_hint(draft, lead):
    council = draft.agreement.council
    f.RagDefinitionFactory(
        council=council,
        level=Rag.AMBER_GREEN,
        label="A/G",
        definition="Mostly on track",
        dfe_level=Rag.AMBER,
    )
    update = ConditionUpdate.objects.filter(round=draft).first()
    edit = reverse(
        "conditions:condition_update_edit",
        args=[council.slug, draft.fy, draft.update_number, update.pk],
    )
    html = unescape(client_for(lead).get(edit).content.decode())
    assert 'class="govuk-radios govuk-radios--small" data-module="govuk-radios"' in html
    assert "A/G (Amber/Green)" in html
    # The council's meaning, then DfE's level and DfE's words for it.
    assert (
        "Mostly on track. Reported to DfE as Amber: Savings/cost avoidance and/or "
        "workstream(s) are currently off target, with plans to mitigate." in html
    )
    # Levels the council has not defined keep DfE's words.
    assert "Reported to DfE as Red: Savings/cost avoidance" in html
    assert 'data-module="govuk-character-count" data-maxlength="10000"' in html
    # Without JavaScript the limit is said in words.
    assert "You can enter up to 10,000 characters" in html


def test_overview_radios_and_character_counts_too(carried, lead):
    overview = RoundOverview.objects.get(round=carried)
    assert overview.version == 1
    html = client_for(lead).get(_url(carried, "task_detail", "overview")).content.decode()
    edit = reverse(
        "overview:overview_edit",
        args=[carried.agreement.council.slug, carried.fy, carried.update_number],
    )
    page = unescape(client_for(lead).get(edit).content.decode())
    assert 'name="overall_rag" type="radio"' in page
    assert page.count('data-module="govuk-character-count"') == 5
    assert "Overview" in html


def test_a_site_administrator_sets_the_narrative_limit_in_the_admin(council):
    from django.test import Client

    admin = f.UserFactory(username="limit-admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("admin:svmonitor_localauthority_change", args=[council.pk]))
    assert 'name="narrative_max" value="10000"' in page.content.decode()


def test_the_task_lists_queries_do_not_grow_with_its_sections(draft, lead):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.round_page.conftest import add_programme

    client = client_for(lead)
    url = _url(draft, "task_list")
    client.get(url)  # warm: session, council
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    add_programme(draft.agreement, conditions=4, risks=4, workstreams=3)
    # Their sections in this draft, as a workbook would add them.
    from conditions.models import AgreementCondition, Workstream
    from risks.models import Risk

    for condition in AgreementCondition.objects.exclude(updates__round=draft):
        ConditionUpdate.objects.create(round=draft, condition=condition)
    for risk in Risk.objects.exclude(updates__round=draft):
        RiskUpdate.objects.create(round=draft, risk=risk)
    for workstream in Workstream.objects.exclude(updates__round=draft):
        WorkstreamUpdate.objects.create(round=draft, workstream=workstream)
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert "You have completed 0 of 14 tasks" in html
    assert len(after.captured_queries) == len(before.captured_queries)


def test_a_task_that_cannot_start_yet_cannot_be_confirmed(carried, lead):
    # A condition's level taken back: the overview waits for every condition to be rated.
    update = ConditionUpdate.objects.filter(round=carried).first()
    condition_update_save(
        update=update, expected_version=1, rag=Rag.NOT_RATED, narrative="", by=lead
    )
    assert _statuses(carried)["overview"] == TASK_CANNOT_START
    overview = RoundOverview.objects.get(round=carried)
    response = client_for(lead).post(
        _url(carried, "task_confirm_unchanged", "overview"),
        {"section": f"overview:{overview.pk}:1"},
    )
    assert response.status_code == 302
    overview.refresh_from_db()
    assert overview.version == 1
    assert not AuditEvent.objects.filter(action="round_overview.confirm").exists()
