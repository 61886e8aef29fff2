"""Reads about reporting rounds: the previous round and what is left to do before sign-off."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from svmonitor.models import Agreement, ReportingRound, RoundEvent
from svmonitor.sections import (  # noqa: F401 - the names callers know these by
    NOT_REVIEWED,
    RAGS_NEEDING_NARRATIVE,
    SAFETY_VALVE,
    CompletenessGap,
    RoundRows,
    return_parts,
)


def round_previous(round: ReportingRound) -> ReportingRound | None:
    """The agreement's round just before this one (by financial year, then update number)."""
    return previous_round_for(
        agreement=round.agreement,
        financial_year=round.financial_year,
        update_number=round.update_number,
        return_kind=round.return_kind,
    )


def previous_round_for(
    *,
    agreement: Agreement,
    financial_year: int,
    update_number: int,
    return_kind: str = SAFETY_VALVE,
) -> ReportingRound | None:
    """The agreement's latest round of the same kind before the given year and update."""
    earlier = Q(financial_year__lt=financial_year) | Q(
        financial_year=financial_year, update_number__lt=update_number
    )
    return (
        ReportingRound.objects.of_kind(return_kind)
        .filter(earlier, agreement=agreement)
        .order_by("-financial_year", "-update_number")
        .first()
    )


def round_was_carried_forward(round: ReportingRound) -> bool:
    """Whether the round was opened by carrying forward a previous round (round_open_next)."""
    return RoundEvent.objects.filter(round=round, action="opened").exists()


def round_completeness(
    round: ReportingRound, *, carried: bool | None = None, read: RoundRows | None = None
) -> list[CompletenessGap]:
    """What is still to update before the round can be marked ready (empty when complete).

    Each registered part of the return says what is missing in it. A section carried forward
    into a round opened by round_open_next still holds the previous update's words until someone
    saves it here. Until then (its version is still 1: every save, in the page or by a workbook
    import, bumps it) it is "not yet reviewed for this update". `carried` is whether the round
    was carried forward, when the caller knows (else one query). `read`: the round's rows the
    caller has read already, for the parts that can use them (ReturnPart.takes_read).
    """
    if carried is None:
        carried = round_was_carried_forward(round)
    gaps: list[CompletenessGap] = []
    for part in return_parts(round.return_kind):
        if read is not None and part.takes_read:
            gaps += part.completeness(round, carried, read=read)
        else:
            gaps += part.completeness(round, carried)
    return gaps


@dataclass(frozen=True)
class RoundProgress:
    """How many of a return's sections are complete, of how many."""

    complete: int
    total: int

    @property
    def is_complete(self) -> bool:
        return self.complete == self.total

    @property
    def label(self) -> str:
        """E.g. "12 of 31 sections complete"."""
        return f"{self.complete} of {self.total} sections complete"


def rounds_progress(rounds) -> dict[int, RoundProgress]:
    """Each round's sections complete of total, by round id, from the registered parts.

    A section is complete when its part's completeness finds nothing to do in it, so this and
    round_completeness agree. One query for which rounds were carried forward, then each part's
    own batch count (ReturnPart.progress): the number of queries does not grow with the number
    of rounds. A part without a batch count is one section per round.
    """
    rounds = list(rounds)
    if not rounds:
        return {}
    ids = [round.pk for round in rounds]
    carried = set(
        RoundEvent.objects.filter(round_id__in=ids, action="opened").values_list(
            "round_id", flat=True
        )
    )
    complete = dict.fromkeys(ids, 0)
    total = dict.fromkeys(ids, 0)
    for part in return_parts():
        # A part counts only in the rounds of its own kind of return.
        of_kind = [round for round in rounds if round.return_kind == part.return_kind]
        if not of_kind:
            continue
        if part.progress is not None:
            counts = part.progress(of_kind, carried)
        else:
            counts = {
                round.pk: (0 if part.completeness(round, round.pk in carried) else 1, 1)
                for round in of_kind
            }
        for round_id, (done, of) in counts.items():
            complete[round_id] += done
            total[round_id] += of
    return {pk: RoundProgress(complete[pk], total[pk]) for pk in ids}


def round_progress(round: ReportingRound) -> RoundProgress:
    """One round's sections complete of total (rounds_progress for one round)."""
    return rounds_progress([round])[round.pk]


def round_for_user(
    *,
    user,
    council,
    financial_year: int,
    update_number: int,
    action: str,
    actions=None,
    return_kind: str = SAFETY_VALVE,
):
    """The council's round for a year and update that the user may act on, or None.

    `actions`: what the user may do at `council`, when the caller has checked it already
    (council_for_user, which refused unless `action` is among them); the rounds are then
    scoped by the same rule without asking for the user's councils again."""
    if actions is None:
        rounds = ReportingRound.objects.for_user(user, action).filter(agreement__council=council)
        related = "agreement__council"
    elif action not in actions:
        return None
    else:
        rounds = ReportingRound.objects.filter(agreement__council=council).readable_with(actions)
        related = "agreement"  # its council is the one given, read already
    # A revised agreement may repeat a year and update: the latest agreement's round wins.
    found = (
        rounds.of_kind(return_kind)
        .filter(financial_year=financial_year, update_number=update_number)
        .select_related(related)
        .order_by("-agreement__date_signed", "-agreement_id")
        .first()
    )
    if found is not None and related == "agreement":
        found.agreement.council = council
    return found


def round_list_for_council(*, council, user=None) -> list[ReportingRound]:
    """The council's rounds, latest first (one query); given a user, only those they may read
    (a DfE adviser sees submitted returns only, unless the council shares its drafts)."""
    rounds = ReportingRound.objects.filter(agreement__council=council)
    if user is not None:
        rounds = rounds.readable_by(user)
    return list(
        rounds.select_related("agreement").order_by(
            "-financial_year", "-update_number", "-agreement__date_signed"
        )
    )


def round_next_to_open(*, council, return_kind: str = SAFETY_VALVE) -> tuple[int, int] | None:
    """The (year, update) after the council's latest round of that kind, or None if it has no
    agreement."""
    latest = (
        ReportingRound.objects.of_kind(return_kind)
        .filter(agreement__council=council)
        .order_by("-financial_year", "-update_number")
        .values_list("financial_year", "update_number")
        .first()
    )
    if latest is None:
        agreement = council.agreements.order_by("-date_signed", "-pk").first()
        return (agreement.first_financial_year, 1) if agreement else None
    year, update = latest
    return (year, update + 1) if update < 3 else (year + 1, 1)
