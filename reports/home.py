"""The home page's reads: what is waiting for the signed-in user, by the roles they hold.

* programme officers and leads: their councils' returns not yet sent to DfE, with the due date
  (overdue ones flagged) and, for a draft, its sections complete of total (the registry's
  completeness, svmonitor.selectors.rounds_progress);
* S151 officers and DCSs: returns ready for sign-off that their capacity has not signed;
* finance leads: returns signed off by both and not yet sent;
* DfE advisers: the latest submissions and the overdue returns across their councils.

Every read is scoped with `.for_user` and takes a fixed number of queries, whatever the number
of councils and rounds (tests/perf/test_query_counts.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse

from svmonitor.choices import RoundStatus
from svmonitor.due import RoundDue, overdue_q, round_due, today
from svmonitor.models import LocalAuthority, Membership, ReportingRound, SignOff
from svmonitor.roles import Action, Role
from svmonitor.selectors import RoundProgress, rounds_progress

TEAM_ROLES = frozenset({Role.OFFICER, Role.LEAD})
SIGNER_ROLES = frozenset({Role.S151, Role.DCS})
LATEST_SUBMISSIONS = 10


@dataclass(frozen=True)
class HomeRound:
    """One return on the home page, display-ready."""

    round: ReportingRound
    council: LocalAuthority
    due: RoundDue
    url: str
    progress: RoundProgress | None = None
    waiting_for: str = ""  # the capacities still to sign, as words

    @property
    def status(self) -> str:
        return self.round.status_label

    @property
    def list_url(self) -> str:
        """The council's returns list (an adviser may not open a draft itself)."""
        return reverse("reports:round_list", args=[self.council.slug])


@dataclass
class HomePage:
    """What the home page shows: a list per role the user holds, and their councils."""

    councils: list[LocalAuthority]
    roles: frozenset[str]
    to_complete: list[HomeRound] = field(default_factory=list)
    to_sign: list[HomeRound] = field(default_factory=list)
    to_send: list[HomeRound] = field(default_factory=list)
    submissions: list[HomeRound] = field(default_factory=list)
    overdue: list[HomeRound] = field(default_factory=list)

    @property
    def is_team(self) -> bool:
        return bool(self.roles & TEAM_ROLES)

    @property
    def is_signer(self) -> bool:
        return bool(self.roles & SIGNER_ROLES)

    @property
    def is_finance(self) -> bool:
        return Role.FINANCE in self.roles

    @property
    def is_adviser(self) -> bool:
        return Role.ADVISER in self.roles


def _round_url(round: ReportingRound) -> str:
    return reverse(
        round.kind.url_name("round_detail"),
        args=[round.agreement.council.slug, round.fy, round.update_number],
    )


def _row(round: ReportingRound, on: dt.date, **extra) -> HomeRound:
    return HomeRound(
        round=round,
        council=round.agreement.council,
        due=round_due(round, on=on),
        url=_round_url(round),
        **extra,
    )


def _rounds(user, action: str, council_ids):
    """The user's rounds at the given councils, scoped to those where they may do `action`."""
    return (
        ReportingRound.objects.for_user(user, action)
        .filter(agreement__council_id__in=council_ids)
        .select_related("agreement__council")
    )


def home_page(*, user, on: dt.date | None = None) -> HomePage:
    """Everything the home page shows for one user (a fixed number of queries)."""
    day = on or today()
    # 1. The user's roles and councils (one query; a site administrator sees every council
    #    and holds no council role, so has no lists).
    if user.is_superuser:
        councils = list(LocalAuthority.objects.for_user(user).order_by("name"))
        return HomePage(councils=councils, roles=frozenset())
    held = list(
        Membership.objects.for_user(user)
        .filter(user=user, user__is_active=True)
        .select_related("council")
        .order_by("council__name", "role")
    )
    by_role: dict[str, set[int]] = {}
    councils: dict[int, LocalAuthority] = {}
    for membership in held:
        by_role.setdefault(membership.role, set()).add(membership.council_id)
        councils.setdefault(membership.council_id, membership.council)
    page = HomePage(councils=list(councils.values()), roles=frozenset(by_role))

    def ids(roles) -> set[int]:
        return set().union(*(by_role.get(role, set()) for role in roles))

    # 2. The team's returns not yet sent, soonest due first, with each draft's progress.
    if page.is_team:
        rounds = list(
            _rounds(user, Action.VIEW, ids(TEAM_ROLES))
            .exclude(status=RoundStatus.SUBMITTED)
            .order_by("due_date", "agreement__council__name")
        )
        progress = rounds_progress([r for r in rounds if r.status == RoundStatus.DRAFT])
        page.to_complete = [_row(r, day, progress=progress.get(r.pk)) for r in rounds]
    # 3. Returns ready for sign-off that the user's capacity there has not signed.
    if page.is_signer:
        live = Prefetch(
            "sign_offs", queryset=SignOff.objects.filter(voided_at__isnull=True), to_attr="live"
        )
        rounds = (
            _rounds(user, Action.SIGN_OFF, ids(SIGNER_ROLES))
            .filter(status=RoundStatus.READY)
            .prefetch_related(live)
            .order_by("due_date", "agreement__council__name")
        )
        labels = dict(SignOff.Capacity.choices)
        for r in rounds:
            council_id = r.agreement.council_id
            mine = {role for role in SIGNER_ROLES if council_id in by_role.get(role, ())}
            signed = {s.capacity for s in r.live}
            if any(s.signed_by_id == user.pk for s in r.live) or not (mine - signed):
                continue
            waiting = [labels[c] for c in SignOff.Capacity.values if c not in signed]
            page.to_sign.append(_row(r, day, waiting_for=" and ".join(waiting)))
    # 4. Returns signed off by both and not yet sent to DfE.
    if page.is_finance:
        page.to_send = [
            _row(r, day)
            for r in _rounds(user, Action.RECORD_SUBMISSION, by_role[Role.FINANCE])
            .filter(status=RoundStatus.SIGNED_OFF)
            .order_by("due_date", "agreement__council__name")
        ]
    # 5. An adviser's councils: the latest submissions, and every overdue return.
    if page.is_adviser:
        advised = by_role[Role.ADVISER]
        page.submissions = [
            _row(r, day)
            for r in _rounds(user, Action.VIEW, advised)
            .filter(status=RoundStatus.SUBMITTED)
            .order_by("-submitted_on", "agreement__council__name")[:LATEST_SUBMISSIONS]
        ]
        # That a return is overdue (its council, label, due date and status) is for the
        # adviser to see even where the council's draft itself is not shared with advisers: the
        # councils come from the user's own scoped memberships above, and the list links to the
        # council's returns list, not to the draft.
        page.overdue = [
            _row(r, day)
            for r in ReportingRound.objects.filter(agreement__council_id__in=advised)
            .filter(overdue_q(on=day))
            .select_related("agreement__council")
            .order_by("due_date", "agreement__council__name")
        ]
    return page
