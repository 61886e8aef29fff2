"""Drift that suggests (issue 18.2, its 18.4 tests): a measure linked to a risk or condition that
has moved against its baseline, by its polarity, beyond a threshold for N months in a row
suggests a change on that task's page; accepting goes through the section's own save service,
dismissing is recorded, and neither happens by itself. Narrative figures that disagree with the
data are flagged there, never blocking a save. All on data the tests build here."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.drift.narrative import MeasureRef, figures, figures_for_measures
from reports.drift.services import drift_suggestion_accept, drift_suggestion_dismiss
from reports.drift.task import task_drift
from reports.models import DriftDecision
from risks.models import RiskUpdate
from risks.services import risk_update_save
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import StaleEdit
from svmonitor.history import section_history
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member

pytestmark = pytest.mark.django_db

# The round's data run to September 2024; the agreement starts in April 2023.
DATA_MONTH = dt.date(2024, 9, 1)


def months_back(count: int, end: dt.date = DATA_MONTH) -> list[dt.date]:
    """`count` months ending at `end`, oldest first."""
    months, month = [], end
    for _ in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


class Figures:
    """A council's actual and forecast lines, and measures with figures on them."""

    def __init__(self, council):
        self.council = council
        self.actual = f.SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
        self.forecast = f.SeriesFactory(
            council=council, kind="baseline", name="SV forecast", slug="sv-forecast"
        )

    def measure(self, name="Number of EHCPs", polarity="lower", unit="count", **links):
        measure = f.MeasureFactory(council=self.council, name=name, polarity=polarity, unit=unit)
        if "risk" in links:
            measure.risks.add(links["risk"])
        if "condition" in links:
            measure.conditions.add(links["condition"])
        return measure

    def line(self, measure, series, values: dict):
        for month, value in values.items():
            f.MeasureValueFactory(
                measure=measure, series=series, period=month, value=Decimal(str(value))
            )

    def drifting(self, measure, *, months: int, actual, forecast, end=DATA_MONTH):
        """`months` months of actual against forecast, ending at `end`."""
        span = months_back(months, end)
        self.line(measure, self.actual, dict.fromkeys(span, actual))
        self.line(measure, self.forecast, dict.fromkeys(span, forecast))


@pytest.fixture
def draft(agreement):
    return f.ReportingRoundFactory(
        agreement=agreement,
        financial_year=2024,
        update_number=3,
        due_date=dt.date(2024, 11, 30),
        data_as_at=DATA_MONTH,
    )


@pytest.fixture
def figs(council):
    return Figures(council)


@pytest.fixture
def risk_update(draft):
    """A scored risk at likelihood 3 in the draft."""
    return f.RiskUpdateFactory(round=draft, rag=Rag.AMBER, narrative="Monitoring.", likelihood=3)


@pytest.fixture
def lead(council):
    return _member(council, Role.LEAD, "drift-lead")


def _key(update) -> str:
    prefix = "risk" if isinstance(update, RiskUpdate) else "condition"
    return f"{prefix}-{update.pk}"


def suggestions(update) -> list[str]:
    return [s.text for s in task_drift(update.round, _key(update)).suggestions]


def flags(update) -> list[str]:
    return [flag.text for flag in task_drift(update.round, _key(update)).flags]


def task_page(round, key) -> str:
    return reverse(
        "reports:task_detail",
        args=[round.agreement.council.slug, round.fy, round.update_number, key],
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="svmonitor.backends.AccountBackend")
    return client


# --- polarity -----------------------------------------------------------------------------


def test_a_lower_is_better_measure_above_forecast_for_enough_months_suggests_raising_likelihood(
    figs, risk_update
):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    assert suggestions(risk_update) == [
        "Number of EHCPs has been above SV forecast for 6 months, now +11.4% (Sep 2024): "
        "consider raising likelihood from 3 to 4."
    ]


def test_a_higher_is_better_measure_below_forecast_suggests_too(figs, risk_update):
    timeliness = figs.measure("EHCPs issued in 20 weeks", polarity="higher", unit="percent")
    timeliness.risks.add(risk_update.risk)
    figs.drifting(timeliness, months=3, actual=40, forecast=60)
    assert suggestions(risk_update) == [
        "EHCPs issued in 20 weeks has been below SV forecast for 3 months, now -33.3% (Sep 2024): "
        "consider raising likelihood from 3 to 4."
    ]


def test_a_measure_moving_the_good_way_suggests_nothing(figs, risk_update):
    lower = figs.measure(risk=risk_update.risk)
    figs.drifting(lower, months=6, actual=4000, forecast=5000)
    higher = figs.measure("Children in mainstream", polarity="higher", risk=risk_update.risk)
    figs.drifting(higher, months=6, actual=6000, forecast=5000)
    assert suggestions(risk_update) == []


def test_a_neutral_measure_never_suggests_however_far_it_moves(figs, risk_update):
    neutral = figs.measure("Requests for assessment", polarity="neutral", risk=risk_update.risk)
    figs.drifting(neutral, months=12, actual=9000, forecast=100)
    assert suggestions(risk_update) == []


# --- months in a row, threshold, baseline -----------------------------------------------------


def test_not_enough_months_yet_suggests_nothing_until_the_councils_number_is_reached(
    figs, risk_update
):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=2, actual=5570, forecast=5000)
    assert suggestions(risk_update) == []  # 2 of the default 3
    council = risk_update.round.agreement.council
    council.drift_months = 2
    council.save()
    risk_update.round.agreement.council.refresh_from_db()
    assert len(suggestions(RiskUpdate.objects.get(pk=risk_update.pk))) == 1


def test_a_month_back_on_track_breaks_the_run(figs, risk_update):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    # August was on forecast: only September counts, one month.
    ehcps.values.filter(series=figs.actual, period=dt.date(2024, 8, 1)).update(
        value=Decimal("5000")
    )
    assert suggestions(risk_update) == []


def test_a_missing_month_breaks_the_run(figs, risk_update):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    ehcps.values.filter(series=figs.actual, period=dt.date(2024, 8, 1)).delete()
    assert suggestions(risk_update) == []


def test_exactly_at_the_threshold_is_not_beyond_it_and_just_over_is(figs, risk_update):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=3, actual=5250, forecast=5000)  # exactly +5.0%
    assert suggestions(risk_update) == []
    ehcps.values.filter(series=figs.actual).update(value=Decimal("5251"))  # +5.02%
    assert len(suggestions(risk_update)) == 1


def test_a_measures_own_threshold_overrides_the_councils(figs, risk_update):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=3, actual=5400, forecast=5000)  # +8%
    assert len(suggestions(risk_update)) == 1
    ehcps.drift_threshold_pct = Decimal("10")
    ehcps.save()
    assert suggestions(risk_update) == []


def test_figures_after_the_rounds_data_month_do_not_count(figs, risk_update):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=3, actual=5570, forecast=5000, end=dt.date(2024, 12, 1))
    assert suggestions(risk_update) == []  # only September is in the round's data


def test_without_a_forecast_the_baseline_is_the_value_at_the_agreements_start(figs, risk_update):
    ehcps = figs.measure(risk=risk_update.risk)
    # The agreement starts in April 2023: its last figure on or before then is the baseline.
    figs.line(ehcps, figs.actual, {dt.date(2023, 3, 1): 4000, dt.date(2023, 4, 1): 4100})
    figs.line(ehcps, figs.actual, dict.fromkeys(months_back(4), 4510))
    assert suggestions(risk_update) == [
        "Number of EHCPs has been above its level at the agreement's start (Apr 2023) for "
        "4 months, now +10.0% (Sep 2024): consider raising likelihood from 3 to 4."
    ]


# --- what is suggested --------------------------------------------------------------------------


def test_a_condition_gets_its_assurance_level_suggested_in_the_councils_words(figs, draft, council):
    for level, label in ((Rag.GREEN, "G"), (Rag.AMBER, "A"), (Rag.RED, "R")):
        f.RagDefinitionFactory(council=council, level=level, label=label, dfe_level=level)
    linked = f.ConditionUpdateFactory(round=draft, rag=Rag.GREEN)
    cited = f.ConditionUpdateFactory(round=draft, rag=Rag.AMBER, narrative="Off track.")
    ehcps = figs.measure(condition=linked.condition)
    figs.drifting(ehcps, months=3, actual=5570, forecast=5000)
    # A measure the update cites counts as linked too.
    cited.key_measures.add(ehcps)
    expected = "Number of EHCPs has been above SV forecast for 3 months, now +11.4% (Sep 2024): "
    assert suggestions(linked) == [expected + "consider changing the assurance level from G to A."]
    assert suggestions(cited) == [expected + "consider changing the assurance level from A to R."]


def test_a_risk_in_a_rated_register_gets_its_level_suggested(figs, draft, council):
    council.risk_register = "rated"
    council.save()
    update = f.RiskUpdateFactory(round=draft, rag=Rag.AMBER, impact=None, likelihood=None)
    ehcps = figs.measure(risk=update.risk)
    figs.drifting(ehcps, months=3, actual=5570, forecast=5000)
    assert suggestions(update)[0].endswith(
        "consider changing the assurance level from Amber to Red."
    )


def test_nothing_is_suggested_past_the_top_of_the_scale(figs, draft):
    update = f.RiskUpdateFactory(round=draft, likelihood=5)
    ehcps = figs.measure(risk=update.risk)
    figs.drifting(ehcps, months=3, actual=5570, forecast=5000)
    assert suggestions(update) == []


def test_a_measure_linked_to_nothing_suggests_nothing(figs, risk_update):
    figs.drifting(figs.measure(), months=6, actual=5570, forecast=5000)
    assert suggestions(risk_update) == []


# --- never by itself: accept and dismiss --------------------------------------------------------


def _only(update):
    (suggestion,) = task_drift(update.round, _key(update)).suggestions
    return suggestion


def test_a_suggestion_changes_nothing_by_itself(figs, risk_update):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    assert len(suggestions(risk_update)) == 1
    risk_update.refresh_from_db()
    assert (risk_update.likelihood, risk_update.version) == (3, 1)
    assert not AuditEvent.objects.filter(object_id=str(risk_update.pk)).exists()


def test_accepting_saves_through_the_risks_service_with_history(figs, risk_update, lead):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    s = _only(risk_update)
    decision = drift_suggestion_accept(
        round=risk_update.round,
        key=_key(risk_update),
        measure_pk=s.measure_pk,
        evidence=s.evidence,
        expected_version=1,
        by=lead,
    )
    risk_update.refresh_from_db()
    assert (risk_update.likelihood, risk_update.score, risk_update.version) == (4, 16, 2)
    assert (decision.outcome, decision.decided_by, decision.suggestion) == (
        "accepted",
        lead,
        s.text,
    )
    save = AuditEvent.objects.get(action="risk_update.save", object_id=str(risk_update.pk))
    assert (save.before["likelihood"], save.after["likelihood"]) == (3, 4)
    history = section_history(user=lead, section="risk", object_id=risk_update.pk)
    assert [entry.action for entry in history] == [
        "Accepted a suggestion from the figures",
        "Saved the risk",
    ]
    # Decided: it is not suggested again for the same evidence.
    assert suggestions(risk_update) == []


def test_accepting_a_condition_suggestion_saves_its_level_through_its_service(figs, draft, lead):
    update = f.ConditionUpdateFactory(round=draft, rag=Rag.GREEN)
    ehcps = figs.measure(condition=update.condition)
    figs.drifting(ehcps, months=3, actual=5570, forecast=5000)
    s = _only(update)
    # The condition's own save service writes it (its rules, version check and history).
    drift_suggestion_accept(
        round=draft,
        key=_key(update),
        measure_pk=s.measure_pk,
        evidence=s.evidence,
        expected_version=1,
        by=lead,
    )
    update.refresh_from_db()
    assert (update.rag, update.version) == (Rag.AMBER, 2)
    assert AuditEvent.objects.filter(
        action="condition_update.save", object_id=str(update.pk)
    ).exists()


def test_accepting_over_a_stale_version_is_refused_and_records_nothing(figs, risk_update, lead):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    s = _only(risk_update)
    risk_update_save(
        update=risk_update,
        expected_version=1,
        rag=Rag.RED,
        narrative="Worse.",
        impact=4,
        likelihood=3,
        by=lead,
    )
    with pytest.raises(StaleEdit):
        drift_suggestion_accept(
            round=risk_update.round,
            key=_key(risk_update),
            measure_pk=s.measure_pk,
            evidence=s.evidence,
            expected_version=1,
            by=lead,
        )
    risk_update.refresh_from_db()
    assert risk_update.likelihood == 3
    assert not DriftDecision.objects.exists()


def test_a_dismissed_suggestion_is_recorded_and_does_not_come_back_for_the_same_evidence(
    figs, risk_update, lead
):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    s = _only(risk_update)
    decision = drift_suggestion_dismiss(
        round=risk_update.round,
        key=_key(risk_update),
        measure_pk=s.measure_pk,
        evidence=s.evidence,
        by=lead,
    )
    assert (decision.outcome, decision.decided_by, decision.evidence) == (
        "dismissed",
        lead,
        "above:2024-09",
    )
    assert decision.decided_at is not None
    risk_update.refresh_from_db()
    assert (risk_update.likelihood, risk_update.version) == (3, 1)
    event = AuditEvent.objects.get(action="suggestion.dismiss")
    assert (event.user, event.object_id, event.after["suggestion"]) == (
        lead,
        str(risk_update.pk),
        s.text,
    )
    # The same evidence with a revised figure: still dismissed.
    ehcps.values.filter(series=figs.actual, period=DATA_MONTH).update(value=Decimal("5600"))
    assert suggestions(risk_update) == []
    # A second dismissal of the same evidence is refused, not recorded twice.
    with pytest.raises(ValidationError):
        drift_suggestion_dismiss(
            round=risk_update.round,
            key=_key(risk_update),
            measure_pk=s.measure_pk,
            evidence=s.evidence,
            by=lead,
        )
    assert DriftDecision.objects.count() == 1


def test_new_evidence_in_a_later_round_suggests_again(figs, risk_update, lead, agreement):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    s = _only(risk_update)
    drift_suggestion_dismiss(
        round=risk_update.round,
        key=_key(risk_update),
        measure_pk=s.measure_pk,
        evidence=s.evidence,
        by=lead,
    )
    # October's figures are new evidence, but the round's data stop at September.
    figs.drifting(ehcps, months=1, actual=5570, forecast=5000, end=dt.date(2024, 10, 1))
    assert suggestions(risk_update) == []
    later = f.ReportingRoundFactory(
        agreement=agreement,
        financial_year=2025,
        update_number=1,
        due_date=dt.date(2025, 5, 31),
        data_as_at=dt.date(2024, 10, 1),
    )
    update = f.RiskUpdateFactory(round=later, risk=risk_update.risk, likelihood=3)
    assert len(suggestions(update)) == 1


def test_a_board_member_may_not_decide_and_a_locked_round_refuses(
    figs, risk_update, board_member, lead
):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    s = _only(risk_update)
    args = {
        "round": risk_update.round,
        "key": _key(risk_update),
        "measure_pk": s.measure_pk,
        "evidence": s.evidence,
    }
    with pytest.raises(PermissionDenied):
        drift_suggestion_dismiss(**args, by=board_member)
    round = risk_update.round
    round.status = RoundStatus.READY
    round.save()
    with pytest.raises(ValidationError):
        drift_suggestion_dismiss(**args, by=lead)
    assert not DriftDecision.objects.exists()


# --- narrative figures --------------------------------------------------------------------------


def test_the_parser_reads_commas_percent_pounds_k_and_m_and_leaves_years_and_numbering():
    found = figures(
        "In 2024 EHCPs rose to 4,512 (condition 3, Q2 2024-25), 11.4% above; "
        "costs £1.2m and £350k, 1.5k plans."
    )
    assert [(fig.text, fig.kind, fig.value) for fig in found] == [
        ("4,512", "plain", Decimal("4512")),
        ("11.4%", "percent", Decimal("11.4")),
        ("£1.2m", "money", Decimal("1200000.0")),
        ("£350k", "money", Decimal("350000")),
        ("1.5k", "plain", Decimal("1500.0")),
    ]


def test_a_figure_is_read_for_the_measure_it_follows_in_the_same_sentence():
    ehcps = MeasureRef(1, "Number of EHCPs", "count")
    cost = MeasureRef(2, "High needs spend", "gbp_m")
    pairs = figures_for_measures(
        "EHCPs stood at 4,512 in September. High needs spend was £43.2m, 3% over.", [ehcps, cost]
    )
    assert [(m.pk, fig.text, fig.value_in(m.unit)) for m, fig in pairs] == [
        (1, "4,512", Decimal("4512")),
        (2, "£43.2m", Decimal("43.2")),
    ]


def test_a_narrative_figure_that_differs_from_the_data_is_flagged_with_both_values(
    figs, risk_update
):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.line(ehcps, figs.actual, {DATA_MONTH: 5142})
    risk_update.narrative = "The number of EHCPs is now 4,650, in line with the plan."
    risk_update.save()
    assert flags(risk_update) == [
        "The progress update gives 4,650 for Number of EHCPs; the data give 5,142 for Sep 2024."
    ]


def test_a_figure_for_the_gap_from_forecast_agrees_and_a_wrong_gap_is_flagged(figs, risk_update):
    # The seeds' case: "650 above forecast" where the table beside it says +492.
    ehcps = figs.measure(risk=risk_update.risk)
    figs.line(ehcps, figs.actual, {DATA_MONTH: 5142})
    figs.line(ehcps, figs.forecast, {DATA_MONTH: 4650})
    risk_update.narrative = "EHCPs are 492 above forecast."
    risk_update.save()
    assert flags(risk_update) == []
    risk_update.narrative = "EHCPs are 650 above forecast."
    risk_update.save()
    assert flags(risk_update) == [
        "The progress update gives 650 for Number of EHCPs; the data give 5,142 for Sep 2024, "
        "492 above SV forecast."
    ]


def test_a_narrative_figure_within_the_tolerance_is_not_flagged(figs, risk_update):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.line(ehcps, figs.actual, {DATA_MONTH: 5142})
    risk_update.narrative = "EHCPs: 5,000 in September (rounded)."  # -2.8%, within 5%
    risk_update.save()
    assert flags(risk_update) == []
    risk_update.narrative = "EHCPs: 4,880 in September."  # -5.1%
    risk_update.save()
    assert len(flags(risk_update)) == 1


def test_a_percentage_is_checked_against_a_cited_percentage_measure_it_names(figs, draft):
    update = f.ConditionUpdateFactory(
        round=draft,
        rag=Rag.AMBER,
        narrative="Plans issued within 20 weeks fell to 48% this quarter. Income rose by 7%.",
    )
    timeliness = figs.measure("Plans issued within 20 weeks", polarity="higher", unit="percent")
    update.key_measures.add(timeliness)
    figs.line(timeliness, figs.actual, {DATA_MONTH: Decimal("55.5")})
    # The second sentence names no measure: its 7% is not read as the cited measure's.
    assert flags(update) == [
        "The progress update gives 48% for Plans issued within 20 weeks; the data give 55.50% "
        "for Sep 2024."
    ]


def test_a_running_total_without_a_forecast_does_not_drift_from_its_start_value(figs, risk_update):
    exclusions = figs.measure("Exclusions (year to date)", risk=risk_update.risk)
    exclusions.reading = "running_total"
    exclusions.save()
    figs.line(exclusions, figs.actual, {dt.date(2023, 4, 1): 1})
    figs.line(exclusions, figs.actual, dict.fromkeys(months_back(6), 40))
    assert suggestions(risk_update) == []
    # Against a forecast line it does.
    figs.line(exclusions, figs.forecast, dict.fromkeys(months_back(6), 20))
    assert len(suggestions(risk_update)) == 1


def test_a_flagged_figure_never_blocks_saving(figs, risk_update, lead):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.line(ehcps, figs.actual, {DATA_MONTH: 5142})
    risk_update_save(
        update=risk_update,
        expected_version=1,
        rag=Rag.AMBER,
        narrative="EHCPs are at 650.",
        impact=4,
        likelihood=3,
        by=lead,
    )
    risk_update.refresh_from_db()
    assert risk_update.narrative == "EHCPs are at 650."
    assert len(flags(risk_update)) == 1


# --- the task page ------------------------------------------------------------------------------


def test_the_task_page_shows_the_suggestion_and_the_flag_with_accept_and_dismiss(
    figs, risk_update, lead
):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    risk_update.narrative = "EHCPs are at 4,650."
    risk_update.save()
    html = client_for(lead).get(task_page(risk_update.round, _key(risk_update))).content.decode()
    assert "now +11.4% (Sep 2024): consider raising likelihood from 3 to 4." in html
    assert "The progress update gives 4,650 for Number of EHCPs" in html
    assert "suggestions/accept/" in html and "suggestions/dismiss/" in html


def test_dismissing_from_the_page_records_it_and_the_page_no_longer_shows_it(
    figs, risk_update, lead
):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    s = _only(risk_update)
    page = task_page(risk_update.round, _key(risk_update))
    client = client_for(lead)
    response = client.post(
        page + "suggestions/dismiss/", {"measure": s.measure_pk, "evidence": s.evidence}
    )
    assert response.status_code == 302 and response["Location"] == page
    assert DriftDecision.objects.get().outcome == "dismissed"
    assert "consider raising likelihood" not in client.get(page).content.decode()


def test_accepting_from_the_page_saves_the_likelihood(figs, risk_update, lead):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    s = _only(risk_update)
    page = task_page(risk_update.round, _key(risk_update))
    client_for(lead).post(
        page + "suggestions/accept/",
        {"measure": s.measure_pk, "evidence": s.evidence, "version": "1"},
    )
    risk_update.refresh_from_db()
    assert risk_update.likelihood == 4


def test_another_councils_officer_gets_404_for_the_page_and_its_suggestions(
    figs, risk_update, other_la_officer, board_member
):
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    s = _only(risk_update)
    page = task_page(risk_update.round, _key(risk_update))
    outsider = client_for(other_la_officer)
    assert outsider.get(page).status_code == 404
    data = {"measure": s.measure_pk, "evidence": s.evidence, "version": "1"}
    assert outsider.post(page + "suggestions/dismiss/", data).status_code == 404
    assert outsider.post(page + "suggestions/accept/", data).status_code == 404
    # The council's board member reads the page but may not decide.
    board = client_for(board_member)
    assert board.get(page).status_code == 200
    assert "suggestions/dismiss/" not in board.get(page).content.decode()
    assert board.post(page + "suggestions/dismiss/", data).status_code == 403
    assert not DriftDecision.objects.exists()


def test_the_drift_reads_take_the_same_queries_for_one_measure_as_for_five(
    figs, risk_update, django_assert_num_queries
):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            task_drift(risk_update.round, _key(risk_update))
        return len(captured.captured_queries)

    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    task_drift(risk_update.round, _key(risk_update))  # the round's council, read once
    one = count_queries()
    for n in range(4):
        other = figs.measure(f"Measure extra {n}", risk=risk_update.risk)
        figs.drifting(other, months=6, actual=5570, forecast=5000)
    assert count_queries() == one
    # The update, its measures, every figure at once, the decisions made.
    with django_assert_num_queries(4):
        task_drift(risk_update.round, _key(risk_update))


def test_the_task_page_costs_the_same_queries_for_one_linked_measure_as_for_five(
    figs, risk_update, lead, django_assert_num_queries
):
    page = task_page(risk_update.round, _key(risk_update))
    client = client_for(lead)
    ehcps = figs.measure(risk=risk_update.risk)
    figs.drifting(ehcps, months=6, actual=5570, forecast=5000)
    client.get(page)
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    for n in range(4):
        other = figs.measure(f"Measure extra {n}", risk=risk_update.risk)
        figs.drifting(other, months=6, actual=5570, forecast=5000)
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get(page).content.decode()
    assert html.count("consider raising likelihood") == 5
