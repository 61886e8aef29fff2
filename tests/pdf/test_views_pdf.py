"""The PDF downloads: who may have them, what they hold, and the limits around them."""

import pytest
from django.urls import reverse

from overview.models import RoundOverview
from reports.freeze import round_snapshot_freeze
from svmonitor import ratelimit
from svmonitor.models import AuditEvent
from tests.factories import ReportingRoundFactory
from tests.jobs import download
from tests.pdf.conftest import pdf_text
from tests.reports.conftest import build_council

pytestmark = pytest.mark.django_db


def _report_url(council, fy="2024-25", n=1):
    return reverse("reports:report_pdf", args=[council.slug, fy, n])


@pytest.fixture
def draft_round(agreement):
    return ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=1)


def test_an_officer_and_a_board_member_get_the_report_and_another_council_a_404(
    client, council, draft_round, la_officer, board_member, other_la_officer, media
):
    for user in (la_officer, board_member):
        client.force_login(user)
        response = download(client, _report_url(council))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-1.7")
        assert "-DRAFT.pdf" in response["Content-Disposition"]
        assert "DRAFT" in pdf_text(response.content)
    client.force_login(other_la_officer)
    assert client.get(_report_url(council)).status_code == 404
    assert client.get(reverse("reports:board_pack_pdf", args=[council.slug])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, council, draft_round):
    response = client.get(_report_url(council))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"] or "login" in response["Location"]


def test_a_bad_year_or_an_unknown_round_is_a_404(client, council, draft_round, la_officer):
    client.force_login(la_officer)
    assert client.get(_report_url(council, fy="2024-26")).status_code == 404
    assert client.get(_report_url(council, fy="2024-25", n=3)).status_code == 404
    board = reverse("reports:board_pack_pdf", args=[council.slug])
    assert client.get(board, {"round": "2024-25/7"}).status_code == 404


def test_each_export_is_recorded_in_the_audit_trail(
    client, council, draft_round, la_officer, media
):
    client.force_login(la_officer)
    response = download(client, _report_url(council))
    event = AuditEvent.objects.get(action="pdf_exported")
    assert event.user == la_officer and event.council == council
    assert event.after["sha256"] == response["X-Content-SHA256"]
    assert event.after["draft"] is True


def test_the_export_limit_applies(client, council, draft_round, la_officer, settings, monkeypatch):
    settings.EXPORT_RATE_PER_MINUTE = 1
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_000.0)
    client.force_login(la_officer)
    # The first asks for a render (a job, 303 to its page); the second is one too many.
    assert client.get(_report_url(council)).status_code == 303
    assert client.get(_report_url(council)).status_code == 429


def test_the_board_pack_renders_the_frozen_snapshot_of_the_dashboard(
    client, council, la_officer, media
):
    latest = build_council(council=council)
    round_snapshot_freeze(round=latest, by=None)
    # A change to live data after the freeze does not reach the board pack.
    RoundOverview.objects.filter(round=latest).update(overall_narrative="Edited afterwards.")
    client.force_login(la_officer)
    response = download(
        client, reverse("reports:board_pack_pdf", args=[council.slug]) + "?round=2024-25/3"
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Portfolio summary" in text
    assert "Overall Amber/Red - At Risk." in text
    assert "Edited afterwards." not in text
    assert "Amber / Red - At Risk" in text  # the overall RAG word, on its colour
    assert "Number of EHCPs" in text and "6,005" in text
    assert "Key programme risks (15+)" in text
    assert "Workstream status by programme area" in text
    assert "Finance: High Needs Block" in text
    assert "DRAFT" not in text
    assert "board-pack.pdf" in response["Content-Disposition"]
