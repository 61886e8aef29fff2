"""The headings a council's key measures are listed under: its conditions, its programme areas,
or both (LocalAuthority.kpi_grouping), and "Other measures" for any measure attached to neither.

Every measure with a figure in the round's financial year is in at least one group, so none is
dropped; one without is in none. The groups are part of the snapshot, so a frozen return
carries the grouping it was signed with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from svmonitor.choices import KpiGrouping
from svmonitor.fy import fy_of

CONDITION, AREA, OTHER = "condition", "area", "other"
OTHER_TITLE = "Other measures"


@dataclass(frozen=True)
class KpiGroup:
    """A heading key measures are listed under, with the codes of those listed, in order."""

    kind: str  # "condition", "area" or "other"
    slug: str  # unique in the snapshot: "condition-12", "area-3" (by id), "other"
    ref_id: int  # the condition's or the area's id; 0 for other
    label: str  # the condition's label or the area's number; "" for other
    title: str  # the condition's title or the area's name; "Other measures"
    measure_codes: tuple[str, ...]

    @property
    def heading(self) -> str:
        """The heading as every page prints it."""
        if self.kind == CONDITION:
            return f"Condition {self.label}: {self.title}"
        if self.kind == AREA:
            return f"{self.label} - {self.title}"
        return self.title


def has_figures_in_year(measure, financial_year: int) -> bool:
    """Whether any line of a measure has a figure for a month of the financial year."""
    return any(fy_of(p.period) == financial_year for line in measure.lines for p in line.points)


def kpi_groups_build(
    *,
    grouping: str,
    conditions: Iterable,
    areas: Iterable,
    measures: Iterable,
    condition_measures: Mapping[int, Iterable[str]],
    financial_year: int,
    shown: set[str] | None = None,
) -> tuple[KpiGroup, ...]:
    """The council's groups in order: conditions, then areas (as chosen), then other measures.

    `condition_measures` maps a condition's id to the codes of the measures attached to it.
    A group with no measure to list is left out; a measure may be in several groups (two
    conditions, or a condition and an area when the council groups by both). `shown`, the
    codes of the measures with a figure in the year, where the measures do not all carry
    their figures (a dashboard page's scope: reports.snapshot.scope).
    """
    shown = [
        m
        for m in measures
        if (m.code in shown if shown is not None else has_figures_in_year(m, financial_year))
    ]
    groups: list[KpiGroup] = []
    placed: set[str] = set()
    if grouping in (KpiGrouping.CONDITIONS, KpiGrouping.BOTH):
        for condition in conditions:
            attached = set(condition_measures.get(condition.id, ()))
            codes = tuple(m.code for m in shown if m.code in attached)
            if codes:
                groups.append(
                    KpiGroup(
                        CONDITION,
                        f"condition-{condition.id}",
                        condition.id,
                        condition.label,
                        condition.title,
                        codes,
                    )
                )
                placed.update(codes)
    if grouping in (KpiGrouping.AREAS, KpiGrouping.BOTH):
        for area in areas:
            codes = tuple(m.code for m in shown if m.area_number == area.number)
            if codes:
                groups.append(
                    KpiGroup(AREA, f"area-{area.id}", area.id, str(area.number), area.name, codes)
                )
                placed.update(codes)
    others = tuple(m.code for m in shown if m.code not in placed)
    if others:
        groups.append(KpiGroup(OTHER, OTHER, 0, "", OTHER_TITLE, others))
    return tuple(groups)
