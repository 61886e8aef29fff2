"""The snapshot as JSON-safe data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from reports.snapshot.types import RoundSnapshot

# --- serialising -----------------------------------------------------------------------------

# Field names per dataclass, looked up once. dataclasses.asdict deep-copies every value and
# calls fields() at every level: at national scale (20,000 figures) it took ~0.3 s of CPU per
# snapshot, most of the PDF's own work (docs/performance.md).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    names = _FIELD_NAMES.get(cls)
    if names is None and dataclasses.is_dataclass(cls):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def json_safe(value):
    """A snapshot value (dataclasses, Decimals, dates, lists, dicts) as JSON-safe data: ISO
    dates and Decimals as strings, as the frozen payload stores them."""
    # Plain values (str, int, bool, None, and str-based choices) pass through as they are.
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    names = _field_names(type(value))
    if names is not None:
        return {name: json_safe(getattr(value, name)) for name in names}
    return value


def snapshot_as_dict(snapshot: RoundSnapshot) -> dict:
    """The snapshot as JSON-safe data (ISO dates, Decimals as strings) for freezing and hashing."""
    return json_safe(snapshot)
