"""Which key measures a dashboard page reads the figures of.

The dashboard is a summary page and one page per group of key measures (a programme area, a
condition, or other measures), as the board's Power BI report was. A page reads only the
figures it shows: the summary, the headline cards' measures and those with a stock and flow
role; a group's page, that group's.
Every other measure is still in the snapshot, without figures, and the groups are worked out
as a full build would (which measures have a figure in the round's year is asked of the
database in one query), so every page agrees on what is in each group.

A record of the round (freezing, the PDFs, the Excel export, the round page) never passes a
scope: it holds every figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from svmonitor.choices import KpiGrouping

SUMMARY = "summary"


@dataclass(frozen=True)
class MeasureScope:
    """The measures whose figures a page reads: "summary" (the headline cards') or a group's
    slug as KpiGroup gives it ("area-3", "condition-12", "other")."""

    page: str

    @property
    def is_summary(self) -> bool:
        """Whether this is the dashboard's summary page."""
        return self.page == SUMMARY

    def wants(self, measure: dict, attached_to: set[int], card_ids: set[int], grouping) -> bool:
        """Whether the page needs this measure's figures.

        `measure` is the measure's row (pk, programme_area__id), `attached_to` the ids of the
        conditions it is attached to. For "other", a superset: any measure that may be left
        over once the groups are made. A measure attached to a condition may be (when the
        condition is not in force this round), so only a measure in a programme area of a
        council that groups by areas is never read there.
        """
        if self.is_summary:
            # The headline cards', and the EHCP stock and flow's (issue 18.1: its section is
            # on the summary, reconciled from these figures; a few measures at most).
            return measure["pk"] in card_ids or bool(measure.get("stock_flow_role"))
        kind, _, ref = self.page.partition("-")
        if kind == "area":
            return str(measure["programme_area__id"]) == ref
        if kind == "condition":
            return ref.isdigit() and int(ref) in attached_to
        by_areas = grouping in (KpiGrouping.AREAS, KpiGrouping.BOTH)
        return not (by_areas and measure["programme_area__id"] is not None)
