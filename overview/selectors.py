"""Reads of a return's overview and headline lists."""

from __future__ import annotations

from dataclasses import dataclass

from overview.models import Headline, RoundOverview
from svmonitor.choices import YesNo
from svmonitor.models import ReportingRound
from svmonitor.selectors import round_previous

# The overview's three "is the plan on track?" questions: answer field, commentary field, wording.
ON_TRACK_QUESTIONS = (
    ("deficit_this_year_on_track", "deficit_this_year_commentary", "Deficit this year on track"),
    ("zero_deficit_on_track", "zero_deficit_commentary", "Zero deficit on track"),
    ("capital_project_on_track", "capital_project_commentary", "Capital project on track"),
)
ON_TRACK_ANSWERS = frozenset({"", *YesNo.values})


def headline_texts(*, overview: RoundOverview, kind: str) -> list[str]:
    """One headline list's texts in order."""
    return list(
        Headline.objects.filter(overview=overview, kind=kind)
        .order_by("position")
        .values_list("text", flat=True)
    )


HEADLINE_KINDS = tuple(Headline.Kind)


@dataclass
class HeadlineList:
    """One list of headlines (drivers, barriers or engagement) beside the previous update's."""

    kind: str
    title: str
    texts: list[str]
    previous: list[str] | None


def _headline_lists(overview, previous_overview) -> list[HeadlineList]:
    """The overview's headline lists beside the previous overview's, in one query."""
    shown = [ov for ov in (overview, previous_overview) if ov is not None]
    texts: dict[int, dict[str, list[str]]] = {
        ov.pk: {kind.value: [] for kind in HEADLINE_KINDS} for ov in shown
    }
    if shown:
        rows = (
            Headline.objects.filter(overview__in=[ov.pk for ov in shown])
            .order_by("kind", "position")
            .values_list("overview_id", "kind", "text")
        )
        for overview_id, kind, text in rows:
            texts[overview_id][kind].append(text)
    empty = {kind.value: [] for kind in HEADLINE_KINDS}
    current = texts[overview.pk] if overview is not None else empty
    before = texts[previous_overview.pk] if previous_overview is not None else None
    return [
        HeadlineList(
            kind=kind.value,
            title=kind.label,
            texts=current[kind.value],
            previous=before[kind.value] if before is not None else None,
        )
        for kind in HEADLINE_KINDS
    ]


def overview_for_user(*, user, round: ReportingRound, action: str) -> RoundOverview | None:
    """The round's overview if the user may act on it."""
    return (
        RoundOverview.objects.for_user(user, action)
        .filter(round=round)
        .select_related("updated_by")
        .first()
    )


def previous_overview_for(round: ReportingRound) -> RoundOverview | None:
    """The previous update's overview, if there was one."""
    previous = round_previous(round)
    if previous is None:
        return None
    return RoundOverview.objects.filter(round=previous).first()


def headline_list(*, overview: RoundOverview, kind: str) -> HeadlineList:
    """One list of headlines beside the previous update's."""
    previous_overview = previous_overview_for(overview.round)
    return next(hl for hl in _headline_lists(overview, previous_overview) if hl.kind == kind)
