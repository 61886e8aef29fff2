"""Figures as people type them: one parser for every door (browser, workbook, admin)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

# Thousands separators only where they belong: "12,345.6" yes, "1,2" or "12,34" no.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
PERCENT_SIGN_ONLY = "Only a percentage takes a % sign: enter the number on its own."
POUND_SIGN_ONLY = "Only a sum of money takes a £ sign: enter the number on its own."
BAD_GROUPING = "Use commas only between thousands, like 12,345.6."


def number_parse(value, *, field: str = "value", percent: bool = False, pounds: bool = False):
    """A typed figure as a Decimal; raise a ValidationError on `field` saying what is wrong.

    People type figures as they read them, so these are accepted the same way everywhere a
    figure is typed: surrounding spaces, thousands commas ("12,345"), a trailing % for a
    percentage ("14.5%" is 14.5) and a leading £ for money ("£1,200.50").
    """
    if isinstance(value, bool):
        raise ValidationError({field: "Enter a number."})
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip()
        shown = text[:40]
        if text.endswith("%"):
            if not percent:
                raise ValidationError({field: PERCENT_SIGN_ONLY})
            text = text[:-1].strip()
        sign = ""
        if text[:1] in "+-" and text[1:2] == "£":
            sign, text = text[0], text[1:]
        if text.startswith("£"):
            if not pounds:
                raise ValidationError({field: POUND_SIGN_ONLY})
            text = sign + text[1:].strip()
        elif sign:
            text = sign + text
        if "," in text:
            if not _GROUPED.match(text):
                raise ValidationError({field: BAD_GROUPING})
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValidationError({field: f"Enter a number, not {shown!r}."}) from None
    if not number.is_finite():
        raise ValidationError({field: "Enter a number."})
    # Arithmetic on 1E+999999999 overflows the decimal context: refuse such powers first.
    if number.adjusted() > 100:
        raise ValidationError({field: "This number is too large to store."})
    return number


def decimal_places(number: Decimal) -> int:
    """How many digits a number has after the point."""
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
