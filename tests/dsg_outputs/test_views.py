"""The DSG outputs' URLs: the export door (404 across councils, sign in, 403 without export),
the export rate limit, an audit event per download, and a draft marked DRAFT."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from svmonitor import ratelimit
from svmonitor.choices import RoundStatus
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from tests import factories as f
from tests.dsg_outputs.builders import dsg_plan, dsg_round
from tests.dsg_outputs.conftest import docx_text, pdf_text
from tests.jobs import download

pytestmark = pytest.mark.django_db
NAMES = ("dsg_plan_pdf", "dsg_plan_docx", "dsg_schools_forum_pdf", "dsg_schools_forum_docx")


def _url(name, council, fy="2025-26", n=1):
    return reverse(f"reports:{name}", args=[council.slug, fy, n])


def test_the_urls_are_under_the_dsg_round():
    plan = dsg_plan()
    slug = plan.agreement.council.slug
    assert _url("dsg_plan_pdf", plan.agreement.council) == (
        f"/councils/{slug}/dsg-plan/2025-26/1/plan.pdf"
    )
    assert _url("dsg_schools_forum_docx", plan.agreement.council).endswith(
        "/dsg-plan/2025-26/1/schools-forum.docx"
    )


def test_a_board_member_gets_all_four_and_a_draft_says_draft(client):
    plan = dsg_plan()
    council = plan.agreement.council
    dsg_round(plan, 1)
    client.force_login(plan.board)
    for name in NAMES:
        # Rendered by a background job, as report.pdf is: a 303 to the job, then the file.
        assert client.get(_url(name, council)).status_code == 303, name
        response = download(client, _url(name, council))
        assert response.status_code == 200, name
        assert "-DRAFT." in response["Content-Disposition"]
        read = pdf_text if name.endswith("pdf") else docx_text
        assert "DRAFT" in read(response.content), name
    assert download(client, _url("dsg_plan_pdf", council))["Content-Type"] == "application/pdf"
    assert download(client, _url("dsg_plan_docx", council))["Content-Type"].endswith(
        "wordprocessingml.document"
    )


def test_another_councils_officer_gets_a_404_and_a_visitor_is_sent_to_sign_in(client):
    plan = dsg_plan()
    council = plan.agreement.council
    dsg_round(plan, 1)
    stranger = f.UserFactory()
    f.MembershipFactory(user=stranger, council=f.LocalAuthorityFactory(), role=Role.LEAD)
    for name in NAMES:
        assert client.get(_url(name, council)).status_code == 302
    client.force_login(stranger)
    for name in NAMES:
        assert client.get(_url(name, council)).status_code == 404, name


def test_a_safety_valve_round_or_an_unknown_term_is_a_404(client):
    plan = dsg_plan()
    council = plan.agreement.council
    # A Safety Valve round of the same year and number is not a DSG plan update.
    f.ReportingRoundFactory(agreement=plan.agreement, financial_year=2025, update_number=1)
    client.force_login(plan.board)
    assert client.get(_url("dsg_plan_pdf", council)).status_code == 404
    dsg_round(plan, 1)
    assert client.get(_url("dsg_plan_pdf", council, n=2)).status_code == 404
    assert client.get(_url("dsg_plan_pdf", council, fy="2025-27")).status_code == 404


def test_each_download_is_audited_with_what_was_sent(client):
    plan = dsg_plan()
    council = plan.agreement.council
    round_ = dsg_round(plan, 1, RoundStatus.SIGNED_OFF)
    client.force_login(plan.board)
    first = download(client, _url("dsg_schools_forum_pdf", council))
    event = AuditEvent.objects.get(action="pdf_exported")
    assert event.user == plan.board and event.council == council
    assert event.after["kind"] == "schools_forum" and event.after["format"] == "pdf"
    assert event.after["snapshot_sha256"] == round_.snapshots.get().sha256
    assert event.after["draft"] is False
    # A signed-off round's render is kept: the next request is served it at once, audited.
    again = client.get(_url("dsg_schools_forum_pdf", council))
    assert again.status_code == 200 and again.content == first.content
    assert again["X-Content-SHA256"] == first["X-Content-SHA256"]
    assert AuditEvent.objects.filter(action="pdf_exported").count() == 2
    download(client, _url("dsg_plan_docx", council))
    event = AuditEvent.objects.get(action="docx_exported")
    assert event.after["kind"] == "plan" and event.after["format"] == "docx"


def test_the_export_limit_counts_the_dsg_outputs_with_the_other_exports(
    client, settings, monkeypatch
):
    settings.EXPORT_RATE_PER_MINUTE = 1
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_000.0)
    plan = dsg_plan()
    council = plan.agreement.council
    dsg_round(plan, 1)
    client.force_login(plan.board)
    assert client.get(_url("dsg_plan_docx", council)).status_code == 303
    assert client.get(_url("dsg_schools_forum_docx", council)).status_code == 429


def test_export_report_writes_the_plan_and_the_paper(tmp_path: Path):
    plan = dsg_plan()
    council = plan.agreement.council
    dsg_round(plan, 1, RoundStatus.SIGNED_OFF)
    out = io.StringIO()
    call_command(
        "export_report",
        council.slug,
        "2025-26",
        "1",
        "--dsg",
        "plan",
        "-o",
        str(tmp_path / "plan.pdf"),
        stdout=out,
    )
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF")
    assert "From the frozen record" in out.getvalue()
    call_command(
        "export_report",
        council.slug,
        "2025-26",
        "1",
        "--dsg",
        "schools-forum",
        "-o",
        str(tmp_path / "paper.docx"),
        stdout=out,
    )
    assert "Schools Forum" in docx_text((tmp_path / "paper.docx").read_bytes())
    with pytest.raises(CommandError, match="no DSG plan update"):
        call_command(
            "export_report",
            council.slug,
            "2025-26",
            "2",
            "--dsg",
            "plan",
            "-o",
            str(tmp_path / "none.pdf"),
        )


def test_the_dsg_round_page_links_the_four_documents(client):
    plan = dsg_plan()
    council = plan.agreement.council
    dsg_round(plan, 1)
    client.force_login(plan.board)
    page = client.get(reverse("reports:dsg_round_detail", args=[council.slug, "2025-26", 1]))
    assert page.status_code == 200
    html = page.content.decode()
    for name in NAMES:
        assert f'href="{_url(name, council)}"' in html, name
