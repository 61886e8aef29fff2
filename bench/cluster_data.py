"""The Django side of `make bench-cluster` (bench/cluster.py runs it in child processes
against the bench database): the workbook a user previews on one server and confirms on the
other, and reading its figure back.

    python bench/cluster_data.py workbook OUT.xlsx SLUG VALUE   # prints the figure's address
    python bench/cluster_data.py value MEASURE_ID SERIES PERIOD   # prints the stored value
"""

import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _django():
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def workbook(out: str, slug: str, value: str) -> None:
    """A one-sheet workbook changing one stored monthly figure of the council to `value`."""
    _django()
    from openpyxl import Workbook

    from metrics.models import MeasureValue
    from metrics.services import measure_value_address_errors
    from workbook import format as fmt

    checked: dict = {}
    for stored in (
        MeasureValue.objects.filter(
            measure__council__slug=slug, series__slug="actual", measure__unit="count"
        )
        .select_related("measure__council", "series")
        .order_by("-period", "measure_id")[:50]
    ):
        if not measure_value_address_errors(
            measure=stored.measure, period=stored.period, series=stored.series, checked=checked
        ):
            break
    else:
        raise SystemExit(f"{slug} has no monthly count figure to change")
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet(fmt.VALUES_LONG.name)
    sheet.append([column.header for column in fmt.VALUES_LONG.columns])
    sheet.append([stored.measure.code, stored.period, "actual", int(value), ""])
    book.save(out)
    print(
        json.dumps(
            {
                "measure": stored.measure_id,
                "series": "actual",
                "period": stored.period.isoformat(),
                "was": str(stored.value),
            }
        )
    )


def value(measure: str, series: str, period: str) -> None:
    _django()
    from metrics.models import MeasureValue

    stored = (
        MeasureValue.objects.filter(
            measure_id=int(measure), series__slug=series, period=dt.date.fromisoformat(period)
        )
        .values_list("value", flat=True)
        .first()
    )
    print(json.dumps({"value": None if stored is None else str(stored)}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["workbook"] and len(sys.argv) == 5:
        workbook(*sys.argv[2:])
    elif sys.argv[1:2] == ["value"] and len(sys.argv) == 5:
        value(*sys.argv[2:])
    else:
        raise SystemExit(__doc__)
