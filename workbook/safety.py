"""Checks run on an uploaded file before openpyxl ever opens it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from django.conf import settings

from svmonitor.checks import defusedxml_in_use

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DEFAULT_MAX_ENTRIES = 500
# Worksheet XML compresses well (often 20-50x); a ratio far beyond that is a bomb.
MAX_ENTRY_RATIO = 200
_PROLOG_BYTES = 4096
_XML_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_MACRO_TYPES = (b"macroEnabled", b"vbaProject")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookRefused(Exception):
    """The file is not a workbook we will open; the message says why, for the user."""


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _sniff(head: bytes) -> str:
    if head.startswith(_OLE_MAGIC):
        return "an old-style .xls file or a password-protected workbook"
    if head.lstrip()[:1] in (b"<", b"{") or head[:5] == b"%PDF-":
        return "a text, HTML or PDF file"
    return "not a zip container"


def workbook_check(path: Path, filename: str = "") -> None:
    """Refuse anything but a plain, bounded .xlsx; raises WorkbookRefused with the reason."""
    if not defusedxml_in_use():
        raise WorkbookRefused("Workbook import is disabled: defusedxml is not in use by openpyxl.")
    name = (filename or path.name).lower()
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise WorkbookRefused("Workbooks with macros (.xlsm) are not accepted: save as .xlsx.")
    if name and not name.endswith(".xlsx"):
        raise WorkbookRefused(f"{filename or path.name} is not an .xlsx file.")
    size = path.stat().st_size
    max_bytes = _limit("WORKBOOK_MAX_BYTES", DEFAULT_MAX_BYTES)
    if size > max_bytes:
        raise WorkbookRefused(
            f"The file is {size / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.0f} MB."
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
        raise WorkbookRefused(f"The file is not an Excel .xlsx workbook: it is {_sniff(head)}.")
    try:
        with zipfile.ZipFile(path) as archive:
            _check_directory(archive)
            _check_parts(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise WorkbookRefused(f"The file is a damaged or unsupported zip: {exc}") from exc


def _check_directory(archive: zipfile.ZipFile) -> None:
    # Everything here comes from the zip's central directory: nothing is decompressed yet.
    entries = archive.infolist()
    max_entries = _limit("WORKBOOK_MAX_ENTRIES", DEFAULT_MAX_ENTRIES)
    if len(entries) > max_entries:
        raise WorkbookRefused(
            f"The workbook has {len(entries)} parts; at most {max_entries} are accepted."
        )
    total = sum(info.file_size for info in entries)
    max_total = _limit("WORKBOOK_MAX_UNCOMPRESSED", DEFAULT_MAX_UNCOMPRESSED)
    if total > max_total:
        raise WorkbookRefused(
            f"The workbook would expand to {total / 1048576:.0f} MB; "
            f"the limit is {max_total / 1048576:.0f} MB (a zip bomb is refused)."
        )
    for info in entries:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_ENTRY_RATIO * max(
            info.compress_size, 1
        ):
            raise WorkbookRefused(
                f"Part {info.filename} expands {info.file_size // max(info.compress_size, 1)}"
                " times: refused as a zip bomb."
            )
    names = {info.filename for info in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRefused("The file is a zip but not an Excel .xlsx workbook.")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise WorkbookRefused("The workbook contains macros (vbaProject.bin): save as .xlsx.")


def _check_parts(archive: zipfile.ZipFile) -> None:
    content_types = archive.read("[Content_Types].xml")
    if any(marker in content_types for marker in _MACRO_TYPES):
        raise WorkbookRefused("The workbook is macro-enabled: save it as a plain .xlsx.")
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        # A DTD can only appear in the prolog; entity tricks are refused before parsing.
        with archive.open(info) as part:
            prolog = part.read(_PROLOG_BYTES)
        if _XML_DECLARATIONS.search(prolog) or _XML_DECLARATIONS.search(
            prolog.replace(b"\x00", b"")
        ):
            raise WorkbookRefused(
                f"Part {info.filename} declares XML entities or a DTD; the file is refused."
            )


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")


_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_CHUNK = 1024 * 1024
# Keep this many missing-value formula cells: each is a problem, and problems past the first
# hundred are only counted (workbook.reader.Problems).
MAX_FORMULA_CELLS = 1_000


def formula_cells_without_value(archive_path: Path, part: str) -> list[str]:
    """Coordinates of formula cells in one worksheet part that carry no cached value.

    The part is read a megabyte at a time, cut after the last complete row, so a sheet of
    200,000 rows never sits in memory whole.
    """
    missing: list[str] = []
    with zipfile.ZipFile(archive_path) as archive, archive.open(part) as stream:
        pending = b""
        while len(missing) < MAX_FORMULA_CELLS:
            chunk = stream.read(_CHUNK)
            pending += chunk
            cut = _last_row_end(pending) if chunk else len(pending)
            if cut:
                _missing_values(pending[:cut], missing)
                pending = pending[cut:]
            if not chunk:
                break
    return missing[:MAX_FORMULA_CELLS]


def _last_row_end(xml: bytes) -> int:
    """Where the last complete row of `xml` ends (0 if none has yet)."""
    end = len(xml)
    while (found := xml.rfind(b"row>", 0, end)) >= 0:
        if _ROW_END.search(xml, max(0, found - 40), found + 4):
            return found + 4
        end = found
    return 0


def _missing_values(xml: bytes, missing: list[str]) -> None:
    if not _FORMULA.search(xml):
        return
    for match in _CELL.finditer(xml):
        body = match.group(3) or b""
        if _FORMULA.search(body) and not _VALUE.search(body):
            ref = _REF.search(match.group(1))
            missing.append(ref.group(1).decode() if ref else "?")
