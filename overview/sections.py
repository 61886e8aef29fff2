"""The overview's part of a return: carried forward into a new round with its headlines, and
what is still to do in it (registered with the spine in OverviewConfig.ready)."""

from __future__ import annotations

from overview.models import Headline, RoundOverview
from overview.selectors import ON_TRACK_QUESTIONS
from overview.services import OVERVIEW_FIELDS
from svmonitor.history import HistorySection, history_section_register
from svmonitor.section_views import section_urls_register
from svmonitor.sections import (
    NOT_REVIEWED,
    CompletenessGap,
    ReturnPart,
    RoundRows,
    return_part_register,
)


def overview_carry_forward(new, previous, by) -> None:
    """Copy the previous round's overview and headlines into `new` (an empty one if none)."""
    old = RoundOverview.objects.filter(round=previous).first() if previous else None
    overview = RoundOverview(round=new, updated_by=by)
    if old is not None:
        for field in OVERVIEW_FIELDS:
            setattr(overview, field, getattr(old, field))
    overview.save()
    if old is not None:
        Headline.objects.bulk_create(
            Headline(overview=overview, kind=h.kind, position=h.position, text=h.text)
            for h in old.headlines.order_by("kind", "position")
        )


def overview_completeness(
    round, carried: bool, read: RoundRows | None = None
) -> list[CompletenessGap]:
    """Unanswered on-track questions, answers without commentary, a carried one not reviewed
    (from `read.overview` when the caller has read it)."""
    if read is not None and read.overview_read:
        return _overview_gaps(read.overview, carried)
    return _overview_gaps(RoundOverview.objects.filter(round=round).first(), carried)


def _overview_gaps(overview, carried: bool) -> list[CompletenessGap]:
    if overview is None:
        return [CompletenessGap("overview", "Overview", "not started")]
    gaps = []
    for answer_field, commentary_field, wording in ON_TRACK_QUESTIONS:
        answer = getattr(overview, answer_field)
        if not answer:
            gaps.append(CompletenessGap("overview", wording, "not answered", overview.pk))
        elif not getattr(overview, commentary_field).strip():
            gaps.append(CompletenessGap("overview", wording, "commentary missing", overview.pk))
    if carried and overview.version == 1 and not gaps:
        gaps.append(CompletenessGap("overview", "Overview", NOT_REVIEWED, overview.pk))
    return gaps


def overview_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """The overview is one section per round, complete when it has no gap (one query)."""
    overviews = {
        o.round_id: o for o in RoundOverview.objects.filter(round_id__in=[r.pk for r in rounds])
    }
    return {
        r.pk: (0 if _overview_gaps(overviews.get(r.pk), r.pk in carried_ids) else 1, 1)
        for r in rounds
    }


PARTS = (
    ReturnPart(
        "overview",
        40,
        overview_carry_forward,
        overview_completeness,
        progress=overview_progress,
        takes_read=True,
    ),
)


# The on-track questions' fields as the history and conflict panels label them.
FIELD_LABELS = {
    **{answer: f"{wording}?" for answer, _c, wording in ON_TRACK_QUESTIONS},
    **{commentary: f"{wording}: commentary" for _a, commentary, wording in ON_TRACK_QUESTIONS},
}


def register_with_spine() -> None:
    """Register the overview's part, its section URLs and its histories (the overview's and
    each headline list's, which share the overview's audit object)."""
    for part in PARTS:
        return_part_register(part)
    section_urls_register(
        "headlines", edit="overview:headlines_edit", show="overview:headlines_show"
    )
    history_section_register(
        "overview",
        HistorySection("overview.roundoverview", exclude_actions=frozenset({"headlines.save"})),
        field_labels=FIELD_LABELS,
    )
    for kind in Headline.Kind.values:
        history_section_register(
            kind,
            HistorySection(
                "overview.roundoverview", actions=frozenset({"headlines.save"}), after_kind=kind
            ),
        )
