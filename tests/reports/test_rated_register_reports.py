"""What the dashboard, the DfE report and the board pack print of a council's risk register.

A rated council (RAG only) gives no score, so none prints: no impact, likelihood, score or heat
map, and its key risks are those at the levels it chose. Every council's dashboard shows each
risk's level at Updates 1, 2 and 3, as the DfE report does."""

import re

import pytest
from django.urls import reverse

from reports.freeze import round_snapshot_freeze
from reports.models import RoundSnapshot as FrozenSnapshot
from reports.snapshot import round_snapshot_build, snapshot_as_dict
from risks.models import Risk, RiskUpdate
from svmonitor.choices import Rag, RiskRegister
from svmonitor.models import LocalAuthority, ReportingRound
from tests.factories import RiskUpdateFactory
from tests.jobs import download
from tests.pdf.conftest import media, pdf_text  # noqa: F401 (media: a fixture)
from tests.reports.conftest import build_council
from tests.reports.test_snapshot_queries import SNAPSHOT_QUERIES

pytestmark = pytest.mark.django_db

SCORE_WORDS = re.compile(r"score|impact|likelihood|heat", re.IGNORECASE)
# Levels of the four risks at Updates 1, 2 and 3 (build_council rates them all Amber at 3).
HISTORY = {1: (Rag.GREEN, Rag.RED), 2: (Rag.AMBER, Rag.AMBER_RED)}


def _with_history(latest):
    """Each risk rated at Updates 1 and 2 as well; risks 1 and 2 Red at Update 3."""
    rounds = {
        r.update_number: r
        for r in ReportingRound.objects.filter(agreement=latest.agreement, financial_year=2024)
    }
    risks = list(Risk.objects.filter(council=latest.agreement.council).order_by("number"))
    # Numbered 1 to 4 (the factory numbers risks across the test run).
    # Out of the way first, above every number the council's risks hold (the factory's
    # sequence runs across the session, so no fixed offset is safe).
    top = max(risk.number for risk in risks)
    for i, risk in enumerate(risks, start=1):
        Risk.objects.filter(pk=risk.pk).update(number=top + i)
    for i, risk in enumerate(risks, start=1):
        Risk.objects.filter(pk=risk.pk).update(number=i)
    for n, (first, later) in HISTORY.items():
        for i, risk in enumerate(risks):
            RiskUpdateFactory(round=rounds[n], risk=risk, rag=first if i % 2 == 0 else later)
    RiskUpdate.objects.filter(round=latest, risk__in=risks[:2]).update(rag=Rag.RED)
    return latest


def _rated_council(council, levels="red"):
    """build_council's council as one that rates its risks by RAG only (no scores kept)."""
    latest = _with_history(build_council(council=council))
    LocalAuthority.objects.filter(pk=council.pk).update(
        risk_register=RiskRegister.RATED, risk_key_levels=levels
    )
    Risk.objects.filter(council=council).update(impact=None, likelihood=None)
    RiskUpdate.objects.filter(risk__council=council).update(impact=None, likelihood=None)
    # Neutral text, so any "impact" on the page would be the register's own words.
    Risk.objects.filter(council=council).update(impact_description="Costs rise")
    council.refresh_from_db()
    return latest


def _dashboard(client, user, council):
    client.force_login(user)
    response = client.get(
        reverse("reports:council_dashboard", args=[council.slug]), {"round": "2024-25/3"}
    )
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start : end if end > 0 else None]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the dashboard ------------------------------------------------------------------------------


def test_a_rated_councils_dashboard_shows_no_score_and_counts_risks_per_level(
    client, council, la_officer
):
    _rated_council(council)
    html = _dashboard(client, la_officer, council)
    risks = _section(html, "risks-heading")

    assert not SCORE_WORDS.search(_text(risks)), SCORE_WORDS.findall(_text(risks))
    assert "chart-risk-heat-map" not in html and "app-heat-table" not in html
    assert "Key programme risks (rated Red)" in risks
    # The count per level stands in for the heat map, with its data as a table.
    assert 'id="chart-risk-levels"' in risks
    levels = _text(_section(risks, "risk-levels"))
    assert re.search(r"Red \(key\) 2\b", levels), levels
    assert re.search(r"Amber 2\b", levels), levels


def test_a_rated_councils_key_risks_are_those_at_its_chosen_levels(client, council, la_officer):
    _rated_council(council, levels="red,amber")
    snap = round_snapshot_build(
        ReportingRound.objects.get(agreement__council=council, update_number=3)
    )
    assert [r.number for r in snap.key_risks] == [1, 2, 3, 4]
    LocalAuthority.objects.filter(pk=council.pk).update(risk_key_levels="red")
    snap = round_snapshot_build(
        ReportingRound.objects.get(agreement__council=council, update_number=3)
    )
    assert [(r.number, r.score) for r in snap.key_risks] == [(1, None), (2, None)]

    html = _dashboard(client, la_officer, council)
    key = _section(html, "risks-heading")
    key_table = key[: key.index("All risks at each update")]
    assert key_table.count('<tr class="govuk-table__row">') == 1 + 2  # header and two risks


@pytest.mark.parametrize("register", ["scored", "rated"])
def test_the_dashboard_shows_each_risks_level_at_updates_1_to_3(
    client, council, la_officer, register
):
    if register == "rated":
        _rated_council(council)
    else:
        _with_history(build_council(council=council))
    html = _dashboard(client, la_officer, council)

    table = _text(_section(html, "risk-updates"))
    assert "Update 1 (May) Update 2 (August) Update 3 (November)" in table
    # Risk 1: Green, Amber, Red; risk 2: Red, Red (Amber/Red reports as Red), Red. A short
    # word is followed by its standard name for screen readers: "Red (Red)".
    plan = "There is a risk that demand outpaces the plan."
    assert f"Risk 1 {plan} Green - On Track Amber Red (Red) Risk 2" in table, table
    assert f"Risk 2 {plan} Red (Red) Red (Red) Red (Red) Risk 3" in table, table


def test_a_scored_councils_dashboard_keeps_its_scores_and_heat_map_beside_every_risks_levels(
    client, council, la_officer
):
    build_council(council=council)
    html = _dashboard(client, la_officer, council)
    risks = _section(html, "risks-heading")
    assert "Key programme risks (15+)" in risks
    assert "chart-risk-heat-map" in risks and "Risk score" in risks
    assert "chart-risk-levels" not in risks
    # Not rated at Updates 1 and 2, Amber at 3.
    assert _text(risks).count("No update No update Amber") == 4


def test_a_rated_council_takes_the_same_snapshot_queries(django_assert_num_queries, council):
    latest = _rated_council(council)
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        snapshot = round_snapshot_build(latest)
    with django_assert_num_queries(0):
        assert snapshot.risk_level_counts and snapshot.key_risks
        assert all(len(r.ratings_by_update) == 3 for r in snapshot.risks)


# --- the PDFs -----------------------------------------------------------------------------------


def test_a_rated_councils_dfe_report_prints_no_score(client, council, la_officer):
    _rated_council(council)
    client.force_login(la_officer)
    response = download(client, reverse("reports:report_pdf", args=[council.slug, "2024-25", 3]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    register = text[text.index("SAFETY VALVE PROGRAMME RISK REGISTER") :]
    register = register[: register.index("HIGH NEEDS BLOCK FORECAST")]

    assert not SCORE_WORDS.search(register), SCORE_WORDS.findall(register)
    assert register.count("Key risk") == 2  # risks 1 and 2, rated Red
    assert "Risk 4" in register


@pytest.mark.usefixtures("media")
def test_a_rated_councils_board_pack_prints_no_score_or_heat_map(client, council, la_officer):
    latest = _rated_council(council, levels="red,amber_red")
    round_snapshot_freeze(round=latest, by=None)
    client.force_login(la_officer)
    response = download(
        client, reverse("reports:board_pack_pdf", args=[council.slug]) + "?round=2024-25/3"
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    risks = text[text.index("Key programme risks") :]
    risks = risks[: risks.index("Number of open risks at each level")]

    assert not SCORE_WORDS.search(risks), SCORE_WORDS.findall(risks)
    assert "Key programme risks (rated Red or Amber / Red - At Risk)" in text
    assert "All risks by RAG level" in text
    assert "All risks by impact and likelihood" not in text


# --- a payload frozen before the change ---------------------------------------------------------


def _frozen_before(latest):
    """Freeze the round as the snapshot was before issue 13: no register, no levels by update."""
    payload = snapshot_as_dict(round_snapshot_build(latest))
    for key in ("risk_register", "risk_key_levels"):
        del payload["council"][key]
    for risk in payload["risks"]:
        del risk["ratings_by_update"]
    return FrozenSnapshot.objects.create(round=latest, payload=payload, sha256="0" * 64)


def test_a_payload_frozen_before_still_renders_on_the_dashboard_and_in_the_report(
    client, council, la_officer
):
    latest = _with_history(build_council(council=council))
    _frozen_before(latest)

    html = _dashboard(client, la_officer, council)
    risks = _section(html, "risks-heading")
    assert "Key programme risks (15+)" in risks and "chart-risk-heat-map" in risks
    assert "earlier levels were not recorded when this return was frozen" in risks

    client.force_login(la_officer)
    response = download(client, reverse("reports:report_pdf", args=[council.slug, "2024-25", 3]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Score " in text  # the scored register it was
