"""The overview's part of a return: carried forward into a new round with its headlines, and
what is still to do in it (registered with the spine in OverviewConfig.ready)."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError

from overview.models import Headline, RoundOverview
from overview.sections_dsg import (
    GOVERNANCE_SECTION,
    NARRATIVE_SECTION,
    governance_found_in,
    text_found_in,
)
from overview.sections_dsg import PARTS as DSG_PARTS
from overview.selectors import ON_TRACK_QUESTIONS, headline_texts
from overview.services import (
    OVERVIEW_FIELDS,
    headlines_confirm,
    headlines_fingerprint,
    round_governance_confirm,
    round_narrative_confirm,
    round_overview_confirm,
)
from svmonitor.choices import Rag, YesNo
from svmonitor.history import HistorySection, history_section_register
from svmonitor.models import AuditEvent
from svmonitor.section_rows import rag_labels, rag_text
from svmonitor.section_views import (
    history_url,
    round_urls,
    section_urls,
    section_urls_register,
    task_url,
    with_next,
)
from svmonitor.sections import (
    NOT_REVIEWED,
    TASK_COMPLETED,
    TASK_IN_PROGRESS,
    TASK_NOT_STARTED,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    RoundRows,
    SectionRef,
    SummaryCard,
    SummaryRow,
    return_part_register,
    section_confirm_register,
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


# --- tasks on the return's task list -----------------------------------------------------------

# The overall assurance level sums up the conditions' levels, so the overview waits until every
# condition is rated (the conditions part's tasks say whether theirs is).
OVERVIEW_WAITS_FOR = ("conditions",)
HEADLINE_ACTIONS = ("headlines.save", "headlines.confirm")


def _overview_status(overview, carried: bool, gaps: list) -> str:
    if overview is None:
        return TASK_NOT_STARTED
    touched = overview.version > 1 or (
        not carried
        and (
            overview.overall_rag != Rag.NOT_RATED
            or any(getattr(overview, answer) for answer, _c, _w in ON_TRACK_QUESTIONS)
        )
    )
    if not gaps and touched:
        return TASK_COMPLETED
    return TASK_IN_PROGRESS if touched else TASK_NOT_STARTED


def _headline_lists_touched(overview) -> set[str]:
    """The headline lists saved or confirmed in this round (their history is the overview's)."""
    events = AuditEvent.objects.filter(
        object_type="overview.roundoverview",
        object_id=str(overview.pk),
        action__in=HEADLINE_ACTIONS,
    ).values_list("after", flat=True)
    return {(after or {}).get("kind") for after in events}


def overview_tasks(round, carried: bool) -> list[ReturnTask]:
    """Two tasks: the overview (answers and overall level) and the headlines."""
    overview = RoundOverview.objects.filter(round=round).first()
    gaps = overview_completeness(round, carried)
    unchanged = ()
    if overview is not None and carried and overview.version == 1:
        try:
            _overview_confirmable(overview)
        except ValidationError:
            pass
        else:
            unchanged = (SectionRef("overview", overview.pk, str(overview.version)),)
    tasks = [
        ReturnTask(
            key="overview",
            group="Overview and headlines",
            title="Overview and overall assurance",
            status=_overview_status(overview, carried, gaps),
            unchanged=unchanged,
            depends_on=OVERVIEW_WAITS_FOR,
            waiting_for="every condition to be rated",
        )
    ]
    if overview is None:
        return tasks
    texts = {kind: [] for kind in Headline.Kind.values}
    for kind, text in overview.headlines.order_by("kind", "position").values_list("kind", "text"):
        texts[kind].append(text)
    touched = _headline_lists_touched(overview)
    if not carried:
        touched |= {kind for kind, listed in texts.items() if listed}
    done = [kind in touched for kind in Headline.Kind.values]
    status = TASK_COMPLETED if all(done) else TASK_IN_PROGRESS if any(done) else TASK_NOT_STARTED
    tasks.append(
        ReturnTask(
            key="headlines",
            group="Overview and headlines",
            title="Programme headlines",
            hint="Drivers, barriers and engagement examples (optional)",
            status=status,
            unchanged=tuple(
                SectionRef(kind, overview.pk, headlines_fingerprint(texts[kind]))
                for kind in Headline.Kind.values
                if carried and kind not in touched
            ),
        )
    )
    return tasks


def _overview_confirmable(overview) -> None:
    # The rules round_overview_confirm applies, without writing (for the task list).
    for answer, _c, wording in ON_TRACK_QUESTIONS:
        if not getattr(overview, answer) or not getattr(overview, _c).strip():
            raise ValidationError(f"{wording}: not answered")


def overview_task_summary(round, key: str) -> list[SummaryCard] | None:
    """The overview's or the headlines' answers, each with its Change link."""
    if key not in ("overview", "headlines"):
        return None
    overview = RoundOverview.objects.filter(round=round).first()
    if overview is None:
        return None
    back = task_url(round, key)
    if key == "overview":
        edit = with_next(round_urls(round)["overview_edit"], back)
        labels = rag_labels(round.agreement.council_id)
        rows = []
        for answer, commentary, wording in ON_TRACK_QUESTIONS:
            value = getattr(overview, answer)
            rows.append(
                SummaryRow(
                    f"{wording}?",
                    YesNo(value).label if value else "Not answered",
                    edit,
                    wording.lower(),
                )
            )
            rows.append(
                SummaryRow(
                    f"{wording}: commentary",
                    getattr(overview, commentary) or "None given",
                    edit,
                    f"{wording.lower()} commentary",
                )
            )
        rows += [
            SummaryRow(
                "Adviser support requested",
                YesNo(overview.adviser_support_requested).label
                if overview.adviser_support_requested
                else "Not answered",
                edit,
                "adviser support",
            ),
            SummaryRow(
                "Overall assurance level",
                rag_text(overview.overall_rag, labels),
                edit,
                "overall assurance level",
            ),
            SummaryRow(
                "Overall narrative", overview.overall_narrative or "None given", edit, "narrative"
            ),
        ]
        return [
            SummaryCard(
                title="Overview",
                rows=tuple(rows),
                history_url=history_url(round, "overview", overview.pk),
            )
        ]
    cards = []
    for kind in Headline.Kind:
        urls = section_urls(round, "headlines", kind.value, history_pk=overview.pk)
        texts = headline_texts(overview=overview, kind=kind.value)
        cards.append(
            SummaryCard(
                title=kind.label,
                rows=(
                    SummaryRow(
                        "Headlines",
                        "\n".join(f"{n}. {t}" for n, t in enumerate(texts, 1)) or "None",
                        with_next(urls["edit"], back),
                        kind.label.lower(),
                    ),
                ),
                history_url=urls.get("history", ""),
            )
        )
    return cards


PARTS = (
    ReturnPart(
        "overview",
        40,
        overview_carry_forward,
        overview_completeness,
        progress=overview_progress,
        takes_read=True,
        tasks=overview_tasks,
        task_summary=overview_task_summary,
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
    for part in (*PARTS, *DSG_PARTS):
        return_part_register(part)
    # The DSG plan's texts and governance (issue 19): "No change this term" and history.
    section_confirm_register(NARRATIVE_SECTION, round_narrative_confirm)
    section_confirm_register(GOVERNANCE_SECTION, round_governance_confirm)
    history_section_register(
        NARRATIVE_SECTION, HistorySection("overview.roundnarrative", found_in=text_found_in)
    )
    history_section_register(
        GOVERNANCE_SECTION,
        HistorySection("overview.roundgovernance", found_in=governance_found_in),
        field_labels={
            "schools_forum_date": "Schools Forum date",
            "next_review_date": "Next review date",
        },
    )
    section_urls_register(
        "headlines", edit="overview:headlines_edit", show="overview:headlines_show"
    )
    section_confirm_register("overview", round_overview_confirm)
    history_section_register(
        "overview",
        HistorySection("overview.roundoverview", exclude_actions=frozenset(HEADLINE_ACTIONS)),
        field_labels=FIELD_LABELS,
    )
    for kind in Headline.Kind.values:
        section_confirm_register(kind, partial(headlines_confirm, kind=kind), numbered=False)
        history_section_register(
            kind,
            HistorySection(
                "overview.roundoverview", actions=frozenset(HEADLINE_ACTIONS), after_kind=kind
            ),
        )
