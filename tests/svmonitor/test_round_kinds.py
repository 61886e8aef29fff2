"""ReportingRound.objects.safety_valve() / .dsg_plan() / .of_kind(): one name per kind of return."""

import pytest

from svmonitor.models import ReportingRound
from svmonitor.sections import DSG_PLAN, SAFETY_VALVE
from tests.factories import AgreementFactory, ReportingRoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_kinds():
    """One agreement with two Safety Valve rounds and two DSG plan rounds."""
    agreement = AgreementFactory()
    sv = [ReportingRoundFactory(agreement=agreement, update_number=n) for n in (1, 2)]
    dsg = [
        ReportingRoundFactory(agreement=agreement, update_number=n, return_kind=DSG_PLAN)
        for n in (1, 2)
    ]
    return agreement, sv, dsg


def _pks(rounds) -> set[int]:
    return {r.pk for r in rounds}


def test_safety_valve_returns_only_safety_valve_rounds(both_kinds):
    _agreement, sv, _dsg = both_kinds
    assert _pks(ReportingRound.objects.safety_valve()) == _pks(sv)


def test_dsg_plan_returns_only_dsg_plan_rounds(both_kinds):
    _agreement, _sv, dsg = both_kinds
    assert _pks(ReportingRound.objects.dsg_plan()) == _pks(dsg)


def test_of_kind_returns_only_the_kind_asked_for(both_kinds):
    _agreement, sv, dsg = both_kinds
    assert _pks(ReportingRound.objects.of_kind(SAFETY_VALVE)) == _pks(sv)
    assert _pks(ReportingRound.objects.of_kind(DSG_PLAN)) == _pks(dsg)
    assert not ReportingRound.objects.of_kind("no_such_kind").exists()


def test_kind_methods_work_on_the_agreements_related_manager(both_kinds):
    agreement, sv, dsg = both_kinds
    other = ReportingRoundFactory(update_number=3)  # another agreement's Safety Valve round
    assert _pks(agreement.rounds.safety_valve()) == _pks(sv)
    assert _pks(agreement.rounds.dsg_plan()) == _pks(dsg)
    assert other.pk in _pks(ReportingRound.objects.safety_valve())


def test_kind_methods_chain_after_the_scoping_rule(both_kinds, django_user_model):
    _agreement, sv, dsg = both_kinds
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    assert _pks(ReportingRound.objects.for_user(admin).dsg_plan()) == _pks(dsg)
    assert _pks(ReportingRound.objects.filter(update_number=1).safety_valve()) == {sv[0].pk}
