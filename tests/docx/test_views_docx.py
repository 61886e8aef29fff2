"""report.docx: the same door as report.pdf (roles, another council, drafts hidden from DfE,
the export limit, the audit trail), linked beside the PDF on the round page and task list."""

import pytest
from django.urls import reverse

from reports.docx.produce import CONTENT_TYPE
from svmonitor import ratelimit
from svmonitor.choices import RoundStatus
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests.docx.conftest import document, full_text
from tests.factories import MembershipFactory, ReportingRoundFactory, UserFactory
from tests.jobs import download
from tests.round_builders import programme, round_in

pytestmark = pytest.mark.django_db


def _url(council, fy="2024-25", n=1):
    return reverse("reports:report_docx", args=[council.slug, fy, n])


@pytest.fixture
def draft_round(agreement):
    return ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=1)


def test_an_officer_and_a_board_member_get_the_word_report_and_another_council_a_404(
    client, council, draft_round, la_officer, board_member, other_la_officer
):
    for user in (la_officer, board_member):
        client.force_login(user)
        response = download(client, _url(council))
        assert response.status_code == 200
        assert response["Content-Type"] == CONTENT_TYPE
        assert response["Content-Disposition"].startswith("attachment;")
        assert "-DRAFT.docx" in response["Content-Disposition"]
        text = full_text(document(response.content))
        assert council.name in text and "DRAFT" in text
    client.force_login(other_la_officer)
    assert client.get(_url(council)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, council, draft_round):
    response = download(client, _url(council))
    assert response.status_code == 302
    assert "login" in response["Location"] or "/accounts/" in response["Location"]


def test_a_bad_year_or_an_unknown_round_is_a_404(client, council, draft_round, la_officer):
    client.force_login(la_officer)
    assert client.get(_url(council, fy="2024-26")).status_code == 404
    assert client.get(_url(council, n=3)).status_code == 404


def test_an_adviser_gets_a_return_only_once_it_is_submitted(client):
    adviser = UserFactory(username="dfe-adviser")
    draft, submitted = programme(), programme()
    round_in(RoundStatus.DRAFT, draft)
    round_in(RoundStatus.SUBMITTED, submitted)
    for prog in (draft, submitted):
        MembershipFactory(user=adviser, council=prog.agreement.council, role=Role.ADVISER)
    client.force_login(adviser)
    assert client.get(_url(draft.agreement.council)).status_code == 404
    response = download(client, _url(submitted.agreement.council))
    assert response.status_code == 200
    assert "DRAFT" not in full_text(document(response.content))


def test_each_download_is_recorded_in_the_audit_trail(client, council, draft_round, la_officer):
    client.force_login(la_officer)
    response = download(client, _url(council))
    event = AuditEvent.objects.get(action="docx_exported")
    assert event.user == la_officer and event.council == council
    assert event.after["sha256"] == response["X-Content-SHA256"]
    assert event.after["format"] == "docx" and event.after["draft"] is True


def test_the_export_limit_counts_word_and_pdf_together(
    client, council, draft_round, la_officer, settings, monkeypatch
):
    settings.EXPORT_RATE_PER_MINUTE = 1
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_000.0)
    client.force_login(la_officer)
    assert client.get(_url(council)).status_code == 303  # queued
    assert client.get(_url(council)).status_code == 429
    pdf = reverse("reports:report_pdf", args=[council.slug, "2024-25", 1])
    assert client.get(pdf).status_code == 429


def test_the_round_page_and_task_list_link_it_beside_the_pdf(client):
    prog = programme()
    rnd = round_in(RoundStatus.DRAFT, prog)
    council = prog.agreement.council
    client.force_login(prog.officer)
    for name in ("round_detail", "task_list"):
        html = client.get(reverse(f"reports:{name}", args=[council.slug, "2024-25", 1])).content
        html = html.decode()
        pdf = reverse("reports:report_pdf", args=[council.slug, "2024-25", 1])
        assert f'href="{_url(council)}"' in html, name
        assert html.index(pdf) < html.index(_url(council))
        assert "the signed PDF stays the record of what was sent to DfE" in html
    assert rnd.status == RoundStatus.DRAFT
