"""Choosing a council's round: the latest one, or one named like "2024-25/3"."""

from __future__ import annotations

from django.db.models import Max, Min, OuterRef, QuerySet, Subquery

from reports.models import RoundSnapshot
from svmonitor.fy import fy_label, fy_parse
from svmonitor.models import Agreement, MonitoringTierChange, ReportingRound


def round_key(financial_year: int, update_number: int) -> str:
    """The round's key as used in URLs: "2024-25/3"."""
    return f"{fy_label(financial_year)}/{update_number}"


def round_key_parse(key: str) -> tuple[int, int]:
    """Parse "2024-25/3" into (2024, 3); ValueError naming the problem if malformed."""
    fy_text, _, update_text = key.strip().partition("/")
    financial_year = fy_parse(fy_text)
    if update_text not in ("1", "2", "3"):
        raise ValueError(f"{key!r}: the update after the slash must be 1, 2 or 3")
    return financial_year, int(update_text)


def rounds_for_building() -> QuerySet[ReportingRound]:
    """Rounds with what round_snapshot_build and round_record read of them: agreement, council,
    tier in force, the id of the latest frozen payload, and the first and last financial years
    of all the council's agreements (the months its figures may be for)."""
    tiers = MonitoringTierChange.objects.filter(agreement=OuterRef("agreement"))
    latest_tier = tiers.filter(effective_from__lte=OuterRef("due_date")).order_by("-effective_from")
    frozen = RoundSnapshot.objects.filter(round=OuterRef("pk")).order_by("-created_at", "-pk")
    agreements = (
        Agreement.objects.filter(council=OuterRef("agreement__council"))
        .order_by()
        .values("council")
    )
    return ReportingRound.objects.select_related("agreement__council").annotate(
        tier_code=Subquery(latest_tier.values("tier")[:1]),
        tier_from=Subquery(latest_tier.values("effective_from")[:1]),
        # The payload frozen when last marked ready (round_record reads it by this id).
        frozen_snapshot_id=Subquery(frozen.values("pk")[:1]),
        agreements_first_year=Subquery(
            agreements.annotate(year=Min("first_financial_year")).values("year")[:1]
        ),
        agreements_last_year=Subquery(
            agreements.annotate(year=Max("last_financial_year")).values("year")[:1]
        ),
    )


def round_list_for_council(*, council, user=None, actions=None) -> list[ReportingRound]:
    """The council's rounds across its agreements, latest first (one query); given a user (or
    their `actions` at the council, as svmonitor.access.council_for_user read them), only
    those they may read (svmonitor.scoping.RoundScopedQuerySet.readable_by: a DfE
    adviser sees submitted returns only, unless the council shares its drafts).

    Each comes with its agreement and council, for a chooser's labels. What
    round_snapshot_build reads of a round (tier, frozen payload, agreements' years) is for the
    one round shown (build.round_building_extras): worked out for every round of a council
    with nine years of returns, it was most of this query's time.
    """
    rounds = (
        ReportingRound.objects.safety_valve()
        .select_related("agreement")
        .filter(agreement__council=council)
    )
    if actions is not None:
        # The user's actions at this council, already read (svmonitor.access.council_for_user):
        # the same rule as readable_by without asking the database for them again.
        rounds = rounds.readable_with(actions)
    elif user is not None:
        rounds = rounds.readable_by(user)
    found = list(rounds.order_by("-financial_year", "-update_number", "-agreement__date_signed"))
    for rnd in found:
        # The council the caller read: each round's, by the filter (not read again per round).
        rnd.agreement.council = council
    return found


def round_for_council(*, council, key: str | None = None) -> ReportingRound | None:
    """The chosen round ("2024-25/3"), or the latest when no key is given; None if none exists.

    Raises ValueError for a malformed key or one that names no round of the council.
    """
    rounds = ReportingRound.objects.safety_valve().filter(agreement__council=council)
    if key:
        financial_year, update_number = round_key_parse(key)
        rounds = rounds.filter(financial_year=financial_year, update_number=update_number)
    found = rounds.order_by("-financial_year", "-update_number", "-agreement__date_signed").first()
    if key and found is None:
        raise ValueError(f"{key!r}: this council has no such round")
    return found


def round_pick(*, rounds: list[ReportingRound], key: str | None = None) -> ReportingRound | None:
    """From a list made by round_list_for_council: the named round, or the latest (no query).

    Raises ValueError for a malformed key or one that names none of the rounds.
    """
    if not key:
        return rounds[0] if rounds else None
    financial_year, update_number = round_key_parse(key)
    for rnd in rounds:
        if (rnd.financial_year, rnd.update_number) == (financial_year, update_number):
            return rnd
    raise ValueError(f"{key!r}: this council has no such round")
