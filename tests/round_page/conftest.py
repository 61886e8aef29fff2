"""Fixtures for the round page: a council's programme, its people by role, and a draft round."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from svmonitor.roles import Role
from svmonitor.services import round_open_next
from tests import factories as f
from tests.conftest import _member


@pytest.fixture
def lead(council):
    """The council's programme lead (edits, marks ready, records the submission, reopens)."""
    return _member(council, Role.LEAD, "programme-lead")


@pytest.fixture
def s151(council):
    """The council's S151 officer."""
    return _member(council, Role.S151, "s151-officer")


@pytest.fixture
def dcs(council):
    """The council's director of children's services."""
    return _member(council, Role.DCS, "dcs-officer")


@pytest.fixture
def finance(council):
    """The council's finance lead."""
    return _member(council, Role.FINANCE, "finance-lead")


def add_programme(agreement, *, conditions=2, risks=1, workstreams=1):
    """Conditions, open risks and workstreams (each with a milestone) for an agreement."""
    council = agreement.council
    start = agreement.conditions.count()
    for n in range(start + 1, start + conditions + 1):
        f.AgreementConditionFactory(agreement=agreement, label=str(n), order=n)
    first_risk = council.risks.count() + 1
    for n in range(first_risk, first_risk + risks):
        f.RiskFactory(council=council, number=n)
    area = council.programme_areas.first() or f.ProgrammeAreaFactory(council=council)
    for _ in range(workstreams):
        workstream = f.WorkstreamFactory(area=area)
        f.MilestoneFactory(workstream=workstream, due_date=dt.date(2024, 12, 31))


@pytest.fixture
def programme(agreement):
    """Two conditions, one risk, one workstream with a milestone."""
    add_programme(agreement)
    return agreement


@pytest.fixture
def draft(programme, lead):
    """2024-25 Update 1, opened as a draft by the officer."""
    return round_open_next(agreement=programme, financial_year=2024, update_number=1, by=lead)


def round_url(round, suffix: str = "") -> str:
    """The round page's URL, or one of its sub-pages ("conditions/3/edit/")."""
    base = reverse(
        "reports:round_detail",
        args=[round.agreement.council.slug, round.fy, round.update_number],
    )
    return base + suffix


def client_for(user) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user, backend="svmonitor.backends.AccountBackend")
    return client


HTMX = {"HTTP_HX_REQUEST": "true"}
