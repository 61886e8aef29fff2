"""Read a checked workbook with openpyxl (read-only) into typed rows and cell errors."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from metrics.models import MeasureValue
from metrics.periods import PeriodKind, not_available_read, year_start
from svmonitor.fy import fy_label, fy_parse
from svmonitor.models import MONEY
from workbook import dsg_cyp, dsg_finance
from workbook import format as fmt
from workbook.safety import WorkbookRefused, formula_cells_without_value

_MONTH_FORMATS = ("%b-%y", "%b %y", "%b-%Y", "%b %Y", "%B %Y", "%B-%Y", "%B-%y", "%B %y", "%Y-%m")
_DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y")
_YES = {"yes", "y", "true", "1", "open"}
_NO = {"no", "n", "false", "0", "closed"}
_MONEY_JUNK = re.compile(r"[£,\s]")
# What the database columns hold: figures are MeasureValue.value, money columns are MONEY.
_VALUE_FIELD = MeasureValue._meta.get_field("value")
_DIGITS = {fmt.DECIMAL: _VALUE_FIELD.max_digits, fmt.MONEY: MONEY["max_digits"]}
_DP = {fmt.DECIMAL: _VALUE_FIELD.decimal_places, fmt.MONEY: MONEY["decimal_places"]}
_PLACES = {kind: Decimal(1).scaleb(-places) for kind, places in _DP.items()}
_LIMIT = {kind: 10 ** (_DIGITS[kind] - _DP[kind]) for kind in _DIGITS}
_LARGEST = {kind: f"{Decimal(_LIMIT[kind]) - _PLACES[kind]:,}" for kind in _DIGITS}

# Problems listed per import; past this many they are counted, not kept (a page of 200,000
# problems is 74 MB). Rows read per sheet: WORKBOOK_MAX_ROWS_PER_SHEET.
MAX_PROBLEMS_LISTED = 100
# Past this many problems reading stops: they are counted, but reading 200,000 bad rows to
# count them all would take a minute.
MAX_PROBLEMS_COUNTED = 1_000
DEFAULT_MAX_ROWS_PER_SHEET = 20_000


def max_rows_per_sheet() -> int:
    """The most data rows one sheet may have (setting WORKBOOK_MAX_ROWS_PER_SHEET)."""
    return int(getattr(settings, "WORKBOOK_MAX_ROWS_PER_SHEET", DEFAULT_MAX_ROWS_PER_SHEET))


@dataclass(frozen=True)
class CellError:
    """One problem in the workbook, located so a person can find and fix it."""

    sheet: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        where = [f"sheet '{self.sheet}'"]
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}"


class Problems(list):
    """The problems of an import: the first MAX_PROBLEMS_LISTED kept in order, the rest counted.

    A list, so the reader and the plan append to it as before; `hidden` says how many more.
    """

    def __init__(self, *args, limit: int = MAX_PROBLEMS_LISTED):
        super().__init__(*args)
        self.limit = limit
        self.hidden = 0

    def append(self, error) -> None:
        """Keep the problem while fewer than `limit` are kept; else only count it."""
        if len(self) < self.limit:
            super().append(error)
        else:
            self.hidden += 1

    def keep_all(self, errors) -> None:
        """Keep every problem given, past the limit too (restoring a pickled list)."""
        super().extend(errors)

    def keep(self, error) -> None:
        """Keep a problem however many are kept already (why reading stopped, say)."""
        super().append(error)

    def extend(self, errors) -> None:
        """Append each; another Problems (already capped) is taken whole, with its count."""
        if isinstance(errors, Problems):
            super().extend(errors)
            self.hidden += errors.hidden
            return
        for error in errors:
            self.append(error)

    def __iadd__(self, errors):
        self.extend(errors)
        return self

    def __reduce__(self):
        # Pickled whole with its count (an import job keeps its outcome: workbook/jobs.py).
        # Its attributes (limit, hidden, ...) are laid over the restored list as its state.
        return (_problems_restore, (list(self),), dict(self.__dict__))

    @property
    def total(self) -> int:
        """Every problem found, listed or not."""
        return len(self) + self.hidden

    @property
    def stopped(self) -> bool:
        """Whether reading stopped because too many problems were found."""
        return self.total >= MAX_PROBLEMS_COUNTED


def _problems_restore(kept: list) -> Problems:
    """A pickled Problems' list of problems, past the limit too; its attributes follow."""
    problems = Problems()
    problems.keep_all(kept)
    return problems


@dataclass
class Row:
    """One data row of a sheet: its Excel row number and its values by column key."""

    number: int
    values: dict
    letters: dict  # column key -> "C 'Impact (1-5)'"


class Figure(NamedTuple):
    """A figure as a council writes it: a number, or not available (with the reason written
    after it, "" for none), and the note marker that followed it ("42%*" has "*")."""

    value: Decimal | None
    marker: str = ""
    not_available: str | None = None


class Period(NamedTuple):
    """What a figure is for: the first day of a month, an academic year or a financial year."""

    start: dt.date
    kind: str = PeriodKind.MONTH


class GridCell(NamedTuple):
    """One figure of the wide grid, after reshaping to long form (its row names the measure)."""

    row: int
    column: str
    period: dt.date
    value: Decimal | None
    kind: str = PeriodKind.MONTH
    marker: str = ""
    not_available: str | None = None


@dataclass
class ReadResult:
    """Everything read from the workbook: rows per sheet, grid figures, errors, notes."""

    sheets: dict[str, list[Row]] = field(default_factory=dict)
    grid_rows: list[Row] = field(default_factory=list)
    grid_cells: list[GridCell] = field(default_factory=list)
    errors: Problems = field(default_factory=Problems)
    notes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # "Council row 2": example rows skipped
    # Cells formatted as percentages and read as the percentage shown: "Measure grid D5".
    by_format: list[str] = field(default_factory=list)
    # The About sheet names a format version this code does not read: nothing else is read.
    version_refused: bool = False


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _decimal(value, kind: str) -> Decimal:
    # Fast path for the common case, a plain number (thousands of grid cells per import).
    if type(value) is float and math.isfinite(value) and abs(value) < _LIMIT[kind]:
        return Decimal(repr(round(value, _DP[kind])))
    if type(value) is int and abs(value) < _LIMIT[kind]:
        return Decimal(value)
    if isinstance(value, bool):
        raise ValueError("must be a number, not TRUE/FALSE")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        raw = _MONEY_JUNK.sub("", value)
        negative = raw.startswith("(") and raw.endswith(")")
        try:
            number = Decimal(raw.strip("()"))
        except InvalidOperation:
            raise ValueError(f"must be a number, not {value!r}") from None
        number = -number if negative else number
    else:
        raise ValueError(f"must be a number, not a {type(value).__name__}")
    if not number.is_finite():
        raise ValueError("must be a finite number")
    # Before any arithmetic: quantize cannot give 1E+30 four decimal places (InvalidOperation)
    # and abs() of 1E+999999999 overflows the context; adjusted() is the power of ten.
    if number.adjusted() >= _DIGITS[kind] - _DP[kind]:
        raise ValueError(f"{_shown(number)} is too large: at most {_LARGEST[kind]} fits")
    # Rounded to what the database keeps, so a re-import compares equal and changes nothing.
    number = number.quantize(_PLACES[kind], rounding=ROUND_HALF_EVEN)
    if len(number.as_tuple().digits) > _DIGITS[kind]:
        raise ValueError(f"{_shown(number)} is too large: at most {_LARGEST[kind]} fits")
    return number


def _shown(number: Decimal) -> str:
    text = str(number)
    return text if len(text) <= 24 else f"{number:.3E}"


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for pattern in _DAY_FORMATS:
            try:
                return dt.datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    raise ValueError(f"must be a date (e.g. 2024-03-31), not {value!r}")


def month_parse(value) -> dt.date:
    """A period: a first-of-month date, or a header such as "Apr-24" or "April 2024"."""
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if day.day != 1:
            raise ValueError(f"{day:%d %b %Y} is not the first of a month")
        return day
    if isinstance(value, str):
        text = value.strip()
        for pattern in _MONTH_FORMATS:
            try:
                return dt.datetime.strptime(text, pattern).date().replace(day=1)
            except ValueError:
                continue
        try:
            return month_parse(_date(text))
        except ValueError:
            pass
    raise ValueError(f"must be a month such as Apr-24 or 2024-04-01, not {value!r}")


# "2023-24 AY", "AY 2023-24", "Academic year 2023/24"; "2023-24", "FY 2023-24", "2023/24".
_ACADEMIC = re.compile(
    r"^(?:(?:academic\s+year|ay)\s*)?(\d{4})\s*[-/]\s*(\d{2}|\d{4})(?:\s*(?:ay|academic\s+year))?$",
    re.IGNORECASE,
)
_FINANCIAL = re.compile(
    r"^(?:(?:financial\s+year|fy)\s*)?(\d{4})\s*[-/]\s*(\d{2}|\d{4})(?:\s*fy)?$", re.IGNORECASE
)
_AY_WORDS = re.compile(r"\b(ay|academic)\b", re.IGNORECASE)


def _year_pair(match) -> int | None:
    start, end = int(match.group(1)), int(match.group(2))
    return start if end % 100 == (start + 1) % 100 else None


def period_parse(value) -> Period:
    """A period header or cell: a month ("Apr-24", a first-of-month date), an academic year
    ("2023-24 AY") or a financial year ("2023-24", "FY 2023-24")."""
    if isinstance(value, str):
        text = " ".join(value.split())
        if _AY_WORDS.search(text):
            match = _ACADEMIC.match(text)
            start = _year_pair(match) if match else None
            if start is not None:
                return Period(year_start(start, PeriodKind.ACADEMIC_YEAR), PeriodKind.ACADEMIC_YEAR)
            raise ValueError(f"must be an academic year such as 2023-24 AY, not {value!r}")
        match = _FINANCIAL.match(text)
        start = _year_pair(match) if match else None
        if start is not None:
            return Period(year_start(start, PeriodKind.FINANCIAL_YEAR), PeriodKind.FINANCIAL_YEAR)
    try:
        return Period(month_parse(value))
    except ValueError:
        raise ValueError(
            "must be a month such as Apr-24 or 2024-04-01, an academic year such as 2023-24 AY "
            f"or a financial year such as 2023-24, not {value!r}"
        ) from None


# What follows a figure to point at a note under the table: "42%*", "6,357†", "12¹".
_MARKED = re.compile(r"^(.*?)\s*([*†‡§¶#¹²³⁴⁵⁶⁷⁸⁹⁰]+)$")


def figure_parse(value, *, percent_format: bool = False) -> Figure:
    """A figure cell as councils write it: a number ("6,357", "42%", or 0.375 in a cell
    formatted as a percentage, read as the 37.5 shown), a trailing note marker ("42%*"), or
    "-", "n/a", "not available" (with an optional reason: "n/a: not yet published")."""
    if isinstance(value, str):
        text = value.strip()
        marker = ""
        marked = _MARKED.match(text)
        if marked:
            text, marker = marked.group(1).strip(), marked.group(2)
        reason = not_available_read(text)
        if reason is not None:
            return Figure(None, marker, reason)
        if not text:
            raise ValueError(f"must be a number or n/a, not {value!r}")
        if text.endswith("%"):
            return Figure(_decimal(text[:-1].strip(), fmt.DECIMAL), marker)
        return Figure(_decimal(text, fmt.DECIMAL), marker)
    if percent_format and isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return Figure(_decimal(Decimal(repr(value)) * 100, fmt.DECIMAL))
    return Figure(_decimal(value, fmt.DECIMAL))


def _int(value, column: fmt.Column) -> int:
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if column.key == "update_number" and text.lower().startswith("update"):
            text = text[6:].strip()
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"must be a whole number, not {value!r}")
        value = int(text)
    if not isinstance(value, int):
        raise ValueError(f"must be a whole number, not {value!r}")
    if column.minimum is not None and value < column.minimum:
        raise ValueError(f"must be at least {column.minimum}")
    if column.maximum is not None and value > column.maximum:
        raise ValueError(f"must be at most {column.maximum}")
    return value


def _choice(value, choices) -> str:
    text = _text(value).casefold()
    for choice in choices:
        if text in (choice.value.casefold(), str(choice.label).casefold()):
            return choice.value
    allowed = ", ".join(str(choice.label) for choice in choices)
    raise ValueError(f"{value!r} is not one of: {allowed}")


def parse_cell(value, column: fmt.Column):
    """The typed value of one cell for its column; ValueError with the reason if it is wrong."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if column.required:
            raise ValueError("is required")
        return (
            () if column.kind == fmt.LIST else ("" if column.kind in (fmt.TEXT, fmt.RAG) else None)
        )
    kind = column.kind
    if kind == fmt.TEXT:
        text = _text(value)
        if column.max_length and len(text) > column.max_length:
            raise ValueError(f"is {len(text)} characters; at most {column.max_length} fit")
        return text
    if kind == fmt.RAG:
        return _text(value)
    if kind == fmt.INT:
        return _int(value, column)
    if kind in (fmt.DECIMAL, fmt.MONEY):
        return _decimal(value, kind)
    if kind == fmt.DATE:
        return _date(value)
    if kind == fmt.MONTH:
        return month_parse(value)
    if kind == fmt.PERIOD:
        return period_parse(value)
    if kind == fmt.FIGURE:
        return figure_parse(value)
    if kind == fmt.FY:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a financial year like 2024-25")
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = fy_label(int(value))
        year = fy_parse(_text(value))
        if not 2000 <= year <= 2100:
            raise ValueError("must be between 2000-01 and 2100-01")
        return year
    if kind == fmt.BOOL:
        if isinstance(value, bool):
            return value
        text = _text(value).casefold()
        if text in _YES or text in _NO:
            return text in _YES
        raise ValueError(f"must be Yes or No, not {value!r}")
    if kind == fmt.CHOICE:
        return _choice(value, column.choices)
    if kind == fmt.ANSWER:
        if _text(value).casefold() in (fmt.NOT_ANSWERED.casefold(), "not answered yet"):
            return ""
        try:
            return _choice(value, column.choices)
        except ValueError:
            raise ValueError(f"must be Yes, No or {fmt.NOT_ANSWERED}, not {value!r}") from None
    if kind == fmt.LIST:
        return tuple(part.strip() for part in _text(value).split(",") if part.strip())
    raise AssertionError(kind)


def _column_name(index: int, header) -> str:
    return f"{get_column_letter(index + 1)} '{header}'"


def _map_headers(spec, number, header_row, result, *, note_unknown=True) -> dict[int, fmt.Column]:
    by_header = {column.header.casefold(): column for column in spec.columns}
    mapping: dict[int, fmt.Column] = {}
    placed: dict[str, int] = {}
    for index, raw in enumerate(header_row):
        if raw is None or _text(raw) == "":
            continue
        column = by_header.get(_text(raw).casefold())
        if column is None:
            if note_unknown:
                result.notes.append(
                    f"Sheet '{spec.name}': column {_column_name(index, raw)} is not part of the "
                    "format and was ignored."
                )
            continue
        if column.key in placed:
            result.errors.append(
                CellError(
                    spec.name,
                    number,
                    _column_name(index, raw),
                    f"duplicate column: also column {get_column_letter(placed[column.key] + 1)}",
                )
            )
            continue
        placed[column.key] = index
        mapping[index] = column
    for column in spec.columns:
        if column.required and column.key not in placed:
            result.errors.append(
                CellError(spec.name, number, f"'{column.header}'", "required column missing")
            )
    return mapping


def _read_rows(spec, rows, mapping, blanked, errors, percent=None) -> list[Row]:
    parsed = []
    # Every row of a sheet names its columns alike: the names are made once (each row its own
    # copy).
    names = {column.key: _column_name(index, column.header) for index, column in mapping.items()}
    for number, cells in rows:
        values, letters = {}, dict(names)
        for index, column in mapping.items():
            raw = cells[index] if index < len(cells) else None
            if (number, index) in blanked:
                values[column.key] = None
                continue
            try:
                if percent and column.kind == fmt.FIGURE and (number, index) in percent:
                    values[column.key] = figure_parse(raw, percent_format=True)
                    continue
                values[column.key] = parse_cell(raw, column)
            except ValueError as exc:
                errors.append(CellError(spec.name, number, letters[column.key], str(exc)))
                values[column.key] = None
        # Columns absent from the sheet stay absent: import leaves those fields as they are.
        parsed.append(Row(number, values, letters))
    return parsed


def _values_noting_percent(ws, percent: set):
    # The figures' sheets are read cell by cell so a number's format is seen: a cell holding
    # 0.375 formatted as a percentage shows 37.5%, and that is the figure the council means.
    # Cells with no style of their own share the workbook's default format: it is looked up
    # once, not per cell.
    default_percent = None
    for cells in ws.iter_rows():
        values = tuple([cell.value for cell in cells])
        for index, value in enumerate(values):
            kind = type(value)
            if kind is not float and kind is not int:
                continue
            cell = cells[index]
            if cell.has_style:
                is_percent = "%" in (cell.number_format or "")
            else:
                if default_percent is None:
                    default_percent = "%" in (cell.number_format or "")
                is_percent = default_percent
            if is_percent:
                percent.add((cell.row, index))
        yield values


def _non_blank(ws, spec, errors: Problems, percent: set | None = None):
    """The sheet's non-blank rows: the header and at most max_rows_per_sheet() data rows.

    Counted while iterating (a sheet's recorded dimensions may lie). Reading stops, with a
    problem saying why, at the row cap, once MAX_PROBLEMS_COUNTED problems are found, or at a
    row openpyxl cannot read. With `percent`, the (row, column index) of every number formatted
    as a percentage is added to it.
    """
    cap = max_rows_per_sheet()
    count = number = 0
    source = (
        ws.iter_rows(values_only=True) if percent is None else _values_noting_percent(ws, percent)
    )
    rows = enumerate(source, start=1)
    while True:
        try:
            number, cells = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # openpyxl raises many kinds for a cell it cannot convert
            if _defused(exc):
                raise
            reason = f"this row could not be read ({exc}); reading of the sheet stopped here"
            errors.keep(CellError(spec.name, number + 1, "", reason))
            return
        if not any(cell is not None and cell != "" for cell in cells):
            continue
        if count > cap:
            reason = (
                f"the sheet has more than {cap:,} rows, the most one import reads: "
                "split it over several workbooks (reading stopped here)"
            )
            errors.keep(CellError(spec.name, number, "", reason))
            return
        if errors.total >= MAX_PROBLEMS_COUNTED:
            reason = (
                f"{errors.total:,} problems found: reading stopped here. "
                "Fix those listed and upload the workbook again"
            )
            errors.keep(CellError(spec.name, number, "", reason))
            return
        count += 1
        yield number, cells


def _read_grid(spec, rows, result: ReadResult, blanked, percent: set) -> None:
    header_number, header = rows[0]
    mapping = _map_headers(spec, header_number, header, result, note_unknown=False)
    months: dict[int, Period] = {}
    for index, raw in enumerate(header):
        if index in mapping or raw is None or raw == "":
            continue
        try:
            months[index] = period_parse(raw)
        except ValueError as exc:
            result.errors.append(
                CellError(spec.name, header_number, _column_name(index, raw), str(exc))
            )
    seen: dict[Period, int] = {}
    for index, month in months.items():
        if month in seen:
            what = "month" if month.kind == PeriodKind.MONTH else "period"
            result.errors.append(
                CellError(
                    spec.name,
                    header_number,
                    _column_name(index, header[index]),
                    f"duplicate {what}: also column {get_column_letter(seen[month] + 1)}",
                )
            )
        seen.setdefault(month, index)
    result.grid_rows = _read_rows(spec, rows[1:], mapping, blanked, result.errors)
    if not months or not result.grid_rows:
        return
    # The wide grid (rows = measures, columns = months) read in long form, a month's column
    # at a time, each top to bottom; empty cells (and a NaN openpyxl may read) left out. Plain
    # Python: pandas' frame and melt cost 20x more for a grid of a few thousand cells.
    data = rows[1:]
    cells = result.grid_cells
    # A plain number's fast path (_decimal's own), inline: thousands of cells.
    limit, places = _LIMIT[fmt.DECIMAL], _DP[fmt.DECIMAL]
    isfinite = math.isfinite
    for index in sorted(months):
        period = months[index]
        name, start, period_kind = _column_name(index, header[index]), period.start, period.kind
        for number, row_cells in data:
            if index >= len(row_cells):
                continue
            raw = row_cells[index]
            kind = type(raw)
            if kind is float or kind is int:  # (not bool: type() is exact)
                if raw != raw:
                    continue  # a NaN openpyxl may read: empty
                if (
                    abs(raw) < limit
                    and (kind is int or isfinite(raw))
                    and not (blanked and (number, index) in blanked)
                    and not (percent and (number, index) in percent)
                ):
                    value = Decimal(raw) if kind is int else Decimal(repr(round(raw, places)))
                    cells.append(GridCell(number, name, start, value, period_kind))
                    continue
            if raw is None or raw == "" or (blanked and (number, index) in blanked):
                continue
            _grid_figure(spec, result, number, index, name, period, raw, percent)


def _grid_figure(spec, result: ReadResult, number, index, name, period, raw, percent) -> None:
    """Read one grid cell that is not a plain number in range: a number formatted as a
    percentage, a figure written as text ("6,357", "n/a", "42%*"), or a bad value."""
    as_percent = (number, index) in percent
    try:
        if type(raw) in (float, int) and not as_percent:
            figure = Figure(_decimal(raw, fmt.DECIMAL))
        else:
            figure = figure_parse(raw, percent_format=as_percent)
    except ValueError as exc:
        result.errors.append(CellError(spec.name, number, name, str(exc)))
        return
    if as_percent:
        result.by_format.append(f"{spec.name} {get_column_letter(index + 1)}{number}")
    result.grid_cells.append(
        GridCell(
            number,
            name,
            period.start,
            figure.value,
            period.kind,
            figure.marker,
            figure.not_available,
        )
    )


def _blank_formulas(path, ws, spec, errors) -> set[tuple[int, int]]:
    blanked = set()
    for ref in formula_cells_without_value(path, ws._worksheet_path):
        letters, number = coordinate_from_string(ref)
        index = column_index_from_string(letters) - 1
        blanked.add((number, index))
        errors.append(
            CellError(
                spec.name,
                number,
                letters,
                "formula with no saved value: open the file in Excel, let it calculate, "
                "save, and upload again",
            )
        )
    return blanked


def _defused(exc: BaseException | None) -> bool:
    # openpyxl wraps parse errors in its own; defusedxml's refusal is further down the chain.
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _open(handle):
    try:
        return openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or hostile file
        if _defused(exc):
            raise WorkbookRefused("The workbook's XML is unsafe (entities or a DTD).") from exc
        raise WorkbookRefused(f"The workbook could not be read: {exc}") from exc


UNKNOWN_VERSION = (
    "This workbook says it is format version {version}, which this svmonitor does not read "
    "(it reads versions {known}). Nothing was imported. Download a fresh export or template "
    "from svmonitor (format version {current}), copy your rows into its sheets, and upload that."
)
OLD_VERSION = (
    "This workbook is format version {version}: it imports as before. Format version {current} "
    "adds the Key contacts, Headline cards, Overviews and Headlines sheets; export the council "
    "to get them."
)


def format_version(workbook) -> str | None:
    """The format version the About sheet states ("format version 2"), or None if it states
    none (a workbook made by hand)."""
    if fmt.ABOUT_SHEET not in workbook.sheetnames:
        return None
    for row in workbook[fmt.ABOUT_SHEET].iter_rows(max_row=20, max_col=2, values_only=True):
        item, value = [*row, None, None][:2]
        if _text(item or "").casefold() in ("svmonitor workbook", "format version"):
            text = _text(value if value is not None else "").strip()
            return text.casefold().removeprefix("format version").strip() or None
    return None


def _version_check(workbook, result: ReadResult) -> bool:
    """Whether the workbook's format version is one this code reads (noting an older one)."""
    version = format_version(workbook)
    if version is None or version == fmt.FORMAT_VERSION:
        return True
    if version not in fmt.FORMAT_VERSIONS_READ:
        known = " and ".join(fmt.FORMAT_VERSIONS_READ)
        reason = UNKNOWN_VERSION.format(version=version, known=known, current=fmt.FORMAT_VERSION)
        result.errors.append(CellError(fmt.ABOUT_SHEET, None, "", reason))
        result.version_refused = True
        return False
    result.notes.append(OLD_VERSION.format(version=version, current=fmt.FORMAT_VERSION))
    return True


def workbook_read(path: Path) -> ReadResult:
    """Read every known sheet of a checked .xlsx; unknown sheets are noted and skipped."""
    result = ReadResult()
    # Our own handle, so the file is closed even when openpyxl gives up half-way.
    with path.open("rb") as handle:
        workbook = _open(handle)
        try:
            if not _version_check(workbook, result):
                return result
            for ws in workbook.worksheets:
                if result.errors.stopped:
                    break  # the problem that stopped reading says so
                _read_sheet(path, ws, result)
        except Exception as exc:
            if _defused(exc):
                raise WorkbookRefused("The workbook's XML is unsafe (entities or a DTD).") from exc
            raise
        finally:
            workbook.close()
    if result.by_format:
        count = len(result.by_format)
        shown = ", ".join(result.by_format[:20]) + (", ..." if count > 20 else "")
        result.notes.append(
            f"{count} figure{'s' if count != 1 else ''} formatted as a percentage "
            f"{'were' if count != 1 else 'was'} read as the percentage shown (0.375 shown as "
            f"37.5% is stored as 37.5): {shown}."
        )
    if result.examples:
        count = len(result.examples)
        result.notes.append(
            f"{count} example row{'s' if count != 1 else ''} skipped (the first cell begins "
            f"with {fmt.EXAMPLE_MARKER}): {', '.join(result.examples)}."
        )
    return result


def is_example_row(cells) -> bool:
    """Whether a row is one of the template's examples: its first cell begins with EXAMPLE."""
    first = cells[0] if cells else None
    return isinstance(first, str) and first.strip().startswith(fmt.EXAMPLE_MARKER)


def _without_examples(spec, rows, result: ReadResult):
    for number, cells in rows:
        if is_example_row(cells):
            result.examples.append(f"{spec.name} row {number}")
            continue
        yield number, cells


def _read_sheet(path: Path, ws, result: ReadResult) -> None:
    if dsg_finance.is_sheet(ws.title):  # tables of its own: workbook/dsg_finance.py reads them
        rows, examples = dsg_finance.sheet_rows(ws)
        result.examples += examples
        if rows:
            result.sheets[dsg_finance.SHEET] = [Row(n, {"cells": c}, {}) for n, c in rows]
        return
    if table := dsg_cyp.is_sheet(ws.title):  # tables of its own: workbook/dsg_cyp.py reads them
        if rows := dsg_cyp.sheet_rows(ws, result.examples):
            result.sheets[dsg_cyp.SHEETS[table]] = [Row(n, {"cells": c}, {}) for n, c in rows]
        return
    spec = fmt.SHEET_BY_NAME.get(ws.title.strip().casefold())
    if spec is None or spec.derived:
        retired = ws.title.strip().casefold() in fmt.RETIRED_SHEETS
        known = ws.title in (fmt.ABOUT_SHEET, fmt.INSTRUCTIONS_SHEET)
        if not known and spec is None and not retired:
            result.notes.append(f"Sheet '{ws.title}' is not part of the format: skipped.")
        return
    blanked = _blank_formulas(path, ws, spec, result.errors)
    percent = set() if spec in (fmt.GRID, fmt.VALUES_LONG) else None
    # Streamed, not listed: a sheet's rows are parsed as openpyxl reads them.
    rows = _non_blank(ws, spec, result.errors, percent)
    header = next(rows, None)
    if header is None:
        return
    rows = _without_examples(spec, rows, result)
    if spec is fmt.GRID:
        _read_grid(spec, [header, *rows], result, blanked, percent)
        return
    mapping = _map_headers(spec, header[0], header[1], result)
    parsed = _read_rows(spec, rows, mapping, blanked, result.errors, percent)
    result.sheets[spec.name] = parsed
    if percent:
        # The Value cells of the rows read (not the header or an example row).
        value_index = next((i for i, c in mapping.items() if c.key == "value"), None)
        read = {row.number for row in parsed}
        result.by_format += [
            f"{spec.name} {get_column_letter(index + 1)}{number}"
            for number, index in sorted(percent)
            if index == value_index and number in read
        ]
