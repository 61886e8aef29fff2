"""Writes for the DSG management plan's financial summary: a block's year x line grid from the
browser, many blocks at once from the workbook. Every write is all or none, each figure's version
checked where the grid was opened at one, with history; and in the same transaction the High
Needs Block's in-year position, cumulative deficit, income and transfer are written to the
Safety Valve finance lines (FinanceLine), so that the forecast is keyed once."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from finance.dsg_summary import (
    DEFAULT_LINES,
    DSG_COMPUTED_FIELDS,
    FINANCE_SCENARIO_FOR,
    HEAD_LINES,
    TAIL_LINES,
    dsg_summary_build,
)
from finance.models import FinanceLine, ForecastReview
from finance.models_dsg import DsgBlock, DsgLineKind, DsgPlanFigure, DsgPlanLine, DsgScenario
from finance.services import finance_line_fields, forecast_reviewed
from svmonitor.access import require_action
from svmonitor.audit import audit_record_many
from svmonitor.choices import FINANCE_UNIT_POUNDS, RoundOrigin, RoundStatus
from svmonitor.fy import fy_label
from svmonitor.models import Agreement, ReportingRound
from svmonitor.numbers import decimal_places, number_parse
from svmonitor.roles import Action

_MONEY_LIMIT = Decimal("1e14")
LINE_NAME_MAX = DsgPlanLine._meta.get_field("name").max_length
# A plan shows a few years of outturn before the agreement and forecasts after it.
YEARS_BEFORE, YEARS_AFTER = 5, 10
STALE = "someone else saved this figure after you opened the grid; theirs is {theirs}."


class DsgRefused(ValidationError):
    """Some figures broke the rules or were saved by someone else since the grid was opened;
    nothing was written. `problems` maps (block, scenario, line name, year) to a message that
    names them; `versions` gives each stale figure's stored version."""

    def __init__(self, problems: dict, versions: dict | None = None):
        self.problems = problems
        self.versions = versions or {}
        super().__init__(list(problems.values()))


def dsg_where(block: str, scenario: str, name: str, year: int) -> str:
    """E.g. "High needs block, Mitigated forecast, Post-16 and further education, 2025-26"."""
    return f"{DsgBlock(block).label}, {DsgScenario(scenario).label}, {name}, {fy_label(year)}"


def dsg_amount_parse(raw, unit: str | None = None) -> Decimal | None:
    """A typed figure (in £000 or £m when `unit` says so, else pounds) as pounds to the penny;
    blank is None. Raises ValidationError with the reason."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    number = number_parse(raw, field="amount", pounds=True)
    if unit is not None:
        number = number * FINANCE_UNIT_POUNDS[unit]
    if abs(number) >= _MONEY_LIMIT:
        raise ValidationError("This amount is too large to store.")
    if decimal_places(number) > 2:
        raise ValidationError("Enter pounds to the penny (at most 2 decimal places).")
    return number.quantize(Decimal("0.01"))


def _kind_for(block: str, name: str) -> str:
    for kind, default in (*HEAD_LINES, *DEFAULT_LINES[DsgBlock(block)], *TAIL_LINES):
        if default == name:
            return kind
    return DsgLineKind.EXPENDITURE


def _figure_fields(figure: DsgPlanFigure) -> dict:
    return {
        "block": figure.line.block,
        "line": figure.line.name,
        "financial_year": figure.financial_year,
        "scenario": figure.scenario,
        "amount": figure.amount,
    }


def _write(*, agreement: Agreement, entries: dict, versions: dict | None, by) -> int:
    """The one write of the plan's figures. `entries` maps (block, scenario, line name, year)
    to pounds (None: blank); `versions` the version each was opened at (0: none), or None where
    the caller checks no versions (a workbook import plans its own). Returns how many changed."""
    agreement = Agreement.objects.select_for_update().select_related("council").get(pk=agreement.pk)
    problems: dict = {}
    first = agreement.first_financial_year - YEARS_BEFORE
    last = agreement.last_financial_year + YEARS_AFTER
    # 1. Each key names a block, scenario, line and year the plan keeps.
    for key in entries:
        block, scenario, name, year = key
        if block not in DsgBlock.values or scenario not in DsgScenario.values:
            problems[key] = f"{block}, {scenario}: choose a block and a scenario from the lists."
        elif not name or len(name) > LINE_NAME_MAX:
            problems[key] = (
                f"{DsgBlock(block).label}: name the line in {LINE_NAME_MAX} characters or fewer."
            )
        elif not isinstance(year, int) or not first <= year <= last:
            problems[key] = (
                f"{DsgBlock(block).label}, {name}: choose a year from {fy_label(first)} to "
                f"{fy_label(last)}."
            )
    if problems:
        raise DsgRefused(problems)
    # 2. The lines and figures as stored, locked (the agreement's row is the lock).
    lines = {
        (line.block, line.name): line for line in DsgPlanLine.objects.filter(agreement=agreement)
    }
    stored = {
        (f.line.block, f.scenario, f.line.name, f.financial_year): f
        for f in DsgPlanFigure.objects.filter(line__agreement=agreement).select_related("line")
    }
    # 3. What changed; a figure saved by someone else since the grid opened is stale.
    stale, changes = {}, []
    for key, amount in entries.items():
        figure = stored.get(key)
        if (figure.amount if figure else None) == amount:
            continue
        if figure is None and amount is None:
            continue
        if versions is not None and (figure.version if figure else 0) != versions.get(key, 0):
            stale[key] = figure.version if figure else 0
            theirs = "blank" if figure is None or figure.amount is None else f"£{figure.amount:,}"
            problems[key] = f"{dsg_where(*key)}: {STALE.format(theirs=theirs)}"
            continue
        changes.append((key, figure, amount))
    if problems:
        raise DsgRefused(problems, stale)
    if not changes:
        return 0
    # 4. New lines (a default offered by the grid, or the council's own), then the figures.
    new_lines = []
    positions: dict[str, int] = {}
    for line in lines.values():
        positions[line.block] = max(positions.get(line.block, 0), line.position)
    for (block, _scenario, name, _year), _figure, _amount in changes:
        if (block, name) not in lines:
            positions[block] = positions.get(block, 0) + 1
            line = DsgPlanLine(
                agreement=agreement,
                block=block,
                kind=_kind_for(block, name),
                name=name,
                position=positions[block],
            )
            line.full_clean(
                exclude=["agreement"], validate_unique=False, validate_constraints=False
            )
            lines[(block, name)] = line
            new_lines.append(line)
    if new_lines:
        DsgPlanLine.objects.bulk_create(new_lines)
        audit_record_many(
            action="dsg_plan_line.create",
            user=by,
            council=agreement.council,
            entries=[
                (line, None, {"block": line.block, "kind": line.kind, "name": line.name})
                for line in new_lines
            ],
        )
    created, updated, history = [], [], []
    for (block, scenario, name, year), figure, amount in changes:
        line = lines[(block, name)]
        line.agreement = agreement
        if figure is None:
            figure = DsgPlanFigure(line=line, financial_year=year, scenario=scenario, amount=amount)
            created.append(figure)
            history.append((figure, None))
        else:
            before = _figure_fields(figure)
            figure.amount = amount
            figure.version += 1
            updated.append(figure)
            history.append((figure, before))
    DsgPlanFigure.objects.bulk_create(created)
    DsgPlanFigure.objects.bulk_update(updated, ["amount", "version"])
    audit_record_many(
        action="dsg_plan_figure.save",
        user=by,
        council=agreement.council,
        entries=[(figure, before, _figure_fields(figure)) for figure, before in history],
    )
    # 5. The Safety Valve finance lines the high needs block computes, in this transaction;
    #    and the council's draft DSG plan returns have their financial summary saved.
    if any(key[0] == DsgBlock.HIGH_NEEDS for key, _f, _a in changes):
        finance_lines_from_dsg(agreement=agreement, by=by)
    _plan_reviewed(council_id=agreement.council_id, by=by)
    return len(changes)


def _plan_reviewed(*, council_id: int, by) -> None:
    """Record that the plan was saved in each of the council's draft DSG plan returns."""
    drafts = ReportingRound.objects.filter(
        agreement__council_id=council_id,
        status=RoundStatus.DRAFT,
        origin=RoundOrigin.RECORDED_HERE,
    )
    for round_id in drafts.dsg_plan().values_list("pk", flat=True):
        ForecastReview.objects.update_or_create(
            round_id=round_id,
            defaults={
                "how": ForecastReview.How.SAVED,
                "reviewed_by": by,
                "reviewed_at": timezone.now(),
            },
        )


def finance_lines_from_dsg(*, agreement: Agreement, by) -> int:
    """Write the high needs block's computed figures to the agreement's FinanceLine rows (actual,
    latest, unmitigated), with history, where they differ; returns how many lines changed. Called
    inside the saving service's transaction (four queries and the writes, however many years)."""
    summary = dsg_summary_build(agreement=agreement)
    existing = {}
    for line in FinanceLine.objects.select_for_update().filter(agreement=agreement):
        line.agreement = agreement  # its council is loaded: the history names it
        existing[(line.financial_year, line.scenario)] = line
    created, updated = [], []
    for scenario, finance_scenario in FINANCE_SCENARIO_FOR.items():
        for year in summary.years:
            d = summary.derived.get((DsgBlock.HIGH_NEEDS, scenario, year))
            if d is None:
                continue
            target = {
                "in_year_position": d.in_year,
                "cumulative_deficit": -d.carried_forward,
            }
            if d.allocation is not None:
                target["hnb_income"] = d.allocation
            if d.transfers is not None:
                target["schools_block_transfer"] = d.transfers
            line = existing.get((year, finance_scenario))
            if line is None:
                line = FinanceLine(
                    agreement=agreement,
                    financial_year=year,
                    scenario=finance_scenario,
                    reflects="DSG management plan",
                    **target,
                )
                line.full_clean(
                    exclude=["agreement"], validate_unique=False, validate_constraints=False
                )
                created.append(line)
                continue
            if all(getattr(line, name) == value for name, value in target.items()):
                continue
            before = finance_line_fields(line)
            for name, value in target.items():
                setattr(line, name, value)
            line.version += 1  # locked above, so this is the stored version plus one
            updated.append((line, before))
    if created:
        FinanceLine.objects.bulk_create(created)
        audit_record_many(
            action="finance_line.create",
            user=by,
            council=agreement.council,
            entries=[(line, None, finance_line_fields(line)) for line in created],
        )
    if updated:
        FinanceLine.objects.bulk_update(
            [line for line, _b in updated], [*DSG_COMPUTED_FIELDS, "version"]
        )
        audit_record_many(
            action="finance_line.save",
            user=by,
            council=agreement.council,
            entries=[(line, before, finance_line_fields(line)) for line, before in updated],
        )
    scenarios = {line.scenario for line in created} | {line.scenario for line, _b in updated}
    if scenarios:
        forecast_reviewed(council_id=agreement.council_id, scenarios=scenarios, by=by)
    return len(created) + len(updated)


@transaction.atomic
def dsg_plan_grid_save(
    *, agreement: Agreement, block: str, scenario: str, cells: dict, versions: dict, unit: str, by
) -> int:
    """Save one block's grid of one scenario, all or none; returns how many figures changed.

    `cells` maps (line name, year) to the figure as typed in `unit` (£000 or £m); `versions`
    maps the same keys to the version each figure was opened at (0 when it had none)."""
    # 1. The role check, and the block, scenario and unit the grid offers.
    require_action(by, agreement.council, Action.EDIT_FINANCE)
    if (
        block not in DsgBlock.values
        or scenario not in DsgScenario.values
        or unit not in FINANCE_UNIT_POUNDS
    ):
        raise ValidationError("Choose a block, a scenario and a unit from the lists.")
    # 2. Each figure in pounds; every bad one named by block, line and year.
    entries, problems = {}, {}
    for (name, year), raw in cells.items():
        key = (block, scenario, (name or "").strip(), year)
        try:
            entries[key] = dsg_amount_parse(raw, unit)
        except ValidationError as error:
            problems[key] = f"{dsg_where(*key)}: {error.messages[0]}"
    if problems:
        raise DsgRefused(problems)
    checked = {(block, scenario, name.strip(), year): v for (name, year), v in versions.items()}
    return _write(agreement=agreement, entries=entries, versions=checked, by=by)


@transaction.atomic
def dsg_plan_figures_import(*, agreement: Agreement, entries: dict, by) -> int:
    """Save many blocks' figures at once (the workbook), all or none; returns how many changed.
    `entries` maps (block, scenario, line name, year) to pounds (a Decimal, or None for blank)."""
    require_action(by, agreement.council, Action.EDIT_FINANCE)
    return _write(agreement=agreement, entries=entries, versions=None, by=by)


@transaction.atomic
def dsg_plan_figure_save(
    *, line: DsgPlanLine, financial_year: int, scenario: str, amount, expected_version: int, by
) -> DsgPlanFigure:
    """Save one figure of a plan line (the admin's door), under the same rules and version
    check as the grid; returns the figure as stored."""
    line = DsgPlanLine.objects.select_related("agreement__council").get(pk=line.pk)
    require_action(by, line.agreement.council, Action.EDIT_FINANCE)
    key = (line.block, scenario, line.name, financial_year)
    try:
        value = dsg_amount_parse(amount)
    except ValidationError as error:
        raise ValidationError({"amount": error.messages}) from error
    _write(agreement=line.agreement, entries={key: value}, versions={key: expected_version}, by=by)
    return DsgPlanFigure.objects.get(line=line, financial_year=financial_year, scenario=scenario)
