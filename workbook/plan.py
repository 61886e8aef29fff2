"""The in-memory plan of an import: what each row will create, change or leave, then the write."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models

from svmonitor.choices import YesNo
from svmonitor.fy import fy_label
from workbook import format as fmt
from workbook.reader import Problems, Row

# The preview lists changes one field a line; past this many it says how many more there are.
MAX_CHANGE_LINES = 200
NEW_ROW = "New row"
# The stamp of a row the import creates: at confirm, a row that exists by then has moved.
NEW_STAMP = "new"


@dataclass
class SheetSummary:
    """Per sheet: how many rows the import creates, changes and leaves unchanged."""

    name: str
    created: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class ChangeLine:
    """One change an import makes: where (sheet, row, the row's key), which field, old and new."""

    sheet: str
    row: int | None
    key: str
    field: str
    old: str
    new: str

    @property
    def is_new(self) -> bool:
        """Whether the line is a row the import creates (rather than one field it changes)."""
        return self.field == NEW_ROW


def show(value) -> str:
    """A stored or read value as the preview prints it."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value != 0 else "0"
        return text
    if isinstance(value, dt.date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(item) for item in value)) or "(none)"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def row_key(sheet: str, row: Row | None) -> str:
    """A row's natural key as written in the workbook, e.g. "2024-25 / 1 / 3.1"."""
    spec = fmt.SHEET_BY_NAME.get(sheet.casefold())
    if spec is None or row is None:
        return ""
    parts = []
    for key in spec.key:
        value = row.values.get(key)
        if value is None or value == "":
            continue
        column = spec.column_by_key.get(key)
        if column is not None and column.kind == fmt.FY and isinstance(value, int):
            value = fy_label(value)
        elif column is not None and column.kind == fmt.MONTH and isinstance(value, dt.date):
            value = f"{value:%b %Y}"
        else:
            value = show(value)
        parts.append(str(value))
    return " / ".join(parts)


@dataclass(frozen=True)
class Conflict:
    """A field of a row someone saved after the preview: their value beside the workbook's."""

    sheet: str
    row: int | None
    key: str
    field: str
    stored: str
    workbook: str
    saved_by: str


@dataclass
class PlannedWrite:
    """One row the import will create or change, and the workbook row it comes from."""

    obj: models.Model
    values: dict
    m2m: dict | None
    sheet: str
    row: Row | None
    key_column: str
    version: int | None = None  # the version the plan read, for the service's version lock


def stamp_key(sheet: str, row: int) -> str:
    """How a row is named in the preview's stamps."""
    return f"{sheet}!{row}"


def fingerprint(parts) -> str:
    """A short digest of stored values, for rows with no version number."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class RagReading:
    """How one RAG cell was read, so the preview can show it."""

    sheet: str
    row: int
    column: str
    written: str
    level: str


@dataclass
class ImportResult:
    """The outcome of an import or a dry run: per-sheet counts, readings, errors, notes."""

    council_slug: str
    dry_run: bool
    errors: Problems = field(default_factory=Problems)  # the first 100, the rest counted
    sheets: list[SheetSummary] = field(default_factory=list)
    rag_readings: list[RagReading] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    council_created: bool = False
    examples_skipped: int = 0  # the template's example rows, which import skips
    applied: bool = False
    changes: list[ChangeLine] = field(default_factory=list)
    changes_total: int = 0
    # "sheet!row" -> how each row the import creates or changes stood when planned (a version,
    # or a fingerprint of the stored values): the preview keeps these, the confirm compares.
    stamps: dict[str, str] = field(default_factory=dict)
    # Rows that moved between the preview and the confirm, field by field: what is stored now
    # (the other person's save) beside what the workbook has.
    conflicts: list[Conflict] = field(default_factory=list)

    def add_change(self, line: ChangeLine | None = None, *, make=None) -> None:
        """Count a change; keep its line while the list is short enough to read.

        Hot paths (thousands of figures) pass `make`, so lines past the limit are never built.
        """
        self.changes_total += 1
        if len(self.changes) < MAX_CHANGE_LINES:
            self.changes.append(line if make is None else make())

    @property
    def changes_hidden(self) -> int:
        """How many changes are counted but not listed."""
        return self.changes_total - len(self.changes)

    @property
    def has_changes(self) -> bool:
        """Whether importing would create or change anything at all."""
        totals = self.totals
        return bool(totals["created"] or totals["changed"] or self.council_created)

    @property
    def ok(self) -> bool:
        """True when the workbook had no errors."""
        return not self.errors

    @property
    def totals(self) -> dict[str, int]:
        """Created, changed and unchanged summed over sheets."""
        return {
            "created": sum(s.created for s in self.sheets),
            "changed": sum(s.changed for s in self.sheets),
            "unchanged": sum(s.unchanged for s in self.sheets),
        }

    def rag_notations(self) -> list[dict]:
        """Each distinct RAG notation with the level it was read as, how often and where first."""
        grouped: dict[tuple[str, str], dict] = {}
        for reading in self.rag_readings:
            key = (reading.written.strip(), reading.level)
            if key not in grouped:
                grouped[key] = {
                    "written": key[0],
                    "level": reading.level,
                    "count": 0,
                    "first": f"{reading.sheet}, row {reading.row}",
                }
            grouped[key]["count"] += 1
        return sorted(grouped.values(), key=lambda g: (g["level"], g["written"].casefold()))


def _same(current, wanted) -> bool:
    if isinstance(wanted, models.Model):
        return wanted.pk is not None and current == wanted.pk
    return current == wanted


class Table:
    """One model's rows: the existing ones by natural key, and the writes the import plans."""

    def __init__(self, plan, model: type[models.Model]):
        self.plan = plan
        self.model = model
        self._by_key: dict = {}
        # Steps that read the stored rows (a query, re-keying by parents, links), run in order
        # the first time the rows are asked for: a sheet the workbook does not have, and that
        # no sheet it has refers to, costs no query.
        self._pending: list = []
        self._m2m_pending: list = []
        self.seen: dict = {}
        self._m2m_current: dict[tuple[int, str], set[int]] = {}
        self.m2m_attrs: set[str] = set()
        self.fields = {f.name: f for f in model._meta.concrete_fields}
        self.writes: list[PlannedWrite] = []

    @property
    def by_key(self) -> dict:
        """Existing and planned rows by natural key (the stored ones read on first use)."""
        if self._pending:
            pending, self._pending = self._pending, []
            for step in pending:
                step()
        return self._by_key

    @by_key.setter
    def by_key(self, rows: dict) -> None:
        self._by_key = rows

    @property
    def m2m_current(self) -> dict[tuple[int, str], set[int]]:
        """(id of a stored row, link name) -> the ids it links to now (read on first use)."""
        rows = self.by_key
        if self._m2m_pending:
            pending, self._m2m_pending = self._m2m_pending, []
            for attr in pending:
                self._links_read(rows, attr)
        return self._m2m_current

    def links_load_later(self, attr: str) -> None:
        """Compare the many-to-many `attr` too, reading the stored links when first needed."""
        self.m2m_attrs.add(attr)
        self._m2m_pending.append(attr)

    def _links_read(self, rows: dict, attr: str) -> None:
        # The links' ids from the join table in one query (no model instance per link).
        stored = {obj.pk: obj for obj in rows.values() if obj.pk is not None}
        current = self._m2m_current
        for obj in stored.values():
            current[(id(obj), attr)] = set()
        if not stored:
            return
        field = self.model._meta.get_field(attr)
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        links = through.objects.filter(**{f"{source}__in": list(stored)}).values_list(
            source, target
        )
        for pk, target_pk in links:
            current[(id(stored[pk]), attr)].add(target_pk)

    def later(self, step) -> None:
        """Run `step` (which reads the stored rows) when the rows are first asked for."""
        self._pending.append(step)

    def load_later(self, query, key) -> None:
        """Register the rows `query()` returns under their natural key, when first asked for."""
        self.later(lambda: self.load(query(), key))

    def stamp(self, obj) -> str:
        """How a stored row stands: its version, else a fingerprint of its values and links."""
        if "version" in self.fields:
            return f"v{obj.version}"
        values = [getattr(obj, f.attname) for f in self.fields.values() if not f.primary_key]
        links = [
            (attr, sorted(self.m2m_current.get((id(obj), attr), ())))
            for attr in sorted(self.m2m_attrs)
        ]
        return fingerprint((values, links))

    def plan_new(self, obj, values: dict, sheet: str, row: Row | None, key_column: str = ""):
        """Plan a row the import creates without a row of its own sheet (a source or series a
        figure needs)."""
        self.writes.append(PlannedWrite(obj, values, None, sheet, row, key_column))

    def load(self, objects, key) -> None:
        """Register existing rows under their natural key."""
        rows = self.by_key
        for obj in objects:
            rows[key(obj)] = obj

    def is_new(self, obj) -> bool:
        """Whether the import creates this row."""
        return obj.pk is None

    def all(self) -> list:
        """Existing and planned rows."""
        return list(self.by_key.values())

    def upsert(
        self,
        summary: SheetSummary,
        row: Row,
        key: tuple,
        values: dict,
        *,
        m2m: dict | None = None,
        locked: str | None = None,
        key_column: str = "",
    ):
        """Plan one row; returns the (new or existing) object, or None when the row is refused."""
        if key in self.seen:
            self.plan.error(
                summary.name,
                row,
                key_column,
                f"duplicate row: same key as row {self.seen[key]}",
            )
            return None
        self.seen[key] = row.number
        obj = self.by_key.get(key)
        result = self.plan.result
        if obj is None:
            if locked:
                self.plan.error(summary.name, row, key_column, locked)
                return None
            obj = self.model(**values)
            self.by_key[key] = obj
            summary.created += 1
            line = ChangeLine(summary.name, row.number, row_key(summary.name, row), NEW_ROW, "", "")
            result.add_change(line)
            self.writes.append(PlannedWrite(obj, values, m2m, summary.name, row, key_column))
            self.plan.expect(summary.name, row, key_column, NEW_STAMP, [line], obj)
            return obj
        diffs = []
        for name, wanted in values.items():
            field_ = self.fields[name]
            if not _same(getattr(obj, field_.attname), wanted):
                diffs.append(name)
        for attr, targets in (m2m or {}).items():
            current = self.m2m_current.get((id(obj), attr), set())
            if any(t.pk is None for t in targets) or {t.pk for t in targets} != current:
                diffs.append(attr)
        if not diffs:
            summary.unchanged += 1
            return obj
        if locked:
            # Point at the first cell that differs, so the person sees what they changed.
            column = next((name for name in diffs if name in row.letters), key_column)
            self.plan.error(summary.name, row, column, locked)
            return None
        where = row_key(summary.name, row)
        stamp = self.stamp(obj)
        lines = []
        for name in diffs:
            old, new = self._shown(obj, name, values, m2m)
            lines.append(ChangeLine(summary.name, row.number, where, self._verbose(name), old, new))
            result.add_change(lines[-1])
        # The planned object holds the row as the workbook wants it; the write passes that to
        # the service, which re-reads the stored row under its own lock.
        for name in diffs:
            if name in values:
                setattr(obj, name, values[name])
        summary.changed += 1
        changed_m2m = {attr: t for attr, t in (m2m or {}).items() if attr in diffs}
        version = obj.version if "version" in self.fields else None
        self.writes.append(
            PlannedWrite(obj, values, changed_m2m, summary.name, row, key_column, version)
        )
        self.plan.expect(summary.name, row, key_column, stamp, lines, obj)
        return obj

    def _shown(self, obj, name: str, values: dict, m2m: dict | None) -> tuple[str, str]:
        """A changed field's stored and imported values, as the preview prints them."""
        if name not in values:
            targets = (m2m or {})[name]
            return "(as stored)", show([str(target) for target in targets])
        field_ = self.fields[name]
        wanted = values[name]
        if field_.is_relation:
            # The related row is already loaded by the plan (no query): name it, not its id.
            cached = obj._state.fields_cache.get(name)
            old = str(cached) if cached is not None else f"#{getattr(obj, field_.attname)}"
            return old, str(wanted) if wanted is not None else "(blank)"
        old = getattr(obj, field_.attname)
        if field_.choices:
            labels = dict(field_.flatchoices)
            if set(labels) == set(YesNo.values):
                labels[""] = fmt.NOT_ANSWERED  # an answer nobody gave, as every page says
            return show(labels.get(old, old)), show(labels.get(wanted, wanted))
        return show(old), show(wanted)

    def _verbose(self, name: str) -> str:
        if name in self.fields:
            return self.fields[name].verbose_name
        return name.replace("_", " ")
