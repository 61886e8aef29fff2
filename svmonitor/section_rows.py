"""A section of a return as the round page shows it, whichever app owns it: its RAG in the
council's words beside the previous update's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from svmonitor.choices import RAG_CSS, Rag
from svmonitor.models import RagDefinition, ReportingRound
from svmonitor.selectors import round_previous, round_was_carried_forward

SOURCE_CARRIED = "carried"
SOURCE_IMPORTED = "imported"


def round_sections_source(round: ReportingRound, *, opened: bool | None = None) -> str:
    """Where a round's sections came from (SectionRow.source); `opened` is whether it was
    opened by carrying forward, when the caller knows (else one query)."""
    if round.is_imported:
        return SOURCE_IMPORTED
    if opened is None:
        opened = round_was_carried_forward(round)
    return SOURCE_CARRIED if opened else ""


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


def rag_text(code: str | None, labels: dict[str, str] | None = None) -> str:
    """A level as text in the council's notation, with the standard name where they differ:
    "A/G (Amber/Green)"."""
    badge = rag_badge(code, labels)
    if badge is None:
        return ""
    if badge.label == badge.standard_label:
        return badge.label
    return f"{badge.label} ({badge.standard_label})"


def rag_labels(council_id: int) -> dict[str, str]:
    """The council's own labels for the levels it has defined ("A/G")."""
    return dict(RagDefinition.objects.filter(council_id=council_id).values_list("level", "label"))


@dataclass(frozen=True)
class RatedKind:
    """One kind of rated section (a condition's, risk's or workstream's update) as the generic
    section views and the round page need it; the app that owns the section defines it."""

    kind: str  # "condition": the URL's and the anchor's word for it
    model: type  # the per-round update model
    key: str  # the update's field naming what it updates ("condition_id")
    related: tuple[str, ...]  # select_related for one update
    title: Callable  # update -> the section's page heading
    form_class: type = None
    fields: tuple[str, ...] = ("rag", "narrative")
    save: Callable = None  # the service: (update=, expected_version=, by=, **fields)
    milestones: Callable | None = None  # update -> its milestones, for workstreams
    decorate_row: Callable | None = None  # (round, row) -> None: extra display data
    row_title: Callable | None = None  # update -> its heading on the round page (else title)


@dataclass
class SectionRow:
    """One rated section of a return (condition, risk or workstream) beside its previous update."""

    kind: str
    update: object
    previous: object | None
    milestones: list = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    previous_label: str = ""
    title: str = ""
    # How the round's sections came to be: "carried" (opened in svmonitor, carrying the
    # previous return forward), "imported" (a return submitted before svmonitor, as the
    # council's records give it) or "" (written row by row, say by a workbook).
    source: str = ""

    @property
    def carried_forward(self) -> bool:
        """Whether svmonitor carried the section into this round and nobody has saved it since."""
        return self.source == SOURCE_CARRIED and self.update.version == 1

    @property
    def as_submitted(self) -> bool:
        """Whether the section is an imported return's, as the council submitted it."""
        return self.source == SOURCE_IMPORTED

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


def section_for_user(*, user, round: ReportingRound, kind: RatedKind, pk: int, action: str):
    """A rated section of this round the user may act on, or None (another round's is None)."""
    return (
        kind.model.objects.for_user(user, action)
        .filter(round=round, pk=pk)
        .select_related(*kind.related)
        .first()
    )


def section_row(*, round: ReportingRound, kind: RatedKind, update) -> SectionRow:
    """One section beside its previous update, as the round page shows it."""
    previous_round = round_previous(round)
    previous = None
    if previous_round is not None:
        previous = kind.model.objects.filter(
            round=previous_round, **{kind.key: getattr(update, kind.key)}
        ).first()
    return SectionRow(
        kind.kind,
        update,
        previous,
        milestones=list(kind.milestones(update)) if kind.milestones else [],
        labels=rag_labels(round.agreement.council_id),
        previous_label=previous_round.label if previous_round else "",
        title=(kind.row_title or kind.title)(update),
        source=round_sections_source(round),
    )
