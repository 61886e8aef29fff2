"""Westbridge's children and young people tables and statistical neighbours (fictional council,
illustrative figures): called by demo/data/westbridge.py with the other parts' plan loaders."""

from demo.data.common import Tally
from demo.data.dsg_cyp import cyp_tables_demo_load, neighbours_demo_load
from metrics.models import CypYear

# (January census year, total EHCPs, basis): actual 2023 to 2025, then the plan's projection.
YEARS = (
    (2023, 3120, CypYear.Basis.ACTUAL),
    (2024, 3390, CypYear.Basis.ACTUAL),
    (2025, 3710, CypYear.Basis.ACTUAL),
    (2026, 3890, CypYear.Basis.PROJECTION),
    (2027, 3960, CypYear.Basis.PROJECTION),
    (2028, 3990, CypYear.Basis.PROJECTION),
    (2029, 4000, CypYear.Basis.PROJECTION),
)


def cyp_load(agreement, tally: Tally) -> None:
    """Westbridge's CYP tables and neighbours (its SEN2-like rows come with the others')."""
    council = agreement.council
    cyp_tables_demo_load(council, tally, YEARS)
    neighbours_demo_load(council, tally)
