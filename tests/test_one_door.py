"""One door in (issue 12): each rule is driven through the browser, the workbook import and the
admin, and each door refuses with the same words and writes nothing.

The rules: a Red rating needs a narrative; a narrative has a length limit; a return past draft
refuses edits; a round's status moves only through the lifecycle; a figure's period lies inside
the agreement.
"""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from conditions.models import ConditionUpdate
from metrics.models import MeasureValue
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import RETURN_LOCKED
from svmonitor.models import AuditEvent, ReportingRound
from svmonitor.roles import Role
from svmonitor.services import NARRATIVE_NEEDED
from svmonitor.services.sections import NARRATIVE_MAX
from tests.excel.builders import build_council_data, headers, workbook_bytes
from tests.factories import MembershipFactory, UserFactory
from workbook import format as fmt
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db

LONG = "x" * (NARRATIVE_MAX + 500)
TOO_LONG = f"Keep this to {NARRATIVE_MAX:,} characters or fewer (it has {len(LONG):,})."


@pytest.fixture
def data(council):
    return build_council_data(council)


@pytest.fixture
def lead(council):
    return MembershipFactory(council=council, role=Role.LEAD, user__username="door-lead").user


@pytest.fixture
def admin():
    client = Client()
    client.force_login(UserFactory(username="door-admin", is_staff=True, is_superuser=True))
    return client


def _update(round, label="3.1") -> ConditionUpdate:
    return ConditionUpdate.objects.get(round=round, condition__label=label)


def browser_save(user, update, **values) -> str:
    """The round page's in-place edit of a condition, as the user's browser posts it."""
    client = Client()
    client.force_login(user)
    round = update.round
    url = reverse(
        "conditions:condition_update_edit",
        args=[round.agreement.council.slug, round.fy, round.update_number, update.pk],
    )
    response = client.post(url, {**values, "version": update.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def workbook_save(user, council, round, label, rag, narrative, tmp_path) -> list[str]:
    """The same change as a Condition updates row of an uploaded workbook."""
    sheets = {
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, round.fy, round.update_number, label, rag, narrative],
        ]
    }
    path = tmp_path / "door.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    result = workbook_import(file=path, council_slug=council.slug, by=user, filename="door.xlsx")
    assert not result.applied
    return [error.reason for error in result.errors]


def admin_save(client, update, **values) -> tuple[int, str]:
    """The same change on the admin's change page of the condition update."""
    url = reverse("admin:conditions_conditionupdate_change", args=[update.pk])
    response = client.post(url, {**values, "_save": "Save"})
    return response.status_code, response.content.decode()


def _unchanged(update) -> None:
    stored = ConditionUpdate.objects.get(pk=update.pk)
    assert (stored.rag, stored.narrative, stored.version) == (
        update.rag,
        update.narrative,
        update.version,
    )
    assert not AuditEvent.objects.filter(action="condition_update.save").exists()


def test_red_without_a_narrative_is_refused_alike_at_every_door(
    council, data, lead, admin, tmp_path
):
    update = _update(data["draft"])
    assert NARRATIVE_NEEDED in browser_save(lead, update, rag=Rag.RED, narrative="  ")
    assert workbook_save(lead, council, data["draft"], "3.1", "Red", None, tmp_path) == [
        NARRATIVE_NEEDED
    ]
    status, html = admin_save(admin, update, rag=Rag.RED, narrative="  ")
    assert (status, NARRATIVE_NEEDED in html) == (200, True)
    _unchanged(update)


def test_a_narrative_over_the_limit_is_refused_alike_at_every_door(
    council, data, lead, admin, tmp_path
):
    update = _update(data["draft"])
    assert TOO_LONG in browser_save(lead, update, rag=Rag.RED, narrative=LONG)
    assert workbook_save(lead, council, data["draft"], "3.1", "Red", LONG, tmp_path) == [TOO_LONG]
    status, html = admin_save(admin, update, rag=Rag.RED, narrative=LONG)
    assert (status, TOO_LONG in html) == (200, True)
    _unchanged(update)


def test_the_councils_own_narrative_limit_is_applied_alike_at_every_door(
    council, data, lead, admin, tmp_path
):
    # The limit is data (LocalAuthority.narrative_max), read by the one service every door calls.
    council.narrative_max = 1_000
    council.save(update_fields=["narrative_max"])
    update = _update(data["draft"])
    text = "x" * 1_200
    too_long = "Keep this to 1,000 characters or fewer (it has 1,200)."
    assert too_long in browser_save(lead, update, rag=Rag.RED, narrative=text)
    assert workbook_save(lead, council, data["draft"], "3.1", "Red", text, tmp_path) == [too_long]
    status, html = admin_save(admin, update, rag=Rag.RED, narrative=text)
    assert (status, too_long in html) == (200, True)
    _unchanged(update)


def test_a_submitted_return_refuses_edits_alike_at_every_door(council, data, lead, admin, tmp_path):
    submitted = data["submitted"]
    update = _update(submitted, "1")
    locked = RETURN_LOCKED.format(state="submitted")
    assert locked in browser_save(lead, update, rag=Rag.GREEN, narrative="Changed after")
    reasons = workbook_save(lead, council, submitted, "1", "Green", "Changed after", tmp_path)
    assert len(reasons) == 1 and locked in reasons[0]
    status, html = admin_save(admin, update, rag=Rag.GREEN, narrative="Changed after")
    assert (status, locked in html) == (403, True)
    _unchanged(update)


def test_a_rounds_status_moves_only_through_the_lifecycle_at_every_door(
    council, data, lead, admin, tmp_path
):
    draft = data["draft"]
    # Browser: the only way to "submitted" is the lifecycle's own action, refused for a draft.
    client = Client()
    client.force_login(lead)
    url = reverse("reports:round_submit", args=[council.slug, draft.fy, draft.update_number])
    html = client.post(url, {"submitted_on": "2024-08-30"}, follow=True).content.decode()
    assert "Only a signed-off return can be recorded as submitted; this one is draft." in html
    # Workbook: a Rounds row cannot carry the round past draft.
    sheets = {
        fmt.ROUNDS.name: [
            headers(fmt.ROUNDS),
            [None, draft.fy, 2, draft.due_date, None, "Submitted to DfE", dt.date(2024, 8, 30)],
        ]
    }
    path = tmp_path / "status.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    result = workbook_import(file=path, council_slug=council.slug, by=lead, filename="status.xlsx")
    assert not result.applied
    assert any(error.sheet == fmt.ROUNDS.name and error.row == 2 for error in result.errors)
    # Admin: the status is not a field of the round's form, so a posted one is ignored.
    admin_url = reverse("admin:svmonitor_reportinground_change", args=[draft.pk])
    form = admin.get(admin_url).context["adminform"].form
    assert "status" not in form.fields
    admin.post(admin_url, {"status": RoundStatus.SUBMITTED, "_save": "Save"})
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_on) == (RoundStatus.DRAFT, None)
    assert ReportingRound.objects.filter(status=RoundStatus.SUBMITTED).count() == 1
    assert not MeasureValue.objects.filter(note="door").exists()


def test_a_figure_outside_the_agreement_is_refused_alike_at_every_door(
    council, data, lead, admin, tmp_path
):
    outside = "The month December 2999 is outside the agreement's years (April 2023 to March 2029)."
    measure, actual = data["ehcp"], data["ehcp"].values.first().series
    # Browser: the KPI grid's cell.
    client = Client()
    client.force_login(lead)
    cell = {"measure": measure.pk, "period": "2999-12", "series": actual.slug, "value": "5"}
    response = client.post(
        reverse("metrics:kpi_cell", args=[council.slug]), cell, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert outside in unescape(response.content.decode())
    # Workbook: a Measure values row.
    sheets = {
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            [measure.code, dt.date(2999, 12, 1), actual.slug, 5, "door"],
        ]
    }
    path = tmp_path / "period.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    result = workbook_import(file=path, council_slug=council.slug, by=lead, filename="period.xlsx")
    assert [error.reason for error in result.errors] == [outside]
    # Admin: adding the figure.
    response = admin.post(
        reverse("admin:metrics_measurevalue_add"),
        {
            "measure": measure.pk,
            "period": "2999-12-01",
            "series": actual.pk,
            "value": "5",
            "note": "door",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert outside in unescape(response.content.decode())
    assert not MeasureValue.objects.filter(period=dt.date(2999, 12, 1)).exists()


def test_a_percentage_over_100_is_refused_alike_by_the_cell_the_month_page_and_the_workbook(
    council, data, lead, tmp_path
):
    """The KPI month page (issue 15.4) is one more door to the same rules as the grid's cell
    and the workbook: the same words, nothing written."""
    over = "A percentage must be between 0 and 100."
    measure = council.measures.get(code="inmss-pct")
    actual = measure.values.filter(series__kind="actual").first().series
    stored = list(MeasureValue.objects.values_list("pk", "value", "not_available_reason"))
    client = Client()
    client.force_login(lead)
    # The KPI grid's cell.
    cell = {"measure": measure.pk, "period": "2024-05", "series": actual.slug, "value": "140"}
    response = client.post(
        reverse("metrics:kpi_cell", args=[council.slug]), cell, HTTP_HX_REQUEST="true"
    )
    assert over in unescape(response.content.decode())
    # The month page: every box as the page shows it, the percentage over 100.
    url = reverse("metrics:kpi_month", args=[council.slug, "2024-05"])
    page = client.get(url).content.decode()
    boxes = dict(re.findall(r'name="((?:value|base)-\d+)"[^>]*?value="([^"]*)"', page))
    boxes[f"value-{measure.pk}"] = "140"
    assert over in unescape(client.post(url, boxes).content.decode())
    # The workbook: a Measure values row.
    sheets = {
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            [measure.code, dt.date(2024, 5, 1), actual.slug, 140, None],
        ]
    }
    path = tmp_path / "percent.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    result = workbook_import(file=path, council_slug=council.slug, by=lead, filename="percent.xlsx")
    assert [error.reason for error in result.errors] == [over]
    assert list(MeasureValue.objects.values_list("pk", "value", "not_available_reason")) == stored
