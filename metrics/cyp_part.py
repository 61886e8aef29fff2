"""The children and young people tables as a part of the DSG deficit management plan
(registered in metrics/sections.py with return_kind "dsg_plan"): complete when the council has
at least one actual census year and every census year has both tables; the by-age / by-need
check is a warning, not a gap. The tables are the council's, not one round's: a round freezes
them as they stand through `cyp_snapshot`.

A Safety Valve round is not this part's (the spine asks only a DSG round's parts; the hooks
also return nothing for another kind's round, without a query)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from metrics.models import CypFigure, CypYear
from metrics.selectors_cyp import AGE, census_label, cyp_fragment, cyp_overview
from svmonitor.models import Agreement
from svmonitor.sections import (
    DSG_PLAN,
    TASK_COMPLETED,
    TASK_IN_PROGRESS,
    TASK_NOT_STARTED,
    CompletenessGap,
    ReturnTask,
    SummaryCard,
    SummaryRow,
)

NAME = "cyp"
TITLE = "Children and young people"
GROUP = "Plan figures"


def _is_dsg(round) -> bool:
    return round.return_kind == DSG_PLAN


def grid_url(council, census_year: int | None = None, table: str = AGE) -> str:
    """The CYP tables of a council: every year, or one census year's grid."""
    if census_year is None:
        return reverse("metrics:cyp_tables", args=[council.slug])
    return reverse("metrics:cyp_grid", args=[council.slug, census_year, table])


def _year_states(council_ids) -> dict[int, list[tuple[int, str, int, int]]]:
    """(census year, basis, figures by age, figures by need) of each council's years, oldest
    first (one query)."""
    states: dict[int, list] = {}
    for council_id, year, basis, by_age, by_need in (
        CypYear.objects.filter(council_id__in=council_ids)
        .annotate(
            by_age=Count("figures", filter=Q(figures__age_group__isnull=False)),
            by_need=Count("figures", filter=Q(figures__need__isnull=False)),
        )
        .order_by("census_year")
        .values_list("council_id", "census_year", "basis", "by_age", "by_need")
    ):
        states.setdefault(council_id, []).append((year, basis, by_age, by_need))
    return states


def _gaps(states) -> list[tuple[str, str, int | None]]:
    """(item, problem, census year) for what is still to do."""
    if not any(basis == CypYear.Basis.ACTUAL for _y, basis, _a, _n in states):
        return [(TITLE, "no actual census year entered yet", None)]
    gaps = []
    for year, _basis, by_age, by_need in states:
        missing = [
            name for name, n in (("by age group", by_age), ("by primary need", by_need)) if not n
        ]
        if missing:
            gaps.append(
                (f"{TITLE}, {census_label(year)}", "no figures " + " or ".join(missing), year)
            )
    return gaps


def cyp_completeness(round, carried: bool = False) -> list[CompletenessGap]:
    """What the CYP tables still need before the plan can be marked ready (two queries)."""
    if not _is_dsg(round):
        return []
    council = round.agreement.council
    states = _year_states([council.pk]).get(council.pk, [])
    return [
        CompletenessGap(NAME, item, problem, url=grid_url(council, year))
        for item, problem, year in _gaps(states)
    ]


def cyp_progress(rounds, carried_ids) -> dict[int, tuple[int, int]]:
    """The part as one section per DSG round, complete when it has no gap (two queries, however
    many rounds)."""
    dsg = [r for r in rounds if _is_dsg(r)]
    if not dsg:
        return {}
    councils = dict(
        Agreement.objects.filter(pk__in={r.agreement_id for r in dsg}).values_list(
            "pk", "council_id"
        )
    )
    states = _year_states(set(councils.values()))
    return {r.pk: (0 if _gaps(states.get(councils[r.agreement_id], [])) else 1, 1) for r in dsg}


def cyp_tasks(round, carried: bool = False) -> list[ReturnTask]:
    """The plan's CYP task: how many census years are entered and what is missing."""
    if not _is_dsg(round):
        return []
    council = round.agreement.council
    states = _year_states([council.pk]).get(council.pk, [])
    gaps = _gaps(states)
    if not states:
        return [
            ReturnTask(
                NAME,
                GROUP,
                TITLE,
                TASK_NOT_STARTED,
                "EHCP numbers by placement, age group and primary need",
                start_url=grid_url(council),
            )
        ]
    years = f"{len(states)} census year{'s' if len(states) != 1 else ''}"
    if not gaps:
        return [ReturnTask(NAME, GROUP, TITLE, TASK_COMPLETED, f"{years} entered")]
    first = next((year for _i, _p, year in gaps if year is not None), None)
    return [
        ReturnTask(
            NAME,
            GROUP,
            TITLE,
            TASK_IN_PROGRESS,
            f"{years}: {len(gaps)} to finish",
            start_url=grid_url(council, first),
        )
    ]


def cyp_task_summary(round, key: str) -> list[SummaryCard] | None:
    """The task's page: each census year's totals by age and by need, and the check."""
    if key != NAME or not _is_dsg(round):
        return None
    council = round.agreement.council
    overview = cyp_overview(council=council)
    rows = []
    for i, year in enumerate(overview.years):
        by_age, by_need = overview.totals[i]
        rows.append(
            SummaryRow(
                f"{census_label(year.census_year)} ({year.get_basis_display().lower()})",
                f"{by_age or 0:,} by age group; {by_need or 0:,} by primary need",
                change_url=grid_url(council, year.census_year),
                change_label=f"figures for {census_label(year.census_year)}",
            )
        )
    if not rows:
        rows.append(SummaryRow("Census years", "None entered yet", grid_url(council), TITLE))
    cards = [SummaryCard(title=TITLE, rows=tuple(rows))]
    if overview.mismatches:
        cards.append(
            SummaryCard(
                title="Totals by age and by need that differ",
                rows=tuple(SummaryRow("Check", text) for text in overview.mismatches),
            )
        )
    return cards


def cyp_snapshot(round) -> dict:
    """The part's fragment of a DSG round's frozen record (shape: docs/data-model.md)."""
    return cyp_fragment(council=round.agreement.council)


def cyp_figures_exist(council) -> bool:
    """Whether the council has any CYP figure (one query)."""
    return CypFigure.objects.filter(year__council_id=council.pk).exists()
