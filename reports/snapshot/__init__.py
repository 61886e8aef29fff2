"""The read model: one council at one round, as frozen dataclasses built in a fixed query count.

The dashboard, the PDF and the Excel export all render a `RoundSnapshot`, so they can never
disagree. `round_snapshot_build` runs the same number of queries however many conditions, risks,
measures or months a council has (see tests/reports/test_snapshot_queries.py).
"""

from reports.snapshot.build import round_snapshot_build
from reports.snapshot.groups import KpiGroup
from reports.snapshot.rounds import (
    round_for_council,
    round_key,
    round_key_parse,
    round_list_for_council,
    round_pick,
)
from reports.snapshot.serialise import snapshot_as_dict
from reports.snapshot.types import (
    AgreementInfo,
    AreaSection,
    ConditionRow,
    ContactInfo,
    CouncilInfo,
    FinanceFigures,
    FinanceYear,
    HeadlineFigure,
    HeadlineItem,
    KpiCell,
    KpiRow,
    MeasureData,
    MilestoneRow,
    OverviewInfo,
    PaymentRow,
    Point,
    RagDefinitionInfo,
    Rating,
    RiskRow,
    RoundInfo,
    RoundSnapshot,
    SeriesLine,
    SignOffInfo,
    StatusCount,
    TierInfo,
    WorkstreamRow,
)

__all__ = [
    "AgreementInfo",
    "AreaSection",
    "ConditionRow",
    "ContactInfo",
    "CouncilInfo",
    "FinanceFigures",
    "FinanceYear",
    "HeadlineFigure",
    "HeadlineItem",
    "KpiCell",
    "KpiGroup",
    "KpiRow",
    "MeasureData",
    "MilestoneRow",
    "OverviewInfo",
    "PaymentRow",
    "Point",
    "RagDefinitionInfo",
    "Rating",
    "RiskRow",
    "RoundInfo",
    "RoundSnapshot",
    "SeriesLine",
    "SignOffInfo",
    "StatusCount",
    "TierInfo",
    "WorkstreamRow",
    "round_for_council",
    "round_key",
    "round_key_parse",
    "round_list_for_council",
    "round_pick",
    "round_snapshot_build",
    "snapshot_as_dict",
]
