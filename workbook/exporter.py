"""Export a council's data as the workbook format (also the downloadable template)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from conditions.mitigation import NOT_ATTRIBUTED, mitigation_build
from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    MilestoneUpdate,
    ProgrammeArea,
    Workstream,
    WorkstreamSaving,
    WorkstreamUpdate,
)
from conditions.selectors import savings_agreement_for
from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from metrics.models import DataSource, HeadlineCard, Measure, MeasureValue, Series
from metrics.periods import NOT_AVAILABLE, PeriodKind, period_label
from metrics.selectors import figures_left_out, measure_span_for
from overview.models import Headline, RoundOverview
from overview.services import OVERVIEW_FIELDS
from risks.models import Risk, RiskUpdate
from svmonitor.choices import KpiGrouping, Rag, RoundOrigin, YesNo
from svmonitor.fy import fy_label
from svmonitor.models import (
    Agreement,
    KeyContact,
    LocalAuthority,
    MonitoringTierChange,
    RagDefinition,
    ReportingRound,
)
from svmonitor.sections import round_freezer
from workbook import dsg_cyp, dsg_finance
from workbook import format as fmt
from workbook.dsg_text import dsg_text_sheets
from workbook.refs import condition_pick
from workbook.template import workbook_template
from workbook.writer import SheetWriter

ABOUT = (
    ("svmonitor workbook", "format version " + fmt.FORMAT_VERSION),
    ("What this is", "A council's Safety Valve data; edit it and import it again."),
    ("Format", "docs/import-formats.md describes every sheet and column."),
    ("Import", "Rows are matched on their key columns; import never deletes rows."),
    ("Dates", "Dates are dates; periods are months (first of the month, or Apr-24 headers)."),
)


def month_label(day: dt.date) -> str:
    """A grid header: 2024-04-01 -> "Apr-24"."""
    return day.strftime("%b-%y")


class _Labels:
    """Display values for choices and RAG levels, in the council's own RAG wording."""

    def __init__(self, council):
        self.rag = {d.level: d.label for d in RagDefinition.objects.filter(council=council)}

    def rag_label(self, level: str) -> str:
        return self.rag.get(level) or Rag(level).label


def _choice(choices, value) -> str:
    return str(choices(value).label) if value else ""


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _yes_no_blank(value: bool | None) -> str | None:
    """Yes, No, or blank for a choice left to its default."""
    return None if value is None else _yes_no(value)


def _round_cols(round_) -> list:
    return [round_.agreement.date_signed, fy_label(round_.financial_year), round_.update_number]


def workbook_export(*, council: LocalAuthority | None, template: bool = False, user=None) -> bytes:
    """The council's workbook as .xlsx bytes; template=True gives the blank template instead
    (workbook/template.py: no council's data, one example row a sheet). Given a user, only the
    returns they may read (a DfE adviser: submitted ones, unless the council shares drafts)."""
    if template:
        return workbook_template(about=ABOUT)
    writer = SheetWriter()
    notes: list[str] = []
    sheets = _data_rows(council, notes, user)
    about = [*ABOUT, *_imported_rounds_about(council), *(("Left out", note) for note in notes)]
    writer.sheet(fmt.ABOUT_SHEET, ["Item", "Value"], about, widths=[24, 80])
    for spec in fmt.SHEETS:
        headers, rows = sheets.get(spec.name, ([c.header for c in spec.columns], []))
        writer.sheet(spec.name, headers, rows)
    writer.sheet(dsg_finance.SHEET, [dsg_finance.INTRO], dsg_finance.dsg_sheet_rows(council))
    for table, sheet in dsg_cyp.SHEETS.items():
        writer.sheet(sheet, [dsg_cyp.INTROS[table]], dsg_cyp.cyp_sheet_rows(council, table))
    return writer.to_bytes()


def _imported_rounds_about(council) -> list[tuple[str, str]]:
    """One About line per return submitted before svmonitor: where its record came from."""
    rounds = (
        ReportingRound.objects.safety_valve()
        .filter(agreement__council=council, origin=RoundOrigin.IMPORTED)
        .order_by("financial_year", "update_number", "agreement__date_signed")
    )
    return [(r.label, f"{r.origin_label}. Sign-off {_sign_off_words(r)}.") for r in rounds]


def _sign_off_words(round_) -> str:
    """How an imported return's sign-off stands: the council's record, or none in svmonitor."""
    if not round_.council_sign_offs:
        return "not recorded in svmonitor"
    labels = {"s151": "S151 officer", "dcs": "DCS"}
    parts = []
    for entry in round_.council_sign_offs:
        day = entry.get("signed_on")
        when = f" on {dt.date.fromisoformat(day):%-d %B %Y}" if day else ""
        who = f" {entry['name']}" if entry.get("name") else ""
        parts.append(f"{labels.get(entry['capacity'], entry['capacity'])}{who}{when}")
    return "as recorded by the council: " + "; ".join(parts)


def _headers(spec) -> list[str]:
    return [c.header for c in spec.columns]


def _council_row(council) -> list:
    return [
        council.name,
        council.slug,
        council.dfe_la_number,
        council.ons_code,
        council.risk_score_threshold,
        KpiGrouping(council.kpi_grouping).label,
        council.get_risk_register_display(),
        ", ".join(Rag(level).label for level in council.risk_key_level_list),
        council.get_kpi_table_layout_display(),
        council.kpi_table_months,
        council.narrative_max,
        council.stock_flow_gap_percent,
        _yes_no(council.drafts_shared_with_dfe),
    ]


def _readable(rounds, user):
    """The rounds the user may read (all of them when no user is given: a command's export)."""
    return rounds if user is None else rounds.readable_by(user)


def _data_rows(council, notes: list[str], user=None) -> dict:
    labels = _Labels(council)
    sheets = {
        spec.name: (_headers(spec), rows) for spec, rows in _simple_rows(council, labels, user)
    }
    grid, long_rows, rolling = _value_rows(council, notes)
    sheets[fmt.GRID.name] = grid
    sheets[fmt.VALUES_LONG.name] = (_headers(fmt.VALUES_LONG), long_rows)
    sheets[fmt.ROLLING.name] = rolling
    sheets[fmt.MITIGATION.name] = (_headers(fmt.MITIGATION), _mitigation_rows(council))
    rounds = _readable(ReportingRound.objects.filter(agreement__council=council), user)
    sheets.update(dsg_text_sheets(council, rounds))  # issue 19
    return sheets


def _mitigation_rows(council) -> list[list]:
    """Issue 18.3, read-only: by year, the unmitigated forecast, each workstream's saving
    (stacking order), what no workstream accounts for, the mitigated forecast and the actual,
    worked out as the dashboard works it (conditions.mitigation); in pounds, a deficit negative.
    The agreement in force's finance lines, as on the finance page."""
    agreement = savings_agreement_for(council)
    if agreement is None:
        return []
    forecasts: dict[int, list] = {}
    wanted = {"unmitigated": 0, "latest": 1, "actual": 2}
    for year, scenario, in_year in FinanceLine.objects.filter(
        agreement=agreement, scenario__in=list(wanted)
    ).values_list("financial_year", "scenario", "in_year_position"):
        forecasts.setdefault(year, [None, None, None])[wanted[scenario]] = in_year
    workstreams: dict[int, tuple[str, dict]] = {}
    for pk, name, year, saving in (
        WorkstreamSaving.objects.filter(workstream__area__council=council)
        .order_by("workstream__area__number", "workstream__order", "workstream_id")
        .values_list("workstream_id", "workstream__name", "financial_year", "saving")
    ):
        workstreams.setdefault(pk, (name, {}))[1][year] = saving
    mitigation = mitigation_build(
        forecasts={year: tuple(figures) for year, figures in forecasts.items()},
        workstreams=list(workstreams.values()),
    )
    rows = []
    for year in mitigation.years:
        label = fy_label(year.financial_year)
        lines = [("Unmitigated forecast", year.unmitigated)]
        lines += [
            (f"Saving: {name}", amount)
            for name, amount in zip(mitigation.workstreams, year.savings, strict=True)
        ]
        if mitigation.has_not_attributed:
            lines.append((NOT_ATTRIBUTED, year.not_attributed))
        lines += [
            ("Mitigated forecast (latest)", year.mitigated),
            ("Actual (outturn)", year.actual),
        ]
        rows += [[label, line, amount] for line, amount in lines if amount is not None]
    return rows


def _simple_rows(council, labels, user=None):
    yield fmt.COUNCIL, [_council_row(council)]
    order = list(Rag)
    definitions = sorted(
        RagDefinition.objects.filter(council=council), key=lambda d: order.index(d.level)
    )
    yield (
        fmt.RAG_DEFINITIONS,
        [[Rag(d.level).label, d.label, d.definition, Rag(d.dfe_level).label] for d in definitions],
    )
    yield (
        fmt.KEY_CONTACTS,
        [
            [c.get_role_display(), c.job_title, c.name, c.email, c.order]
            for c in KeyContact.objects.filter(council=council).order_by("order", "role", "pk")
        ],
    )
    agreements = list(
        Agreement.objects.filter(council=council)
        .select_related("supersedes")
        .order_by("date_signed")
    )
    yield (
        fmt.AGREEMENTS,
        [
            [
                a.date_signed,
                a.title,
                fy_label(a.first_financial_year),
                fy_label(a.last_financial_year),
                a.dfe_contribution,
                a.council_contribution,
                a.supersedes.date_signed if a.supersedes else None,
                a.published_url,
            ]
            for a in agreements
        ],
    )
    by_agreement = {"agreement__council": council}
    yield (
        fmt.PAYMENTS,
        [
            [
                p.agreement.date_signed,
                p.due_date,
                p.amount,
                p.get_status_display(),
                p.status_date,
                p.note,
            ]
            for p in PaymentInstalment.objects.filter(**by_agreement)
            .select_related("agreement")
            .order_by("agreement__date_signed", "due_date")
        ],
    )
    yield (
        fmt.DEFICIT_CAPS,
        [
            [c.agreement.date_signed, fy_label(c.financial_year), c.cap]
            for c in DeficitCap.objects.filter(**by_agreement)
            .select_related("agreement")
            .order_by("agreement__date_signed", "financial_year")
        ],
    )
    yield (
        fmt.TIERS,
        [
            [t.agreement.date_signed, t.effective_from, t.get_tier_display(), t.reason]
            for t in MonitoringTierChange.objects.filter(**by_agreement)
            .select_related("agreement")
            .order_by("agreement__date_signed", "effective_from")
        ],
    )
    round_order = ("agreement__date_signed", "financial_year", "update_number")
    yield (
        fmt.ROUNDS,
        [
            [
                *_round_cols(r),
                r.due_date,
                r.data_as_at,
                fmt.RoundStatusCell.IMPORTED.label if r.is_imported else r.get_status_display(),
                r.submitted_on,
                *_council_sign_off_cells(r),
            ]
            for r in _readable(ReportingRound.objects.safety_valve().filter(**by_agreement), user)
            .select_related("agreement")
            .order_by(*round_order)
        ],
    )
    conditions = list(
        AgreementCondition.objects.filter(**by_agreement)
        .select_related("agreement")
        .order_by("agreement__date_signed", "order", "label", "in_force_from")
    )
    yield (
        fmt.CONDITIONS,
        [
            [
                c.agreement.date_signed,
                c.label,
                c.in_force_from,
                c.title,
                c.wording,
                c.order,
                c.in_force_to,
            ]
            for c in conditions
        ],
    )
    current = _current_condition_ids(agreements, conditions)
    yield from _programme_rows(council, current)
    yield from _measure_rows(council, current)
    yield from _update_rows(council, labels, round_order, user)
    yield (
        fmt.FINANCE,
        [
            [
                f.agreement.date_signed,
                fy_label(f.financial_year),
                f.get_scenario_display(),
                f.in_year_position,
                f.cumulative_deficit,
                f.hnb_income,
                f.dfe_payments,
                f.council_contribution,
                f.schools_block_transfer,
                f.reflects,
            ]
            for f in FinanceLine.objects.filter(**by_agreement)
            .select_related("agreement")
            .order_by("agreement__date_signed", "financial_year", "scenario")
        ],
    )


def _council_sign_off_cells(round) -> list:
    """An imported return's sign-offs as the council recorded them: S151 by, on, DCS by, on."""
    recorded = {entry["capacity"]: entry for entry in round.council_sign_offs or ()}
    cells = []
    for capacity in ("s151", "dcs"):
        entry = recorded.get(capacity, {})
        signed_on = entry.get("signed_on")
        day = dt.date.fromisoformat(signed_on) if signed_on else None
        cells += [entry.get("name") or None, day]
    return cells


def _current_condition_ids(agreements, conditions) -> set[int]:
    # List cells name conditions by label in the latest agreement (as import reads them).
    if not agreements:
        return set()
    latest = agreements[-1]
    by_label: dict[str, list] = {}
    for condition in conditions:
        if condition.agreement_id == latest.pk:
            by_label.setdefault(condition.label, []).append(condition)
    return {condition_pick(found).pk for found in by_label.values()}


def _labels_of(conditions, current: set[int]) -> str:
    return ", ".join(sorted((c.label for c in conditions if c.pk in current), key=_natural))


def _natural(label: str):
    return [int(p) if p.isdigit() else p for p in label.replace(".", " ").split()]


def _programme_rows(council, current):
    yield (
        fmt.AREAS,
        [
            [a.number, a.name, a.summary]
            for a in ProgrammeArea.objects.filter(council=council).order_by("number")
        ],
    )
    workstreams = (
        Workstream.objects.filter(area__council=council)
        .select_related("area")
        .prefetch_related("conditions")
        .order_by("area__number", "order", "name")
    )
    yield (
        fmt.WORKSTREAMS,
        [
            [w.area.number, w.name, w.lead_role, w.order, _labels_of(w.conditions.all(), current)]
            for w in workstreams
        ],
    )
    yield (
        fmt.MILESTONES,
        [
            [
                m.workstream.area.number,
                m.workstream.name,
                m.title,
                m.due_date,
                m.get_status_display(),
                m.completed_on,
            ]
            for m in Milestone.objects.filter(workstream__area__council=council)
            .select_related("workstream__area")
            .order_by("workstream__area__number", "workstream__name", "due_date", "title")
        ],
    )
    yield (
        fmt.WORKSTREAM_SAVINGS,
        [
            [s.workstream.area.number, s.workstream.name, fy_label(s.financial_year), s.saving]
            for s in WorkstreamSaving.objects.filter(workstream__area__council=council)
            .select_related("workstream__area")
            .order_by(
                "workstream__area__number", "workstream__order", "workstream_id", "financial_year"
            )
        ],
    )
    yield (
        fmt.RISKS,
        [
            [
                r.number,
                r.title,
                r.impact_description,
                r.owner_role,
                r.impact,
                r.likelihood,
                r.mitigation,
                r.action_required,
                _yes_no(r.is_open),
            ]
            for r in Risk.objects.filter(council=council).order_by("number")
        ],
    )


def _measure_rows(council, current):
    yield from _measure_sheet_rows(council, current)
    yield (
        fmt.HEADLINE_CARDS,
        [
            [c.measure.code, c.comparator.slug, c.title, c.comparator_label, c.subject, c.order]
            for c in HeadlineCard.objects.filter(council=council)
            .select_related("measure", "comparator")
            .order_by("order", "pk")
        ],
    )


def _measure_sheet_rows(council, current):
    yield (
        fmt.DATA_SOURCES,
        [
            [d.name, d.last_refreshed, d.basis]
            for d in DataSource.objects.filter(council=council).order_by("name")
        ],
    )
    yield (
        fmt.SERIES,
        [
            [s.slug, s.name, s.get_kind_display(), s.order]
            for s in Series.objects.filter(council=council).order_by("order", "slug")
        ],
    )
    measures = (
        Measure.objects.filter(council=council)
        .select_related("data_source", "programme_area")
        .prefetch_related("conditions")
        .order_by("order", "code")
    )
    yield (
        fmt.MEASURES,
        [
            [
                m.code,
                m.name,
                m.get_unit_display(),
                m.get_polarity_display(),
                m.data_source.name,
                m.get_frequency_display(),
                m.get_reading_display(),
                m.programme_area.number if m.programme_area else None,
                _labels_of(m.conditions.all(), current),
                m.order,
                _yes_no(m.show_chart),
                m.get_stock_flow_role_display() if m.stock_flow_role else None,
            ]
            for m in measures
        ],
    )


def _update_rows(council, labels, round_order, user=None):
    """The per-round sheets: a locked round's rows as its frozen record has them."""
    rounds = list(
        _readable(
            ReportingRound.objects.safety_valve().filter(agreement__council=council),
            user,
        )
        .select_related("agreement")
        .order_by(*round_order)
    )
    # One record out: what a signed-off return said is what its rows say, whatever the live
    # rows under it say now (the frozen payloads belong to reports, which registered the
    # freezer with the spine; this layer may not import it).
    frozen = round_freezer().frozen_payloads(round_ids=[r.pk for r in rounds])
    by_round = {"round__agreement__council": council}
    order = [f"round__{field}" for field in round_order]
    conditions = _per_round(
        (
            u.round_id,
            u.condition.label,
            [
                *_round_cols(u.round),
                u.condition.label,
                labels.rag_label(u.rag),
                u.narrative,
                ", ".join(sorted(m.code for m in u.key_measures.all())),
            ],
        )
        for u in ConditionUpdate.objects.filter(**by_round)
        .select_related("round__agreement", "condition")
        .prefetch_related("key_measures")
        .order_by(*order, "condition__order", "condition__label")
    )
    workstreams = _per_round(
        (
            u.round_id,
            (u.workstream.area.number, u.workstream.name),
            [
                *_round_cols(u.round),
                u.workstream.area.number,
                u.workstream.name,
                labels.rag_label(u.rag),
                u.narrative,
            ],
        )
        for u in WorkstreamUpdate.objects.filter(**by_round)
        .select_related("round__agreement", "workstream__area")
        .order_by(*order, "workstream__area__number", "workstream__name")
    )
    risks = _per_round(
        (
            u.round_id,
            u.risk.number,
            [
                *_round_cols(u.round),
                u.risk.number,
                labels.rag_label(u.rag),
                u.narrative,
                u.impact,
                u.likelihood,
                _yes_no_blank(u.in_dfe_report),
            ],
        )
        for u in RiskUpdate.objects.filter(**by_round)
        .select_related("round__agreement", "risk")
        .order_by(*order, "risk__number")
    )
    yield fmt.CONDITION_UPDATES, _as_recorded(rounds, frozen, conditions, _frozen_conditions)
    yield fmt.WORKSTREAM_UPDATES, _as_recorded(rounds, frozen, workstreams, _frozen_workstreams)
    yield fmt.RISK_UPDATES, _as_recorded(rounds, frozen, risks, _frozen_risks)
    yield fmt.ROUND_MILESTONES, _round_milestone_rows(rounds, frozen)
    overviews, headlines = _round_overview_rows(rounds, frozen)
    yield fmt.OVERVIEWS, overviews
    yield fmt.HEADLINES, headlines
    yield fmt.FROZEN_FIGURES, _frozen_figure_rows(rounds, frozen)


def _per_round(rows) -> dict[int, dict]:
    """{round id: {row key: row}} in the order given."""
    found: dict[int, dict] = {}
    for round_id, key, row in rows:
        found.setdefault(round_id, {})[key] = row
    return found


def _as_recorded(rounds, frozen: dict, live: dict, from_payload) -> list[list]:
    """Every round's rows in round order: live for a draft, from the frozen payload if locked."""
    rows = []
    for rnd in rounds:
        live_rows = live.get(rnd.pk, {})
        if rnd.pk in frozen:
            rows += from_payload(rnd, frozen[rnd.pk], live_rows)
        else:
            rows += live_rows.values()
    return rows


def _was_reported(item: dict, key, live_rows: dict) -> bool:
    # The frozen return lists a section in force without a row of its own as "not rated";
    # the sheet lists only rows (as a live round's does).
    return key in live_rows or item["rating"]["code"] != Rag.NOT_RATED or bool(item["narrative"])


def _frozen_conditions(rnd, payload: dict, live_rows: dict) -> list[list]:
    return [
        [
            *_round_cols(rnd),
            c["label"],
            c["rating"]["label"],
            c["narrative"],
            ", ".join(sorted(c["key_measure_codes"])),
        ]
        for c in payload.get("conditions", [])
        if _was_reported(c, c["label"], live_rows)
    ]


def _frozen_workstreams(rnd, payload: dict, live_rows: dict) -> list[list]:
    return [
        [*_round_cols(rnd), area["number"], w["name"], w["rating"]["label"], w["narrative"]]
        for area in payload.get("areas", [])
        for w in area["workstreams"]
        if _was_reported(w, (area["number"], w["name"]), live_rows)
    ]


def _frozen_risks(rnd, payload: dict, live_rows: dict) -> list[list]:
    return [
        [
            *_round_cols(rnd),
            r["number"],
            r["rating"]["label"],
            r["narrative"],
            r.get("impact"),
            r.get("likelihood"),
            # The choice as stored (the payload holds its outcome), so a re-import is no change.
            live_rows[r["number"]][-1] if r["number"] in live_rows else None,
        ]
        for r in payload.get("risks", [])
        if _was_reported(r, r["number"], live_rows)
    ]


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _round_milestone_rows(rounds, frozen: dict) -> list[list]:
    """Each round's milestones as it reports them: its own records, or as frozen if locked."""
    labels = dict(Milestone.Status.choices)
    live: dict[int, list] = {}
    for u in (
        MilestoneUpdate.objects.filter(round__in=rounds)
        .select_related("milestone__workstream__area")
        .order_by(
            "milestone__workstream__area__number",
            "milestone__workstream__name",
            "due_date",
            "milestone__title",
        )
    ):
        workstream = u.milestone.workstream
        live.setdefault(u.round_id, []).append(
            [
                workstream.area.number,
                workstream.name,
                u.milestone.title,
                u.due_date,
                labels[u.status],
                u.completed_on,
            ]
        )
    rows = []
    for rnd in rounds:
        if rnd.pk in frozen:
            found = [
                [
                    area["number"],
                    w["name"],
                    m["title"],
                    _date(m["due_date"]),
                    m["status_label"],
                    _date(m["completed_on"]),
                ]
                for area in frozen[rnd.pk].get("areas", [])
                for w in area["workstreams"]
                for m in w.get("milestones", [])
            ]
        else:
            found = live.get(rnd.pk, [])
        rows += [[*_round_cols(rnd), *row] for row in found]
    return rows


def _answer(code) -> str:
    """Yes, No or Not answered; a payload frozen before format 2 holds the adviser request as
    true/false (what was signed said Yes or No)."""
    if isinstance(code, bool):
        code = YesNo.YES if code else YesNo.NO
    return YesNo(code).label if code else fmt.NOT_ANSWERED


def _overview_row(overview: dict) -> list:
    """An overview's cells from its frozen form (or a live one put in that form)."""
    return [
        overview["overall"]["label"],
        overview["overall_narrative"],
        _answer(overview["deficit_this_year_on_track"]),
        overview["deficit_this_year_commentary"],
        _answer(overview["zero_deficit_on_track"]),
        overview["zero_deficit_commentary"],
        _answer(overview["capital_project_on_track"]),
        overview["capital_project_commentary"],
        _answer(overview["adviser_support_requested"]),
        overview["adviser_support_detail"],
    ]


def _round_overview_rows(rounds, frozen: dict) -> tuple[list[list], list[list]]:
    """Each round's overview and headlines: live for a draft, as frozen if locked."""
    labels = _Labels(rounds[0].agreement.council) if rounds else None
    live = {o.round_id: o for o in RoundOverview.objects.filter(round__in=rounds)}
    live_headlines: dict[int, list] = {}
    for h in (
        Headline.objects.filter(overview__round__in=rounds)
        .order_by("kind", "position")
        .values("overview__round_id", "kind", "position", "text")
    ):
        live_headlines.setdefault(h["overview__round_id"], []).append(
            [h["kind"], h["position"], h["text"]]
        )
    overviews, headlines = [], []
    for rnd in rounds:
        if rnd.pk in frozen:
            shown = frozen[rnd.pk].get("overview") or {}
            if shown.get("overall"):
                overviews.append([*_round_cols(rnd), *_overview_row(shown)])
            found = [
                [h["kind"], h["position"], h["text"]]
                for h in sorted(
                    shown.get("headlines", []), key=lambda h: (h["kind"], h["position"])
                )
            ]
        else:
            overview = live.get(rnd.pk)
            if overview is not None:
                fields = {name: getattr(overview, name) for name in OVERVIEW_FIELDS}
                fields["overall"] = {"label": labels.rag_label(overview.overall_rag)}
                overviews.append([*_round_cols(rnd), *_overview_row(fields)])
            found = live_headlines.get(rnd.pk, [])
        headlines += [[*_round_cols(rnd), *row] for row in found]
    return overviews, headlines


def _period_cell(period: dt.date, kind: str):
    # A month as a date (Excel shows it as one); a year as the council writes it.
    return period if kind == PeriodKind.MONTH else period_label(period, kind)


def _figure_cell(value, reason: str):
    # A number, or "Not available" (with the reason after a colon): what import reads back.
    if value is not None:
        return value
    return NOT_AVAILABLE if reason in ("", NOT_AVAILABLE) else f"{NOT_AVAILABLE}: {reason}"


def _frozen_figure(p: dict) -> list:
    # A payload frozen before issue 13 has only months and values.
    kind = p.get("period_kind", PeriodKind.MONTH)
    value = Decimal(p["value"]) if p["value"] is not None else None
    return [
        _period_cell(_date(p["period"]), kind),
        _figure_cell(value, p.get("not_available", "")),
    ]


def _frozen_figure_rows(rounds, frozen: dict) -> list[list]:
    """The key measure figures each locked round was frozen with."""
    return [
        [*_round_cols(rnd), m["code"], line["slug"], *_frozen_figure(p)]
        for rnd in rounds
        if rnd.pk in frozen
        for m in frozen[rnd.pk].get("measures", [])
        for line in m["lines"]
        for p in line["points"]
    ]


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    return [d.date() for d in pd.date_range(start, end, freq="MS")]


def _value_rows(council, notes: list[str]):
    """The grid (figures without a note), the long rows (with a note) and rolling averages."""
    # Figures outside the agreement's years (stored before the services refused them) are left
    # out and named in the About sheet: one at 0001-01 would need a grid 24,000 months wide.
    span = measure_span_for(council=council)
    left_out = figures_left_out(council=council, span=span)
    if left_out:
        notes.append(left_out)
    values = MeasureValue.objects.filter(measure__council=council)
    values = values.filter(period__range=span) if span else values.none()
    records = values.values_list(
        "measure__code",
        "measure__name",
        "measure__data_source__name",
        "measure__order",
        "series__slug",
        "series__kind",
        "series__order",
        "period",
        "value",
        "note",
        "period_kind",
        "not_available_reason",
    )
    columns = [
        "code",
        "name",
        "source",
        "m_order",
        "series",
        "kind",
        "s_order",
        "period",
        "value",
        "note",
        "period_kind",
        "reason",
    ]
    frame = pd.DataFrame.from_records(list(records), columns=columns)
    grid_headers = _headers(fmt.GRID)
    if frame.empty:
        return (grid_headers, []), [], (_headers(fmt.ROLLING), [])
    frame = frame.sort_values(["m_order", "code", "s_order", "series", "period", "period_kind"])
    # The grid holds monthly figures without a note; the long sheet every other: a note, not
    # available (its reason in the Value cell), or an academic or financial year.
    in_grid = (frame["note"] == "") & (frame["reason"] == "") & (frame["period_kind"] == "month")
    long_rows = [
        [
            r.code,
            _period_cell(r.period, r.period_kind),
            r.series,
            _figure_cell(r.value, r.reason),
            r.note,
        ]
        for r in frame[~in_grid].itertuples(index=False)
    ]
    plain = frame[in_grid]
    frame = frame[(frame["period_kind"] == "month") & frame["value"].notna()]
    if frame.empty:
        return (grid_headers, []), long_rows, (_headers(fmt.ROLLING), [])
    months = _months(frame["period"].min(), frame["period"].max())
    grid_rows = []
    if not plain.empty:
        keys = ["m_order", "code", "name", "source", "s_order", "series"]
        # pandas turns the long figures into the wide grid councils keep: months as columns.
        wide = plain.pivot(index=keys, columns="period", values="value").reindex(columns=months)
        for key, figures in wide.iterrows():
            grid_rows.append(
                [key[1], key[2], key[3], key[5], *(None if pd.isna(v) else v for v in figures)]
            )
    grid = (grid_headers + [month_label(m) for m in months], grid_rows)
    return grid, long_rows, _rolling(frame, months)


def _rolling(frame, months):
    actual = frame[frame["kind"] == Series.Kind.ACTUAL]
    headers = _headers(fmt.ROLLING) + [month_label(m) for m in months]
    if actual.empty:
        return headers, []
    wide = (
        actual.assign(value=actual["value"].astype(float))
        .pivot(index=["m_order", "code", "name"], columns="period", values="value")
        .reindex(columns=months)
    )
    averaged = wide.T.rolling(12, min_periods=12).mean().T.round(4)
    rows = []
    for key, figures in averaged.iterrows():
        if figures.notna().any():
            rows.append([key[1], key[2], *(None if pd.isna(v) else float(v) for v in figures)])
    return headers, rows
