"""Reads for the quarterly return pages: a round's sections beside the previous update, the
completeness panel, the sign-off record, and each section's row after an edit."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from conditions.models import ConditionUpdate, Milestone, WorkstreamUpdate
from reports.models import RoundSnapshot
from risks.models import RiskUpdate
from svmonitor.access import user_roles
from svmonitor.choices import DEFAULT_RAG_DEFINITIONS, RAG_CSS, Rag
from svmonitor.models import (
    Headline,
    RagDefinition,
    ReportingRound,
    RoundEvent,
    RoundOverview,
    SignOff,
)
from svmonitor.selectors import CompletenessGap, round_completeness, round_previous

STATUS_TAG = {
    "draft": "govuk-tag--grey",
    "ready": "govuk-tag--blue",
    "signed_off": "govuk-tag--turquoise",
    "submitted": "govuk-tag--green",
}
MILESTONE_TAG = {
    Milestone.Status.COMPLETE: "govuk-tag--green",
    Milestone.Status.ON_TRACK: "govuk-tag--blue",
    Milestone.Status.AT_RISK: "govuk-tag--orange",
    Milestone.Status.OVERDUE: "govuk-tag--red",
}
HEADLINE_KINDS = tuple(Headline.Kind)
EVENT_LABELS = {
    "opened": "Opened, carried forward from the previous update",
    "ready": "Marked ready for sign-off (content frozen)",
    "signed_s151": "Signed off by the S151 officer",
    "signed_dcs": "Signed off by the director of children's services",
    "submitted": "Recorded as submitted to DfE",
    "reopened": "Reopened as a draft (sign-offs voided)",
}


def event_label(action: str) -> str:
    """A lifecycle step in words; an action with no wording yet is shown as itself, readably."""
    return EVENT_LABELS.get(action) or action.replace("_", " ").capitalize()


SIGN_OFF_ROLES = {"s151": SignOff.Capacity.S151, "dcs": SignOff.Capacity.DCS}


@dataclass(frozen=True)
class RagBadge:
    """A RAG level ready to print with components/rag_badge.html: the council's word for it,
    the standard name, and its colour class."""

    code: str
    label: str
    standard_label: str
    css: str


def rag_badge(code: str | None, labels: dict[str, str] | None = None) -> RagBadge | None:
    """The badge for a level in the council's wording, or None when there is no level."""
    if code is None:
        return None
    level = Rag(code) if code in Rag.values else Rag.NOT_RATED
    return RagBadge(
        code=level.value,
        label=(labels or {}).get(level.value) or level.label,
        standard_label=level.label,
        css=RAG_CSS[level],
    )


def rag_labels(council_id: int) -> dict[str, str]:
    """The council's own labels for the levels it has defined ("A/G")."""
    return dict(RagDefinition.objects.filter(council_id=council_id).values_list("level", "label"))


@dataclass
class SectionRow:
    """One rated section of a return (condition, risk or workstream) beside its previous update."""

    kind: str
    update: ConditionUpdate | RiskUpdate | WorkstreamUpdate
    previous: ConditionUpdate | RiskUpdate | WorkstreamUpdate | None
    milestones: list[Milestone] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    previous_label: str = ""

    @property
    def title(self) -> str:
        """The section's heading."""
        if self.kind == "condition":
            return f"Condition {self.update.condition.label}: {self.update.condition.title}"
        if self.kind == "risk":
            return f"Risk {self.update.risk.number}"
        return self.update.workstream.name

    @property
    def carried_forward(self) -> bool:
        """Whether nobody has saved the section since it was carried into this round."""
        return self.update.version == 1

    @property
    def anchor(self) -> str:
        """The element id of the section on the round page."""
        return f"{self.kind}-{self.update.pk}"

    @property
    def badge(self) -> RagBadge | None:
        """The current level as a badge."""
        return rag_badge(self.update.rag, self.labels)

    @property
    def previous_badge(self) -> RagBadge | None:
        """The previous update's level as a badge (None if the section is new)."""
        return rag_badge(self.previous.rag, self.labels) if self.previous is not None else None


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
class HeadlineList:
    """One list of headlines (drivers, barriers or engagement) beside the previous update's."""

    kind: str
    title: str
    texts: list[str]
    previous: list[str] | None


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
    gaps: list[GapLink]
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


def round_for_user(*, user, council, financial_year: int, update_number: int, action: str):
    """The council's round for a year and update that the user may act on, or None."""
    # A revised agreement may repeat a year and update: the latest agreement's round wins.
    return (
        ReportingRound.objects.for_user(user, action)
        .filter(agreement__council=council, financial_year=financial_year)
        .filter(update_number=update_number)
        .select_related("agreement__council")
        .order_by("-agreement__date_signed", "-agreement_id")
        .first()
    )


def round_list_for_council(*, council) -> list[ReportingRound]:
    """The council's rounds, latest first (one query)."""
    return list(
        ReportingRound.objects.filter(agreement__council=council)
        .select_related("agreement")
        .order_by("-financial_year", "-update_number", "-agreement__date_signed")
    )


def round_next_to_open(*, council) -> tuple[int, int] | None:
    """The (year, update) after the council's latest round, or None if it has no agreement."""
    latest = (
        ReportingRound.objects.filter(agreement__council=council)
        .order_by("-financial_year", "-update_number")
        .values_list("financial_year", "update_number")
        .first()
    )
    if latest is None:
        agreement = council.agreements.order_by("-date_signed", "-pk").first()
        return (agreement.first_financial_year, 1) if agreement else None
    year, update = latest
    return (year, update + 1) if update < 3 else (year + 1, 1)


def _condition_updates(round_id):
    return (
        ConditionUpdate.objects.filter(round_id=round_id)
        .select_related("condition", "updated_by")
        .order_by("condition__order", "condition__label", "pk")
    )


def _risk_updates(round_id):
    return (
        RiskUpdate.objects.filter(round_id=round_id)
        .select_related("risk", "updated_by")
        .order_by("risk__number", "pk")
    )


def _workstream_updates(round_id):
    return (
        WorkstreamUpdate.objects.filter(round_id=round_id)
        .select_related("workstream__area", "updated_by")
        .prefetch_related(
            Prefetch(
                "workstream__milestones",
                queryset=Milestone.objects.order_by("due_date", "pk"),
                to_attr="ordered_milestones",
            )
        )
        .order_by("workstream__area__number", "workstream__order", "workstream__name", "pk")
    )


def _previous_by(model, previous: ReportingRound | None, key: str) -> dict:
    if previous is None:
        return {}
    return {getattr(u, key): u for u in model.objects.filter(round=previous)}


def _group_by_area(rows: list[SectionRow]) -> list[AreaGroup]:
    groups: dict[int, AreaGroup] = {}
    for row in rows:
        area = row.update.workstream.area
        if area.pk not in groups:
            groups[area.pk] = AreaGroup(number=area.number, name=area.name, rows=[])
        groups[area.pk].rows.append(row)
    return list(groups.values())


def _headline_lists(overview, previous_overview) -> list[HeadlineList]:
    def texts_by_kind(ov) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {kind.value: [] for kind in HEADLINE_KINDS}
        if ov is not None:
            for headline in Headline.objects.filter(overview=ov).order_by("kind", "position"):
                result[headline.kind].append(headline.text)
        return result

    current = texts_by_kind(overview)
    before = texts_by_kind(previous_overview) if previous_overview is not None else None
    return [
        HeadlineList(
            kind=kind.value,
            title=kind.label,
            texts=current[kind.value],
            previous=before[kind.value] if before is not None else None,
        )
        for kind in HEADLINE_KINDS
    ]


def sign_off_state(*, round: ReportingRound, user) -> SignOffState:
    """The latest snapshot, live and voided sign-offs, and the capacities the user may sign in."""
    snapshot = RoundSnapshot.objects.filter(round=round).order_by("-created_at", "-pk").first()
    sign_offs = list(
        SignOff.objects.filter(round=round).select_related("signed_by").order_by("signed_at", "pk")
    )
    live = [s for s in sign_offs if s.voided_at is None]
    signed = {s.capacity for s in live}
    capacities = sign_off_capacities(user=user, council=round.agreement.council)
    return SignOffState(
        snapshot=snapshot,
        live=live,
        voided=[s for s in sign_offs if s.voided_at is not None],
        capacities_open=[c for c in capacities if c not in signed],
    )


def sign_off_capacities(*, user, council) -> list[str]:
    """The capacities the user signs in, from their roles at the council (never from a form)."""
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


def round_page_build(*, round: ReportingRound, user) -> RoundPage:
    """The round page's content: every section beside the previous update, in fixed queries."""
    previous = round_previous(round)
    definitions = list(
        RagDefinition.objects.filter(council_id=round.agreement.council_id).order_by("pk")
    )
    labels = {d.level: d.label for d in definitions}
    shared = {"labels": labels, "previous_label": previous.label if previous else ""}
    prev_conditions = _previous_by(ConditionUpdate, previous, "condition_id")
    prev_risks = _previous_by(RiskUpdate, previous, "risk_id")
    prev_workstreams = _previous_by(WorkstreamUpdate, previous, "workstream_id")
    conditions = [
        SectionRow("condition", u, prev_conditions.get(u.condition_id), **shared)
        for u in _condition_updates(round.pk)
    ]
    risks = [
        SectionRow("risk", u, prev_risks.get(u.risk_id), **shared) for u in _risk_updates(round.pk)
    ]
    workstreams = [
        SectionRow(
            "workstream",
            u,
            prev_workstreams.get(u.workstream_id),
            milestones=u.workstream.ordered_milestones,
            **shared,
        )
        for u in _workstream_updates(round.pk)
    ]
    overview = RoundOverview.objects.filter(round=round).select_related("updated_by").first()
    previous_overview = (
        RoundOverview.objects.filter(round=previous).first() if previous is not None else None
    )
    events = list(RoundEvent.objects.filter(round=round).select_related("by").order_by("at", "pk"))
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
        gaps=[GapLink(gap) for gap in round_completeness(round)],
        sign_offs=sign_off_state(round=round, user=user),
        events=events,
        rag_definitions=_rag_definitions(definitions),
        labels=labels,
    )


def round_gaps(round: ReportingRound) -> list[GapLink]:
    """What is still to update, each with the anchor of the section to fix."""
    return [GapLink(gap) for gap in round_completeness(round)]


# --- one section, for the edit endpoints ----------------------------------------------------

SECTION_MODELS = {
    "condition": (ConditionUpdate, "condition_id", ("condition", "updated_by")),
    "risk": (RiskUpdate, "risk_id", ("risk", "updated_by")),
    "workstream": (WorkstreamUpdate, "workstream_id", ("workstream__area", "updated_by")),
}


def section_for_user(*, user, round: ReportingRound, kind: str, pk: int, action: str):
    """A rated section of this round the user may act on, or None (another round's is None)."""
    model, _key, related = SECTION_MODELS[kind]
    return (
        model.objects.for_user(user, action)
        .filter(round=round, pk=pk)
        .select_related(*related)
        .first()
    )


def section_row(*, round: ReportingRound, kind: str, update) -> SectionRow:
    """One section beside its previous update, as the round page shows it."""
    model, key, _related = SECTION_MODELS[kind]
    previous_round = round_previous(round)
    previous = None
    if previous_round is not None:
        previous = model.objects.filter(round=previous_round, **{key: getattr(update, key)}).first()
    milestones = []
    if kind == "workstream":
        milestones = list(
            Milestone.objects.filter(workstream_id=update.workstream_id).order_by("due_date", "pk")
        )
    labels = rag_labels(round.agreement.council_id)
    return SectionRow(
        kind,
        update,
        previous,
        milestones=milestones,
        labels=labels,
        previous_label=previous_round.label if previous_round else "",
    )


def milestone_for_user(*, user, round: ReportingRound, pk: int, action: str) -> Milestone | None:
    """A milestone of a workstream reported in this round that the user may act on, or None."""
    return (
        Milestone.objects.for_user(user, action)
        .filter(pk=pk, workstream__updates__round=round)
        .select_related("workstream")
        .first()
    )


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
