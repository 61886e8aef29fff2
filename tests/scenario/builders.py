"""Data the mitigation tests build: a council with two programme areas and three workstreams,
an unmitigated and a latest (mitigated) forecast, an actual, and savings that add up in one year
and fall short in another."""

from __future__ import annotations

from decimal import Decimal

from conditions.models import WorkstreamSaving
from tests import factories as f

M = Decimal(1_000_000)


def mitigation_data(agreement):
    """Unmitigated -40m / mitigated -30m in 2024-25 (savings 6 + 3 + 1 = 10: adds up) and
    -50m / -35m in 2025-26 (savings 8 + 4 = 12: 3m not attributed); actual -38m in 2023-24
    with an unmitigated -42m and a mitigated -39m (no savings: all 3m not attributed)."""
    council = agreement.council
    first = f.ProgrammeAreaFactory(council=council, number=1, name="Early support")
    second = f.ProgrammeAreaFactory(council=council, number=2, name="Specialist places")
    # Created out of stacking order: the area and the workstream's order decide it.
    resource = f.WorkstreamFactory(area=second, name="Resource bases", order=1)
    inclusion = f.WorkstreamFactory(area=first, name="Inclusion advisers", order=2)
    hubs = f.WorkstreamFactory(area=first, name="Family hubs", order=1)
    for year, unmitigated, latest in ((2023, -42, -39), (2024, -40, -30), (2025, -50, -35)):
        f.FinanceLineFactory(
            agreement=agreement,
            financial_year=year,
            scenario="unmitigated",
            in_year_position=unmitigated * M,
            cumulative_deficit=None,
        )
        f.FinanceLineFactory(
            agreement=agreement,
            financial_year=year,
            scenario="latest",
            in_year_position=latest * M,
            cumulative_deficit=None,
        )
    f.FinanceLineFactory(
        agreement=agreement,
        financial_year=2023,
        scenario="actual",
        in_year_position=-38 * M,
        cumulative_deficit=None,
    )
    for workstream, year, amount in (
        (hubs, 2024, 6),
        (inclusion, 2024, 3),
        (resource, 2024, 1),
        (hubs, 2025, 8),
        (resource, 2025, 4),
    ):
        WorkstreamSaving.objects.create(
            workstream=workstream, financial_year=year, saving=amount * M
        )
    return hubs, inclusion, resource
