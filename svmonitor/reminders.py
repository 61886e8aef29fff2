"""E-mail reminders about returns: who is owed which reminder today, and sending one once.

`manage.py send_reminders` runs this daily (docs/deploy.md):

* the council's team (programme officers and leads): 14 days and 3 days before a draft return
  is due, and once when a return is overdue (svmonitor.due: past its due date, not yet sent);
* the S151 officer and the DCS: when a return is ready for sign-off and their capacity has not
  signed it yet;
* the finance lead: when both have signed (the return is signed off and not yet sent).

A reminder is sent at most once per user, return and kind: a ReminderSent row is inserted
before the e-mail goes, and its unique constraint refuses a second, even from a second run at
the same moment. A user who switched reminders off (AccountSettings) or has no e-mail address
gets none. Returns imported from a council's records are submitted, so never reminded about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from svmonitor.choices import RoundStatus
from svmonitor.due import round_due
from svmonitor.models import (
    AccountSettings,
    Membership,
    ReminderKind,
    ReminderSent,
    ReportingRound,
    SignOff,
)
from svmonitor.roles import Role
from svmonitor.selectors import rounds_progress

TEAM_ROLES = (Role.OFFICER, Role.LEAD)
SIGNER_ROLES = (Role.S151, Role.DCS)  # each role's sign-off capacity has the same value
SENDER_ROLES = (Role.FINANCE,)
# A draft due within this many days gets the 14-day reminder; within 3, the 3-day one. A run
# missed on the day itself still sends the reminder on the next run, never both.
EARLY_DAYS = 14
LATE_DAYS = 3


@dataclass(frozen=True)
class Reminder:
    """One e-mail owed to one user about one return."""

    user: object
    round: ReportingRound
    kind: str
    role: str
    progress: str = ""

    @property
    def council(self):
        return self.round.agreement.council


def _round_kinds(round: ReportingRound, on: dt.date) -> list[tuple[str, tuple[str, ...]]]:
    """(kind, roles) of the reminders a return calls for on a day."""
    due = round_due(round, on=on)
    kinds = []
    if due.is_overdue:
        kinds.append((ReminderKind.OVERDUE, TEAM_ROLES))
    elif round.status == RoundStatus.DRAFT and due.days_left <= LATE_DAYS:
        kinds.append((ReminderKind.DUE_3, TEAM_ROLES))
    elif round.status == RoundStatus.DRAFT and due.days_left <= EARLY_DAYS:
        kinds.append((ReminderKind.DUE_14, TEAM_ROLES))
    if round.status == RoundStatus.READY:
        kinds.append((ReminderKind.SIGN_OFF, SIGNER_ROLES))
    elif round.status == RoundStatus.SIGNED_OFF:
        kinds.append((ReminderKind.SEND, SENDER_ROLES))
    return kinds


def reminders_owed(*, on: dt.date) -> list[Reminder]:
    """Every reminder owed on a day and not yet sent (a fixed number of queries)."""
    # 1. The returns not yet sent to DfE.
    rounds = list(
        ReportingRound.objects.exclude(status=RoundStatus.SUBMITTED)
        .select_related("agreement__council")
        .order_by("due_date", "pk")
    )
    wanted = {round.pk: _round_kinds(round, on) for round in rounds}
    rounds = [round for round in rounds if wanted[round.pk]]
    if not rounds:
        return []
    # 2. The members who could be reminded: active, with an address, reminders not off.
    switched_off = AccountSettings.objects.filter(user=OuterRef("user"), email_reminders=False)
    members = (
        Membership.objects.filter(
            council_id__in={round.agreement.council_id for round in rounds},
            role__in=TEAM_ROLES + SIGNER_ROLES + SENDER_ROLES,
            user__is_active=True,
        )
        .exclude(user__email="")
        .exclude(Exists(switched_off))
        .select_related("user")
        .order_by("user__username", "role")
    )
    by_council: dict[int, list[Membership]] = {}
    for membership in members:
        by_council.setdefault(membership.council_id, []).append(membership)
    # 3. What was sent already, who has signed, and each draft's progress.
    ids = [round.pk for round in rounds]
    sent = set(
        ReminderSent.objects.filter(round_id__in=ids).values_list("user_id", "round_id", "kind")
    )
    signed = set(
        SignOff.objects.filter(round_id__in=ids, voided_at__isnull=True).values_list(
            "round_id", "capacity"
        )
    )
    progress = rounds_progress([round for round in rounds if round.status == RoundStatus.DRAFT])
    owed: list[Reminder] = []
    for round in rounds:
        for kind, roles in wanted[round.pk]:
            seen: set[int] = set()
            for membership in by_council.get(round.agreement.council_id, ()):
                user = membership.user
                if membership.role not in roles or user.pk in seen:
                    continue
                if (user.pk, round.pk, kind) in sent:
                    continue
                # A signer is reminded only while their own capacity is still to sign.
                if kind == ReminderKind.SIGN_OFF and (round.pk, membership.role) in signed:
                    continue
                seen.add(user.pk)
                done = progress.get(round.pk)
                owed.append(
                    Reminder(user, round, kind, membership.role, done.label if done else "")
                )
    return owed


def _round_url(round: ReportingRound) -> str:
    path = reverse(
        round.kind.url_name("round_detail"),
        args=[round.agreement.council.slug, round.fy, round.update_number],
    )
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def reminder_message(reminder: Reminder, *, on: dt.date) -> tuple[str, str]:
    """The e-mail's subject and body."""
    round, council = reminder.round, reminder.council
    due = round_due(round, on=on)
    title = f"{council.name} {round.label}"
    day = f"{round.due_date:%-d %B %Y}"
    kind = reminder.kind
    if kind in (ReminderKind.DUE_14, ReminderKind.DUE_3):
        subject = f"{title}: {due.label.lower()} ({day})"
        lines = [f"The {round.kind.round_noun} {title} is due to {round.kind.recipient} on {day}."]
        if reminder.progress:
            lines.append(f"Progress: {reminder.progress}.")
    elif kind == ReminderKind.OVERDUE:
        subject = f"{title} is overdue"
        lines = [
            f"The quarterly return {title} was due to DfE on {day} and is not yet recorded "
            f"as sent: it is {due.label}.",
            f"Where it is: {round.get_status_display()}.",
        ]
    elif kind == ReminderKind.SIGN_OFF:
        subject = f"{title} is ready for your sign-off"
        lines = [f"The quarterly return {title} is ready for sign-off (due to DfE on {day})."]
    else:
        subject = f"{title} is signed off: send it to DfE"
        lines = [
            f"The S151 officer and the director of children's services have signed off the "
            f"quarterly return {title}. Send the DfE report and record the date it was sent "
            f"(due to DfE on {day})."
        ]
    role = Role(reminder.role).label.lower()
    lines += [
        "",
        f"Open the return: {_round_url(round)}",
        "",
        f"You get this e-mail as {role} for {council.name} in svmonitor. To stop reminders, "
        f"switch them off on your account page: "
        f"{settings.SITE_URL.rstrip('/')}{reverse('account_detail')}",
    ]
    return subject, "\n".join(lines)


def reminder_send(reminder: Reminder, *, on: dt.date, connection=None) -> bool:
    """Send one reminder unless it was sent already; True if this call sent it.

    1. Claim it: insert its ReminderSent row in its own transaction. The unique constraint
       refuses a second claim, so of two runs at once only one goes on.
    2. Send the e-mail outside any transaction (the SMTP server may be slow).
    3. If sending fails, give the claim back, so the next run tries again.
    """
    key = {"user": reminder.user, "round": reminder.round, "kind": reminder.kind}
    try:
        with transaction.atomic():
            ReminderSent.objects.create(**key, sent_at=timezone.now())
    except IntegrityError:
        return False
    subject, body = reminder_message(reminder, on=on)
    message = EmailMessage(subject, body, to=[reminder.user.email], connection=connection)
    try:
        message.send()
    except Exception:
        ReminderSent.objects.filter(**key).delete()
        raise
    return True


REMINDERS = "reminders"


def reminders_send_all(*, on: dt.date, connection=None) -> tuple[int, int, list[str]]:
    """Send every reminder owed on `on`: (sent, already sent by another run, failures)."""
    sent = skipped = 0
    failed: list[str] = []
    for reminder in reminders_owed(on=on):
        try:
            if reminder_send(reminder, on=on, connection=connection):
                sent += 1
            else:
                skipped += 1
        except Exception as exc:  # noqa: BLE001 - report every failure, then fail
            failed.append(f"{reminder.kind} to {reminder.user.get_username()}: {exc}")
    return sent, skipped, failed


def _reminders_job(job) -> None:
    """The day's reminders as a background job (`send_reminders --queue`)."""
    from django.core.mail import get_connection

    from svmonitor.jobs import JobFailed

    on = dt.date.fromisoformat(job.params["on"])
    sent, skipped, failed = reminders_send_all(on=on, connection=get_connection())
    job.result_meta = {"sent": sent, "skipped": skipped, "failed": len(failed)}
    if failed:
        # Each failed reminder gave its claim back: the next run (or a retry) sends it.
        raise JobFailed(f"{len(failed)} of {sent + len(failed)} reminders could not be sent.")


def reminders_job_register() -> None:
    """Register the reminder run with the queue (SvmonitorConfig.ready())."""
    from svmonitor.jobs import JobHandler, job_handler_register
    from svmonitor.roles import Action

    job_handler_register(
        JobHandler(
            kind=REMINDERS,
            run=_reminders_job,
            title="E-mail reminders",
            action=Action.ADMINISTER,
            # Safe to run again: a reminder already sent is claimed and never sent twice.
            retry=True,
        )
    )
