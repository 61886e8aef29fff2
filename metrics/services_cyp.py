"""The one door in for the DSG plan's children and young people tables, a council's statistical
neighbours and DfE's published EHC plan figures (SEN2): the browser, the workbook import, the
admin and `manage.py load_sen2` all save through these."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from metrics.cyp_lists import AGE_GROUPS, NEEDS, PLACEMENTS
from metrics.models import (
    CypAgeGroup,
    CypFigure,
    CypNeed,
    CypPlacement,
    CypYear,
    Sen2Figure,
    StatisticalNeighbour,
)
from metrics.selectors_cyp import (
    AGE,
    NEED,
    census_label,
    cyp_lists,
    neighbours_fingerprint,
    sen2_areas,
    statistical_neighbours_of,
)
from metrics.sen2 import Sen2File
from svmonitor.access import require_action
from svmonitor.audit import audit_record, audit_record_many
from svmonitor.roles import Action

FIRST_CENSUS = 2010
LAST_CENSUS = 2060
MAX_COUNT = 1_000_000
MAX_NEIGHBOURS = 20
CYP_STALE = (
    "Someone else saved this figure after you opened the grid. Their figure is now in the box; "
    "check it and save again."
)
BASIS_STALE = (
    "Someone else changed whether this year is actual or projected after you opened the grid. "
    "Check the choice and save again."
)
NEIGHBOURS_STALE = (
    "Someone else changed the statistical neighbours after you opened this page. The list now "
    "shows theirs; make your change again."
)
BASIS_KEY = ("", "basis")


class CypRefused(ValidationError):
    """Some boxes of a CYP grid broke the rules or were saved by someone else since the grid was
    opened; nothing was written. `problems` maps (placement code, age or need code) to why, each
    naming the placement, the age group or need and the census year; `versions` gives each
    stale box's stored version."""

    def __init__(self, problems: dict, versions: dict | None = None):
        self.problems = problems
        self.versions = versions or {}
        super().__init__(list(problems.values()))


def cyp_count_read(raw) -> int | None:
    """A typed count: None for an empty box; a whole number 0 or more (commas allowed); else
    ValueError with the words to show."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError("Enter a whole number, 0 or more.")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(f"Enter a whole number, 0 or more (not {raw:g}).")
        value = int(raw)
    else:
        text = str(raw).strip().replace(",", "").replace(" ", "")
        if text == "":
            return None
        if text.endswith(".0"):
            text = text[:-2]
        if not text.lstrip("-").isdigit():
            raise ValueError(f'Enter a whole number, 0 or more (not "{str(raw).strip()}").')
        value = int(text)
    if value < 0:
        raise ValueError("Enter a whole number, 0 or more (not a negative number).")
    if value > MAX_COUNT:
        raise ValueError(f"Enter a number up to {MAX_COUNT:,}.")
    return value


def cyp_year_check(census_year) -> int:
    """A census year the tables can hold, or ValidationError."""
    if not isinstance(census_year, int) or not FIRST_CENSUS <= census_year <= LAST_CENSUS:
        raise ValidationError(
            f"Choose a census year from {FIRST_CENSUS} to {LAST_CENSUS} (the January of it)."
        )
    return census_year


@transaction.atomic
def cyp_table_save(
    *,
    council,
    census_year: int,
    table: str,
    cells: dict,
    by,
    basis: str | None = None,
    versions: dict | None = None,
    year_version: int | None = None,
    lists=None,
) -> int:
    """Save one census year's table by age group (`table` "age") or by primary need ("need")
    all or none; returns how many boxes changed.

    `cells` maps (placement code, age group or need code) to the count as typed (an empty box
    removes a stored figure). `versions` maps the same keys to the version each box was opened
    with (0: none stored); None (the workbook import) saves over whatever is stored. `basis`
    says whether the year is actual or a projection (None keeps it; a new year is actual);
    `year_version` is the year's version the grid was opened with.
    """
    require_action(by, council, Action.EDIT)
    cyp_year_check(census_year)
    if table not in (AGE, NEED):
        raise ValidationError("Choose the table by age group or by primary need.")
    if basis is not None and basis not in CypYear.Basis.values:
        raise ValidationError("Choose whether the year's figures are actual or a projection.")
    lists = lists or cyp_lists()
    placements = {p.code: p for p in lists.placements}
    columns = {c.code: c for c in lists.columns(table)}
    year_label = census_label(census_year)
    noun = "age group" if table == AGE else "primary need"
    problems: dict = {}
    values: dict = {}
    for key, raw in cells.items():
        placement_code, column_code = key
        placement, column = placements.get(placement_code), columns.get(column_code)
        if placement is None or column is None:
            what = "placement" if placement is None else noun
            problems[key] = (
                f"{placement_code or '(blank)'}, {column_code or '(blank)'}, {year_label}: "
                f"there is no such {what} in DfE's template."
            )
            continue
        try:
            values[key] = cyp_count_read(raw)
        except ValueError as error:
            problems[key] = f"{placement.name}, {column.name}, {year_label}: {error}"
    if problems:
        raise CypRefused(problems)
    # The year, locked: whoever saves second waits, then meets the first one's versions.
    year = (
        CypYear.objects.select_for_update()
        .filter(council_id=council.pk, census_year=census_year)
        .first()
    )
    stale: dict = {}
    if (
        year is not None
        and basis is not None
        and basis != year.basis
        and year_version is not None
        and year_version != year.version
    ):
        problems[BASIS_KEY] = f"{year_label}: {BASIS_STALE}"
        stale[BASIS_KEY] = year.version
    column_field = "age_group" if table == AGE else "need"
    stored = {}
    if year is not None:
        for row in CypFigure.objects.filter(
            year=year, **{f"{column_field}__isnull": False}
        ).select_related("placement", column_field):
            stored[(row.placement.code, getattr(row, column_field).code)] = row
    writes = []
    for key, count in values.items():
        row = stored.get(key)
        if (row.count if row else None) == count:
            continue
        if versions is not None and (row.version if row else 0) != versions.get(key, 0):
            stale[key] = row.version if row else 0
            p, c = placements[key[0]], columns[key[1]]
            problems[key] = f"{p.name}, {c.name}, {year_label}: {CYP_STALE}"
            continue
        writes.append((key, row, count))
    if problems:
        raise CypRefused(problems, stale)
    # The year's row, and its basis.
    if year is None:
        if not writes:
            return 0
        year = CypYear.objects.create(
            council=council, census_year=census_year, basis=basis or CypYear.Basis.ACTUAL
        )
        audit_record(
            action="cyp_year.create",
            user=by,
            obj=year,
            council=council,
            after={"census_year": census_year, "basis": year.basis},
        )
    elif basis is not None and basis != year.basis:
        before = year.basis
        CypYear.objects.filter(pk=year.pk).update(basis=basis, version=F("version") + 1)
        audit_record(
            action="cyp_year.save",
            user=by,
            obj=year,
            council=council,
            before={"census_year": census_year, "basis": before},
            after={"census_year": census_year, "basis": basis},
        )
        year.basis = basis
    created, updated, deleted = [], [], []
    for (placement_code, column_code), row, count in writes:
        where = {"census_year": census_year, "placement": placement_code, column_field: column_code}
        if row is None:
            new = CypFigure(
                year=year,
                placement=placements[placement_code],
                count=count,
                **{column_field: columns[column_code]},
            )
            created.append((new, where))
        elif count is None:
            deleted.append((row, {**where, "count": row.count}, None))
        else:
            updated.append((row, {**where, "count": row.count}, {**where, "count": count}))
            row.count = count
            row.version += 1
    if created:
        CypFigure.objects.bulk_create([new for new, _ in created])
        audit_record_many(
            action="cyp_figure.create",
            user=by,
            council=council,
            entries=[(new, None, {**where, "count": new.count}) for new, where in created],
        )
    if updated:
        CypFigure.objects.bulk_update([row for row, _, _ in updated], ["count", "version"])
        audit_record_many(action="cyp_figure.save", user=by, council=council, entries=updated)
    if deleted:
        audit_record_many(action="cyp_figure.delete", user=by, council=council, entries=deleted)
        CypFigure.objects.filter(pk__in=[row.pk for row, _, _ in deleted]).delete()
    return len(writes)


@transaction.atomic
def cyp_year_delete(*, council, census_year: int, by) -> int:
    """Remove a census year and every figure in it; returns how many figures went."""
    require_action(by, council, Action.EDIT)
    year = (
        CypYear.objects.select_for_update()
        .filter(council_id=council.pk, census_year=census_year)
        .first()
    )
    if year is None:
        return 0
    count = year.figures.count()
    audit_record(
        action="cyp_year.delete",
        user=by,
        obj=year,
        council=council,
        before={"census_year": census_year, "basis": year.basis, "figures": count},
    )
    year.delete()
    return count


def cyp_year_upsert(*, council, by, year: CypYear | None = None, **fields) -> CypYear:
    """The admin's door to a census year's row: its year and basis (figures are saved through
    cyp_table_save)."""
    require_action(by, council, Action.EDIT)
    census_year = cyp_year_check(fields.get("census_year", year.census_year if year else None))
    basis = fields.get("basis", year.basis if year else CypYear.Basis.ACTUAL)
    if basis not in CypYear.Basis.values:
        raise ValidationError({"basis": "Choose actual or projection."})
    with transaction.atomic():
        if year is None:
            year = CypYear(council=council, census_year=census_year, basis=basis)
            year.full_clean()
            year.save()
            audit_record(
                action="cyp_year.create",
                user=by,
                obj=year,
                council=council,
                after={"census_year": census_year, "basis": basis},
            )
            return year
        before = {"census_year": year.census_year, "basis": year.basis}
        year.census_year, year.basis = census_year, basis
        year.version += 1
        year.full_clean()
        year.save()
        audit_record(
            action="cyp_year.save",
            user=by,
            obj=year,
            council=council,
            before=before,
            after={"census_year": census_year, "basis": basis},
        )
        return year


# --- Statistical neighbours ------------------------------------------------------------------


@transaction.atomic
def statistical_neighbours_set(*, council, entries: list[str], by, expected: str | None = None):
    """Replace the council's statistical neighbours with the local authorities named in
    `entries` (one ONS code or name each, as the loaded SEN2 figures give them); the programme
    lead's choice. `expected` is the list's fingerprint as the page had it. Returns the list."""
    require_action(by, council, Action.SUBMIT)
    known = sen2_areas()
    by_code = {code.upper(): (code, name) for code, name in known}
    by_name = {name.strip().lower(): (code, name) for code, name in known}
    chosen, problems = [], []
    for number, entry in enumerate(entries, start=1):
        text = entry.strip()
        if not text:
            continue
        found = by_code.get(text.upper()) or by_name.get(text.lower())
        if found is None:
            problems.append(
                f'Line {number}: "{text}" is not a local authority in the SEN2 figures loaded '
                "(write its name or ONS code as DfE's file has it)."
            )
        elif found[0] in (council.ons_code, "") or found[1] == council.name:
            problems.append(f"Line {number}: a council is not its own statistical neighbour.")
        elif found[0] not in [c for c, _ in chosen]:
            chosen.append(found)
    if len(chosen) > MAX_NEIGHBOURS:
        problems.append(f"Choose up to {MAX_NEIGHBOURS} statistical neighbours.")
    if problems:
        raise ValidationError(problems)
    stored = list(StatisticalNeighbour.objects.select_for_update().filter(council_id=council.pk))
    if expected is not None and expected != neighbours_fingerprint(stored):
        raise ValidationError(NEIGHBOURS_STALE, code="stale")
    before = [n.area_code for n in stored]
    if before == [code for code, _ in chosen]:
        return stored
    StatisticalNeighbour.objects.filter(council_id=council.pk).delete()
    StatisticalNeighbour.objects.bulk_create(
        StatisticalNeighbour(council=council, area_code=code, name=name, order=order)
        for order, (code, name) in enumerate(chosen, start=1)
    )
    audit_record(
        action="statistical_neighbours.save",
        user=by,
        council=council,
        obj=council,
        before={"neighbours": [f"{n.area_code} {n.name}" for n in stored]},
        after={"neighbours": [f"{code} {name}" for code, name in chosen]},
    )
    return statistical_neighbours_of(council)


# --- DfE's published figures -----------------------------------------------------------------


@transaction.atomic
def sen2_load(
    *, parsed: Sen2File, source: str, by=None, illustrative: bool = False
) -> dict[str, int]:
    """Load one parsed SEN2 file all or none: for each census year it holds, its figures (EHC
    plans, new plans or population, whichever the file gives) replace the stored ones of that
    year; an area the file leaves out loses that figure for the year. Re-loading a file changes
    nothing. National open data, not one council's: only a site administrator (or the shell,
    `by` None) loads it. Returns counts of areas created, changed and removed."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied("Only a site administrator loads DfE's published figures.")
    if parsed.errors:
        raise ValidationError(parsed.errors)
    fields = list(parsed.fields)
    years = {row.census_year for row in parsed.rows}
    stored = {
        (row.area_code, row.census_year): row
        for row in Sen2Figure.objects.select_for_update().filter(census_year__in=years)
    }
    now = timezone.now()
    created, changed, seen = [], [], set()
    for row in parsed.rows:
        key = (row.area_code, row.census_year)
        seen.add(key)
        figure = stored.get(key)
        if figure is None:
            created.append(
                Sen2Figure(
                    level=row.level,
                    area_code=row.area_code,
                    old_la_code=row.old_la_code,
                    name=row.name,
                    census_year=row.census_year,
                    illustrative=illustrative,
                    source=source[:200],
                    loaded_at=now,
                    **{f: row.values.get(f) for f in fields},
                )
            )
            continue
        new = {
            "level": row.level,
            "old_la_code": row.old_la_code,
            "name": row.name,
            "illustrative": illustrative,
            **{f: row.values.get(f) for f in fields},
        }
        if any(getattr(figure, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(figure, k, v)
            figure.source, figure.loaded_at = source[:200], now
            changed.append(figure)
    removed = []
    for key, figure in stored.items():
        if key in seen or all(getattr(figure, f) is None for f in fields):
            continue
        for f in fields:
            setattr(figure, f, None)
        figure.source, figure.loaded_at = source[:200], now
        changed.append(figure)
    Sen2Figure.objects.bulk_create(created)
    if changed:
        Sen2Figure.objects.bulk_update(
            changed,
            ["level", "old_la_code", "name", "illustrative", "source", "loaded_at", *fields],
        )
        empty = [
            f.pk
            for f in changed
            if f.ehc_plans is None and f.new_plans is None and f.population_0_25 is None
        ]
        removed = Sen2Figure.objects.filter(pk__in=empty)
        removed_count = removed.count()
        removed.delete()
    else:
        removed_count = 0
    counts = {
        "created": len(created),
        "changed": len(changed) - removed_count,
        "removed": removed_count,
    }
    audit_record(
        action="sen2.load",
        user=by,
        username="" if by is not None else "manage.py load_sen2",
        after={
            "source": source,
            "years": sorted(years),
            "fields": fields,
            "illustrative": illustrative,
            **counts,
        },
    )
    return counts


def cyp_categories_seed() -> int:
    """Put DfE's CYP categories in place where any is missing (as the data migration does: a
    database emptied by a test, a fresh demo); a name a site administrator corrected stays.
    Returns how many were added."""
    added = 0
    for model, rows in ((CypPlacement, PLACEMENTS), (CypAgeGroup, AGE_GROUPS), (CypNeed, NEEDS)):
        have = set(model.objects.values_list("code", flat=True))
        missing = [
            model(code=code, name=name, order=order)
            for order, (code, name) in enumerate(rows, start=1)
            if code not in have
        ]
        model.objects.bulk_create(missing)
        added += len(missing)
    return added


@transaction.atomic
def cyp_column_save(*, council, table: str, column_code: str, cells: dict, by, versions=None):
    """Save one age group's (or need's) figures for every census year at once, all or none:
    `cells` maps (census year, placement code) to the count as typed, `versions` the same keys
    to the version each box was opened with. Each year goes through cyp_table_save; a refusal
    in any year refuses them all (CypRefused keyed by (year, placement code)). Returns how many
    boxes changed."""
    by_year: dict[int, dict] = {}
    for (year, placement), raw in cells.items():
        by_year.setdefault(year, {})[(placement, column_code)] = raw
    problems, stale, changed = {}, {}, 0
    lists = cyp_lists()
    for year, year_cells in sorted(by_year.items()):
        year_versions = None
        if versions is not None:
            year_versions = {(p, c): versions.get((year, p), 0) for p, c in year_cells}
        try:
            changed += cyp_table_save(
                council=council,
                census_year=year,
                table=table,
                cells=year_cells,
                versions=year_versions,
                by=by,
                lists=lists,
            )
        except CypRefused as refused:
            for (placement, _column), message in refused.problems.items():
                problems[(year, placement)] = message
            for (placement, _column), version in refused.versions.items():
                stale[(year, placement)] = version
    if problems:
        raise CypRefused(problems, stale)
    return changed
