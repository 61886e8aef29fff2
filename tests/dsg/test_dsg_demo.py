"""The fourth demo council's DSG plan figures (issue 19.7): loaded through the finance service,
the autumn term moving the 2025-26 forecast, and a second load changing nothing."""

from decimal import Decimal

import pytest

from demo.data.common import Tally
from demo.data.westbridge_finance import finance_autumn_load, finance_load
from finance.dsg_summary import dsg_summary_build
from finance.models import FinanceLine
from tests import factories as f
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_westbridge_plan_loads_moves_in_the_autumn_and_reloads_unchanged():
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    agreement = f.AgreementFactory(
        first_financial_year=2025,
        last_financial_year=2029,
        dfe_contribution=Decimal("0"),
        council_contribution=Decimal("0"),
    )
    tally = Tally()
    finance_load(agreement, tally)
    summary = dsg_summary_build(agreement=agreement)
    assert summary.years[0] == 2023 and summary.years[-1] == 2029
    assert summary.balances_in("high_needs", "mitigated") == 2028
    summer = FinanceLine.objects.get(scenario="latest", financial_year=2025).in_year_position
    assert summer == Decimal("-6200000.00")
    again = Tally()
    finance_load(agreement, again)
    assert sum(again.created.values()) + sum(again.changed.values()) == 0
    finance_autumn_load(agreement, Tally())
    autumn = FinanceLine.objects.get(scenario="latest", financial_year=2025).in_year_position
    assert autumn == Decimal("-7450000.00")


def test_wiltshire_plan_hook_repeats_the_loaded_plan_without_change():
    from demo.data.dsg_finance import wiltshire_dsg_load
    from demo.data.wiltshire_finance import finance_load as wiltshire_finance_load

    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    agreement = f.AgreementFactory()
    wiltshire_dsg_load(agreement, Tally(), by=admin)
    again = Tally()
    wiltshire_finance_load(agreement, again)
    assert sum(again.created.values()) + sum(again.changed.values()) == 0
    summary = dsg_summary_build(agreement=agreement)
    assert summary.derived[("high_needs", "budget", 2025)].in_year == Decimal("-6000000.00")
    assert summary.derived[("total", "mitigated", 2028)].carried_forward == Decimal("0.00")
