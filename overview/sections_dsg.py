"""The DSG deficit management plan's text parts (issue 19): its narratives, stakeholder
engagement and Schools Forum paper (one task each, their topics rows of NarrativeTopic) and its
governance; carried forward into the next DSG round, what is still to do in them, their task
pages and the fragment each freezes into the round's record. Registered by overview.sections."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.urls import reverse

from overview.models import NarrativeTopic, RoundGovernance, RoundNarrative
from svmonitor.section_views import history_url, task_url, with_next
from svmonitor.sections import (
    DSG_PLAN,
    NOT_REVIEWED,
    TASK_COMPLETED,
    TASK_IN_PROGRESS,
    TASK_NOT_STARTED,
    CompletenessGap,
    ReturnPart,
    ReturnTask,
    SectionRef,
    SummaryCard,
    SummaryRow,
)

NARRATIVE_SECTION = "dsg_text"  # a topic's text: its confirm service and its history
GOVERNANCE_SECTION = "dsg_governance"


@dataclass(frozen=True)
class TextGroup:
    """One task of topics: the part's name, its task's key, title and the task list heading."""

    group: str
    part: str
    task_key: str
    title: str
    order: int


GROUP_HEADING = "Plan narrative and governance"
TEXT_GROUPS = (
    TextGroup("narrative", "dsg_narrative", "dsg-narrative", "Narrative", 510),
    TextGroup(
        "stakeholders", "dsg_stakeholders", "dsg-stakeholders", "Stakeholder engagement", 520
    ),
    TextGroup("paper", "dsg_forum_paper", "dsg-forum-paper", "Schools Forum paper", 540),
)
GOVERNANCE_TASK = "dsg-governance"


def text_found_in(round, pk: int) -> tuple[str, str] | None:
    """Text `pk`'s topic title and its task's page, if it is one of the round's texts."""
    row = RoundNarrative.objects.filter(round=round, pk=pk).select_related("topic").first()
    spec = row and next((g for g in TEXT_GROUPS if g.group == row.topic.group), None)
    return (row.topic.title, task_url(round, spec.task_key)) if spec else None


def governance_found_in(round, pk: int) -> tuple[str, str] | None:
    """ "Governance" and its task's page, if governance `pk` is the round's."""
    if not RoundGovernance.objects.filter(round=round, pk=pk).exists():
        return None
    return "Governance", task_url(round, GOVERNANCE_TASK)


def topics_of(return_kind: str, group: str) -> list[NarrativeTopic]:
    """The topics one task of a kind of return asks for, in order."""
    return list(
        NarrativeTopic.objects.filter(return_kind=return_kind, group=group).order_by("position")
    )


def texts_carry_forward(new, previous, by, *, group: str) -> None:
    """Every topic of the group in the new round, with the previous round's text (empty if
    none): version 1, so it reads "not yet reviewed" until saved or confirmed."""
    topics = topics_of(new.return_kind, group)
    old = {}
    if previous is not None:
        old = dict(
            RoundNarrative.objects.filter(round=previous, topic__in=topics).values_list(
                "topic_id", "text"
            )
        )
    RoundNarrative.objects.bulk_create(
        [
            RoundNarrative(round=new, topic=topic, text=old.get(topic.pk, ""), updated_by=by)
            for topic in topics
        ],
        ignore_conflicts=True,
    )


def _text_gaps(topics, rows: dict, carried: bool) -> list[CompletenessGap]:
    gaps = []
    for topic in topics:
        row = rows.get(topic.pk)
        text = row.text.strip() if row else ""
        if topic.required and not text:
            gaps.append(
                CompletenessGap("dsg_text", topic.title, "not written", row.pk if row else None)
            )
        elif row is not None and carried and row.version == 1 and text:
            gaps.append(CompletenessGap("dsg_text", topic.title, NOT_REVIEWED, row.pk))
    return gaps


def _rows(round, topics) -> dict[int, RoundNarrative]:
    return {
        row.topic_id: row for row in RoundNarrative.objects.filter(round=round, topic__in=topics)
    }


def texts_completeness(round, carried: bool, *, group: str) -> list[CompletenessGap]:
    """Required topics with no text, and carried-forward texts not yet reviewed."""
    if round.return_kind != DSG_PLAN:
        return []
    topics = topics_of(round.return_kind, group)
    return _text_gaps(topics, _rows(round, topics), carried)


def texts_progress(rounds, carried_ids, *, group: str) -> dict[int, tuple[int, int]]:
    """(topics complete, topics) per round, in two queries."""
    rounds = [r for r in rounds if r.return_kind == DSG_PLAN]
    topics = list(
        NarrativeTopic.objects.filter(
            return_kind__in={r.return_kind for r in rounds}, group=group
        ).order_by("position")
    )
    rows: dict[int, dict[int, RoundNarrative]] = {}
    for row in RoundNarrative.objects.filter(round_id__in=[r.pk for r in rounds], topic__in=topics):
        rows.setdefault(row.round_id, {})[row.topic_id] = row
    counts = {}
    for r in rounds:
        own = [t for t in topics if t.return_kind == r.return_kind]
        gaps = _text_gaps(own, rows.get(r.pk, {}), r.pk in carried_ids)
        counts[r.pk] = (len(own) - len(gaps), len(own))
    return counts


def _touched(row, carried: bool) -> bool:
    return row is not None and (row.version > 1 or (not carried and bool(row.text.strip())))


def texts_tasks(round, carried: bool, *, spec: TextGroup) -> list[ReturnTask]:
    """One task: every topic of the group written (and reviewed, when carried forward)."""
    if round.return_kind != DSG_PLAN:
        return []
    topics = topics_of(round.return_kind, spec.group)
    rows = _rows(round, topics)
    gaps = _text_gaps(topics, rows, carried)
    touched = [_touched(rows.get(t.pk), carried) for t in topics]
    if not gaps and any(touched):
        status = TASK_COMPLETED
    elif any(touched):
        status = TASK_IN_PROGRESS
    else:
        status = TASK_NOT_STARTED
    unchanged = tuple(
        SectionRef(NARRATIVE_SECTION, row.pk, str(row.version))
        for t in topics
        if (row := rows.get(t.pk)) is not None
        and carried
        and row.version == 1
        and (row.text.strip() or not t.required)
    )
    return [
        ReturnTask(
            key=spec.task_key,
            group=GROUP_HEADING,
            title=spec.title,
            hint=", ".join(t.title for t in topics),
            status=status,
            unchanged=unchanged,
        )
    ]


def text_edit_url(round, key: str) -> str:
    """The edit page of one topic's text in a DSG round."""
    return reverse(
        "overview:dsg_text_edit",
        args=[round.agreement.council.slug, round.fy, round.update_number, key],
    )


def governance_edit_url(round) -> str:
    """The edit page of a DSG round's governance."""
    return reverse(
        "overview:dsg_governance_edit",
        args=[round.agreement.council.slug, round.fy, round.update_number],
    )


def texts_task_summary(round, key: str, *, spec: TextGroup) -> list[SummaryCard] | None:
    """A card per topic: its text with a Change link and its history."""
    if key != spec.task_key:
        return None
    topics = topics_of(round.return_kind, spec.group)
    rows = _rows(round, topics)
    back = task_url(round, key)
    cards = []
    for topic in topics:
        row = rows.get(topic.pk)
        cards.append(
            SummaryCard(
                title=topic.title,
                rows=(
                    SummaryRow(
                        topic.title,
                        (row.text if row else "") or ("None given" if topic.required else "None"),
                        with_next(text_edit_url(round, topic.key), back),
                        topic.title.lower(),
                    ),
                ),
                history_url=history_url(round, NARRATIVE_SECTION, row.pk) if row else "",
            )
        )
    return cards


def texts_snapshot(round, *, group: str) -> dict:
    """The group's texts as the round holds them: {"topics": [{key, title, text}]}."""
    topics = topics_of(round.return_kind, group)
    rows = _rows(round, topics)
    return {
        "topics": [
            {
                "key": t.key,
                "title": t.title,
                "text": rows[t.pk].text if t.pk in rows else "",
            }
            for t in topics
        ]
    }


# --- governance ----------------------------------------------------------------------------------


def governance_carry_forward(new, previous, by) -> None:
    """The next review and notes carried into the new round; the Schools Forum date is this
    term's meeting, so it starts empty."""
    if new.return_kind != DSG_PLAN:
        return
    old = RoundGovernance.objects.filter(round=previous).first() if previous else None
    RoundGovernance.objects.create(
        round=new,
        next_review_date=old.next_review_date if old else None,
        notes=old.notes if old else "",
        updated_by=by,
    )


def _governance_gaps(governance, carried: bool) -> list[CompletenessGap]:
    pk = governance.pk if governance else None
    gaps = []
    if governance is None or governance.schools_forum_date is None:
        gaps.append(CompletenessGap("dsg_governance", "Schools Forum date", "not given", pk))
    if governance is None or governance.next_review_date is None:
        gaps.append(CompletenessGap("dsg_governance", "Next review date", "not given", pk))
    if not gaps and carried and governance.version == 1:
        gaps.append(CompletenessGap("dsg_governance", "Governance", NOT_REVIEWED, pk))
    return gaps


def governance_completeness(round, carried: bool) -> list[CompletenessGap]:
    """Both dates given, and reviewed when carried forward."""
    if round.return_kind != DSG_PLAN:
        return []
    return _governance_gaps(RoundGovernance.objects.filter(round=round).first(), carried)


def governance_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """One section per round, complete with no gap (one query)."""
    rounds = [r for r in rounds if r.return_kind == DSG_PLAN]
    found = {
        g.round_id: g for g in RoundGovernance.objects.filter(round_id__in=[r.pk for r in rounds])
    }
    return {
        r.pk: (0 if _governance_gaps(found.get(r.pk), r.pk in carried_ids) else 1, 1)
        for r in rounds
    }


def governance_tasks(round, carried: bool) -> list[ReturnTask]:
    """One task: the Schools Forum date and the next review."""
    if round.return_kind != DSG_PLAN:
        return []
    governance = RoundGovernance.objects.filter(round=round).first()
    gaps = _governance_gaps(governance, carried)
    touched = governance is not None and (
        governance.version > 1 or (not carried and governance.schools_forum_date is not None)
    )
    status = (
        TASK_COMPLETED
        if touched and not gaps
        else TASK_IN_PROGRESS
        if touched
        else TASK_NOT_STARTED
    )
    unchanged = ()
    if (
        governance is not None
        and carried
        and governance.version == 1
        and governance.schools_forum_date
        and governance.next_review_date
    ):
        unchanged = (SectionRef(GOVERNANCE_SECTION, governance.pk, str(governance.version)),)
    return [
        ReturnTask(
            key=GOVERNANCE_TASK,
            group=GROUP_HEADING,
            title="Governance",
            hint="Schools Forum date and next review",
            status=status,
            unchanged=unchanged,
        )
    ]


def _date_text(value) -> str:
    return f"{value.day} {value:%B %Y}" if value else "Not given"


def governance_task_summary(round, key: str) -> list[SummaryCard] | None:
    """The governance dates and notes with their Change links."""
    if key != GOVERNANCE_TASK:
        return None
    governance = RoundGovernance.objects.filter(round=round).first()
    edit = with_next(governance_edit_url(round), task_url(round, key))
    rows = (
        SummaryRow(
            "Schools Forum date",
            _date_text(governance.schools_forum_date if governance else None),
            edit,
            "Schools Forum date",
        ),
        SummaryRow(
            "Next review date",
            _date_text(governance.next_review_date if governance else None),
            edit,
            "next review date",
        ),
        SummaryRow(
            "Notes", (governance.notes if governance else "") or "None given", edit, "notes"
        ),
        SummaryRow(
            "Sign-off",
            "By the S151 officer and the director of children's services, when the plan is "
            "marked ready (the return's own sign-off).",
        ),
    )
    return [
        SummaryCard(
            title="Governance",
            rows=rows,
            history_url=history_url(round, GOVERNANCE_SECTION, governance.pk) if governance else "",
        )
    ]


def governance_snapshot(round) -> dict:
    """This round's Schools Forum date, every earlier DSG round's of the same plan, the next
    review and notes."""
    governance = RoundGovernance.objects.filter(round=round).first()
    dates = (
        RoundGovernance.objects.filter(
            round__agreement_id=round.agreement_id,
            round__return_kind=round.return_kind,
            schools_forum_date__isnull=False,
        )
        .exclude(round__financial_year__gt=round.financial_year)
        .exclude(
            round__financial_year=round.financial_year,
            round__update_number__gt=round.update_number,
        )
        .order_by("schools_forum_date")
        .values_list("schools_forum_date", flat=True)
    )
    return {
        "schools_forum_date": _iso(governance.schools_forum_date if governance else None),
        "schools_forum_dates": [d.isoformat() for d in dates],
        "next_review_date": _iso(governance.next_review_date if governance else None),
        "notes": governance.notes if governance else "",
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _text_part(spec: TextGroup) -> ReturnPart:
    return ReturnPart(
        spec.part,
        spec.order,
        partial(texts_carry_forward, group=spec.group),
        partial(texts_completeness, group=spec.group),
        progress=partial(texts_progress, group=spec.group),
        tasks=partial(texts_tasks, spec=spec),
        task_summary=partial(texts_task_summary, spec=spec),
        snapshot=partial(texts_snapshot, group=spec.group),
        return_kind=DSG_PLAN,
    )


PARTS = (
    *(_text_part(spec) for spec in TEXT_GROUPS),
    ReturnPart(
        "dsg_governance",
        530,
        governance_carry_forward,
        governance_completeness,
        progress=governance_progress,
        tasks=governance_tasks,
        task_summary=governance_task_summary,
        snapshot=governance_snapshot,
        return_kind=DSG_PLAN,
    ),
)
