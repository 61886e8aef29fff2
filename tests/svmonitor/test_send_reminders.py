"""Issue 15.6: reminders by e-mail, sent by `manage.py send_reminders` through a real SMTP
server on loopback (aiosmtpd), read back: who got what, about which return, with its URL."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from svmonitor.choices import RoundStatus
from svmonitor.models import AuditEvent, BackgroundJob, ReminderKind, ReminderSent
from svmonitor.reminders import reminder_send, reminders_owed
from svmonitor.roles import Role
from svmonitor.services import round_sign_off
from svmonitor.services.account import account_reminders_set
from tests import factories as f
from tests.jobs import run_queued_tasks
from tests.round_builders import programme, round_in, signing_day
from tests.svmonitor.smtp import SmtpServer

pytestmark = pytest.mark.django_db

SITE = "https://svmonitor.example.test"
DUE = dt.date(2024, 5, 31)  # 2024-25 Update 1, as round_in opens it


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a real SMTP server on 127.0.0.1."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.DEFAULT_FROM_EMAIL = "svmonitor <svmonitor@example.test>"
        settings.SITE_URL = SITE
        yield server.inbox


def run(day: dt.date) -> str:
    out = StringIO()
    call_command("send_reminders", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def _url(prog) -> str:
    return f"{SITE}/councils/{prog.agreement.council.slug}/rounds/2024-25/1/"


def _member(prog, role):
    user = f.UserFactory()
    f.MembershipFactory(user=user, council=prog.agreement.council, role=role)
    return user


def test_the_team_is_reminded_14_and_3_days_before_and_when_overdue_once_each(smtp):
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    officer = _member(prog, Role.OFFICER)
    board = _member(prog, Role.BOARD)
    council = prog.agreement.council.name

    assert "Sent 2 reminders" in run(DUE - dt.timedelta(days=14))
    assert sorted(m.envelope_to[0] for m in smtp.received) == sorted(
        [prog.officer.email, officer.email]
    )
    mail = smtp.to(officer.email)[0]
    assert mail.subject == f"{council} 2024-25 Update 1 (May): due in 14 days (31 May 2024)"
    assert mail.to == officer.email
    assert _url(prog) in mail.body
    assert "Progress: 0 of 5 sections complete." in mail.body
    assert f"{SITE}/accounts/" in mail.body

    # The same day again, and the days until the 3-day mark: nothing more.
    for day in (DUE - dt.timedelta(days=14), DUE - dt.timedelta(days=10)):
        assert "Sent 0 reminders" in run(day)
    assert len(smtp.received) == 2

    run(DUE - dt.timedelta(days=3))
    assert smtp.to(officer.email)[1].subject.endswith("due in 3 days (31 May 2024)")
    run(DUE + dt.timedelta(days=1))
    overdue = smtp.to(officer.email)[2]
    assert overdue.subject == f"{council} 2024-25 Update 1 (May) is overdue"
    assert "1 day overdue" in overdue.body and _url(prog) in overdue.body
    run(DUE + dt.timedelta(days=5))
    assert len(smtp.to(officer.email)) == 3
    # Nobody else is reminded about a draft: not the board, not the signers.
    assert not smtp.to(board.email) and not smtp.to(prog.s151.email)
    assert ReminderSent.objects.filter(user=officer).count() == 3


def test_a_draft_opened_3_days_before_it_is_due_gets_only_the_3_day_reminder(smtp):
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    run(DUE - dt.timedelta(days=2))
    run(DUE - dt.timedelta(days=1))
    assert [m.subject.split(": ")[-1] for m in smtp.to(prog.officer.email)] == [
        "due in 2 days (31 May 2024)"
    ]


def test_the_s151_officer_and_dcs_are_reminded_when_a_return_is_ready_for_sign_off(smtp):
    prog = programme()
    round_in(RoundStatus.READY, prog)
    run(DUE - dt.timedelta(days=5))
    for user in (prog.s151, prog.dcs):
        (mail,) = smtp.to(user.email)
        assert mail.subject.endswith("2024-25 Update 1 (May) is ready for your sign-off")
        assert _url(prog) in mail.body
    # The team is not reminded that a ready return is due: their part is done.
    assert not smtp.to(prog.officer.email)


def test_only_the_capacity_still_to_sign_is_reminded(smtp):
    prog = programme()
    round = round_in(RoundStatus.READY, prog)
    with signing_day(DUE - dt.timedelta(days=6)):
        round_sign_off(round=round, by=prog.s151, capacity="s151")
    run(DUE - dt.timedelta(days=5))
    assert not smtp.to(prog.s151.email)
    assert len(smtp.to(prog.dcs.email)) == 1


def test_the_finance_lead_is_reminded_when_both_have_signed(smtp):
    prog = programme()
    round_in(RoundStatus.SIGNED_OFF, prog)
    finance = _member(prog, Role.FINANCE)
    run(DUE - dt.timedelta(days=1))
    (mail,) = smtp.to(finance.email)
    assert mail.subject.endswith("2024-25 Update 1 (May) is signed off: send it to DfE")
    assert _url(prog) in mail.body
    assert not smtp.to(prog.s151.email) and not smtp.to(prog.dcs.email)


def test_a_submitted_return_gets_no_reminder(smtp):
    prog = programme()
    round_in(RoundStatus.SUBMITTED, prog)
    _member(prog, Role.FINANCE)
    assert "Sent 0 reminders" in run(DUE + dt.timedelta(days=3))
    assert smtp.received == []


def test_a_user_who_switched_reminders_off_gets_none(smtp):
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    officer = _member(prog, Role.OFFICER)
    account_reminders_set(user=officer, by=officer, enabled=False)
    run(DUE - dt.timedelta(days=3))
    assert not smtp.to(officer.email)
    assert len(smtp.to(prog.officer.email)) == 1


def test_a_run_that_finds_the_reminder_claimed_by_another_run_sends_nothing(smtp):
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    day = DUE - dt.timedelta(days=3)
    (reminder,) = reminders_owed(on=day)
    # Another run, at the same moment, inserted the claim after this one listed its reminders.
    ReminderSent.objects.create(
        user=reminder.user, round=reminder.round, kind=reminder.kind, sent_at=timezone.now()
    )
    assert reminder_send(reminder, on=day) is False
    assert smtp.received == []


def test_two_runs_that_list_the_same_reminders_at_once_send_each_only_once(smtp):
    prog = programme()
    round_in(RoundStatus.READY, prog)
    _member(prog, Role.OFFICER)
    day = DUE + dt.timedelta(days=1)
    # Both runs list what is owed before either sends: the race a second cron job would run.
    first, second = reminders_owed(on=day), reminders_owed(on=day)
    assert len(first) == len(second) == 4  # the two team members (overdue), S151 and DCS
    assert [reminder_send(r, on=day) for r in first] == [True] * 4
    assert [reminder_send(r, on=day) for r in second] == [False] * 4
    assert len(smtp.received) == 4
    assert ReminderSent.objects.count() == 4


def test_the_database_refuses_the_same_reminder_twice():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    key = {"user": prog.officer, "round": round, "kind": ReminderKind.OVERDUE}
    ReminderSent.objects.create(**key, sent_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(**key, sent_at=timezone.now())


def test_a_reminder_the_mail_server_refused_is_sent_by_the_next_run(smtp, settings):
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    day = DUE - dt.timedelta(days=3)
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens there: the connection is refused
    with pytest.raises(CommandError, match="could not be sent"):
        run(day)
    assert not ReminderSent.objects.exists()
    settings.EMAIL_PORT = working_port
    assert "Sent 1 reminder on" in run(day)
    assert len(smtp.to(prog.officer.email)) == 1


def test_the_command_needs_the_sites_address(settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL"):
        call_command("send_reminders", stdout=StringIO())


def test_a_dry_run_lists_the_reminders_and_sends_none(smtp):
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    out = StringIO()
    call_command("send_reminders", "--date", DUE.isoformat(), "--dry-run", stdout=out)
    assert f"Would send due_3 to {prog.officer.username}" in out.getvalue()
    assert smtp.received == [] and not ReminderSent.objects.exists()


def test_only_the_user_or_an_administrator_switches_reminders_and_the_history_says_so():
    user, other = f.UserFactory(), f.UserFactory()
    with pytest.raises(PermissionDenied):
        account_reminders_set(user=user, by=other, enabled=False)
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    account_reminders_set(user=user, by=admin, enabled=False)
    event = AuditEvent.objects.get(action="account.reminders")
    assert (event.user, event.before, event.after) == (
        admin,
        {"email_reminders": True},
        {"email_reminders": False},
    )


def test_queued_reminders_are_sent_by_the_worker_once(smtp):
    prog = programme()
    round_in(RoundStatus.DRAFT, prog)
    day = (DUE - dt.timedelta(days=14)).isoformat()
    out = StringIO()

    call_command("send_reminders", "--date", day, "--queue", stdout=out)

    assert "Queued the reminders of 17 May 2024" in out.getvalue()
    assert smtp.received == []  # nothing sent until a worker runs the job
    run_queued_tasks()
    assert [m.envelope_to[0] for m in smtp.received] == [prog.officer.email]
    job = BackgroundJob.objects.get(kind="reminders")
    assert job.status == "done" and job.result_meta["sent"] == 1
    # Queued again the same day: the worker finds it sent already.
    call_command("send_reminders", "--date", day, "--queue", stdout=StringIO())
    run_queued_tasks()
    assert len(smtp.received) == 1
