"""The lifecycle from the round page: ready, two sign-offs, submission, reopen, open next."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conditions.models import ConditionUpdate, Milestone
from conditions.services import condition_update_save, milestone_save
from reports.models import RoundSnapshot
from svmonitor.choices import RoundStatus
from svmonitor.models import ReportingRound, RoundEvent, SignOff
from tests.round_builders import complete, signing_day
from tests.round_page.conftest import client_for, round_url

pytestmark = pytest.mark.django_db

# The sign-off declaration's tick box, as a browser sends it when ticked.
CONFIRM = {"confirm": "on"}


def test_an_officer_may_not_mark_the_return_ready(draft, la_officer):
    complete(draft, la_officer)
    assert client_for(la_officer).post(round_url(draft, "ready/")).status_code == 403
    draft.refresh_from_db()
    assert draft.status == RoundStatus.DRAFT


def test_an_incomplete_return_cannot_be_marked_ready(draft, lead):
    response = client_for(lead).post(round_url(draft, "ready/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "The return is not complete yet" in html
    draft.refresh_from_db()
    assert draft.status == RoundStatus.DRAFT
    assert not RoundSnapshot.objects.exists()


@pytest.fixture
def ready(draft, lead):
    complete(draft, lead)
    response = client_for(lead).post(round_url(draft, "ready/"), follow=True)
    assert response.redirect_chain == [(round_url(draft), 302)]
    draft.refresh_from_db()
    draft.page_after_ready = response.content.decode()
    return draft


def test_marking_ready_freezes_the_return_and_shows_its_hash(ready, lead):
    snapshot = RoundSnapshot.objects.get(round=ready)
    assert ready.status == RoundStatus.READY
    html = ready.page_after_ready
    assert "The return is ready for sign-off." in html
    assert snapshot.sha256 in html
    assert '<strong class="govuk-tag govuk-tag--blue">Ready for sign-off</strong>' in html


def test_once_ready_the_service_layer_refuses_every_edit(ready, la_officer):
    update = ConditionUpdate.objects.filter(round=ready).first()
    with pytest.raises(ValidationError) as refused:
        condition_update_save(
            update=update, expected_version=update.version, rag="red", narrative="x", by=la_officer
        )
    assert refused.value.code == "locked"
    milestone = Milestone.objects.filter(workstream__updates__round=ready).first()
    with pytest.raises(ValidationError):
        milestone_save(
            round_id=ready.pk,
            milestone=milestone,
            expected_version=1,
            status="at_risk",
            due_date=milestone.due_date,
            completed_on=None,
            by=la_officer,
        )


def test_each_officer_signs_in_the_capacity_of_their_role(ready, s151, dcs):
    snapshot = RoundSnapshot.objects.get(round=ready)
    page = client_for(s151).get(round_url(ready)).content.decode()
    assert "Sign off as S151 officer" in page
    # A forged capacity in the form is ignored: the role decides.
    response = client_for(s151).post(
        round_url(ready, "sign-off/"), {"capacity": "dcs", "confirm": "on"}
    )
    assert response.status_code == 302
    signed = SignOff.objects.get(round=ready)
    assert (signed.capacity, signed.signed_by, signed.snapshot_sha256) == (
        "s151",
        s151,
        snapshot.sha256,
    )
    html = client_for(s151).post(round_url(ready, "sign-off/"), CONFIRM).content.decode()
    assert "You have already signed off this return." in html
    client_for(dcs).post(round_url(ready, "sign-off/"), CONFIRM)
    ready.refresh_from_db()
    assert ready.status == RoundStatus.SIGNED_OFF
    assert set(SignOff.objects.values_list("capacity", flat=True)) == {"s151", "dcs"}
    assert set(SignOff.objects.values_list("snapshot_sha256", flat=True)) == {snapshot.sha256}


def test_only_a_signing_role_may_sign(ready, la_officer, lead):
    assert client_for(la_officer).post(round_url(ready, "sign-off/")).status_code == 403
    assert client_for(lead).post(round_url(ready, "sign-off/")).status_code == 403
    assert not SignOff.objects.exists()


def test_signing_off_needs_the_declaration_ticked(ready, s151):
    page = client_for(s151).get(round_url(ready)).content.decode()
    assert "govuk-warning-text" in page
    assert (
        "I confirm that I have read this return and, as the S151 officer, sign it off as an "
        "accurate account" in page
    )
    response = client_for(s151).post(round_url(ready, "sign-off/"), {})
    html = response.content.decode()
    assert response.status_code == 200
    assert not SignOff.objects.exists()
    assert 'href="#sign-off-confirm"' in html  # the summary links to the box
    assert 'id="sign-off-confirm_error"' in html  # and the message sits beside it
    assert "Tick the box to confirm you have read this return" in html


def test_the_sign_off_message_shows_the_hash_as_small_code(ready, s151):
    response = client_for(s151).post(round_url(ready, "sign-off/"), CONFIRM, follow=True)
    html = response.content.decode()
    sha = SignOff.objects.get(round=ready).snapshot_sha256
    assert "Signed off as S151 officer." in html
    assert (
        '<span class="app-message-detail">SHA-256 of the return you signed: '
        f'<code class="app-hash">{sha}</code></span>' in html
    )


def test_after_both_sign_offs_the_panel_says_the_finance_lead_acts_next(
    signed, finance, lead, board_member
):
    for user in (finance, lead):
        html = client_for(user).get(round_url(signed)).content.decode()
        assert "Next: the finance lead records the date it was sent to DfE." in html
        assert "Record submission to DfE" in html
    html = client_for(board_member).get(round_url(signed)).content.decode()
    assert "Next: the finance lead records the date it was sent to DfE." in html
    assert "Record submission to DfE" not in html


@pytest.fixture
def signed(ready, s151, dcs):
    # Signed inside the round's year, so the return can be recorded as sent in it.
    with signing_day(dt.date(2025, 3, 1)):
        client_for(s151).post(round_url(ready, "sign-off/"), CONFIRM)
        client_for(dcs).post(round_url(ready, "sign-off/"), CONFIRM)
    ready.refresh_from_db()
    assert ready.status == RoundStatus.SIGNED_OFF
    return ready


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "first_box"),
    [
        ("", "", "", "Enter the date the return was sent to DfE.", "day"),
        ("1", "4", "2025", "The date sent to DfE must be inside 2024-25", "day"),
        ("30", "2", "2024", "Date sent to DfE must be a real date", "day"),
        ("11", "", "2024", "Date sent to DfE must include a month", "month"),
        ("", "12", "", "Date sent to DfE must include a day and year", "day"),
        ("11", "12", "24", "Year must include 4 numbers", "year"),
    ],
)
def test_a_bad_submission_date_is_refused_beside_the_field(
    signed, lead, day, month, year, message, first_box
):
    data = {"submitted_on_day": day, "submitted_on_month": month, "submitted_on_year": year}
    response = client_for(lead).post(round_url(signed, "submit/"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    # The error summary links to the first box in error (GOV.UK date input).
    assert f'href="#submit-submitted_on_{first_box}">{message}' in html
    assert f'id="submit-submitted_on_{first_box}"' in html
    signed.refresh_from_db()
    assert signed.status == RoundStatus.SIGNED_OFF


def test_recording_the_submission_and_then_nothing_can_be_edited(signed, lead, la_officer):
    today = timezone.localdate()
    day = min(today, dt.date(2025, 3, 31))
    if day < dt.date(2024, 4, 1):  # the test clock is before the round's year
        pytest.skip("the clock is before 2024-25")
    response = client_for(lead).post(round_url(signed, "submit/"), {"submitted_on": f"{day}"})
    assert response.status_code == 302
    signed.refresh_from_db()
    assert (signed.status, signed.submitted_on) == (RoundStatus.SUBMITTED, day)
    html = client_for(lead).get(round_url(signed)).content.decode()
    assert "the frozen return above is what DfE received" in html
    update = ConditionUpdate.objects.filter(round=signed).first()
    client_for(la_officer).post(
        round_url(signed, f"conditions/{update.pk}/edit/"),
        {"rag": "red", "narrative": "After the fact", "version": str(update.version)},
    )
    update.refresh_from_db()
    assert update.narrative == ""


def test_reopening_needs_a_reason_and_voids_the_sign_offs(signed, lead):
    client = client_for(lead)
    html = client.post(round_url(signed, "reopen/"), {"reason": "  "}).content.decode()
    assert "Say why the return is being reopened." in html
    signed.refresh_from_db()
    assert signed.status == RoundStatus.SIGNED_OFF
    response = client.post(round_url(signed, "reopen/"), {"reason": "DfE asked for a fix."})
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.status == RoundStatus.DRAFT
    # Voided, never deleted: the record of who signed what stays.
    assert SignOff.objects.filter(round=signed, voided_at__isnull=False).count() == 2
    event = RoundEvent.objects.get(round=signed, action="reopened")
    assert (event.reason, event.by) == ("DfE asked for a fix.", lead)
    page = client.get(round_url(signed)).content.decode()
    assert (
        "Sign-offs voided when the return was reopened" in page and "DfE asked for a fix." in page
    )


def test_opening_the_next_round_carries_the_draft_forward(ready, lead):
    slug = ready.agreement.council.slug
    client = client_for(lead)
    listing = client.get(f"/councils/{slug}/rounds/").content.decode()
    assert "Open 2024-25 Update 2" in listing
    response = client.post(
        f"/councils/{slug}/rounds/open/", {"financial_year": "2024", "update_number": "2"}
    )
    new = ReportingRound.objects.get(agreement=ready.agreement, update_number=2)
    # A draft opens on its task list.
    assert response["Location"] == round_url(new, "tasks/")
    assert ConditionUpdate.objects.filter(round=new).count() == 2
    again = client.post(
        f"/councils/{slug}/rounds/open/", {"financial_year": "2024", "update_number": "2"}
    )
    assert "2024-25 Update 2 (August) already exists for this agreement." in again.content.decode()


def test_the_next_round_cannot_be_opened_while_the_latest_is_a_draft(draft, lead):
    slug = draft.agreement.council.slug
    client = client_for(lead)
    listing = client.get(f"/councils/{slug}/rounds/").content.decode()
    assert "Open 2024-25 Update 2" not in listing
    assert "2024-25 Update 1 (May) is still a draft" in listing
    response = client.post(
        f"/councils/{slug}/rounds/open/", {"financial_year": "2024", "update_number": "2"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "is still a draft. Finish it and mark it ready" in response.content.decode()
    assert ReportingRound.objects.count() == 1


def test_a_programme_officer_may_not_open_a_round_only_the_lead_may(ready, la_officer):
    # docs/urls-and-commands.md: opening needs the submit action, which only the lead holds.
    slug = ready.agreement.council.slug
    client = client_for(la_officer)
    assert "Open 2024-25 Update 2" not in client.get(f"/councils/{slug}/rounds/").content.decode()
    response = client.post(
        f"/councils/{slug}/rounds/open/", {"financial_year": "2024", "update_number": "2"}
    )
    assert response.status_code == 403
    assert ReportingRound.objects.count() == 1


def test_a_board_member_may_not_open_a_round(draft, board_member):
    slug = draft.agreement.council.slug
    response = client_for(board_member).post(
        f"/councils/{slug}/rounds/open/", {"financial_year": "2024", "update_number": "2"}
    )
    assert response.status_code == 403
    assert ReportingRound.objects.count() == 1


def test_the_lifecycle_table_names_each_step_in_words(signed, lead):
    html = client_for(lead).get(round_url(signed)).content.decode()
    table = html[html.index("Lifecycle of this return") :]
    for words in (
        "Opened, carried forward from the previous update",
        "Marked ready for sign-off (content frozen)",
        "Signed off by the S151 officer",
        "Signed off by the director of children&#x27;s services",
    ):
        assert words in table


def test_a_dsg_plan_updates_submission_date_is_the_date_sent_to_the_schools_forum(agreement):
    from reports.forms import SubmissionForm
    from tests import factories as f

    plan = f.ReportingRoundFactory(agreement=agreement, return_kind="dsg_plan", financial_year=2025)
    blank = {"submitted_on_day": "", "submitted_on_month": "", "submitted_on_year": ""}
    form = SubmissionForm(blank, round=plan)
    assert form["submitted_on"].label == "Date sent to Schools Forum"
    assert not form.is_valid()
    assert form.errors["submitted_on"] == ["Enter the date the return was sent to Schools Forum."]
    early = {"submitted_on_day": "1", "submitted_on_month": "3", "submitted_on_year": "2025"}
    form = SubmissionForm(early, round=plan)
    assert not form.is_valid()
    assert "The date sent to Schools Forum must be inside 2025-26" in form.errors["submitted_on"][0]
    bad = {"submitted_on_day": "30", "submitted_on_month": "2", "submitted_on_year": "2026"}
    form = SubmissionForm(bad, round=plan)
    assert form.errors["submitted_on"] == ["Date sent to Schools Forum must be a real date"]
    # A Safety Valve return's is still the date sent to DfE.
    sv = f.ReportingRoundFactory(agreement=agreement, financial_year=2025, update_number=1)
    assert SubmissionForm(round=sv)["submitted_on"].label == "Date sent to DfE"


def test_a_return_signed_off_after_its_year_can_still_be_recorded_as_sent(ready, s151, dcs, lead):
    # Signed off on 10 April 2025, after 2024-25 ended (a late return): the date it went can
    # only be since, so the year's end is no bound (it was: no date could be recorded).
    with signing_day(dt.date(2025, 4, 10)):
        client_for(s151).post(round_url(ready, "sign-off/"), CONFIRM)
        client_for(dcs).post(round_url(ready, "sign-off/"), CONFIRM)
    ready.refresh_from_db()
    assert ready.status == RoundStatus.SIGNED_OFF
    if timezone.localdate() < dt.date(2025, 4, 11):
        pytest.skip("the clock is before the day after the sign-off")

    def post(day):
        return client_for(lead).post(round_url(ready, "submit/"), {"submitted_on": f"{day}"})

    # Before the year began, and before the sign-off: still refused, each with its reason.
    html = post(dt.date(2024, 3, 31)).content.decode()
    assert "The date sent to DfE must be on or after 1 April 2024, the start of 2024-25." in html
    html = post(dt.date(2025, 4, 9)).content.decode()
    assert "cannot be before the return was signed off" in html
    ready.refresh_from_db()
    assert ready.status == RoundStatus.SIGNED_OFF
    assert post(dt.date(2025, 4, 11)).status_code == 302
    ready.refresh_from_db()
    assert (ready.status, ready.submitted_on) == (RoundStatus.SUBMITTED, dt.date(2025, 4, 11))
