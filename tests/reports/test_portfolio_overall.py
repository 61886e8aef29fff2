"""The portfolio shows each council's overall RAG at its latest submitted return, in DfE's
word and colour, and its change since the submission before (issue 15.10)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from reports.freeze import round_snapshot_freeze
from reports.portfolio import portfolio_rows
from svmonitor.choices import Rag, RoundStatus
from svmonitor.roles import Role
from svmonitor.services.rounds import round_draft_save
from tests import factories as f

pytestmark = pytest.mark.django_db


def _submitted(agreement, update_number, rag, *, freeze_by=None):
    rnd = f.ReportingRoundFactory(
        agreement=agreement,
        update_number=update_number,
        status=RoundStatus.SUBMITTED,
        submitted_on=dt.date(2024, 5 + 3 * update_number, 1),
    )
    f.RoundOverviewFactory(round=rnd, overall_rag=rag)
    if freeze_by is not None:
        round_snapshot_freeze(round=rnd, by=freeze_by)
    return rnd


@pytest.fixture
def admin():
    return f.UserFactory(username="site-admin-portfolio", is_superuser=True)


def test_the_overall_rag_and_its_change_since_the_previous_submission(admin):
    agreement = f.AgreementFactory(council=f.LocalAuthorityFactory(name="Changeshire"))
    _submitted(agreement, 1, Rag.RED, freeze_by=admin)
    latest = _submitted(agreement, 2, Rag.AMBER, freeze_by=admin)
    # A draft after it is not what DfE has seen: neither shown nor compared.
    f.RoundOverviewFactory(
        round=f.ReportingRoundFactory(agreement=agreement, update_number=3),
        overall_rag=Rag.GREEN,
    )
    (row,) = portfolio_rows(user=admin)
    assert row.round_label.startswith(latest.label)
    assert (row.overall.word, row.overall.css) == ("Amber", "rag--amber")
    assert row.overall_change == "Amber, was Red"


def test_no_change_first_submission_and_the_councils_own_notation_in_dfe_words(admin):
    same = f.AgreementFactory(council=f.LocalAuthorityFactory(name="Sameshire"))
    f.RagDefinitionFactory(
        council=same.council, level=Rag.AMBER_GREEN, label="A/G", dfe_level=Rag.AMBER
    )
    _submitted(same, 1, Rag.AMBER)  # never frozen (history loaded as submitted): its overview
    _submitted(same, 2, Rag.AMBER_GREEN)
    first = f.AgreementFactory(council=f.LocalAuthorityFactory(name="Firstshire"))
    _submitted(first, 1, Rag.GREEN, freeze_by=admin)
    rows = {row.name: row for row in portfolio_rows(user=admin)}
    assert (rows["Sameshire"].overall.word, rows["Sameshire"].overall_change) == (
        "Amber",
        "No change",
    )
    assert (rows["Firstshire"].overall.word, rows["Firstshire"].overall_change) == (
        "Green",
        "First submission",
    )


def test_the_portfolio_page_shows_the_overall_rag_as_text_beside_its_colour(admin):
    agreement = f.AgreementFactory(council=f.LocalAuthorityFactory(name="Pageshire"))
    _submitted(agreement, 1, Rag.GREEN, freeze_by=admin)
    _submitted(agreement, 2, Rag.RED, freeze_by=admin)
    adviser = f.UserFactory(username="adviser-portfolio")
    f.MembershipFactory(user=adviser, council=agreement.council, role=Role.ADVISER)
    client = Client()
    client.force_login(adviser)
    html = client.get(reverse("reports:portfolio")).content.decode()
    assert '<strong class="app-rag rag--red">Red</strong>' in html
    assert "Red, was Green" in html
    assert "Overdue" not in html
    # A return past its due date and not sent: flagged in words, whether or not the adviser
    # may read the draft itself. (Opened through the service: the portfolio's stored row stands
    # until a write through the one door moves the council's data version.)
    round_draft_save(
        agreement=agreement,
        round=None,
        financial_year=2024,
        update_number=3,
        due_date=dt.date(2024, 11, 30),
        by=admin,
    )
    html = client.get(reverse("reports:portfolio")).content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert "2024-25 Update 3:" in html


def test_a_council_with_a_return_past_its_due_date_is_flagged_overdue(admin):
    late = f.AgreementFactory(council=f.LocalAuthorityFactory(name="Lateshire"))
    _submitted(late, 1, Rag.GREEN, freeze_by=admin)
    f.ReportingRoundFactory(agreement=late, update_number=2, due_date=dt.date(2024, 8, 31))
    on_time = f.AgreementFactory(council=f.LocalAuthorityFactory(name="Ontimeshire"))
    # Sent after its due date: late, but never overdue once submitted.
    rnd = _submitted(on_time, 1, Rag.GREEN, freeze_by=admin)
    assert rnd.due_date < dt.date(2024, 9, 12)
    rows = {row.name: row for row in portfolio_rows(user=admin, today=dt.date(2024, 9, 12))}
    assert rows["Lateshire"].overdue == "2024-25 Update 2: 12 days overdue"
    assert rows["Ontimeshire"].overdue == ""
