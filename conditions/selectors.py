"""Reads of conditions, workstreams and milestones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, FilteredRelation, Q, QuerySet

from conditions.models import AgreementCondition, Milestone, Workstream, WorkstreamSaving
from svmonitor.choices import FINANCE_UNIT_POUNDS, FinanceEntryUnit
from svmonitor.fy import fy_label
from svmonitor.models import Agreement, ReportingRound

MILESTONE_TAG = {
    Milestone.Status.COMPLETE: "govuk-tag--green",
    Milestone.Status.ON_TRACK: "govuk-tag--blue",
    Milestone.Status.AT_RISK: "govuk-tag--orange",
    Milestone.Status.OVERDUE: "govuk-tag--red",
}


def conditions_in_force(*, agreement, on: dt.date) -> QuerySet[AgreementCondition]:
    """The agreement's conditions in force on a day, in the agreement's order."""
    return AgreementCondition.objects.filter(
        Q(in_force_to__isnull=True) | Q(in_force_to__gte=on),
        agreement=agreement,
        in_force_from__lte=on,
    ).order_by("order", "label")


def milestones_in_round(queryset, round_id: int):
    """Milestones with the round's own record of each joined (no extra query)."""
    return queryset.annotate(
        in_round=FilteredRelation("updates", condition=Q(updates__round_id=round_id))
    ).annotate(
        round_record_pk=F("in_round__pk"),
        round_status=F("in_round__status"),
        round_due_date=F("in_round__due_date"),
        round_completed_on=F("in_round__completed_on"),
        round_version=F("in_round__version"),
    )


def milestone_as_in_round(milestone: Milestone) -> Milestone:
    """Show a milestone (from milestones_in_round) as its round records it.

    Status and dates are the round's; `version` becomes the record's, which is what an edit
    from this return must match. Without a record yet (a milestone added after the round
    opened) it shows as first set up, at version 1, the version its record starts with.
    """
    if milestone.round_record_pk is not None:
        milestone.status = milestone.round_status
        milestone.due_date = milestone.round_due_date
        milestone.completed_on = milestone.round_completed_on
        milestone.version = milestone.round_version
    else:
        milestone.version = 1
    return milestone


def milestones_as_in_round(milestones) -> list[Milestone]:
    """Milestones from milestones_in_round as their round records them, by that due date."""
    shown = [milestone_as_in_round(m) for m in milestones]
    return sorted(shown, key=lambda m: (m.due_date, m.pk))


def milestone_for_user(*, user, round: ReportingRound, pk: int, action: str) -> Milestone | None:
    """A milestone of a workstream reported in this round that the user may act on, as this
    round records it (milestone_as_in_round), or None."""
    found = (
        milestones_in_round(Milestone.objects.for_user(user, action), round.pk)
        .filter(pk=pk, workstream__updates__round=round)
        .select_related("workstream")
        .first()
    )
    return milestone_as_in_round(found) if found is not None else None


# Forecasts run past the agreement's last year, as the finance lines do; this far and no further.
SAVING_YEARS_AFTER = 10


def savings_agreement_for(council) -> Agreement | None:
    """The council's agreement in force (the latest one no revision has replaced): its years
    bound the years a saving may be kept for."""
    return (
        Agreement.objects.filter(council=council, superseded_by__isnull=True)
        .order_by("-date_signed", "-pk")
        .first()
    )


def saving_years(agreement: Agreement) -> range:
    """The financial years a saving may be kept for under an agreement."""
    return range(
        agreement.first_financial_year, agreement.last_financial_year + SAVING_YEARS_AFTER + 1
    )


# --- the savings grid: a row per workstream, a column per financial year (issue 18.3) ---------


@dataclass
class SavingCell:
    """One box of the savings grid: its field name, the saving as typed, and its version."""

    workstream_id: int
    financial_year: int
    typed: str
    version: int
    year_label: str
    error: str = ""

    @property
    def name(self) -> str:
        """The box's name in the form."""
        return f"s{self.workstream_id}-{self.financial_year}"

    @property
    def input_id(self) -> str:
        """The box's element id, which the error summary links to."""
        return f"saving-{self.workstream_id}-{self.financial_year}"


@dataclass
class SavingRow:
    """A workstream across the years."""

    workstream_id: int
    label: str
    area: str
    cells: list[SavingCell]


@dataclass
class SavingsGrid:
    """The savings grid of a council's agreement in force, in the council's unit."""

    agreement: object
    unit: str
    unit_label: str
    years: list[tuple[int, str]]
    rows: list[SavingRow]


def saving_in_unit(amount: Decimal | None, unit: str) -> str:
    """Pounds as typed in the council's unit: 1500000 in £000 is "1500", in £m "1.5"."""
    if amount is None:
        return ""
    scaled = (amount / FINANCE_UNIT_POUNDS[unit]).normalize()
    return format(scaled, "f") if scaled != 0 else "0"


def savings_grid_build(*, council, posted: dict | None = None) -> SavingsGrid:
    """The grid (three queries): a row per workstream of the council (by programme area), a
    column per year a saving may be kept for; `posted` ({name: text, "versions": {name: n}})
    replaces the stored figures when a refused form is shown again."""
    unit = council.finance_entry_unit
    unit_label = FinanceEntryUnit(unit).label
    agreement = savings_agreement_for(council)
    if agreement is None:
        return SavingsGrid(None, unit, unit_label, [], [])
    years = [(year, fy_label(year)) for year in saving_years(agreement)]
    stored = {
        (row.workstream_id, row.financial_year): row
        for row in WorkstreamSaving.objects.filter(workstream__area__council=council)
    }
    posted = posted or {}
    versions = posted.get("versions", {})
    rows = []
    for workstream in (
        Workstream.objects.filter(area__council=council)
        .select_related("area")
        .order_by("area__number", "order", "pk")
    ):
        cells = []
        for year, label in years:
            row = stored.get((workstream.pk, year))
            cell = SavingCell(
                workstream.pk,
                year,
                saving_in_unit(row.saving if row else None, unit),
                row.version if row else 0,
                label,
            )
            if cell.name in posted:
                cell.typed = posted[cell.name]
            cell.version = versions.get(cell.name, cell.version)
            cells.append(cell)
        rows.append(
            SavingRow(
                workstream.pk,
                workstream.name,
                f"Area {workstream.area.number}: {workstream.area.name}",
                cells,
            )
        )
    return SavingsGrid(agreement, unit, unit_label, years, rows)
