"""Turning a frozen snapshot payload (JSON data) back into the read model's dataclasses.

A signed-off round is rendered from the payload frozen when it was marked ready, and a draft
from a live `round_snapshot_build`. Both go through `snapshot_as_dict` and back through here, so
there is one template and one code path, and the templates keep the dataclasses' properties
(`rating.css`, `key_risks`, `value_display`, ...).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from decimal import Decimal

from reports.snapshot.types import RoundSnapshot


@functools.cache
def _hints(cls) -> dict[str, object]:
    return typing.get_type_hints(cls)


def _convert(kind, value):
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if len(options) != 1:
            raise TypeError(f"Only optional types can be rebuilt, not {kind!r}")
        return _convert(options[0], value)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], item) for item in value)
        return tuple(_convert(arg, item) for arg, item in zip(args, value, strict=True))
    if dataclasses.is_dataclass(kind):
        return _build(kind, value)
    if kind is Decimal:
        return Decimal(value)
    # datetime before date: a datetime is a date too.
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    return value


def _build(cls, data: dict):
    hints = _hints(cls)
    # A field added since a payload was frozen is left to its default (and must have one).
    return cls(
        **{
            field.name: _convert(hints[field.name], data[field.name])
            for field in dataclasses.fields(cls)
            if field.name in data or field.default is dataclasses.MISSING
        }
    )


def snapshot_from_dict(payload: dict) -> RoundSnapshot:
    """The read model's RoundSnapshot rebuilt from its JSON form (inverse of snapshot_as_dict)."""
    return _build(RoundSnapshot, payload)
