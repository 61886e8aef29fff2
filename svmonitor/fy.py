"""Financial years (April to March) as the start year, shown as "2024-25"."""

import datetime as dt
import re

_LABEL = re.compile(r"^(\d{4})[-/](\d{2}|\d{4})$")


def fy_label(start_year: int) -> str:
    """Format a financial year: 2024 -> "2024-25"."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def fy_parse(label: str) -> int:
    """Parse "2024-25" or "2024/25" to its start year; ValueError if malformed or inconsistent."""
    match = _LABEL.match(label.strip())
    if not match:
        raise ValueError(f"{label!r} is not a financial year like 2024-25")
    start, end = int(match.group(1)), int(match.group(2))
    if end % 100 != (start + 1) % 100:
        raise ValueError(f"{label!r}: the second year must follow the first")
    return start


def fy_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of a financial year."""
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def fy_of(day: dt.date) -> int:
    """The financial year a date falls in."""
    return day.year if day.month >= 4 else day.year - 1
