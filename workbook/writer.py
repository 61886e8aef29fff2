"""Low-level workbook writing: typed cells, and no cell ever becomes a formula."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# Characters that make a spreadsheet treat typed text as a formula (CSV/formula injection).
FORMULA_LEADS = ("=", "+", "-", "@")
_BOLD = Font(bold=True)


class SheetWriter:
    """A write-only workbook that turns Python values into safe, typed cells."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)

    def cell(self, ws, value):
        """One cell: dates as dates, numbers as numbers, text always as text."""
        if isinstance(value, dt.datetime):
            value = value.date()
        cell = WriteOnlyCell(ws, value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, str) and value.startswith(FORMULA_LEADS):
            # Stored as a string cell, and quote-prefixed so editing it in Excel keeps it text.
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell

    def sheet(self, name: str, headers: list[str], rows, widths: list[int] | None = None):
        """Append a sheet with a bold header row, then the rows."""
        ws = self.workbook.create_sheet(name)
        for index, width in enumerate(widths or [max(12, min(len(h) + 2, 40)) for h in headers]):
            ws.column_dimensions[get_column_letter(index + 1)].width = width
        ws.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = self.cell(ws, header)
            cell.font = _BOLD
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append([self.cell(ws, _plain(value)) for value in row])
        return ws

    def to_bytes(self) -> bytes:
        """The finished .xlsx."""
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def _plain(value):
    if isinstance(value, Decimal):
        # Trailing zeros say nothing and int-valued figures read back as whole numbers.
        return int(value) if value == value.to_integral_value() else float(value)
    return value
