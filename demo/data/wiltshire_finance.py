"""Wiltshire's DSG plan financial summary as a per-part demo hook (the name the DSG plan's demo
rounds call, as Westbridge's): the same figures demo.data.dsg_finance loads with the council's
Safety Valve finance, so calling it again changes nothing."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from demo.data.common import Tally
from demo.data.dsg_finance import plan_save, wiltshire_entries

FINANCE_USER = "finance.wiltshire"


def finance_load(agreement, tally: Tally) -> None:
    """Wiltshire's plan (demo.data.dsg_finance), saved as its finance lead."""
    users = get_user_model().objects
    by = users.filter(username=FINANCE_USER).first()
    by = by or users.filter(is_superuser=True).order_by("pk").first()
    plan_save(agreement, tally, entries=wiltshire_entries(), by=by)
