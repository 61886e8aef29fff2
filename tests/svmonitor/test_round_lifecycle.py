"""The round lifecycle: open, ready, sign-off, submission and reopening, with their rules."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from conditions.models import ConditionUpdate, WorkstreamUpdate
from conditions.services import condition_update_save
from overview.models import Headline, RoundOverview
from reports.freeze import payload_sha256, round_snapshot_verify
from reports.models import RoundSnapshot
from risks.models import RiskUpdate
from svmonitor.choices import Rag, RoundStatus
from svmonitor.models import AuditEvent, ReportingRound, RoundEvent, SignOff
from svmonitor.roles import Role
from svmonitor.selectors import round_completeness
from svmonitor.services import (
    round_mark_ready,
    round_open_next,
    round_record_submission,
    round_reopen,
    round_sign_off,
)
from tests import factories as f
from tests.dbfail import inserts_refused
from tests.round_builders import complete, programme, round_in, signing_day

pytestmark = pytest.mark.django_db


def _messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- Opening a round --------------------------------------------------------------------------


def test_first_round_opens_with_every_section_not_rated():
    prog = programme()
    round = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=1, by=prog.officer
    )
    assert round.status == RoundStatus.DRAFT
    assert round.due_date == dt.date(2024, 5, 31)
    assert round.data_as_at == dt.date(2024, 4, 1)
    assert ConditionUpdate.objects.filter(round=round, rag=Rag.NOT_RATED).count() == 2
    assert RiskUpdate.objects.filter(round=round, rag=Rag.NOT_RATED).count() == 1
    assert WorkstreamUpdate.objects.filter(round=round, rag=Rag.NOT_RATED).count() == 1
    assert RoundOverview.objects.filter(round=round).exists()
    event = RoundEvent.objects.get(round=round)
    assert (event.action, event.by) == ("opened", prog.officer)
    assert AuditEvent.objects.filter(action="round.opened", object_id=str(round.pk)).exists()


@pytest.mark.parametrize(
    ("update_number", "due"),
    [(1, dt.date(2025, 5, 31)), (2, dt.date(2025, 8, 31)), (3, dt.date(2025, 11, 30))],
)
def test_default_due_dates_are_may_august_november(update_number, due):
    agreement = f.AgreementFactory()
    round = round_open_next(
        agreement=agreement,
        financial_year=2025,
        update_number=update_number,
        by=f.lead_of(agreement.council),
    )
    assert round.due_date == due


def test_next_round_carries_forward_every_section_of_the_previous_one():
    prog = programme()
    agreement, council = prog.agreement, prog.agreement.council
    first = round_in(RoundStatus.SUBMITTED, prog)
    # Between rounds: a risk closes, a condition ends, a new condition starts, a measure is cited.
    closed = f.RiskFactory(council=council, number=2, is_open=False)
    f.RiskUpdateFactory(round=first, risk=closed)
    ended = f.AgreementConditionFactory(
        agreement=agreement, label="9", in_force_to=dt.date(2024, 6, 30)
    )
    f.ConditionUpdateFactory(round=first, condition=ended)
    new_condition = f.AgreementConditionFactory(
        agreement=agreement, label="3", in_force_from=dt.date(2024, 7, 1)
    )
    measure = f.MeasureFactory(council=council)
    cited = ConditionUpdate.objects.get(round=first, condition__label="1")
    cited.key_measures.add(measure)
    overview = first.overview
    f.HeadlineFactory(overview=overview, kind="driver", position=1, text="Early help works")
    f.HeadlineFactory(overview=overview, kind="barrier", position=1, text="Sufficiency")

    second = round_open_next(
        agreement=agreement, financial_year=2024, update_number=2, by=f.lead_of(agreement.council)
    )

    labels = dict(
        ConditionUpdate.objects.filter(round=second).values_list("condition__label", "rag")
    )
    assert labels == {"1": Rag.GREEN, "2": Rag.GREEN, "3": Rag.NOT_RATED}
    assert new_condition.updates.get().round == second
    carried = ConditionUpdate.objects.get(round=second, condition__label="1")
    assert list(carried.key_measures.all()) == [measure]
    assert carried.version == 1 and carried.pk != cited.pk
    risk = RiskUpdate.objects.get(round=second)
    assert (risk.risk.number, risk.rag, risk.narrative) == (1, Rag.AMBER, "Mitigation in hand.")
    assert (risk.impact, risk.likelihood, risk.score) == (4, 4, 16)
    assert WorkstreamUpdate.objects.get(round=second).rag == Rag.GREEN
    assert second.overview.zero_deficit_on_track == "no"
    assert second.overview.capital_project_commentary.startswith("The new special school")
    assert sorted(Headline.objects.filter(overview__round=second).values_list("kind", "text")) == [
        ("barrier", "Sufficiency"),
        ("driver", "Early help works"),
    ]
    # The previous round is untouched.
    first.refresh_from_db()
    assert first.status == RoundStatus.SUBMITTED
    assert ConditionUpdate.objects.filter(round=first).count() == 3


def test_it_refuses_to_open_a_round_that_exists():
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_open_next(
            agreement=prog.agreement,
            financial_year=2024,
            update_number=1,
            by=f.lead_of(prog.agreement.council),
        )
    assert "2024-25 Update 1 (May) already exists" in _messages(excinfo)
    assert ReportingRound.objects.count() == 1


def test_it_refuses_update_4_and_years_outside_the_agreement():
    agreement = f.AgreementFactory()
    with pytest.raises(ValidationError) as excinfo:
        round_open_next(
            agreement=agreement,
            financial_year=2024,
            update_number=4,
            by=f.lead_of(agreement.council),
        )
    assert "update_number" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        round_open_next(
            agreement=agreement,
            financial_year=2031,
            update_number=1,
            by=f.lead_of(agreement.council),
        )
    assert "financial_year" in excinfo.value.message_dict
    assert not ReportingRound.objects.exists()


def test_opening_rolls_back_when_its_last_step_fails():
    prog = programme()
    with inserts_refused(), pytest.raises(IntegrityError):
        round_open_next(
            agreement=prog.agreement,
            financial_year=2024,
            update_number=1,
            by=f.lead_of(prog.agreement.council),
        )
    assert not ReportingRound.objects.exists()
    assert not ConditionUpdate.objects.exists()
    assert not RoundOverview.objects.exists()
    assert not RoundEvent.objects.exists()


# --- Completeness and ready for sign-off ------------------------------------------------------


def test_completeness_lists_what_is_left_to_do():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    gaps = {str(gap) for gap in round_completeness(round)}
    assert "Condition 1: not rated" in gaps
    assert "Risk 1: not rated" in gaps
    assert "Deficit this year on track: not answered" in gaps
    assert len(gaps) == 2 + 1 + 1 + 3
    complete(round, prog.officer)
    assert round_completeness(round) == []
    # Data loaded outside the services can still be incomplete: Amber without a narrative.
    ConditionUpdate.objects.filter(round=round, condition__label="2").update(
        rag=Rag.AMBER_GREEN, narrative=" "
    )
    RoundOverview.objects.filter(round=round).update(zero_deficit_commentary="")
    gaps = {str(gap) for gap in round_completeness(round)}
    assert gaps == {
        "Condition 2: rated Amber/Green without a progress update",
        "Zero deficit on track: commentary missing",
    }


def test_it_refuses_to_open_a_round_while_the_previous_one_is_a_draft():
    prog = programme()
    first = round_in(RoundStatus.DRAFT, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_open_next(
            agreement=prog.agreement,
            financial_year=2024,
            update_number=2,
            by=f.lead_of(prog.agreement.council),
        )
    assert excinfo.value.code == "previous_draft"
    assert "2024-25 Update 1 (May) is still a draft" in _messages(excinfo)
    assert "before opening 2024-25 Update 2 (August)" in _messages(excinfo)
    assert list(ReportingRound.objects.values_list("pk", flat=True)) == [first.pk]
    assert not RoundEvent.objects.exclude(round=first).exists()
    # Once the previous one has moved on (here: marked ready), the next one opens.
    complete(first, prog.officer)
    round_mark_ready(round=first, by=prog.officer)
    second = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=2, by=prog.officer
    )
    assert second.status == RoundStatus.DRAFT


def test_a_carried_forward_section_is_not_reviewed_until_it_is_saved_in_the_new_round():
    prog = programme()
    first = round_in(RoundStatus.SUBMITTED, prog)
    assert first.status == RoundStatus.SUBMITTED
    second = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=2, by=prog.officer
    )
    gaps = {str(gap) for gap in round_completeness(second)}
    # Everything was complete in Update 1 and was copied, yet nothing has been looked at.
    assert gaps == {
        "Condition 1: not yet reviewed for this update",
        "Condition 2: not yet reviewed for this update",
        "Risk 1: not yet reviewed for this update",
        f"{prog.agreement.council.programme_areas.get().workstreams.get().name}: "
        "not yet reviewed for this update",
        "Overview: not yet reviewed for this update",
    }
    with pytest.raises(ValidationError) as excinfo:
        round_mark_ready(round=second, by=prog.officer)
    assert "Condition 1: not yet reviewed for this update" in _messages(excinfo)
    # Saving a section unchanged is a review: it leaves the list.
    update = ConditionUpdate.objects.get(round=second, condition__label="1")
    condition_update_save(
        update=update,
        expected_version=update.version,
        rag=update.rag,
        narrative=update.narrative,
        by=prog.officer,
    )
    gaps = {str(gap) for gap in round_completeness(second)}
    assert "Condition 1: not yet reviewed for this update" not in gaps
    assert "Condition 2: not yet reviewed for this update" in gaps
    complete(second, prog.officer)
    assert round_completeness(second) == []
    assert round_mark_ready(round=second, by=prog.officer).status == RoundStatus.READY


def test_a_round_not_opened_by_carrying_forward_is_judged_on_its_content_only():
    prog = programme()
    first = round_in(RoundStatus.SUBMITTED, prog)
    # Rows written straight in (as a data load would) have no "opened" step to review against.
    RoundEvent.objects.filter(round=first).delete()
    ConditionUpdate.objects.filter(round=first).update(version=1)
    assert round_completeness(first) == []


def test_an_incomplete_draft_cannot_be_marked_ready():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_mark_ready(round=round, by=prog.officer)
    assert "Condition 1: not rated" in _messages(excinfo)
    round.refresh_from_db()
    assert round.status == RoundStatus.DRAFT
    assert not RoundSnapshot.objects.exists()


def test_marking_ready_freezes_a_hashed_snapshot():
    prog = programme()
    round = complete(round_in(RoundStatus.DRAFT, prog), prog.officer)
    round = round_mark_ready(round=round, by=prog.officer)
    round.refresh_from_db()
    assert round.status == RoundStatus.READY
    assert round.ready_by == prog.officer and round.ready_at is not None
    snapshot = RoundSnapshot.objects.get(round=round)
    assert snapshot.sha256 == payload_sha256(snapshot.payload)
    assert round_snapshot_verify(snapshot)
    assert RoundEvent.objects.filter(round=round, action="ready", to_status="ready").exists()


def test_only_a_draft_can_be_marked_ready():
    prog = programme()
    round = round_in(RoundStatus.READY, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_mark_ready(round=round, by=prog.officer)
    assert "this one is ready for sign-off" in _messages(excinfo)
    assert RoundSnapshot.objects.count() == 1


def test_marking_ready_rolls_back_when_its_last_step_fails():
    prog = programme()
    round = complete(round_in(RoundStatus.DRAFT, prog), prog.officer)
    with inserts_refused(), pytest.raises(IntegrityError):
        round_mark_ready(round=round, by=prog.officer)
    round.refresh_from_db()
    assert round.status == RoundStatus.DRAFT and round.ready_at is None
    assert not RoundSnapshot.objects.exists()
    assert not RoundEvent.objects.filter(action="ready").exists()


# --- Sign-off ---------------------------------------------------------------------------------


def test_a_draft_cannot_be_signed_off():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_sign_off(round=round, by=prog.s151, capacity="s151")
    assert "A draft return cannot be signed off" in _messages(excinfo)
    assert not SignOff.objects.exists()


def test_both_sign_offs_are_needed_before_the_round_is_signed_off():
    prog = programme()
    round = round_in(RoundStatus.READY, prog)
    snapshot = RoundSnapshot.objects.get(round=round)
    first = round_sign_off(round=round, by=prog.s151, capacity="s151")
    round.refresh_from_db()
    assert round.status == RoundStatus.READY
    assert first.snapshot_sha256 == snapshot.sha256
    round_sign_off(round=round, by=prog.dcs, capacity="dcs")
    round.refresh_from_db()
    assert round.status == RoundStatus.SIGNED_OFF
    assert set(SignOff.objects.values_list("capacity", "snapshot_sha256")) == {
        ("s151", snapshot.sha256),
        ("dcs", snapshot.sha256),
    }
    actions = list(RoundEvent.objects.filter(round=round).order_by("pk").values_list("action"))
    assert actions[-2:] == [("signed_s151",), ("signed_dcs",)]


def test_a_capacity_signs_once_and_one_person_cannot_sign_both():
    prog = programme()
    round = round_in(RoundStatus.READY, prog)
    council = prog.agreement.council
    round_sign_off(round=round, by=prog.s151, capacity="s151")
    deputy = f.MembershipFactory(council=council, role=Role.S151).user
    with pytest.raises(ValidationError) as excinfo:
        round_sign_off(round=round, by=deputy, capacity="s151")
    assert "S151 officer has already signed off" in _messages(excinfo)
    f.MembershipFactory(user=prog.s151, council=council, role=Role.DCS)
    with pytest.raises(ValidationError) as excinfo:
        round_sign_off(round=round, by=prog.s151, capacity="dcs")
    assert "different people" in _messages(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        round_sign_off(round=round, by=prog.dcs, capacity="chief_executive")
    assert "capacity" in excinfo.value.message_dict
    assert SignOff.objects.count() == 1


def test_a_signed_off_round_cannot_be_signed_again():
    prog = programme()
    round = round_in(RoundStatus.SIGNED_OFF, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_sign_off(round=round, by=prog.dcs, capacity="dcs")
    assert "this one is signed off" in _messages(excinfo)


def test_sign_off_rolls_back_when_its_last_step_fails():
    prog = programme()
    round = round_in(RoundStatus.READY, prog)
    round_sign_off(round=round, by=prog.s151, capacity="s151")
    with inserts_refused(), pytest.raises(IntegrityError):
        round_sign_off(round=round, by=prog.dcs, capacity="dcs")
    round.refresh_from_db()
    assert round.status == RoundStatus.READY
    assert list(SignOff.objects.values_list("capacity", flat=True)) == ["s151"]


# --- Submission -------------------------------------------------------------------------------


def test_submission_is_recorded_only_for_a_signed_off_round():
    prog = programme()
    round = round_in(RoundStatus.READY, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_record_submission(round=round, by=prog.officer, submitted_on=dt.date(2024, 6, 1))
    assert "Only a signed-off return" in _messages(excinfo)
    with signing_day(dt.date(2024, 5, 30)):
        round_sign_off(round=round, by=prog.s151, capacity="s151")
        round_sign_off(round=round, by=prog.dcs, capacity="dcs")
    round = round_record_submission(round=round, by=prog.officer, submitted_on=dt.date(2024, 6, 1))
    round.refresh_from_db()
    assert round.status == RoundStatus.SUBMITTED
    assert round.submitted_on == dt.date(2024, 6, 1)
    assert round.submitted_recorded_by == prog.officer


def test_submission_date_cannot_be_in_the_future():
    prog = programme()
    round = round_in(RoundStatus.SIGNED_OFF, prog)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        round_record_submission(round=round, by=prog.officer, submitted_on=tomorrow)
    assert "submitted_on" in excinfo.value.message_dict
    round.refresh_from_db()
    assert round.status == RoundStatus.SIGNED_OFF


def test_submission_rolls_back_when_its_last_step_fails():
    prog = programme()
    round = round_in(RoundStatus.SIGNED_OFF, prog)
    with inserts_refused(), pytest.raises(IntegrityError):
        round_record_submission(round=round, by=prog.officer, submitted_on=dt.date(2024, 6, 1))
    round.refresh_from_db()
    assert (round.status, round.submitted_on) == (RoundStatus.SIGNED_OFF, None)


# --- Reopening --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(reason):
    prog = programme()
    round = round_in(RoundStatus.SIGNED_OFF, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_reopen(round=round, by=prog.officer, reason=reason)
    assert "reason" in excinfo.value.message_dict
    round.refresh_from_db()
    assert round.status == RoundStatus.SIGNED_OFF
    assert SignOff.objects.filter(voided_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    "status", [RoundStatus.READY, RoundStatus.SIGNED_OFF, RoundStatus.SUBMITTED]
)
def test_reopening_returns_to_draft_and_voids_sign_offs(status):
    prog = programme()
    round = round_in(status, prog)
    round = round_reopen(round=round, by=prog.officer, reason="DfE asked for corrected figures")
    round.refresh_from_db()
    assert round.status == RoundStatus.DRAFT
    assert round.submitted_on is None and round.ready_at is None
    assert not SignOff.objects.filter(voided_at__isnull=True).exists()
    assert set(SignOff.objects.values_list("void_reason", flat=True)) <= {
        "DfE asked for corrected figures"
    }
    event = RoundEvent.objects.filter(round=round).latest("pk")
    assert (event.action, event.from_status, event.to_status) == ("reopened", status, "draft")
    assert event.reason == "DfE asked for corrected figures"
    # Editable again, and it can go round the cycle a second time with fresh sign-offs.
    update = ConditionUpdate.objects.filter(round=round).first()
    condition_update_save(
        update=update,
        expected_version=update.version,
        rag=Rag.AMBER,
        narrative="Corrected after DfE review.",
        by=prog.officer,
    )
    round_mark_ready(round=round, by=prog.officer)
    round_sign_off(round=round, by=prog.s151, capacity="s151")
    round_sign_off(round=round, by=prog.dcs, capacity="dcs")
    round.refresh_from_db()
    assert round.status == RoundStatus.SIGNED_OFF
    assert RoundSnapshot.objects.filter(round=round).count() == 2
    latest = RoundSnapshot.objects.filter(round=round).latest("pk")
    live = SignOff.objects.filter(voided_at__isnull=True)
    assert set(live.values_list("snapshot_sha256", flat=True)) == {latest.sha256}


def test_a_draft_cannot_be_reopened():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_reopen(round=round, by=prog.officer, reason="Why not")
    assert "already a draft" in _messages(excinfo)


def test_reopening_rolls_back_when_its_last_step_fails():
    prog = programme()
    round = round_in(RoundStatus.SIGNED_OFF, prog)
    with inserts_refused(), pytest.raises(IntegrityError):
        round_reopen(round=round, by=prog.officer, reason="Figures wrong")
    round.refresh_from_db()
    assert round.status == RoundStatus.SIGNED_OFF
    assert SignOff.objects.filter(voided_at__isnull=True).count() == 2
    assert not RoundEvent.objects.filter(action="reopened").exists()


# --- Issue 12: the lifecycle cannot be forged ------------------------------------------------


def test_the_date_sent_to_dfe_cannot_be_before_the_sign_offs():
    prog = programme()
    round = round_in(RoundStatus.READY, prog)
    with signing_day(dt.date(2024, 6, 10)):
        round_sign_off(round=round, by=prog.s151, capacity="s151")
    with signing_day(dt.date(2024, 6, 12)):
        round_sign_off(round=round, by=prog.dcs, capacity="dcs")
    with pytest.raises(ValidationError) as excinfo:
        round_record_submission(round=round, by=prog.officer, submitted_on=dt.date(2024, 6, 11))
    assert excinfo.value.message_dict["submitted_on"] == [
        "The date sent to DfE cannot be before the return was signed off (the last sign-off "
        "was on 12 June 2024)."
    ]
    round.refresh_from_db()
    assert (round.status, round.submitted_on) == (RoundStatus.SIGNED_OFF, None)
    # On the day of the later sign-off it goes.
    sent = round_record_submission(round=round, by=prog.officer, submitted_on=dt.date(2024, 6, 12))
    assert sent.status == RoundStatus.SUBMITTED


def test_only_the_lead_opens_marks_ready_and_reopens_whatever_the_door():
    prog = programme()
    council = prog.agreement.council
    officer = f.MembershipFactory(council=council, role=Role.OFFICER).user
    with pytest.raises(PermissionDenied):
        round_open_next(agreement=prog.agreement, financial_year=2024, update_number=1, by=officer)
    with pytest.raises(PermissionDenied):
        round_open_next(agreement=prog.agreement, financial_year=2024, update_number=1, by=None)
    assert not ReportingRound.objects.exists()
    round = round_in(RoundStatus.DRAFT, prog)
    complete(round, prog.officer)
    with pytest.raises(PermissionDenied):
        round_mark_ready(round=round, by=officer)
    round = round_mark_ready(round=round, by=prog.officer)
    with pytest.raises(PermissionDenied):
        round_reopen(round=round, by=officer, reason="Typo in condition 1.")
    round.refresh_from_db()
    assert round.status == RoundStatus.READY


def test_a_sign_off_needs_the_role_of_its_capacity_and_the_date_needs_the_finance_lead():
    prog = programme()
    council = prog.agreement.council
    round = round_in(RoundStatus.READY, prog)
    with pytest.raises(ValidationError) as excinfo:
        round_sign_off(round=round, by=prog.dcs, capacity="s151")
    assert excinfo.value.message_dict["capacity"] == [
        "Only the council's S151 officer can sign off in that capacity."
    ]
    board = f.MembershipFactory(council=council, role=Role.BOARD).user
    with pytest.raises(PermissionDenied):
        round_sign_off(round=round, by=board, capacity="s151")
    assert not SignOff.objects.exists()
    with signing_day(dt.date(2024, 5, 29)):
        round_sign_off(round=round, by=prog.s151, capacity="s151")
        round_sign_off(round=round, by=prog.dcs, capacity="dcs")
    with pytest.raises(PermissionDenied):
        round_record_submission(round=round, by=board, submitted_on=dt.date(2024, 5, 31))
    finance = f.MembershipFactory(council=council, role=Role.FINANCE).user
    sent = round_record_submission(round=round, by=finance, submitted_on=dt.date(2024, 5, 31))
    assert sent.submitted_recorded_by == finance
