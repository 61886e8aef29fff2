"""Returns submitted before svmonitor (issue 13.6): read-only at every door, labelled on every
page and PDF as imported from the council's records, never claiming a sign-off svmonitor did
not record; "First rating" and "Carried forward" only where they are true."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from conditions.models import ConditionUpdate
from conditions.services import condition_update_save
from reports.models import ReportFile
from reports.pdf.produce import report_pdf_produce
from reports.snapshot import round_snapshot_build
from reports.snapshot.record import round_record
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import IMPORTED_READ_ONLY
from svmonitor.models import ReportingRound
from svmonitor.services import round_open_next, round_reopen
from tests import factories as f
from tests.imported_builders import joined_mid_agreement
from tests.pdf.conftest import pdf_pages_text, pdf_text
from tests.round_page.conftest import HTMX, client_for, round_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def joined(council, tmp_path):
    """(lead, {update: round}) of a council whose Updates 1 and 2 were imported."""
    lead, rounds, _ = joined_mid_agreement(council, tmp_path)
    return lead, rounds


def _label(round):
    round.refresh_from_db()
    day = f"{round.imported_at:%-d %B %Y}"
    return f"Imported from the council's records on {day}; submitted to DfE on " + (
        f"{round.submitted_on:%-d %B %Y} before svmonitor"
    )


def _locked_words(round):
    return IMPORTED_READ_ONLY.format(label=round.label)


def test_the_round_page_labels_an_imported_return_and_its_sign_off_as_the_councils(joined):
    lead, rounds = joined
    client = client_for(lead)

    u1 = client.get(round_url(rounds[1])).content.decode()
    u2 = client.get(round_url(rounds[2])).content.decode()

    assert escape(_label(rounds[1])) in u1
    assert "Submitted before svmonitor" in u1
    assert "Sign-offs as recorded by the council (not recorded in svmonitor)" in u1
    assert "A. Treasurer, as recorded by the council" in u1
    assert "Sign-off not recorded in svmonitor." in u2
    assert "Not signed off yet." not in u2
    # Read-only: no edit links, no reopen form; its text is as submitted, not carried forward.
    assert "/edit/" not in u1
    assert "Reopen this return" not in u1
    assert "As submitted to DfE before svmonitor, from the council's records." in u1
    assert "Carried forward" not in u1


def test_editing_an_imported_return_is_refused_in_the_browser_with_a_clear_message(joined):
    lead, rounds = joined
    update = ConditionUpdate.objects.get(round=rounds[1], condition__label="1")
    client = client_for(lead)
    url = round_url(rounds[1], f"conditions/{update.pk}/edit/")

    fragment = client.get(url, **HTMX).content.decode()
    response = client.post(url, {"rag": "green", "narrative": "Later", "version": "1"})

    assert "<form" not in fragment
    assert escape(_locked_words(rounds[1])) in fragment
    # The section history and the changes page carry the label too.
    for suffix in ("changes/", f"history/condition/{update.pk}/"):
        page = client.get(round_url(rounds[1], suffix))
        assert escape(_label(rounds[1])) in page.content.decode(), suffix
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.rag, update.narrative) == (Rag.AMBER, "Placements rose in the spring.")
    with pytest.raises(ValidationError, match="imported from the council's records"):
        condition_update_save(
            update=update, expected_version=update.version, rag=Rag.GREEN, narrative="", by=lead
        )


def test_an_imported_return_cannot_be_reopened(joined):
    lead, rounds = joined

    response = client_for(lead).post(round_url(rounds[1], "reopen/"), {"reason": "Fix a typo"})

    assert escape(_locked_words(rounds[1])) in response.content.decode()
    rounds[1].refresh_from_db()
    assert rounds[1].status == RoundStatus.SUBMITTED
    with pytest.raises(ValidationError, match="cannot be edited or reopened"):
        round_reopen(round=rounds[1], by=lead, reason="Fix a typo")


def test_the_admin_refuses_to_change_an_imported_returns_sections(joined, client):
    _, rounds = joined
    client.force_login(f.UserFactory(username="site-admin", is_staff=True, is_superuser=True))
    update = ConditionUpdate.objects.get(round=rounds[1], condition__label="1")
    url = reverse("admin:conditions_conditionupdate_change", args=[update.pk])

    response = client.post(url, {"rag": "green", "narrative": "", "_save": "Save"})

    assert response.status_code == 403
    assert escape(_locked_words(rounds[1])) in response.content.decode()
    update.refresh_from_db()
    assert update.rag == Rag.AMBER


def test_the_returns_list_dashboard_and_portfolio_label_imported_returns(joined, council):
    lead, rounds = joined
    client = client_for(lead)

    listing = client.get(reverse("reports:round_list", args=[council.slug])).content.decode()
    dashboard = client.get(
        reverse("reports:council_dashboard", args=[council.slug]), {"round": "2024-25/1"}
    ).content.decode()
    latest = client.get(reverse("reports:council_dashboard", args=[council.slug]))

    assert escape(_label(rounds[1])) in listing and escape(_label(rounds[2])) in listing
    assert escape(_label(rounds[1])) in dashboard
    assert "2024-25 Update 2 (August) (submitted before svmonitor)</option>" in dashboard
    # The draft recorded here is not labelled as imported.
    assert "Imported from the council" not in latest.content.decode().split("<select")[0]


def test_the_dfe_report_says_so_on_the_cover_and_on_every_page(joined, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _, rounds = joined

    u1 = report_pdf_produce(round=rounds[1], kind=ReportFile.Kind.REPORT, bounded=False)
    u2 = report_pdf_produce(round=rounds[2], kind=ReportFile.Kind.REPORT, bounded=False)
    pack = report_pdf_produce(round=rounds[2], kind=ReportFile.Kind.BOARD_PACK, bounded=False)

    text = pdf_text(u1.content)
    assert f"{_label(rounds[1])}." in text
    assert (
        "S151 officer: signed off by A. Treasurer on 28 May 2024, as recorded by the council"
        in (text)
    )
    assert "Director of children's services: sign-off not recorded in svmonitor" in text
    assert "30 May 2024 (before svmonitor)" in text
    # The running footer of every page carries the label.
    pages = pdf_pages_text(u1.content)
    assert all(_label(rounds[1])[:60] in page for page in pages), len(pages)
    text2 = pdf_text(u2.content)
    assert "S151 officer: sign-off not recorded in svmonitor" in text2
    assert "not signed off" not in text2.replace("sign-off not recorded", "")
    assert "Submitted before svmonitor" in pdf_text(pack.content)


def test_first_rating_only_where_no_earlier_update_of_the_year_rated_it(joined):
    _, rounds = joined

    conditions = {c.label: c for c in round_snapshot_build(rounds[3]).conditions}

    # Rated Amber at Update 1 (imported), left unrated at Update 2, Amber again now.
    assert conditions["1"].change_text == "No change"
    assert conditions["1"].previous_round_label == "2024-25 Update 1"
    # Never rated before this update.
    assert conditions["2"].change_text == "First rating"
    # The imported returns' own frozen records say the same.
    frozen_u2 = {c.label: c for c in round_record(rounds[2]).snapshot.conditions}
    assert frozen_u2["1"].change_text == "Not rated"


def test_carried_forward_only_where_svmonitor_carried_the_text_forward(joined, council):
    lead, rounds = joined
    client = client_for(lead)

    # Update 3 came in by workbook as a draft: nothing was carried forward into it.
    u3 = client.get(round_url(rounds[3])).content.decode()
    assert "Carried forward; not revised" not in u3

    # 2025-26 Update 1, opened in svmonitor, carries Update 3 forward: there it is true.
    ReportingRound.objects.filter(pk=rounds[3].pk).update(status=RoundStatus.READY)
    opened = round_open_next(
        agreement=rounds[3].agreement, financial_year=2025, update_number=1, by=lead
    )
    page = client.get(round_url(opened)).content.decode()
    assert "Carried forward; not revised in this update yet." in page
