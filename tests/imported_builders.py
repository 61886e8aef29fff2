"""A council that joined svmonitor at 2024-25 Update 3: Updates 1 and 2 imported by workbook as
submitted before svmonitor (Update 1 with the S151 officer's sign-off as the council recorded
it, Update 2 with none), Update 3 a draft from the same workbook."""

import datetime as dt

from svmonitor.models import ReportingRound
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.excel.builders import headers, workbook_bytes
from workbook import format as fmt
from workbook.importer import workbook_import

IMPORTED = "Submitted before svmonitor"
U1_SENT = dt.date(2024, 5, 30)
U2_SENT = dt.date(2024, 8, 29)


def _round_row(update, due, month, status, sent=None, s151=None, s151_on=None):
    # Agreement signed, year, update, due, data as at, status, submitted on, S151 by, S151 on,
    # DCS by, DCS on.
    return [None, "2024-25", update, due, month, status, sent, s151, s151_on, None, None]


def earlier_returns_sheets(*, u3_status="Draft") -> dict:
    """The Rounds and Condition updates sheets of a council bringing in Updates 1 and 2.

    Condition 1 is Amber at Update 1, left unrated at Update 2 and Amber again at Update 3;
    condition 2 is first rated at Update 3.
    """
    rows = [
        _round_row(
            1,
            dt.date(2024, 5, 31),
            "Apr-24",
            IMPORTED,
            U1_SENT,
            "A. Treasurer",
            dt.date(2024, 5, 28),
        ),
        _round_row(2, dt.date(2024, 8, 31), "Jul-24", IMPORTED, U2_SENT),
        _round_row(3, dt.date(2024, 11, 30), "Oct-24", u3_status),
    ]
    updates = [
        [None, "2024-25", 1, "1", "Amber", "Placements rose in the spring.", None],
        [None, "2024-25", 2, "1", "Not rated", "", None],
        [None, "2024-25", 3, "1", "Amber", "Placements steady.", None],
        [None, "2024-25", 3, "2", "Green", "", None],
    ]
    return {
        fmt.ROUNDS.name: [headers(fmt.ROUNDS), *rows],
        fmt.CONDITION_UPDATES.name: [headers(fmt.CONDITION_UPDATES), *updates],
    }


def with_conditions(council):
    """Conditions 1 and 2 in the council's agreement, and its programme lead."""
    agreement = council.agreements.get()
    if not agreement.conditions.exists():
        f.AgreementConditionFactory(agreement=agreement, label="1", order=1)
        f.AgreementConditionFactory(agreement=agreement, label="2", order=2)
    return _member(council, Role.LEAD, "programme-lead")


def joined_mid_agreement(council, tmp_path):
    """Import the earlier returns into the council; returns (lead, {update: round}, result)."""
    agreement = council.agreements.get()
    lead = with_conditions(council)
    path = tmp_path / "earlier-returns.xlsx"
    path.write_bytes(workbook_bytes(earlier_returns_sheets()))
    result = workbook_import(file=path, council_slug=council.slug, by=lead)
    assert result.applied, [str(e) for e in result.errors]
    rounds = {
        r.update_number: r
        for r in ReportingRound.objects.filter(agreement=agreement, financial_year=2024)
    }
    return lead, rounds, result
