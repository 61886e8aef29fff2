"""How the DSG outputs print the record's values: money to the penny, counts, dates, text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

NONE = "\u2013"  # an en dash for an empty box: no figure in the record


def decimal_or_none(value) -> Decimal | None:
    """A record's money string ("-43200000.00") as a Decimal, or None."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value) -> str:
    """Pounds to the penny with thousands separators, "-43,200,000.00"; a dash for no figure."""
    amount = decimal_or_none(value)
    if amount is None:
        return NONE
    return f"{amount.quantize(Decimal('0.01')):,.2f}"


def count(value) -> str:
    """A whole number with thousands separators, or a dash."""
    if value is None or value == "":
        return NONE
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def text_or_dash(value) -> str:
    """A short value as given, or a dash."""
    return NONE if value is None or value == "" else str(value)


def percent(value) -> str:
    """A percentage string with one decimal place ("8.1") as "8.1%", or a dash."""
    return NONE if value is None or value == "" else f"{value}%"


def day(value) -> str:
    """An ISO date ("2025-06-12") as "12 June 2025", or "" for none."""
    if not value:
        return ""
    try:
        parsed = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{parsed:%-d %B %Y}"


def subtract(a, b) -> Decimal | None:
    """a - b for two money values, or None if either is missing."""
    x, y = decimal_or_none(a), decimal_or_none(b)
    return None if x is None or y is None else x - y


def paragraphs(text: str) -> list[str]:
    """Plain text split on blank lines, as the record's narratives are written."""
    import re

    return [block.strip() for block in re.split(r"\n\s*\n", text or "") if block.strip()]


def pounds(value) -> str:
    """Money with its pound sign, "-£137,200,000.00"; a dash for no figure."""
    text = money(value)
    if text == NONE:
        return text
    return "-£" + text[1:] if text.startswith("-") else "£" + text
