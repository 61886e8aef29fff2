"""The return as one page: every section beside the previous update, the completeness panel,
the sign-off record and the round's events, built in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from conditions.kinds import CONDITION, WORKSTREAM, milestone_decorate
from conditions.models import ConditionUpdate, Milestone, WorkstreamUpdate
from conditions.selectors import milestones_as_in_round, milestones_in_round
from overview.models import RoundOverview
from overview.selectors import HeadlineList, _headline_lists
from reports.models import RoundSnapshot
from risks.kinds import RISK
from risks.models import RiskUpdate
from svmonitor.access import user_roles
from svmonitor.choices import DEFAULT_RAG_DEFINITIONS, Rag, RoundStatus
from svmonitor.models import RagDefinition, ReportingRound, RoundEvent, SignOff
from svmonitor.section_rows import RagBadge, SectionRow, rag_badge, round_sections_source
from svmonitor.section_views import history_url, section_urls
from svmonitor.sections import RoundRows
from svmonitor.selectors import CompletenessGap, round_completeness, round_previous

STATUS_TAG = {
    "draft": "govuk-tag--grey",
    "ready": "govuk-tag--blue",
    "signed_off": "govuk-tag--turquoise",
    "submitted": "govuk-tag--green",
}


EVENT_LABELS = {
    "opened": "Opened, carried forward from the previous update",
    "ready": "Marked ready for sign-off (content frozen)",
    "signed_s151": "Signed off by the S151 officer",
    "signed_dcs": "Signed off by the director of children's services",
    "submitted": "Recorded as submitted to DfE",
    "reopened": "Reopened as a draft (sign-offs voided)",
    "imported": "Imported from the council's records as submitted to DfE before svmonitor "
    "(content frozen)",
}


def event_label(action: str) -> str:
    """A lifecycle step in words; an action with no wording yet is shown as itself, readably."""
    return EVENT_LABELS.get(action) or action.replace("_", " ").capitalize()


SIGN_OFF_ROLES = {"s151": SignOff.Capacity.S151, "dcs": SignOff.Capacity.DCS}


@dataclass
class AreaGroup:
    """A programme area's workstreams in one round."""

    number: int
    name: str
    rows: list[SectionRow]


@dataclass(frozen=True)
class GapLink:
    """A completeness gap with the anchor of the section to fix."""

    gap: CompletenessGap

    @property
    def anchor(self) -> str:
        """Where on the round page the gap is fixed."""
        if self.gap.section == "overview":
            return "overview"
        if self.gap.object_id is None:
            return f"{self.gap.section}s"
        return f"{self.gap.section}-{self.gap.object_id}"

    @property
    def text(self) -> str:
        """The gap as one sentence."""
        return str(self.gap)


@dataclass
class SignOffState:
    """Who has signed the return, against which snapshot, and who may still sign."""

    snapshot: RoundSnapshot | None
    live: list[SignOff]
    voided: list[SignOff]
    capacities_open: list[str]

    @property
    def signed_capacities(self) -> set[str]:
        """Capacities with a live sign-off."""
        return {s.capacity for s in self.live}


@dataclass
class RoundPage:
    """Everything the round page shows, read in a fixed number of queries."""

    round: ReportingRound
    previous_round: ReportingRound | None
    conditions: list[SectionRow]
    risks: list[SectionRow]
    areas: list[AreaGroup]
    overview: RoundOverview | None
    previous_overview: RoundOverview | None
    headlines: list[HeadlineList]
    gaps: list[GapLink]  # what is still to update: a draft's only (empty once locked)
    sign_offs: SignOffState
    events: list[RoundEvent]
    rag_definitions: list[tuple[str, str]]
    labels: dict[str, str]

    @property
    def overview_badge(self) -> RagBadge | None:
        """The overall assurance level as a badge."""
        return rag_badge(self.overview.overall_rag, self.labels) if self.overview else None

    @property
    def previous_overview_badge(self) -> RagBadge | None:
        """The previous update's overall level as a badge."""
        previous = self.previous_overview
        return rag_badge(previous.overall_rag, self.labels) if previous else None

    @property
    def status_tag(self) -> str:
        """The GOV.UK tag colour of the round's status."""
        return STATUS_TAG.get(self.round.status, "govuk-tag--grey")


# Of who last saved a section, the page shows the username only: the user's other columns
# (two timestamps, the password hash) are not read for each of its forty-odd sections.
_SAVER_UNREAD = tuple(
    f"updated_by__{name}"
    for name in (
        "password",
        "last_login",
        "is_superuser",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
    )
)


_CONDITION_ORDER = ("condition__order", "condition__label", "pk")
_RISK_ORDER = ("risk__number", "pk")
_WORKSTREAM_ORDER = ("workstream__area__number", "workstream__order", "workstream__name", "pk")


def _updates(model, related: tuple[str, ...], order: tuple[str, ...], round_ids: list[int]):
    return (
        model.objects.filter(round_id__in=round_ids)
        .select_related(*related)
        .defer(*_SAVER_UNREAD)
        .order_by(*order)
    )


def _this_and_previous(
    model, related, order, round: ReportingRound, previous: ReportingRound | None, key: str
) -> tuple[list, dict]:
    """This round's updates of one kind in order, and the previous round's by what each is of
    (its condition, risk or workstream: a frozen previous update is laid over it,
    reports/round_page.py), in one query."""
    ids = [round.pk] if previous is None else [round.pk, previous.pk]
    rows = list(_updates(model, related, order, ids))
    this = [u for u in rows if u.round_id == round.pk]
    before = {getattr(u, key): u for u in rows if u.round_id != round.pk}
    return this, before


def _milestones_by_workstream(round_id: int, updates: list) -> dict[int, list]:
    """The milestones of the updates' workstreams as this round records them, by workstream id
    (one query)."""
    by_workstream: dict[int, list] = {u.workstream_id: [] for u in updates}
    if by_workstream:
        rows = milestones_in_round(
            Milestone.objects.filter(workstream_id__in=list(by_workstream)), round_id
        )
        for milestone in rows:
            by_workstream[milestone.workstream_id].append(milestone)
    return {pk: milestones_as_in_round(shown) for pk, shown in by_workstream.items()}


def _group_by_area(rows: list[SectionRow]) -> list[AreaGroup]:
    groups: dict[int, AreaGroup] = {}
    for row in rows:
        area = row.update.workstream.area
        if area.pk not in groups:
            groups[area.pk] = AreaGroup(number=area.number, name=area.name, rows=[])
        groups[area.pk].rows.append(row)
    return list(groups.values())


def sign_off_state(*, round: ReportingRound, user, roles: set[str] | None = None) -> SignOffState:
    """The latest snapshot, live and voided sign-offs, and the capacities the user may sign in
    (`roles`: the user's roles at the round's council, when the caller has read them)."""
    snapshot = RoundSnapshot.objects.filter(round=round).order_by("-created_at", "-pk").first()
    sign_offs = list(
        SignOff.objects.filter(round=round).select_related("signed_by").order_by("signed_at", "pk")
    )
    live = [s for s in sign_offs if s.voided_at is None]
    signed = {s.capacity for s in live}
    capacities = sign_off_capacities(user=user, council=round.agreement.council, roles=roles)
    return SignOffState(
        snapshot=snapshot,
        live=live,
        voided=[s for s in sign_offs if s.voided_at is not None],
        capacities_open=[c for c in capacities if c not in signed],
    )


def sign_off_capacities(*, user, council, roles: set[str] | None = None) -> list[str]:
    """The capacities the user signs in, from their roles at the council (never from a form);
    `roles` as council_for_user read them for this request, else one query."""
    if roles is None:
        roles = user_roles(user, council)
    return [capacity for role, capacity in SIGN_OFF_ROLES.items() if role in roles]


def _rag_definitions(definitions: list[RagDefinition]) -> list[tuple[str, str]]:
    defined = {d.level: d for d in definitions}
    rows = []
    for level in Rag:
        if level in defined:
            rows.append((defined[level].label or level.label, defined[level].definition))
        elif level != Rag.NOT_RATED:
            rows.append((level.label, DEFAULT_RAG_DEFINITIONS[level]))
    return rows


def round_page_build(*, round: ReportingRound, user, roles: set[str] | None = None) -> RoundPage:
    """The round page's content: every section beside the previous update, in fixed queries."""
    previous = round_previous(round)
    definitions = list(
        RagDefinition.objects.filter(council_id=round.agreement.council_id).order_by("pk")
    )
    labels = {d.level: d.label for d in definitions}
    events = list(RoundEvent.objects.filter(round=round).select_related("by").order_by("at", "pk"))
    opened = any(event.action == "opened" for event in events)
    shared = {
        "labels": labels,
        "previous_label": previous.label if previous else "",
        "source": round_sections_source(round, opened=opened),
    }
    condition_updates, prev_conditions = _this_and_previous(
        ConditionUpdate,
        ("condition", "updated_by"),
        _CONDITION_ORDER,
        round,
        previous,
        "condition_id",
    )
    risk_updates, prev_risks = _this_and_previous(
        RiskUpdate, ("risk", "updated_by"), _RISK_ORDER, round, previous, "risk_id"
    )
    workstream_updates, prev_workstreams = _this_and_previous(
        WorkstreamUpdate,
        ("workstream__area", "updated_by"),
        _WORKSTREAM_ORDER,
        round,
        previous,
        "workstream_id",
    )
    milestones = _milestones_by_workstream(round.pk, workstream_updates)
    conditions = [
        SectionRow("condition", u, prev_conditions.get(u.condition_id), **shared)
        for u in condition_updates
    ]
    risks = [SectionRow("risk", u, prev_risks.get(u.risk_id), **shared) for u in risk_updates]
    workstreams = [
        SectionRow(
            "workstream",
            u,
            prev_workstreams.get(u.workstream_id),
            milestones=milestones[u.workstream_id],
            **shared,
        )
        for u in workstream_updates
    ]
    # This round's overview and the previous one's (each round has at most one), in one query.
    overviews = {
        o.round_id: o
        for o in RoundOverview.objects.filter(
            round_id__in=[round.pk] if previous is None else [round.pk, previous.pk]
        ).select_related("updated_by")
    }
    overview = overviews.get(round.pk)
    # The completeness panel reads from the rows above instead of asking for them again.
    read = RoundRows(
        conditions=condition_updates,
        risks=risk_updates,
        workstreams=workstream_updates,
        overview=overview,
        overview_read=True,
        previous=previous,
        previous_read=True,
    )
    previous_overview = overviews.get(previous.pk) if previous is not None else None
    for event in events:
        event.label = event_label(event.action)
    return RoundPage(
        round=round,
        previous_round=previous,
        conditions=conditions,
        risks=risks,
        areas=_group_by_area(workstreams),
        overview=overview,
        previous_overview=previous_overview,
        headlines=_headline_lists(overview, previous_overview),
        # The panel lists what is still to update only on a draft (a locked return has none to
        # fix), so only a draft asks each part what is missing.
        gaps=(
            [GapLink(gap) for gap in round_completeness(round, carried=opened, read=read)]
            if round.status == RoundStatus.DRAFT
            else []
        ),
        sign_offs=sign_off_state(round=round, user=user, roles=roles),
        events=events,
        rag_definitions=_rag_definitions(definitions),
        labels=labels,
    )


def round_gaps(round: ReportingRound) -> list[GapLink]:
    """What is still to update, each with the anchor of the section to fix."""
    return [GapLink(gap) for gap in round_completeness(round)]


SECTION_MODELS = {
    "condition": (ConditionUpdate, "condition_id", ("condition", "updated_by")),
    "risk": (RiskUpdate, "risk_id", ("risk", "updated_by")),
    "workstream": (WorkstreamUpdate, "workstream_id", ("workstream__area", "updated_by")),
}


ROW_TITLES = {kind.kind: kind.row_title or kind.title for kind in (CONDITION, RISK, WORKSTREAM)}


def attach_urls(page, round) -> None:
    """Give every section of a built round page its URLs (reverse needs no queries) and its
    heading (after round_page_as_recorded, so a frozen return's row reads as frozen)."""
    for row in [*page.conditions, *page.risks, *(r for area in page.areas for r in area.rows)]:
        row.urls = section_urls(round, row.kind, row.update.pk)
        row.title = ROW_TITLES[row.kind](row.update)
        for milestone in row.milestones:
            milestone_decorate(round, milestone)
    overview_pk = page.overview.pk if page.overview is not None else None
    for headlines in page.headlines:
        headlines.urls = section_urls(round, "headlines", headlines.kind, history_pk=overview_pk)
    if overview_pk is not None:
        page.overview.history_url = history_url(round, "overview", overview_pk)
