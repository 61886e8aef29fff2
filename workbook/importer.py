"""The workbook import: check, read, plan every sheet, then write every row through the service
of the app that owns it (the browser's own where there is one), all or nothing."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    ProgrammeArea,
    Workstream,
    WorkstreamSaving,
    WorkstreamUpdate,
)
from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from metrics.models import DataSource, HeadlineCard, Measure, Series
from metrics.services import FiguresRefused, measure_values_save_many
from overview.models import Headline, RoundOverview
from overview.services import headlines_fingerprint, headlines_save, round_overview_create
from risks.models import Risk, RiskUpdate
from svmonitor.audit import audit_record, audit_via
from svmonitor.choices import DFE_LEVELS, Rag, RoundStatus
from svmonitor.errors import StaleEdit, round_locked_message
from svmonitor.fy import fy_label
from svmonitor.models import (
    NOT_NEGATIVE,
    RATED_NEEDS_DFE_COLOUR,
    Agreement,
    KeyContact,
    LocalAuthority,
    MonitoringTierChange,
    RagDefinition,
    ReportingRound,
    risk_key_levels_normalise,
)
from svmonitor.services.rounds import round_record_imported
from workbook import format as fmt
from workbook.dsg_cyp import cyp_sheets_plan, cyp_sheets_write
from workbook.dsg_finance import dsg_sheet_plan, dsg_sheet_write
from workbook.dsg_text import dsg_text_plan, dsg_text_write
from workbook.plan import (
    NEW_ROW,
    ChangeLine,
    ImportResult,
    PlannedWrite,
    Table,
    fingerprint,
    row_key,
    show,
)
from workbook.reader import CellError, Row, workbook_read
from workbook.refs import Refs
from workbook.safety import workbook_check
from workbook.values import plan_values
from workbook.writers import WRITERS

NEEDS_ADMIN = "only a site administrator can create a council"
STATUS_FIXED = "a round's status cannot be changed by import: use the round page"
DRAFTS_ONLY = (
    "an import creates draft rounds only, not '{status}': open the round as a draft, then mark "
    "it ready, sign it off and record its submission on the round page"
)
SUBMITTED_ON_FIXED = "the date a round went to DfE is recorded on the round page, not by import"
IMPORTED_NEEDS_DATE = (
    "give the date the return was sent to DfE: a return submitted before svmonitor needs it"
)
SIGN_OFF_ONLY_IMPORTED = (
    "sign-offs are imported only for a return submitted before svmonitor; svmonitor records "
    "the sign-offs of its own returns on the round page"
)
IMPORTED_ONLY_NEW = (
    "{label} is {state} in svmonitor: only a new return can be imported as submitted before "
    "svmonitor"
)
IMPORTED_FIXED = (
    "{label} was imported as submitted before svmonitor and frozen then; its submission date "
    "and sign-offs cannot be changed by import"
)
IMPORTED_NOTE = (
    "{label} will be imported as submitted to DfE on {day:%-d %B %Y} before svmonitor: frozen "
    "as the workbook gives it and read-only from then on."
)
SIGN_OFF_CELLS = (
    ("s151", "s151_signed_by", "s151_signed_on"),
    ("dcs", "dcs_signed_by", "dcs_signed_on"),
)
STALE = "someone saved this row while the import ran; nothing was imported: upload it again"


def _as_path(file) -> tuple[Path, object]:
    """A filesystem path for the upload (zip checks need one), and how to clean it up."""
    if isinstance(file, str | Path):
        return Path(file), None
    if hasattr(file, "temporary_file_path"):
        return Path(file.temporary_file_path()), None
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    if hasattr(file, "chunks"):
        for chunk in file.chunks():
            handle.write(chunk)
    else:
        file.seek(0)
        handle.write(file.read())
    handle.close()
    return Path(handle.name), Path(handle.name)


def workbook_import(
    *,
    file,
    council_slug: str | None,
    dry_run: bool = False,
    by=None,
    filename: str = "",
    expected: dict | None = None,
    create: bool = False,
) -> ImportResult:
    """Import (or dry-run) a council workbook; every bad cell is reported and nothing written.

    `by` is the user the import acts as: each row goes through its app's service, which checks
    that user's role as the browser does. `expected` is the preview's stamps: a row that moved
    since the preview is refused and shown beside the workbook's value. With `create`, the
    workbook must set up a new council: its slug comes from the Council sheet (or `council_slug`
    when given), and a council that already has it is refused.
    """
    path, temporary = _as_path(file)
    filename = filename or getattr(file, "name", "") or path.name
    try:
        # 1. Refuse hostile files before openpyxl opens them (raises WorkbookRefused).
        workbook_check(path, filename)
        # 2. Parse outside the transaction: SQLite's IMMEDIATE mode would hold the write lock.
        read = workbook_read(path)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    result = ImportResult(council_slug=council_slug or "", dry_run=dry_run)
    result.errors.extend(read.errors)
    result.notes.extend(read.notes)
    if read.version_refused:
        return result  # a format this code does not know: its sheets may mean something else
    result.examples_skipped = len(read.examples)
    if create:
        council_slug = _new_council_slug(read, result, council_slug)
        if council_slug is None:
            return result
        result.council_slug = council_slug
    if result.errors.hidden:
        # Past the problems listed the reader only counted them, so which rows are bad is not
        # known and the plan (which skips bad rows) cannot run: those listed come first.
        return result
    # 3. Plan every sheet against the database, collecting every error; 4. write every row
    #    through its service. A dry run writes too, so the preview meets every refusal the
    #    import would (roles, locks, narratives), then rolls back; without a user to act as
    #    (the command's --dry-run without --user) it checks the workbook only.
    with transaction.atomic():
        plan = _Plan(read, council_slug, by, result, expected)
        plan.filename = Path(filename).name
        plan.stamping = dry_run or expected is not None
        plan.run()
        if not result.errors and (by is not None or not dry_run):
            with audit_via(f"via workbook {Path(filename).name}"):
                plan.write()
        if result.errors or dry_run:
            transaction.set_rollback(True)
            return result
        result.applied = True
        audit_record(
            action="workbook_import",
            user=by,
            council=plan.council,
            after={"sheets": {s.name: [s.created, s.changed, s.unchanged] for s in result.sheets}},
        )
    return result


NOTHING_BUT_EXAMPLES = (
    "The workbook holds no rows apart from its example rows: nothing was created. Fill in at "
    "least the Council sheet (and the Agreement and Rounds sheets for a first return)."
)
NEW_COUNCIL_NEEDS_A_ROW = "to create a council, give its name (and slug) on the Council sheet"
SLUG_TAKEN = (
    "a council with the slug '{slug}' already exists: import into it from its own workbook "
    "page, or give the new council another slug"
)
BAD_SLUG = "must be lower-case letters, numbers and hyphens only, such as 'new-council'"


def _new_council_slug(read, result: ImportResult, given: str | None) -> str | None:
    """The slug of the council a set-up workbook creates, or None with the reason recorded."""
    rows = read.sheets.get(fmt.COUNCIL.name, [])
    if not rows:
        if not any(read.sheets.values()) and not read.grid_rows:
            result.notes.append(NOTHING_BUT_EXAMPLES)
        else:
            result.errors.append(CellError(fmt.COUNCIL.name, None, "", NEW_COUNCIL_NEEDS_A_ROW))
        return None
    row = rows[0]
    slug = given or row.values.get("slug") or slugify(row.values.get("name") or "")
    column = row.letters.get("slug") or row.letters.get("name", "")
    if not slug or slugify(slug) != slug:
        result.errors.append(CellError(fmt.COUNCIL.name, row.number, column, BAD_SLUG))
        return None
    if LocalAuthority.objects.filter(slug=slug).exists():
        result.errors.append(
            CellError(fmt.COUNCIL.name, row.number, column, SLUG_TAKEN.format(slug=slug))
        )
        return None
    return slug


class _Plan(Refs):
    """Walks the sheets in dependency order, building one Table per model."""

    def __init__(self, read, slug, by, result: ImportResult, expected: dict | None = None):
        super().__init__(read, result, expected)
        self.slug = slug
        self.by = by
        self.council = None
        self.tables: dict[type, Table] = {}
        self.values = None
        # Headline lists the import replaces: (overview, kind, texts, seen, first row).
        self.headline_lists: list[tuple] = []
        # Returns submitted before svmonitor: (round, submitted on, sign-offs, row), frozen
        # once every row of the workbook is written.
        self.imported_rounds: list[tuple] = []
        self.filename = ""

    def table(self, model) -> Table:
        """The Table for a model, created on first use."""
        if model not in self.tables:
            self.tables[model] = Table(self, model)
        return self.tables[model]

    def run(self) -> None:
        """Plan the whole workbook."""
        if not self.plan_council():
            return
        self.plan_rag_definitions()
        self.plan_key_contacts()
        self.plan_agreements()
        self.plan_agreement_children()
        self.plan_rounds()
        self.plan_conditions()
        self.plan_programme()
        self.plan_risks()
        self.plan_measures()
        self.plan_headline_cards()
        self.plan_updates()
        self.plan_overviews()
        self.plan_headlines()
        self.values = plan_values(self)
        self.plan_finance()
        dsg_text_plan(self)  # issue 19: the DSG plan's texts, governance and workstream log
        self.dsg_finance = dsg_sheet_plan(self)
        self.dsg_cyp = cyp_sheets_plan(self)
        self.result.sheets = [
            s for s in self.summaries.values() if s.created + s.changed + s.unchanged
        ]

    # -- council and its reference tables -------------------------------------------------

    def plan_council(self) -> bool:
        spec, summary = fmt.COUNCIL, self.summary(fmt.COUNCIL)
        rows = self.rows(spec)
        row = rows[0] if rows else None
        for extra in rows[1:]:
            self.error(spec.name, extra, "name", "the Council sheet has one row only")
        table = self.table(LocalAuthority)
        existing = LocalAuthority.objects.select_for_update().filter(slug=self.slug).first()
        if row is not None and row.values.get("slug") and row.values["slug"] != self.slug:
            self.error(
                spec.name,
                row,
                "slug",
                f"the workbook is for '{row.values['slug']}', not '{self.slug}'",
            )
        if existing is None:
            if row is None or not row.values.get("name"):
                self.error(
                    spec.name,
                    None,
                    "",
                    f"council '{self.slug}' does not exist: the "
                    "Council sheet must give its name to create it",
                )
                return False
            if self.by is None or not self.by.is_superuser:
                self.error(spec.name, row, "name", NEEDS_ADMIN)
                return False
            self.result.council_created = True
        else:
            table.load([existing], lambda o: ())
        if row is not None and row.values.get("name"):
            clash = LocalAuthority.objects.filter(name=row.values["name"]).exclude(slug=self.slug)
            if clash.exists():
                self.error(spec.name, row, "name", "another council already has this name")
        if row is None:
            self.council = existing
            return True
        values = self.values_from(row, LocalAuthority, spec)
        # Key levels as stored ("Amber/Red" is amber_red), so an unchanged row plans no change;
        # a blank cell keeps what is there, like any other blank.
        if values.get("risk_key_levels"):
            values["risk_key_levels"] = risk_key_levels_normalise(values["risk_key_levels"])
        else:
            values.pop("risk_key_levels", None)
        if existing is None:
            values["slug"] = self.slug
        if self.row_ok(spec, row):
            self.council = table.upsert(summary, row, (), values, key_column="name")
        else:
            self.council = existing or LocalAuthority(slug=self.slug, name="?")
        return self.council is not None

    def _load(self, model, query, key) -> Table:
        # Read when a sheet first needs the rows: a sheet the workbook lacks costs no query.
        table = self.table(model)
        if self.council.pk is not None:
            table.load_later(query, key)
        return table

    def plan_rag_definitions(self) -> None:
        spec, summary = fmt.RAG_DEFINITIONS, self.summary(fmt.RAG_DEFINITIONS)
        table = self._load(
            RagDefinition,
            lambda: RagDefinition.objects.filter(council=self.council),
            lambda o: (o.level,),
        )
        for row in self.rows(spec):
            v = row.values
            if v.get("dfe_level") and v["dfe_level"] not in DFE_LEVELS:
                self.error(
                    spec.name, row, "dfe_level", "must be Blue, Green, Amber, Red or Not rated"
                )
                continue
            if v.get("dfe_level") == Rag.NOT_RATED and v.get("level") != Rag.NOT_RATED:
                self.error(spec.name, row, "dfe_level", RATED_NEEDS_DFE_COLOUR)
                continue
            if self.row_ok(spec, row):
                values = {"council": self.council, **self.values_from(row, RagDefinition, spec)}
                table.upsert(summary, row, (v["level"],), values, key_column="level")
        self.rag_table = table

    def plan_key_contacts(self) -> None:
        spec, summary = fmt.KEY_CONTACTS, self.summary(fmt.KEY_CONTACTS)
        table = self._load(
            KeyContact,
            lambda: KeyContact.objects.filter(council=self.council),
            lambda o: (o.role, o.job_title),
        )
        for row in self.rows(spec):
            if self.row_ok(spec, row):
                values = {"council": self.council, **self.values_from(row, KeyContact, spec)}
                key = (row.values["role"], row.values["job_title"])
                table.upsert(summary, row, key, values, key_column="job_title")

    # -- agreement ----------------------------------------------------------------------

    def plan_agreements(self) -> None:
        spec, summary = fmt.AGREEMENTS, self.summary(fmt.AGREEMENTS)
        table = self._load(
            Agreement,
            lambda: Agreement.objects.filter(council=self.council),
            lambda o: (o.date_signed,),
        )
        self.agreements = table
        # Signing order, so a revision's "supersedes" finds the agreement it replaces.
        rows = [r for r in self.rows(spec) if self.row_ok(spec, r)]
        for row in sorted(rows, key=lambda r: r.values["date_signed"]):
            v = row.values
            if v["last_financial_year"] < v["first_financial_year"]:
                self.error(spec.name, row, "last_financial_year", "is before the first year")
                continue
            negative = [k for k in ("dfe_contribution", "council_contribution") if v[k] < 0]
            if negative:
                self.error(spec.name, row, negative[0], NOT_NEGATIVE)
                continue
            values = {"council": self.council, **self.values_from(row, Agreement, spec)}
            if "supersedes" in v:
                target = table.by_key.get((v["supersedes"],)) if v["supersedes"] else None
                if v["supersedes"] and (target is None or v["supersedes"] == v["date_signed"]):
                    self.error(spec.name, row, "supersedes", "no earlier agreement signed then")
                    continue
                values["supersedes"] = target
            table.upsert(summary, row, (v["date_signed"],), values, key_column="date_signed")

    def plan_agreement_children(self) -> None:
        council = self.council
        simple = (
            (fmt.PAYMENTS, PaymentInstalment, ("due_date",)),
            (fmt.DEFICIT_CAPS, DeficitCap, ("financial_year",)),
            (fmt.TIERS, MonitoringTierChange, ("effective_from",)),
        )
        for spec, model, key_fields in simple:
            table = self._load(
                model,
                lambda m=model: m.objects.filter(agreement__council=council),
                lambda o, k=key_fields: (o.agreement_id, *(getattr(o, f) for f in k)),
            )
            self._rekey_by_parent(table, self.agreements, "agreement_id")
            summary = self.summary(spec)
            for row in self.rows(spec):
                agreement = self.agreement_of(spec, row)
                if agreement is None or not self.row_ok(spec, row):
                    continue
                values = {"agreement": agreement, **self.values_from(row, model, spec)}
                if model is PaymentInstalment and values["amount"] <= 0:
                    self.error(spec.name, row, "amount", "must be more than £0")
                    continue
                key = (id(agreement), *(row.values[f] for f in key_fields))
                table.upsert(summary, row, key, values, key_column=key_fields[0])

    def plan_rounds(self) -> None:
        spec, summary = fmt.ROUNDS, self.summary(fmt.ROUNDS)
        table = self._load(
            ReportingRound,
            # The programme workbook's Rounds sheet holds the Safety Valve return's rounds.
            lambda: ReportingRound.objects.safety_valve().filter(agreement__council=self.council),
            lambda o: (o.agreement_id, o.financial_year, o.update_number),
        )
        self._rekey_by_parent(table, self.agreements, "agreement_id")
        self.rounds = table
        for row in self.rows(spec):
            agreement = self.agreement_of(spec, row)
            if agreement is None or not self.row_ok(spec, row):
                continue
            v = row.values
            key = (id(agreement), v["financial_year"], v["update_number"])
            existing = table.by_key.get(key)
            values = {"agreement": agreement, **self.values_from(row, ReportingRound, spec)}
            # Only the lifecycle services move a status or record a submission: an import
            # creates drafts, and may name an existing round's status only as it stands. The
            # one exception is a return submitted before svmonitor, frozen after every row.
            status = values.pop("status", None)
            submitted_on = values.pop("submitted_on", None)
            imported = status == fmt.RoundStatusCell.IMPORTED
            sign_offs = _council_sign_offs(v)
            if sign_offs and not imported and not (existing and existing.is_imported):
                column = next(c for _, *cells in SIGN_OFF_CELLS for c in cells if v.get(c))
                self.error(spec.name, row, column, SIGN_OFF_ONLY_IMPORTED)
                continue
            if not self._round_status_ok(spec, row, existing, status, submitted_on, sign_offs):
                continue
            locked = self.locked(existing) if existing is not None else None
            if locked and existing.is_imported:
                locked = round_locked_message(existing)
            elif locked:
                locked = f"round {existing.fy} Update {existing.update_number} is " + locked
                locked += "; it cannot be changed by import"
            found = table.upsert(
                summary, row, key, values, locked=locked, key_column="financial_year"
            )
            if found is not None and imported and not (existing and existing.is_imported):
                self.imported_rounds.append((found, submitted_on, sign_offs, row))
                label = f"{fy_label(v['financial_year'])} Update {v['update_number']}"
                self.result.notes.append(IMPORTED_NOTE.format(label=label, day=submitted_on))

    def _round_status_ok(self, spec, row, existing, status, submitted_on, sign_offs) -> bool:
        """Whether a Rounds row's status, submission date and sign-offs may stand as given;
        each refusal is reported at its cell."""
        v = row.values
        imported = status == fmt.RoundStatusCell.IMPORTED
        if existing is not None and existing.is_imported:
            # Frozen at import: the same date and sign-offs (or blanks) are unchanged.
            label = f"{existing.fy} Update {existing.update_number}"
            fixed = IMPORTED_FIXED.format(label=label)
            if status not in (None, fmt.RoundStatusCell.IMPORTED, RoundStatus.SUBMITTED):
                self.error(spec.name, row, "status", fixed)
                return False
            if "submitted_on" in v and submitted_on not in (None, existing.submitted_on):
                self.error(spec.name, row, "submitted_on", fixed)
                return False
            given = any(c in v for _, *cells in SIGN_OFF_CELLS for c in cells)
            if given and sign_offs != _stored_sign_offs(existing):
                self.error(spec.name, row, "s151_signed_by", fixed)
                return False
            return True
        if imported:
            if existing is not None and existing.status != RoundStatus.DRAFT:
                label = f"{existing.fy} Update {existing.update_number}"
                state = RoundStatus(existing.status).label.lower().replace("dfe", "DfE")
                message = IMPORTED_ONLY_NEW.format(label=label, state=state)
                self.error(spec.name, row, "status", message)
                return False
            if submitted_on is None:
                self.error(spec.name, row, "submitted_on", IMPORTED_NEEDS_DATE)
                return False
            return True
        if existing is not None:
            if status is not None and status != existing.status:
                self.error(spec.name, row, "status", STATUS_FIXED)
                return False
            if "submitted_on" in v and submitted_on != existing.submitted_on:
                self.error(spec.name, row, "submitted_on", SUBMITTED_ON_FIXED)
                return False
            return True
        if status not in (None, RoundStatus.DRAFT):
            label = fmt.RoundStatusCell(status).label
            self.error(spec.name, row, "status", DRAFTS_ONLY.format(status=label))
            return False
        if submitted_on is not None:
            self.error(spec.name, row, "submitted_on", SUBMITTED_ON_FIXED)
            return False
        return True

    def plan_conditions(self) -> None:
        spec, summary = fmt.CONDITIONS, self.summary(fmt.CONDITIONS)
        table = self._load(
            AgreementCondition,
            lambda: AgreementCondition.objects.filter(agreement__council=self.council),
            lambda o: (o.agreement_id, o.label, o.in_force_from),
        )
        self._rekey_by_parent(table, self.agreements, "agreement_id")
        self.conditions = table
        for row in self.rows(spec):
            agreement = self.agreement_of(spec, row)
            if agreement is None or not self.row_ok(spec, row):
                continue
            v = row.values
            if v.get("in_force_to") and v["in_force_to"] < v["in_force_from"]:
                self.error(spec.name, row, "in_force_to", "is before 'In force from'")
                continue
            values = {"agreement": agreement, **self.values_from(row, AgreementCondition, spec)}
            key = (id(agreement), v["label"], v["in_force_from"])
            table.upsert(summary, row, key, values, key_column="label")

    # -- programme, risks, measures -------------------------------------------------------

    def plan_programme(self) -> None:
        council = self.council
        areas = self._load(
            ProgrammeArea,
            lambda: ProgrammeArea.objects.filter(council=council),
            lambda o: (o.number,),
        )
        self.areas = areas
        spec, summary = fmt.AREAS, self.summary(fmt.AREAS)
        for row in self.rows(spec):
            if self.row_ok(spec, row):
                values = {"council": council, **self.values_from(row, ProgrammeArea, spec)}
                areas.upsert(summary, row, (row.values["number"],), values, key_column="number")
        workstreams = self._load(
            Workstream,
            lambda: Workstream.objects.filter(area__council=council),
            lambda o: (o.area_id, o.name),
        )
        self._rekey_by_parent(workstreams, areas, "area_id")
        self._load_m2m(workstreams, "conditions")
        self.workstreams = workstreams
        spec, summary = fmt.WORKSTREAMS, self.summary(fmt.WORKSTREAMS)
        for row in self.rows(spec):
            area = self.area_of(spec, row, "area")
            conditions = self.current_conditions(spec, row, "conditions")
            if area is None or conditions is None or not self.row_ok(spec, row):
                continue
            values = {"area": area, **self.values_from(row, Workstream, spec, skip=("conditions",))}
            m2m = {"conditions": conditions} if "conditions" in row.values else None
            key = (id(area), row.values["name"])
            workstreams.upsert(summary, row, key, values, m2m=m2m, key_column="name")
        milestones = self._load(
            Milestone,
            lambda: Milestone.objects.filter(workstream__area__council=council),
            lambda o: (o.workstream_id, o.title),
        )
        self._rekey_by_parent(milestones, workstreams, "workstream_id")
        spec, summary = fmt.MILESTONES, self.summary(fmt.MILESTONES)
        for row in self.rows(spec):
            workstream = self.workstream_of(spec, row)
            if workstream is None or not self.row_ok(spec, row):
                continue
            values = {"workstream": workstream, **self.values_from(row, Milestone, spec)}
            complete = values.get("status") == Milestone.Status.COMPLETE
            if complete != bool(values.get("completed_on")):
                self.error(
                    spec.name,
                    row,
                    "completed_on",
                    "give a completion date exactly when the status is Complete",
                )
                continue
            key = (id(workstream), row.values["title"])
            milestones.upsert(summary, row, key, values, key_column="title")
        self._plan_workstream_savings(workstreams)

    def _plan_workstream_savings(self, workstreams) -> None:
        # Issue 18.3: a workstream's expected saving per year; the service checks the year and
        # the amount, and a refusal names its row and column.
        savings = self._load(
            WorkstreamSaving,
            lambda: WorkstreamSaving.objects.filter(workstream__area__council=self.council),
            lambda o: (o.workstream_id, o.financial_year),
        )
        self._rekey_by_parent(savings, workstreams, "workstream_id")
        spec, summary = fmt.WORKSTREAM_SAVINGS, self.summary(fmt.WORKSTREAM_SAVINGS)
        for row in self.rows(spec):
            workstream = self.workstream_of(spec, row)
            if workstream is None or not self.row_ok(spec, row):
                continue
            values = {"workstream": workstream, **self.values_from(row, WorkstreamSaving, spec)}
            key = (id(workstream), row.values["financial_year"])
            savings.upsert(summary, row, key, values, key_column="saving")

    def plan_risks(self) -> None:
        spec, summary = fmt.RISKS, self.summary(fmt.RISKS)
        table = self._load(
            Risk, lambda: Risk.objects.filter(council=self.council), lambda o: (o.number,)
        )
        self.risks = table
        for row in self.rows(spec):
            if self.row_ok(spec, row):
                values = {"council": self.council, **self.values_from(row, Risk, spec)}
                table.upsert(summary, row, (row.values["number"],), values, key_column="number")

    def plan_measures(self) -> None:
        council = self.council
        sources = self._load(
            DataSource, lambda: DataSource.objects.filter(council=council), lambda o: (o.name,)
        )
        self.sources = sources
        spec, summary = fmt.DATA_SOURCES, self.summary(fmt.DATA_SOURCES)
        for row in self.rows(spec):
            if self.row_ok(spec, row):
                values = {"council": council, **self.values_from(row, DataSource, spec)}
                sources.upsert(summary, row, (row.values["name"],), values, key_column="name")
        series = self._load(
            Series, lambda: Series.objects.filter(council=council), lambda o: (o.slug,)
        )
        self.series = series
        spec, summary = fmt.SERIES, self.summary(fmt.SERIES)
        for row in self.rows(spec):
            if self.row_ok(spec, row):
                values = {"council": council, **self.values_from(row, Series, spec)}
                series.upsert(summary, row, (row.values["slug"],), values, key_column="slug")
        actual = [s for s in series.all() if s.kind == Series.Kind.ACTUAL]
        if len(actual) > 1:
            self.error(spec.name, None, "'Kind'", "only one series may be of kind Actual")
        measures = self._load(
            Measure,
            lambda: Measure.objects.filter(council=council),
            lambda o: (o.code,),
        )
        self._load_m2m(measures, "conditions")

        def sources_of_stored():
            by_pk = {source.pk: source for source in sources.all() if source.pk}
            for measure in measures.by_key.values():
                if measure.pk is not None:  # no query per measure later
                    measure.data_source = by_pk[measure.data_source_id]

        measures.later(sources_of_stored)
        self.measures = measures
        spec, summary = fmt.MEASURES, self.summary(fmt.MEASURES)
        for row in self.rows(spec):
            conditions = self.current_conditions(spec, row, "conditions")
            area = (
                self.area_of(spec, row, "programme_area")
                if row.values.get("programme_area")
                else None
            )
            if conditions is None or not self.row_ok(spec, row):
                continue
            if row.values.get("programme_area") and area is None:
                continue
            values = self.values_from(row, Measure, spec, skip=("conditions", "data_source"))
            values["council"] = council
            values["data_source"] = self.source_named(row.values["data_source"], row)
            if "programme_area" in row.values:
                values["programme_area"] = area
            m2m = {"conditions": conditions} if "conditions" in row.values else None
            measures.upsert(summary, row, (row.values["code"],), values, m2m=m2m, key_column="code")

    def plan_headline_cards(self) -> None:
        spec, summary = fmt.HEADLINE_CARDS, self.summary(fmt.HEADLINE_CARDS)
        table = self._load(
            HeadlineCard,
            lambda: HeadlineCard.objects.filter(council=self.council),
            lambda o: (o.measure_id, o.comparator_id),
        )
        self._rekey_by_parents(table, (self.measures, self.series), ("measure_id", "comparator_id"))
        for row in self.rows(spec):
            v = row.values
            measure = self.measures.by_key.get((v.get("measure"),))
            series = self.series.by_key.get((v.get("comparator"),))
            if v.get("measure") and measure is None:
                self.error(spec.name, row, "measure", f"no measure {v['measure']!r}")
            if v.get("comparator") and series is None:
                self.error(spec.name, row, "comparator", f"no series {v['comparator']!r}")
            if measure is None or series is None or not self.row_ok(spec, row):
                continue
            values = self.values_from(row, HeadlineCard, spec)
            values.update(council=self.council, measure=measure, comparator=series)
            table.upsert(summary, row, (id(measure), id(series)), values, key_column="measure")

    # -- per-round updates ---------------------------------------------------------------

    def plan_updates(self) -> None:
        council = self.council
        updates = self._load(
            ConditionUpdate,
            lambda: ConditionUpdate.objects.filter(round__agreement__council=council),
            lambda o: (o.round_id, o.condition_id),
        )
        self._rekey_by_parents(
            updates, (self.rounds, self.conditions), ("round_id", "condition_id")
        )
        self._load_m2m(updates, "key_measures")
        spec, summary = fmt.CONDITION_UPDATES, self.summary(fmt.CONDITION_UPDATES)
        for row in self.rows(spec):
            round_ = self.round_of(spec, row)
            condition = self.condition_of(spec, row, round_)
            rag = self.rag_of(spec, row)
            measures = self.measures_named(spec, row, "key_measures")
            if None in (round_, condition, rag, measures) or not self.row_ok(spec, row):
                continue
            values = self.values_from(row, ConditionUpdate, spec, skip=("key_measures",))
            values.update(round=round_, condition=condition, rag=rag)
            if "rag" not in row.values:
                values.pop("rag")
            m2m = {"key_measures": measures} if "key_measures" in row.values else None
            updates.upsert(
                summary,
                row,
                (id(round_), id(condition)),
                values,
                m2m=m2m,
                locked=self.locked_update(round_),
                key_column="condition",
            )
        self._plan_workstream_updates()
        self._plan_risk_updates()

    def _plan_workstream_updates(self) -> None:
        table = self._load(
            WorkstreamUpdate,
            lambda: WorkstreamUpdate.objects.filter(round__agreement__council=self.council),
            lambda o: (o.round_id, o.workstream_id),
        )
        self._rekey_by_parents(
            table, (self.rounds, self.workstreams), ("round_id", "workstream_id")
        )
        spec, summary = fmt.WORKSTREAM_UPDATES, self.summary(fmt.WORKSTREAM_UPDATES)
        for row in self.rows(spec):
            round_ = self.round_of(spec, row)
            workstream = self.workstream_of(spec, row)
            rag = self.rag_of(spec, row)
            if None in (round_, workstream, rag) or not self.row_ok(spec, row):
                continue
            values = self.values_from(row, WorkstreamUpdate, spec)
            values.update(round=round_, workstream=workstream, rag=rag)
            if "rag" not in row.values:
                values.pop("rag")
            table.upsert(
                summary,
                row,
                (id(round_), id(workstream)),
                values,
                locked=self.locked_update(round_),
                key_column="workstream",
            )

    def _plan_risk_updates(self) -> None:
        table = self._load(
            RiskUpdate,
            lambda: RiskUpdate.objects.filter(round__agreement__council=self.council),
            lambda o: (o.round_id, o.risk_id),
        )
        self._rekey_by_parents(table, (self.rounds, self.risks), ("round_id", "risk_id"))
        spec, summary = fmt.RISK_UPDATES, self.summary(fmt.RISK_UPDATES)
        for row in self.rows(spec):
            round_ = self.round_of(spec, row)
            risk = self.risk_of(spec, row)
            rag = self.rag_of(spec, row)
            if None in (round_, risk, rag) or not self.row_ok(spec, row):
                continue
            values = self.values_from(row, RiskUpdate, spec)
            values.update(round=round_, risk=risk, rag=rag)
            if "rag" not in row.values:
                values.pop("rag")
            table.upsert(
                summary,
                row,
                (id(round_), id(risk)),
                values,
                locked=self.locked_update(round_),
                key_column="risk",
            )

    # -- a return's overview and headlines ------------------------------------------------

    def plan_overviews(self) -> None:
        table = self._load(
            RoundOverview,
            lambda: RoundOverview.objects.filter(round__agreement__council=self.council),
            lambda o: (o.round_id,),
        )
        self._rekey_by_parent(table, self.rounds, "round_id")
        self.overviews = table
        spec, summary = fmt.OVERVIEWS, self.summary(fmt.OVERVIEWS)
        for row in self.rows(spec):
            round_ = self.round_of(spec, row)
            rag = self.rag_of(spec, row, "overall_rag")
            if None in (round_, rag) or not self.row_ok(spec, row):
                continue
            values = {"round": round_, **self.values_from(row, RoundOverview, spec)}
            values["overall_rag"] = rag
            if "overall_rag" not in row.values:
                values.pop("overall_rag")
            table.upsert(
                summary,
                row,
                (id(round_),),
                values,
                locked=self.locked_update(round_),
                key_column="financial_year",
            )

    def _overview_for(self, round_, spec, row):
        """The round's overview, planned empty when the round has none yet."""
        overview = self.overviews.by_key.get((id(round_),))
        if overview is None:
            overview = RoundOverview(round=round_)
            self.overviews.by_key[(id(round_),)] = overview
            self.overviews.plan_new(overview, {"round": round_}, spec.name, row, "financial_year")
        return overview

    def plan_headlines(self) -> None:
        """Each (round, kind) the sheet lists replaces that list, through headlines_save."""
        spec, summary = fmt.HEADLINES, self.summary(fmt.HEADLINES)
        lists: dict[tuple, dict] = {}
        for row in self.rows(spec):
            round_ = self.round_of(spec, row)
            if round_ is None or not self.row_ok(spec, row):
                continue
            v = row.values
            slots = lists.setdefault((id(round_), v["kind"]), {"round": round_, "rows": {}})
            if v["position"] in slots["rows"]:
                first = slots["rows"][v["position"]].number
                self.error(spec.name, row, "position", f"duplicate row: same key as row {first}")
                continue
            slots["rows"][v["position"]] = row
        stored: dict[tuple, list[str]] = {}
        if lists and self.council.pk is not None:
            for h in (
                Headline.objects.filter(overview__round__agreement__council=self.council)
                .order_by("position")
                .values("overview__round_id", "kind", "text")
            ):
                stored.setdefault((h["overview__round_id"], h["kind"]), []).append(h["text"])
        for (_round_key, kind), found in lists.items():
            round_, rows = found["round"], found["rows"]
            ordered = [rows[n] for n in sorted(rows)]
            if sorted(rows) != list(range(1, len(rows) + 1)):
                self.error(
                    spec.name, ordered[0], "position", "positions in a list run 1, 2, 3 with no gap"
                )
                continue
            before = stored.get((round_.pk, kind), []) if round_.pk is not None else []
            texts = [row.values["text"].strip() for row in ordered]
            if texts == before:
                summary.unchanged += len(ordered)
                continue
            locked = self.locked_update(round_)
            if locked:
                self.error(spec.name, ordered[0], "text", locked)
                continue
            lines = []
            for n, row in enumerate(ordered):
                old = before[n] if n < len(before) else None
                if old is None:
                    summary.created += 1
                    line = ChangeLine(
                        spec.name, row.number, row_key(spec.name, row), NEW_ROW, "", ""
                    )
                elif old != texts[n]:
                    summary.changed += 1
                    line = ChangeLine(
                        spec.name,
                        row.number,
                        row_key(spec.name, row),
                        "Headline",
                        show(old),
                        show(texts[n]),
                    )
                else:
                    summary.unchanged += 1
                    continue
                self.result.add_change(line)
                lines.append(line)
            overview = self._overview_for(round_, spec, ordered[0])
            self.expect(spec.name, ordered[0], "text", fingerprint(before), lines, overview)
            self.headline_lists.append(
                (overview, kind, texts, headlines_fingerprint(before), ordered[0])
            )

    def plan_finance(self) -> None:
        spec, summary = fmt.FINANCE, self.summary(fmt.FINANCE)
        table = self._load(
            FinanceLine,
            lambda: FinanceLine.objects.filter(agreement__council=self.council),
            lambda o: (o.agreement_id, o.financial_year, o.scenario),
        )
        self._rekey_by_parent(table, self.agreements, "agreement_id")
        for row in self.rows(spec):
            agreement = self.agreement_of(spec, row)
            if agreement is None or not self.row_ok(spec, row):
                continue
            values = {"agreement": agreement, **self.values_from(row, FinanceLine, spec)}
            key = (id(agreement), row.values["financial_year"], row.values["scenario"])
            table.upsert(summary, row, key, values, key_column="financial_year")

    # -- write ------------------------------------------------------------------------------

    def write(self) -> None:
        """Write every planned row through its service, parents first; refusals become errors."""
        for table in self.tables.values():
            writer = WRITERS[table.model]
            for planned in table.writes:
                if _waits_for_a_refused_parent(planned):
                    continue  # its parent's refusal is already reported
                try:
                    saved = writer(planned, self.by)
                except (ValidationError, PermissionDenied, StaleEdit) as refusal:
                    self._refused(planned.sheet, planned.row, planned.key_column, refusal)
                    continue
                if planned.obj.pk is None:
                    # Children planned against this object now see its key, and it sees its
                    # parents' keys (set when they were created, after it was planned).
                    for field in saved._meta.concrete_fields:
                        if not field.generated:  # a generated column is read back by a query
                            setattr(planned.obj, field.attname, getattr(saved, field.attname))
                    planned.obj._state.adding = False
        self._write_headlines()
        self._write_values()
        dsg_text_write(self)
        dsg_sheet_write(self, self.dsg_finance)
        cyp_sheets_write(self, self.dsg_cyp)
        self._write_imported_rounds()

    def _write_imported_rounds(self) -> None:
        # Last, once every row of the workbook is in: each return submitted before svmonitor
        # is frozen as it stands, earliest first (a later one's Updates 1-3 read the earlier).
        def order(entry):
            return (entry[0].financial_year, entry[0].update_number)

        for round_, submitted_on, sign_offs, row in sorted(self.imported_rounds, key=order):
            if round_.pk is None:
                continue  # the round itself was refused (already reported)
            try:
                # A return has an overview (Not answered where the workbook gave none), as
                # one opened in svmonitor does, so the frozen record and its export match.
                if not RoundOverview.objects.filter(round=round_).exists():
                    round_overview_create(round=round_, by=self.by)
                round_record_imported(
                    round=round_,
                    by=self.by,
                    submitted_on=submitted_on,
                    file_name=self.filename,
                    sign_offs=sign_offs,
                )
            except (ValidationError, PermissionDenied) as refusal:
                self._refused(fmt.ROUNDS.name, row, "status", refusal)

    def _write_headlines(self) -> None:
        for overview, kind, texts, seen, row in self.headline_lists:
            if overview.pk is None:
                continue  # its overview or round was refused (already reported)
            try:
                headlines_save(overview=overview, kind=kind, texts=texts, seen=seen, by=self.by)
            except (ValidationError, PermissionDenied, StaleEdit) as refusal:
                self._refused(fmt.HEADLINES.name, row, "text", refusal)

    def _write_values(self) -> None:
        cells = self.values.cells
        if not cells or any(c.measure.id is None or c.series.id is None for c in cells):
            return  # nothing to store, or a measure or series was refused (already reported)
        try:
            measure_values_save_many(council=self.council, cells=cells, by=self.by)
        except FiguresRefused as refused:
            for problem in refused.problems:
                sheet, number, column = self.values.where[problem.index]
                self.result.errors.append(CellError(sheet, number, column, problem.message))
        except PermissionDenied as refusal:
            sheet, number, column = self.values.where[0]
            self.result.errors.append(CellError(sheet, number, column, str(refusal)))

    def _refused(self, sheet: str, row: Row | None, key_column: str, refusal) -> None:
        """Report a service's refusal at the row (and, for a field's rule, the column)."""
        number = row.number if row is not None else None
        letters = row.letters if row is not None else {}
        if isinstance(refusal, StaleEdit):
            messages = {key_column: [STALE]}
        elif isinstance(refusal, PermissionDenied):
            messages = {key_column: [str(refusal)]}
        elif hasattr(refusal, "error_dict"):
            messages = refusal.message_dict
        else:
            messages = {key_column: refusal.messages}
        for name, reasons in messages.items():
            column = letters.get(name, letters.get(key_column, ""))
            for reason in reasons:
                self.result.errors.append(CellError(sheet, number, column, reason))


def _council_sign_offs(values: dict) -> list[dict]:
    """A Rounds row's sign-off cells as round_record_imported takes them (blank pairs left out)."""
    found = []
    for capacity, name_key, day_key in SIGN_OFF_CELLS:
        name, day = values.get(name_key), values.get(day_key)
        if name or day:
            found.append({"capacity": capacity, "name": name or "", "signed_on": day})
    return found


def _stored_sign_offs(round_) -> list[dict]:
    """An imported round's stored sign-offs in the shape _council_sign_offs reads them."""
    return [
        {
            "capacity": entry["capacity"],
            "name": entry.get("name") or "",
            "signed_on": dt.date.fromisoformat(entry["signed_on"])
            if entry.get("signed_on")
            else None,
        }
        for entry in round_.council_sign_offs or ()
    ]


def _waits_for_a_refused_parent(planned: PlannedWrite) -> bool:
    related = [v for v in planned.values.values() if hasattr(v, "_meta")]
    for targets in (planned.m2m or {}).values():
        related.extend(targets)
    return any(obj.pk is None for obj in related)


__all__ = ["CellError", "ImportResult", "Row", "fy_label", "workbook_import"]
