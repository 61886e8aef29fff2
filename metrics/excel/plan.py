"""The in-memory plan of an import: what each row will create, change or leave, then the write."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from metrics.excel.reader import CellError, Row

MAX_CHANGE_LINES = 20


@dataclass
class SheetSummary:
    """Per sheet: how many rows the import creates, changes and leaves unchanged."""

    name: str
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)


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
    errors: list[CellError] = field(default_factory=list)
    sheets: list[SheetSummary] = field(default_factory=list)
    rag_readings: list[RagReading] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    council_created: bool = False
    applied: bool = False

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
    """One model's rows: the existing ones by natural key, and what the import will do."""

    def __init__(self, plan, model: type[models.Model]):
        self.plan = plan
        self.model = model
        self.by_key: dict = {}
        self.new: list = []
        self.changed: dict[int, models.Model] = {}
        self.changed_fields: set[str] = set()
        self.seen: dict = {}
        self.m2m_current: dict[tuple[int, str], set[int]] = {}
        self.m2m_wanted: list[tuple[models.Model, str, list]] = []
        self.fields = {f.name: f for f in model._meta.concrete_fields}

    def load(self, objects, key) -> None:
        """Register existing rows under their natural key."""
        for obj in objects:
            self.by_key[key(obj)] = obj

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
        describe: str = "",
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
        if obj is None:
            if locked:
                self.plan.error(summary.name, row, key_column, locked)
                return None
            obj = self.model(**values)
            self.by_key[key] = obj
            self.new.append(obj)
            for attr, targets in (m2m or {}).items():
                if targets:
                    self.m2m_wanted.append((obj, attr, targets))
            summary.created += 1
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
                self.m2m_wanted.append((obj, attr, targets))
        if not diffs:
            summary.unchanged += 1
            return obj
        if locked:
            self.plan.error(summary.name, row, key_column, locked)
            return None
        for name in diffs:
            if name in values:
                setattr(obj, name, values[name])
                self.changed_fields.add(name)
        if any(name in values for name in diffs):
            self.changed[id(obj)] = obj
        summary.changed += 1
        if len(summary.changes) < MAX_CHANGE_LINES:
            labels = ", ".join(str(self._verbose(n)) for n in diffs)
            summary.changes.append(f"Row {row.number}{describe}: {labels} changed")
        return obj

    def _verbose(self, name: str) -> str:
        if name in self.fields:
            return self.fields[name].verbose_name
        return name.replace("_", " ")

    def write(self, by, now) -> None:
        """Insert the new rows and update the changed ones (bulk, after full validation)."""
        if self.new:
            if "updated_by" in self.fields:
                for obj in self.new:
                    obj.updated_by = by
            self.model.objects.bulk_create(self.new, batch_size=500)
        if self.changed:
            extra = set()
            changed = list(self.changed.values())
            for obj in changed:
                if "version" in self.fields:
                    obj.version += 1
                    extra.add("version")
                if "updated_by" in self.fields:
                    obj.updated_by = by
                    extra.add("updated_by")
                if "updated_at" in self.fields:
                    obj.updated_at = now
                    extra.add("updated_at")
            self.model.objects.bulk_update(
                changed, sorted(self.changed_fields | extra), batch_size=500
            )

    def write_m2m(self) -> None:
        """Set the many-to-many links once every row has its primary key."""
        for obj, attr, targets in self.m2m_wanted:
            getattr(obj, attr).set(targets)


def now():
    """The time stamped on changed rows."""
    return timezone.now()
