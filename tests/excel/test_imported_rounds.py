"""Joining mid-agreement (issue 13.6): earlier returns imported by workbook as submitted before
svmonitor are frozen at import, read-only at every door after, and exported as such."""

import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from conditions.models import ConditionUpdate
from reports.models import RoundSnapshot
from svmonitor.choices import RoundOrigin, RoundStatus
from svmonitor.models import ReportingRound, RoundEvent, SignOff
from svmonitor.services import round_open_next
from tests.excel.builders import headers, workbook_bytes
from tests.imported_builders import (
    IMPORTED,
    U1_SENT,
    U2_SENT,
    earlier_returns_sheets,
    joined_mid_agreement,
    with_conditions,
)
from workbook import format as fmt
from workbook.exporter import workbook_export
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db


def _import(council, tmp_path, sheets, by, name="again.xlsx"):
    path = tmp_path / name
    path.write_bytes(workbook_bytes(sheets))
    return workbook_import(file=path, council_slug=council.slug, by=by)


def _reasons(result):
    return [(e.sheet, e.row, e.reason) for e in result.errors]


def test_earlier_returns_come_in_submitted_before_svmonitor_and_frozen_at_import(council, tmp_path):
    lead, rounds, result = joined_mid_agreement(council, tmp_path)

    u1, u2, u3 = rounds[1], rounds[2], rounds[3]
    assert (u1.status, u1.origin, u1.submitted_on) == (
        RoundStatus.SUBMITTED,
        RoundOrigin.IMPORTED,
        U1_SENT,
    )
    assert (u2.status, u2.origin, u2.submitted_on) == (
        RoundStatus.SUBMITTED,
        RoundOrigin.IMPORTED,
        U2_SENT,
    )
    assert (u3.status, u3.origin) == (RoundStatus.DRAFT, RoundOrigin.RECORDED_HERE)
    # Who imported it, when and from which file are kept.
    assert u1.imported_by == lead and u1.imported_at is not None
    assert u1.imported_from == "earlier-returns.xlsx"
    # Frozen by the freezer a return marked ready uses, with its content as imported.
    frozen = RoundSnapshot.objects.get(round=u1)
    condition = next(c for c in frozen.payload["conditions"] if c["label"] == "1")
    assert condition["rating"]["code"] == "amber"
    assert condition["narrative"] == "Placements rose in the spring."
    assert frozen.payload["round"]["origin"] == "imported"
    assert not RoundSnapshot.objects.filter(round=u3).exists()
    # svmonitor records no sign-off; the council's own record is kept as the council's.
    assert not SignOff.objects.filter(round__in=[u1, u2]).exists()
    assert u1.council_sign_offs == [
        {"capacity": "s151", "name": "A. Treasurer", "signed_on": "2024-05-28"}
    ]
    assert u2.council_sign_offs == []
    assert list(RoundEvent.objects.filter(round=u1).values_list("action", flat=True)) == [
        "imported"
    ]
    # The preview and the import say what will happen to each.
    assert any("2024-25 Update 1 will be imported as submitted to DfE" in n for n in result.notes)


def test_the_same_workbook_imported_again_changes_nothing(council, tmp_path):
    lead, rounds, _ = joined_mid_agreement(council, tmp_path)

    again = _import(council, tmp_path, earlier_returns_sheets(), lead)

    assert again.applied, _reasons(again)
    by_sheet = {s.name: (s.created, s.changed) for s in again.sheets}
    assert by_sheet[fmt.ROUNDS.name] == (0, 0)
    assert by_sheet[fmt.CONDITION_UPDATES.name] == (0, 0)
    assert RoundSnapshot.objects.filter(round=rounds[1]).count() == 1


def test_a_changed_update_of_an_imported_return_is_refused_by_reimport(council, tmp_path):
    lead, rounds, _ = joined_mid_agreement(council, tmp_path)
    sheets = earlier_returns_sheets()
    sheets[fmt.CONDITION_UPDATES.name][1][5] = "Rewritten afterwards."

    result = _import(council, tmp_path, sheets, lead)

    assert not result.applied
    assert (
        "Condition updates",
        2,
        "2024-25 Update 1 (May) was imported from the council's records as submitted to DfE "
        "before svmonitor; it cannot be edited or reopened.",
    ) in _reasons(result)
    update = ConditionUpdate.objects.get(round=rounds[1], condition__label="1")
    assert update.narrative == "Placements rose in the spring."


@pytest.mark.parametrize(
    "column, value",
    [(6, dt.date(2024, 6, 2)), (7, "Someone Else"), (5, "Draft"), (5, "Ready for sign-off")],
)
def test_an_imported_returns_date_sign_offs_and_status_cannot_be_changed_by_import(
    council, tmp_path, column, value
):
    lead, rounds, _ = joined_mid_agreement(council, tmp_path)
    sheets = earlier_returns_sheets()
    sheets[fmt.ROUNDS.name][1][column] = value

    result = _import(council, tmp_path, sheets, lead)

    assert not result.applied
    assert any(
        e.row == 2 and "was imported as submitted before svmonitor and frozen" in e.reason
        for e in result.errors
    ), _reasons(result)
    rounds[1].refresh_from_db()
    assert rounds[1].submitted_on == U1_SENT


def test_a_return_submitted_before_svmonitor_needs_the_date_it_went_to_dfe(council, tmp_path):
    lead = with_conditions(council)
    sheets = earlier_returns_sheets()
    sheets[fmt.ROUNDS.name][1][6] = None

    result = _import(council, tmp_path, sheets, lead, name="earlier.xlsx")

    assert not result.applied
    assert any(
        (e.sheet, e.row) == ("Rounds", 2) and "date the return was sent to DfE" in e.reason
        for e in result.errors
    )
    assert not ReportingRound.objects.filter(agreement__council=council).exists()


def test_sign_offs_on_a_draft_row_are_refused(council, tmp_path):
    lead = with_conditions(council)
    sheets = earlier_returns_sheets()
    sheets[fmt.ROUNDS.name][3][7] = "A. Treasurer"

    result = _import(council, tmp_path, sheets, lead, name="earlier.xlsx")

    assert not result.applied
    assert any(
        (e.sheet, e.row) == ("Rounds", 4) and "only for a return submitted before" in e.reason
        for e in result.errors
    )


def test_a_sign_off_after_the_return_went_to_dfe_is_refused(council, tmp_path):
    lead = with_conditions(council)
    sheets = earlier_returns_sheets()
    sheets[fmt.ROUNDS.name][1][8] = dt.date(2024, 6, 15)

    result = _import(council, tmp_path, sheets, lead, name="earlier.xlsx")

    assert not result.applied
    assert [
        (e.sheet, e.row, e.column.split()[0])
        for e in result.errors
        if "cannot be after the date the return was sent" in e.reason
    ] == [("Rounds", 2, "I")]


def test_a_programme_officer_cannot_import_a_return_as_submitted_before_svmonitor(
    council, tmp_path, la_officer
):
    with_conditions(council)
    sheets = earlier_returns_sheets()

    result = _import(council, tmp_path, sheets, la_officer, name="earlier.xlsx")

    assert not result.applied
    assert not ReportingRound.objects.filter(agreement__council=council).exists()


def test_a_return_recorded_in_svmonitor_cannot_be_followed_by_one_imported_as_earlier(
    council, tmp_path
):
    lead = with_conditions(council)
    agreement = council.agreements.get()
    opened = round_open_next(agreement=agreement, financial_year=2024, update_number=1, by=lead)
    # Update 1 was opened here: neither it nor a later update can claim to predate svmonitor.
    sheets = {
        fmt.ROUNDS.name: [
            headers(fmt.ROUNDS),
            [None, "2024-25", 1, opened.due_date, None, IMPORTED, U1_SENT],
            [None, "2024-25", 2, dt.date(2024, 8, 31), None, IMPORTED, U2_SENT],
        ]
    }

    result = _import(council, tmp_path, sheets, lead, name="earlier.xlsx")

    assert not result.applied
    reasons = [e.reason for e in result.errors]
    assert any("2024-25 Update 1 (May) was opened in svmonitor" in r for r in reasons), reasons
    opened.refresh_from_db()
    assert (opened.status, opened.origin) == (RoundStatus.DRAFT, RoundOrigin.RECORDED_HERE)

    sheets[fmt.ROUNDS.name].pop(1)
    result = _import(council, tmp_path, sheets, lead, name="later.xlsx")

    assert not result.applied
    assert any(
        "2024-25 Update 1 (May) comes before it and is recorded in svmonitor" in e.reason
        for e in result.errors
    ), _reasons(result)


def test_the_export_labels_imported_returns_and_imports_again_unchanged(council, tmp_path):
    lead, rounds, _ = joined_mid_agreement(council, tmp_path)

    data = workbook_export(council=council)

    book = load_workbook(io.BytesIO(data))
    sheet = book[fmt.ROUNDS.name]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["Status"] == IMPORTED
    assert first["Submitted on"].date() == U1_SENT
    assert first["S151 signed off by"] == "A. Treasurer"
    assert first["S151 signed off on"].date() == dt.date(2024, 5, 28)
    about = {row[0].value: row[1].value for row in book[fmt.ABOUT_SHEET].iter_rows()}
    day = f"{rounds[1].imported_at:%-d %B %Y}"
    assert about["2024-25 Update 1 (May)"] == (
        f"Imported from the council's records on {day}; submitted to DfE on 30 May 2024 "
        "before svmonitor. Sign-off as recorded by the council: S151 officer A. Treasurer on "
        "28 May 2024."
    )
    assert about["2024-25 Update 2 (August)"].endswith("Sign-off not recorded in svmonitor.")

    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    again = workbook_import(file=path, council_slug=council.slug, by=lead)

    assert again.applied, _reasons(again)
    assert all(s.created == s.changed == 0 for s in again.sheets), [
        (s.name, s.created, s.changed) for s in again.sheets
    ]


def test_a_draft_an_earlier_workbook_created_can_then_be_imported_as_submitted_before(
    council, tmp_path
):
    lead = with_conditions(council)
    sheets = earlier_returns_sheets()
    for row in sheets[fmt.ROUNDS.name][1:3]:
        row[5:9] = ["Draft", None, None, None]
    first = _import(council, tmp_path, sheets, lead, name="first.xlsx")
    assert first.applied, _reasons(first)
    u1 = ReportingRound.objects.get(agreement__council=council, update_number=1)
    assert (u1.status, u1.origin) == (RoundStatus.DRAFT, RoundOrigin.RECORDED_HERE)

    second = _import(council, tmp_path, earlier_returns_sheets(), lead, name="second.xlsx")

    assert second.applied, _reasons(second)
    u1.refresh_from_db()
    assert (u1.status, u1.origin, u1.imported_from) == (
        RoundStatus.SUBMITTED,
        RoundOrigin.IMPORTED,
        "second.xlsx",
    )


def test_the_next_return_opened_in_svmonitor_carries_an_imported_return_forward(council, tmp_path):
    lead = with_conditions(council)
    sheets = earlier_returns_sheets()
    del sheets[fmt.ROUNDS.name][2:]  # Update 1 only
    del sheets[fmt.CONDITION_UPDATES.name][2:]
    assert _import(council, tmp_path, sheets, lead, name="earlier.xlsx").applied

    opened = round_open_next(
        agreement=council.agreements.get(), financial_year=2024, update_number=2, by=lead
    )

    carried = ConditionUpdate.objects.get(round=opened, condition__label="1")
    assert (carried.rag, carried.narrative) == ("amber", "Placements rose in the spring.")
    assert opened.origin == RoundOrigin.RECORDED_HERE


def test_the_database_refuses_an_imported_round_that_is_not_submitted(council, tmp_path):
    _, rounds, _ = joined_mid_agreement(council, tmp_path)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingRound.objects.filter(pk=rounds[3].pk).update(origin=RoundOrigin.IMPORTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingRound.objects.filter(pk=rounds[1].pk).update(status=RoundStatus.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingRound.objects.filter(pk=rounds[1].pk).update(origin="elsewhere")
