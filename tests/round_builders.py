"""Build rounds through the real services, for lifecycle, section and snapshot tests."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine

from conditions.models import ConditionUpdate, WorkstreamUpdate
from conditions.services import condition_update_save, workstream_update_save
from finance.models import FinanceLine, ForecastReview
from finance.services import finance_forecast_confirm
from metrics.models import Measure, MeasureValue, Series
from metrics.month_entry import MonthFigure, measure_values_save_month
from metrics.sections import round_kpi_months
from overview.models import RoundOverview
from overview.services import round_overview_save
from risks.models import RiskUpdate
from risks.services import risk_update_save
from svmonitor.choices import Rag, RoundStatus
from svmonitor.models import Agreement, ReportingRound
from svmonitor.roles import Role
from svmonitor.services import (
    round_mark_ready,
    round_open_next,
    round_record_submission,
    round_sign_off,
)
from tests import factories as f

ANSWERS = {
    "deficit_this_year_on_track": "no",
    "deficit_this_year_commentary": "Placement costs rose faster than planned.",
    "zero_deficit_on_track": "no",
    "zero_deficit_commentary": "The recovery plan is being revised with DfE.",
    "capital_project_on_track": "yes",
    "capital_project_commentary": "The new special school opens in September.",
}


@dataclass
class Programme:
    """An agreement with two conditions, one open risk and one workstream, and its people."""

    agreement: Agreement
    officer: object
    s151: object
    dcs: object


def programme() -> Programme:
    """A council's agreement with something in every section of a return."""
    agreement = f.AgreementFactory()
    council = agreement.council
    f.AgreementConditionFactory(agreement=agreement, label="1", order=1)
    f.AgreementConditionFactory(agreement=agreement, label="2", order=2)
    f.RiskFactory(council=council, number=1)
    f.WorkstreamFactory(area=f.ProgrammeAreaFactory(council=council))
    # The services check roles as the views do: the "officer" here leads the programme (edits
    # and submits); the statutory officers hold their own roles.
    prog = Programme(
        agreement=agreement,
        officer=f.UserFactory(),
        s151=f.UserFactory(),
        dcs=f.UserFactory(),
    )
    f.MembershipFactory(user=prog.officer, council=council, role=Role.LEAD)
    f.MembershipFactory(user=prog.s151, council=council, role=Role.S151)
    f.MembershipFactory(user=prog.dcs, council=council, role=Role.DCS)
    return prog


def complete(round: ReportingRound, by) -> ReportingRound:
    """Rate every section of a draft round and answer the overview, through the services."""
    for update in ConditionUpdate.objects.filter(round=round):
        condition_update_save(
            update=update, expected_version=update.version, rag=Rag.GREEN, narrative="", by=by
        )
    for update in RiskUpdate.objects.filter(round=round):
        risk_update_save(
            update=update,
            expected_version=update.version,
            rag=Rag.AMBER,
            narrative="Mitigation in hand.",
            impact=4,
            likelihood=4,
            by=by,
        )
    for update in WorkstreamUpdate.objects.filter(round=round):
        workstream_update_save(
            update=update, expected_version=update.version, rag=Rag.GREEN, narrative="", by=by
        )
    overview = RoundOverview.objects.get(round=round)
    round_overview_save(overview=overview, expected_version=overview.version, by=by, **ANSWERS)
    complete_figures(round, by)
    return round


def complete_figures(round: ReportingRound, by) -> None:
    """The quarter's KPIs and finance forecast done, through the services: each monthly figure
    still missing in the round's period marked not available (by `by`), and the forecast
    confirmed unchanged by the council's finance lead (one is made if it has none)."""
    council = round.agreement.council
    actual = Series.objects.filter(council=council, kind=Series.Kind.ACTUAL).first()
    measures = list(Measure.objects.filter(council=council, frequency=Measure.Frequency.MONTHLY))
    for month in round_kpi_months(round) if actual and measures else ():
        have = set(
            MeasureValue.objects.filter(series=actual, period=month).values_list(
                "measure_id", flat=True
            )
        )
        figures = [MonthFigure(m, "n/a: test", "") for m in measures if m.pk not in have]
        if figures:
            measure_values_save_month(
                council=council, period=month, series=actual, figures=figures, by=by
            )
    keeps = FinanceLine.objects.filter(agreement__council=council).exists()
    if keeps and not ForecastReview.objects.filter(round=round).exists():
        member = council.memberships.filter(role=Role.FINANCE).select_related("user").first()
        lead = (
            member.user if member else f.MembershipFactory(council=council, role=Role.FINANCE).user
        )
        finance_forecast_confirm(round=round, by=lead)


def signing_day(day: dt.date):
    """The clock at 9am on `day` in England while officers sign: a sign-off records the time,
    and a return cannot be sent to DfE before it was signed."""
    at = dt.datetime.combine(day, dt.time(9), tzinfo=ZoneInfo("Europe/London"))
    return time_machine.travel(at, tick=True)


def round_in(status: str, prog: Programme | None = None) -> ReportingRound:
    """A round of 2024-25 Update 1 brought to a status through the lifecycle services."""
    prog = prog or programme()
    round = round_open_next(
        agreement=prog.agreement, financial_year=2024, update_number=1, by=prog.officer
    )
    if status == RoundStatus.DRAFT:
        return round
    complete(round, prog.officer)
    round = round_mark_ready(round=round, by=prog.officer)
    if status == RoundStatus.READY:
        return round
    # Signed two days before the deadline, so the return can be sent on it.
    with signing_day(round.due_date - dt.timedelta(days=2)):
        round_sign_off(round=round, by=prog.s151, capacity="s151")
        round_sign_off(round=round, by=prog.dcs, capacity="dcs")
    round.refresh_from_db()
    if status == RoundStatus.SIGNED_OFF:
        return round
    return round_record_submission(round=round, by=prog.officer, submitted_on=round.due_date)


def leave_draft(round: ReportingRound) -> ReportingRound:
    """Move a draft on to "ready" as it stands, so the next round may be opened.

    A set-up shortcut for tests about the next round that do not care how the previous one was
    finished (round_open_next refuses while the previous round is still a draft).
    """
    ReportingRound.objects.filter(pk=round.pk).update(status=RoundStatus.READY)
    round.refresh_from_db()
    return round
