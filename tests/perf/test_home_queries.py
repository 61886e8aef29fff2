"""Issue 15.5: the home page takes the same queries at 1 council and at 5, whatever the number
of returns (in the style of test_query_counts.py)."""

import datetime as dt

import pytest
from django.urls import reverse

from svmonitor.choices import RoundStatus
from svmonitor.roles import Role
from tests.factories import (
    AgreementConditionFactory,
    AgreementFactory,
    MembershipFactory,
    ReportingRoundFactory,
    RiskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Session and user (2; with REQUIRE_TOTP off, no second-factor question), the user's
# memberships with their councils (1); the team's returns (1) and the drafts' progress: which
# were carried forward (1), conditions' updates and conditions in force (2), risks' updates
# and open risks (2), workstreams' updates (1), overviews (1); returns waiting for sign-off (1)
# and their live sign-offs (1); returns to send (1); an adviser's submissions (1) and overdue
# returns (1); the session save (BEGIN, UPDATE, COMMIT: 3). The quarter's KPIs and finance
# forecast as tasks (issue 15.4), for all the returns at once: the agreements' first years and
# the rounds before (2), actual series and monthly measures (2), agreements and councils with
# finance lines (2), forecast reviews (1).
HOME = 2 + 1 + 1 + 1 + 2 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 3 + 7
STATUSES = (RoundStatus.SUBMITTED, RoundStatus.SIGNED_OFF, RoundStatus.READY, RoundStatus.DRAFT)


def _council_with_every_kind_of_return(user):
    """A council where the user holds every role with a list, with one return in each state."""
    agreement = AgreementFactory()
    AgreementConditionFactory(agreement=agreement, label="1")
    RiskFactory(council=agreement.council, number=1)
    for update, status in enumerate(STATUSES, start=1):
        year, n = (2024, update) if update <= 3 else (2025, 1)
        ReportingRoundFactory(
            agreement=agreement,
            financial_year=year,
            update_number=n,
            due_date=dt.date(2000 + n, 1, 1),
            status=status,
            submitted_on=dt.date(2000 + n, 1, 1) if status == RoundStatus.SUBMITTED else None,
        )
    for role in (Role.OFFICER, Role.S151, Role.FINANCE, Role.ADVISER):
        MembershipFactory(user=user, council=agreement.council, role=role)


def test_the_home_page_takes_the_same_queries_at_1_council_and_at_5(
    client, settings, django_assert_num_queries
):
    settings.REQUIRE_TOTP = False  # the signer's second factor is not what is counted here
    user = UserFactory()
    client.force_login(user)
    for councils in (1, 5):
        while user.memberships.values("council").distinct().count() < councils:
            _council_with_every_kind_of_return(user)
        with django_assert_num_queries(HOME):
            response = client.get(reverse("home"))
        html = response.content.decode()
        # Each council's three returns not yet sent, all past due: the team's list (3), the
        # one to sign (1), the one to send (1) and the adviser's overdue list (3).
        assert html.count("Overdue</strong>") == councils * 8
        assert html.count("sections complete") == councils
