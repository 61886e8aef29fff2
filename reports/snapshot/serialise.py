"""The snapshot as JSON-safe data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from reports.snapshot.types import RoundSnapshot

# --- serialising -----------------------------------------------------------------------------


def _json_safe(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def snapshot_as_dict(snapshot: RoundSnapshot) -> dict:
    """The snapshot as JSON-safe data (ISO dates, Decimals as strings) for freezing and hashing."""
    return _json_safe(dataclasses.asdict(snapshot))
