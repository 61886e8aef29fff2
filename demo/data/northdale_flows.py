"""Northdale's EHCP stock and flow (issue 18.1): invented figures for the demo, April to
December 2024, marked fictional like everything else of Northdale's.

The stock reconciles with plans issued and ceased every month but two: in September a data
cleanse removed 71 plans that had ended without being recorded as ceased, so the recorded stock
is 71 below last month's + issued - ceased (-2.4%, past Northdale's 2% threshold: the dashboard,
board pack and the KPI task flag it); December's ceased plans are not yet validated, so
December is not reconciled and says why. Requests and assessments agreed are shown beside.
"""

import datetime as dt

from demo.data.common import Tally, month, upsert, values_load
from metrics.models import DataSource, Measure, MeasureValue

M = Measure
Role = Measure.StockFlowRole
MONTHS = [month(2024, m) for m in range(4, 13)]
SOURCE = ("SEN2 monthly extract (fictional)", dt.date(2025, 1, 10), "Invented for the demo")
# code -> (name, polarity, role); the measures follow Northdale's own six.
MEASURES = {
    "ehcps-in-force": ("EHCPs in force", M.Polarity.LOWER_BETTER, Role.STOCK),
    "ehcna-requests": ("EHC needs assessment requests", M.Polarity.NEUTRAL, Role.REQUESTS),
    "ehcna-agreed": ("EHC needs assessments agreed", M.Polarity.NEUTRAL, Role.AGREED),
    "ehcps-issued": ("New EHCPs issued", M.Polarity.NEUTRAL, Role.ISSUED),
    "ehcps-ceased": ("EHCPs ceased", M.Polarity.HIGHER_BETTER, Role.CEASED),
}
FLOWS = {
    "ehcna-requests": [88, 93, 101, 79, 64, 97, 105, 99, 84],
    "ehcna-agreed": [61, 66, 70, 55, 43, 68, 74, 69, 58],
    "ehcps-issued": [48, 52, 57, 44, 31, 50, 59, 55, 47],
    "ehcps-ceased": [17, 21, 19, 26, 38, 22, 18, 20, None],
}
OPENING = 2846
CLEANSED = {month(2024, 9): -71}  # plans the flows do not account for
CEASED_NOT_AVAILABLE = (month(2024, 12), "SEN2 ceased plans not yet validated")


def _stock() -> dict[dt.date, int]:
    """The recorded stock: April's opening, then last month's + issued - ceased (+ cleanse)."""
    stock = {MONTHS[0]: OPENING}
    issued, ceased = FLOWS["ehcps-issued"], FLOWS["ehcps-ceased"]
    for k, period in enumerate(MONTHS[1:], start=1):
        # December's ceased is not yet validated: the stock still counts the 16 plans ended.
        gone = ceased[k] if ceased[k] is not None else 16
        stock[period] = stock[MONTHS[k - 1]] + issued[k] - gone + CLEANSED.get(period, 0)
    return stock


def stock_flow_load(council, tally: Tally, *, actual, area, conditions, first_order: int) -> None:
    """The five measures with their roles, under `area` and `conditions`, and their actuals."""
    name, refreshed, basis = SOURCE
    source = upsert(
        DataSource,
        tally,
        lookup={"council": council, "name": name},
        values={"last_refreshed": refreshed, "basis": basis},
    )
    measures = {}
    for order, (code, (title, polarity, role)) in enumerate(MEASURES.items(), start=first_order):
        measures[code] = upsert(
            Measure,
            tally,
            lookup={"council": council, "code": code},
            values={
                "name": title,
                "unit": M.Unit.COUNT,
                "polarity": polarity,
                "data_source": source,
                "frequency": M.Frequency.MONTHLY,
                "reading": M.Reading.POINT,
                "programme_area": area,
                "order": order,
                "stock_flow_role": role,
            },
            m2m={"conditions": conditions},
        )
    values_load(measures["ehcps-in-force"], actual, tally, points=_stock())
    for code, figures in FLOWS.items():
        points = dict(zip(MONTHS, figures, strict=True))
        values_load(measures[code], actual, tally, points=points)
    period, reason = CEASED_NOT_AVAILABLE
    upsert(
        MeasureValue,
        tally,
        lookup={"measure": measures["ehcps-ceased"], "period": period, "series": actual},
        values={"value": None, "not_available_reason": reason, "note": ""},
    )
