"""Resolving a row's references (agreement, round, condition, measure...) during an import plan."""

from __future__ import annotations

from collections import defaultdict

from metrics.models import DataSource
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import locked_message, round_locked_message
from svmonitor.fy import fy_label
from svmonitor.models import AuditEvent
from workbook import format as fmt
from workbook.plan import (
    NEW_ROW,
    NEW_STAMP,
    Conflict,
    RagReading,
    SheetSummary,
    Table,
    stamp_key,
)
from workbook.rag_notation import rag_labels_for_council, rag_parse
from workbook.reader import CellError, ReadResult, Row

MOVED = (
    "{who} saved this after your preview, so it was not imported: what is stored now is shown "
    "beside the workbook's value under 'Saved since your preview'. Check it, then upload the "
    "workbook again."
)

_LOCKED_WORDS = {
    RoundStatus.READY: "ready for sign-off",
    RoundStatus.SIGNED_OFF: "signed off",
    RoundStatus.SUBMITTED: "submitted",
}


def condition_pick(candidates, on=None):
    """The condition a label means: the one in force on a date, else the latest version."""
    if not candidates:
        return None
    if on is not None:
        in_force = [
            c
            for c in candidates
            if c.in_force_from <= on and (c.in_force_to is None or c.in_force_to >= on)
        ]
        if len(in_force) == 1:
            return in_force[0]
    return max(candidates, key=lambda c: (c.in_force_to is None, c.in_force_from))


class Refs:
    """Row-level helpers shared by every sheet step: errors, values and references."""

    def __init__(self, read: ReadResult, result, expected: dict | None = None):
        self.read = read
        self.result = result
        # The stamps the preview recorded (None when there was no preview, e.g. the command).
        self.expected = expected
        # Stamps serve a preview and its confirm; a plain import (the command) skips them.
        self.stamping = True
        self.summaries = {spec.name: SheetSummary(spec.name) for spec in fmt.SHEETS}
        self.bad_rows = {(e.sheet, e.row) for e in read.errors}
        self.rag_table: Table | None = None  # the council's RAG definitions, as planned
        self._rag_labels: dict[str, str] | None = None

    @property
    def rag_labels(self) -> dict[str, str]:
        """The council's own words for each RAG level, read when a RAG cell first needs them."""
        if self._rag_labels is None:
            table = self.rag_table
            self._rag_labels = rag_labels_for_council(table.all()) if table is not None else {}
        return self._rag_labels

    def rows(self, spec) -> list[Row]:
        """The data rows read from a sheet (none if the sheet is absent)."""
        return self.read.sheets.get(spec.name, [])

    def summary(self, spec) -> SheetSummary:
        """The running counts of a sheet."""
        return self.summaries[spec.name]

    def error(self, sheet: str, row, column_key: str, reason: str) -> None:
        """Record a problem at a row and column (given by its key)."""
        number = row.number if isinstance(row, Row) else row
        column = row.letters.get(column_key, column_key) if isinstance(row, Row) else column_key
        self.result.errors.append(CellError(sheet, number, column, reason))
        self.bad_rows.add((sheet, number))

    def expect(self, sheet: str, row, key_column: str, stamp: str, lines, obj=None) -> None:
        """Keep how a row stood for the preview; at confirm, refuse it if it moved since."""
        if row is None or not self.stamping:
            return
        number = row.number if isinstance(row, Row) else row
        key = stamp_key(sheet, number)
        self.result.stamps[key] = stamp
        if self.expected is None or self.expected.get(key) == stamp:
            return
        who = self._saved_by(obj)
        for line in lines:
            if line.field == NEW_ROW:
                # The preview saw the row stored and unchanged; it has gone since.
                stored, field = "(not stored any more)", "Row"
            else:
                stored, field = line.old, line.field
            new = "(a new row)" if line.field == NEW_ROW else line.new
            self.result.conflicts.append(Conflict(sheet, number, line.key, field, stored, new, who))
        if stamp != NEW_STAMP and not lines:
            self.result.conflicts.append(Conflict(sheet, number, "", "", "(changed)", "", who))
        self.error(sheet, row, key_column, MOVED.format(who=who))

    def _saved_by(self, obj) -> str:
        """Who last saved a row, from its history ("Someone else" when none is recorded)."""
        if obj is None or obj.pk is None:
            return "Someone else"
        event = (
            AuditEvent.objects.filter(
                object_type=obj._meta.label_lower, object_id=str(obj.pk), user__isnull=False
            )
            .order_by("-at", "-pk")
            .first()
        )
        return event.username if event is not None else "Someone else"

    def row_ok(self, spec, row: Row) -> bool:
        """Whether every cell of the row was read without error."""
        return (spec.name, row.number) not in self.bad_rows

    def values_from(self, row: Row, model, spec, skip=()) -> dict:
        """Plain field values of a row; relations are resolved by the caller."""
        fields = {f.name: f for f in model._meta.concrete_fields}
        values = {}
        for key, value in row.values.items():
            field = fields.get(key)
            if field is None or key in skip or field.is_relation:
                continue
            if value is None and not field.null:
                continue  # blank: keep what is there (or the default for a new row)
            values[key] = value
        return values

    # -- re-keying rows loaded from the database by their parents' identity --------------

    def _rekey_by_parents(self, table: Table, parents, attnames) -> None:
        # When the stored rows are first asked for: the parents are read then too.
        table.later(lambda: self._rekey_now(table, parents, attnames))

    def _rekey_now(self, table: Table, parents, attnames) -> None:
        maps = [{p.pk: p for p in parent.all() if p.pk is not None} for parent in parents]
        rekeyed = {}
        for key, obj in table.by_key.items():
            heads = [m.get(getattr(obj, a)) for m, a in zip(maps, attnames, strict=True)]
            if None in heads:
                continue
            # Point the relation at the planned parent, so identities match and nothing queries.
            for head, attname in zip(heads, attnames, strict=True):
                setattr(obj, attname.removesuffix("_id"), head)
            rekeyed[(*(id(h) for h in heads), *key[len(heads) :])] = obj
        table.by_key = rekeyed

    def _rekey_by_parent(self, table: Table, parent: Table, attname: str) -> None:
        self._rekey_by_parents(table, (parent,), (attname,))

    def _load_m2m(self, table: Table, attr: str) -> None:
        table.links_load_later(attr)

    # -- references ------------------------------------------------------------------------

    def agreement_of(self, spec, row: Row):
        """The agreement a row names by signing date, or the only one."""
        signed = row.values.get("agreement")
        if signed:
            found = self.agreements.by_key.get((signed,))
            if found is None:
                self.error(spec.name, row, "agreement", f"no agreement signed on {signed}")
            return found
        agreements = self.agreements.all()
        if len(agreements) == 1:
            return agreements[0]
        reason = "several agreements: give the date signed" if agreements else "no agreement"
        self.error(spec.name, row, "agreement", reason)
        return None

    def current_agreement(self):
        """The latest agreement: list references to conditions are to its conditions."""
        agreements = self.agreements.all()
        return max(agreements, key=lambda a: a.date_signed) if agreements else None

    def round_of(self, spec, row: Row):
        """The round a row names by agreement, financial year and update number."""
        agreement = self.agreement_of(spec, row)
        year, number = row.values.get("financial_year"), row.values.get("update_number")
        if agreement is None or year is None or number is None:
            return None
        found = self.rounds.by_key.get((id(agreement), year, number))
        if found is None:
            self.error(
                spec.name,
                row,
                "financial_year",
                f"no round {fy_label(year)} Update {number}: add it to the Rounds sheet",
            )
        return found

    def _conditions_by_label(self, agreement) -> dict[str, list]:
        index = getattr(self, "_condition_index", None)
        if index is None:
            index = defaultdict(list)
            for condition in self.conditions.all():
                index[(id(condition.agreement), condition.label)].append(condition)
            self._condition_index = index
        return index

    def condition_of(self, spec, row: Row, round_):
        """The condition an update names by label, as in force when the round was due."""
        label = row.values.get("condition")
        if round_ is None or not label:
            return None
        candidates = self._conditions_by_label(round_.agreement).get((id(round_.agreement), label))
        found = condition_pick(candidates, round_.due_date)
        if found is None:
            self.error(spec.name, row, "condition", f"no condition {label!r} in that agreement")
        return found

    def current_conditions(self, spec, row: Row, key: str):
        """Conditions a list cell names by label, in the latest agreement."""
        labels = row.values.get(key) or ()
        if not labels:
            return []
        agreement = self.current_agreement()
        if agreement is None:
            self.error(spec.name, row, key, "no agreement to take the conditions from")
            return None
        index = self._conditions_by_label(agreement)
        found, missing = [], []
        for label in labels:
            condition = condition_pick(index.get((id(agreement), label)))
            (found if condition else missing).append(condition or label)
        if missing:
            self.error(spec.name, row, key, f"unknown condition(s): {', '.join(missing)}")
            return None
        return found

    def area_of(self, spec, row: Row, key: str):
        """A programme area named by number."""
        number = row.values.get(key)
        if number is None:
            return None
        found = self.areas.by_key.get((number,))
        if found is None:
            self.error(spec.name, row, key, f"no programme area {number}")
        return found

    def workstream_of(self, spec, row: Row):
        """A workstream named by programme area and name."""
        area = self.area_of(spec, row, "area")
        name = row.values.get("workstream")
        if area is None or not name:
            return None
        found = self.workstreams.by_key.get((id(area), name))
        if found is None:
            self.error(
                spec.name, row, "workstream", f"no workstream {name!r} in area {area.number}"
            )
        return found

    def risk_of(self, spec, row: Row):
        """A risk named by number."""
        number = row.values.get("risk")
        if number is None:
            return None
        found = self.risks.by_key.get((number,))
        if found is None:
            self.error(spec.name, row, "risk", f"no risk {number}: add it to the Risks sheet")
        return found

    def measures_named(self, spec, row: Row, key: str):
        """Measures a list cell names by code."""
        codes = row.values.get(key) or ()
        found = [self.measures.by_key.get((code,)) for code in codes]
        missing = [code for code, m in zip(codes, found, strict=True) if m is None]
        if missing:
            self.error(spec.name, row, key, f"unknown measure(s): {', '.join(missing)}")
            return None
        return found

    def source_named(self, name: str, row: Row | None = None):
        """A data source by name, planned for creation when the workbook does not define it."""
        found = self.sources.by_key.get((name,))
        if found is None:
            found = DataSource(council=self.council, name=name)
            self.sources.by_key[(name,)] = found
            # Written with the measure's row: its sheet and row are where a refusal points.
            self.sources.plan_new(
                found,
                {"council": self.council, "name": name},
                fmt.MEASURES.name,
                row,
                "data_source",
            )
            self.summaries[fmt.DATA_SOURCES.name].created += 1
        return found

    def rag_of(self, spec, row: Row, key: str = "rag"):
        """The level a RAG cell means, recording how it was read; None when not recognised."""
        written = row.values.get(key)
        if written is None:
            return Rag.NOT_RATED
        try:
            level = rag_parse(written, self.rag_labels)
        except ValueError as exc:
            self.error(spec.name, row, key, str(exc))
            return None
        if written:
            self.result.rag_readings.append(
                RagReading(spec.name, row.number, row.letters[key], written, Rag(level).label)
            )
        return level

    def locked(self, round_) -> str | None:
        """How a round's status stops import changing it, or None for a draft or new round."""
        if round_ is None or round_.pk is None or round_.status == RoundStatus.DRAFT:
            return None
        return _LOCKED_WORDS.get(round_.status, round_.status)

    def locked_update(self, round_) -> str | None:
        """The refusal for changing an update of a locked round."""
        word = self.locked(round_)
        if word is None:
            return None
        # The services' own words, as the browser and the admin say them, naming the round.
        if round_.is_imported:
            return round_locked_message(round_)
        return f"{round_.fy} Update {round_.update_number}: {locked_message(round_.status)}"
