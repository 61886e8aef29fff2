"""Issue 9: the dashboard's cached body is never served after an edit, nor across councils.

Transactional tests: the body is cached only outside a transaction (svmonitor.dataversion).
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib import auth
from django.core.cache import caches
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from metrics.models import Measure, MeasureValue, Series
from metrics.services import measure_value_save
from reports.selectors import dashboard_page
from reports.snapshot import round_list_for_council, round_pick, round_snapshot_build
from svmonitor.access import council_for_user
from svmonitor.dataversion import data_version
from svmonitor.models import AuditEvent, LocalAuthority
from svmonitor.roles import Role
from tests.factories import (
    MembershipFactory,
    ReportingRoundFactory,
    RiskFactory,
    UserFactory,
)
from tests.reports.conftest import build_council

pytestmark = pytest.mark.django_db(transaction=True)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _dashboard(client, council, **params):
    response = client.get(reverse("reports:council_dashboard", args=[council.slug]), params)
    assert response.status_code == 200
    return _text(response)


@pytest.fixture
def council():
    return build_council().agreement.council


@pytest.fixture
def officer(client, council):
    user = UserFactory(username="cache-officer", first_name="Olive")
    MembershipFactory(user=user, council=council, role=Role.OFFICER)
    client.force_login(user)
    return user


def _kept_bodies() -> int:
    return len(caches["dashboard"]._cache)


def test_an_edit_through_a_service_shows_at_once(client, council, officer):
    # The headline card: latest actual 6,005 against a forecast of 5,705.
    assert "Forecast to date: 5,705 (+300)" in _dashboard(client, council)
    assert _kept_bodies() == 1
    measure = council.headline_cards.get().measure
    actual = Series.objects.get(council=council, kind=Series.Kind.ACTUAL)
    measure_value_save(
        measure=measure, period=dt.date(2024, 12, 1), series=actual, value="7123", by=officer
    )
    html = _dashboard(client, council)
    assert "Forecast to date: 5,705 (+1,418)" in html
    assert "(+300)" not in html


def test_a_plain_save_an_update_and_raw_sql_each_show_at_once(client, council, officer):
    measure = council.measures.get(reading="point")
    _dashboard(client, council)
    # Model.save() outside a transaction: an INSERT/UPDATE in autocommit.
    measure.name = "Renamed by save()"
    measure.save()
    assert "Renamed by save()" in _dashboard(client, council)
    # QuerySet.update(): no signals at all.
    Measure.objects.filter(pk=measure.pk).update(name="Renamed by update()")
    assert "Renamed by update()" in _dashboard(client, council)
    # Raw SQL through Django's cursor, as the workbook importer writes figures.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {MeasureValue._meta.db_table} SET value = %s WHERE measure_id = %s",  # noqa: S608
            [Decimal("4321"), council.headline_cards.get().measure_id],
        )
    assert "4,321" in _dashboard(client, council)


def test_a_row_inserted_outside_a_transaction_shows_at_once(client, council, officer):
    _dashboard(client, council)
    # An INSERT ... RETURNING in autocommit: the version moves in the post_save after it.
    RiskFactory(council=council, title="There is a risk that a new risk appears", impact=5)
    assert "There is a risk that a new risk appears" in _dashboard(client, council)


def test_reading_does_not_move_the_version(client, council, officer):
    _dashboard(client, council)
    before = data_version()
    _dashboard(client, council, round="2024-25/1")
    assert data_version() == before


def test_a_write_moves_the_version_only_when_its_transaction_commits(council):
    before = data_version()
    assert before is not None
    with transaction.atomic():
        LocalAuthority.objects.filter(pk=council.pk).update(name="Renamed in a transaction")
        # Inside the transaction nothing may be cached or read from the cache.
        assert data_version() is None
    after = data_version()
    assert after not in (None, before)
    with pytest.raises(RuntimeError), transaction.atomic():
        LocalAuthority.objects.filter(pk=council.pk).update(name="Rolled back")
        raise RuntimeError
    assert data_version() == after


def test_history_and_sessions_do_not_move_the_version(client, council, officer):
    before = data_version()
    AuditEvent.objects.create(action="something", username="x")
    client.force_login(officer)  # a session and the user's last_login
    assert data_version() == before


def test_the_body_holds_nothing_of_the_user(client, council, officer):
    html = _dashboard(client, council)
    assert "cache-officer" in html  # the sign-out button names who is signed in
    other = UserFactory(username="second-reader")
    MembershipFactory(user=other, council=council, role=Role.BOARD)
    client.force_login(other)
    html = _dashboard(client, council)
    assert _kept_bodies() == 1  # the same body, served to someone else ...
    assert "second-reader" in html and "cache-officer" not in html  # ... in their own page


def test_another_councils_body_is_never_served(client, council, officer):
    other = build_council().agreement.council
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, council=other, role=Role.OFFICER)
    _dashboard(client, council)  # council's body is cached
    client.force_login(outsider)
    response = client.get(reverse("reports:council_dashboard", args=[council.slug]))
    assert response.status_code == 404
    html = _dashboard(client, other)
    assert other.name in html and council.name not in html


def test_a_round_the_council_lacks_is_answered_but_not_kept(client, council, officer):
    for _ in range(2):
        html = _dashboard(client, council, round="2019-20/1")
        assert "this council has no such round" in html
        html = _dashboard(client, council, round="nonsense")
        assert "Showing the latest round instead." in html
    assert _kept_bodies() == 0
    _dashboard(client, council, round="2024-25/2")
    _dashboard(client, council)
    assert _kept_bodies() == 2


def _without_csrf(html: str) -> str:
    # The CSRF token is masked afresh for every page; everything else must match byte for byte.
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1", html)


def _whole_template(client, council, key: str) -> str:
    """The page as the dashboard template alone renders it, with every variable it reads."""
    request = RequestFactory().get(reverse("reports:council_dashboard", args=[council.slug]))
    request.user = auth.get_user(client)
    request.session = client.session
    council_for_user(request, council.slug)  # request.council and its actions, as the view
    rounds = round_list_for_council(council=council)
    page = dashboard_page(round_snapshot_build(round_pick(rounds=rounds, key=key)))
    context = {
        "council": council,
        "page": page,
        "snap": page.snapshot,
        "rounds": rounds,
        "round_error": "",
        "chosen_key": page.snapshot.round.key,
    }
    return render_to_string("reports/council_dashboard.html", context, request)


def test_a_kept_body_makes_the_same_page_as_the_whole_template(client, council, officer):
    # A newer draft than the round shown: the council navigation then links to it.
    ReportingRoundFactory(agreement=council.agreements.get(), financial_year=2025, update_number=1)
    pages = {}
    for key in ("2024-25/2", "2025-26/1"):
        pages[key] = _without_csrf(_whole_template(client, council, key))
        for _ in range(2):  # built and kept, then taken from the cache
            response = client.get(
                reverse("reports:council_dashboard", args=[council.slug]), {"round": key}
            )
            assert _without_csrf(response.content.decode()) == pages[key]
    assert "Current draft: 2025-26 Update 1 (May)" in pages["2024-25/2"]
    assert _kept_bodies() == 2


def test_finance_and_overview_edits_show_at_once(client, council, officer):
    # Finance lines and the overview live in their own apps since the layers move: their
    # tables move the data version like every other council-data table.
    from finance.models import FinanceLine
    from overview.models import RoundOverview

    _dashboard(client, council)
    FinanceLine.objects.filter(agreement__council=council, scenario="latest").update(
        cumulative_deficit=Decimal("123450000")
    )
    assert "£123.45m" in _dashboard(client, council)
    RoundOverview.objects.filter(round__agreement__council=council).update(
        overall_narrative="Rewritten by update()"
    )
    assert "Rewritten by update()" in _dashboard(client, council)


def test_a_frozen_record_added_or_removed_shows_at_once(client, council, officer):
    from reports.freeze import round_snapshot_freeze
    from reports.models import RoundSnapshot

    latest = round_list_for_council(council=council)[0]
    assert "Figures or text have changed since" not in _dashboard(client, council)
    round_snapshot_freeze(round=latest, by=officer)
    Measure.objects.filter(council=council).update(name="Renamed after the freeze")
    html = _dashboard(client, council)
    assert "Figures or text have changed since" in html
    assert "Renamed after the freeze" not in html
    # The frozen record removed (a shell could): the live body is built again.
    RoundSnapshot.objects.filter(round=latest).delete()
    assert "Renamed after the freeze" in _dashboard(client, council)
