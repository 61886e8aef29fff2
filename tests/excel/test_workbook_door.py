"""One door in: a workbook's rows go through the same services as the browser, so the same role
check, the same rules and the same history apply, and a round's status is never imported."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conditions.models import ConditionUpdate
from conditions.services import condition_update_save
from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from finance.services import finance_line_save
from metrics.models import MeasureValue
from svmonitor.choices import PaymentStatus, Rag, RoundStatus
from svmonitor.models import Agreement, AuditEvent, LocalAuthority, RagDefinition, ReportingRound
from svmonitor.roles import Role
from svmonitor.services import NARRATIVE_NEEDED
from svmonitor.services.sections import NARRATIVE_MAX
from tests.excel.builders import build_council_data, headers, site_admin, workbook_bytes
from tests.factories import MembershipFactory
from workbook import format as fmt
from workbook.importer import workbook_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def write(tmp_path):
    def _write(sheets, name="book.xlsx"):
        path = tmp_path / name
        path.write_bytes(workbook_bytes(sheets))
        return path

    return _write


@pytest.fixture
def lead(council):
    return MembershipFactory(council=council, role=Role.LEAD, user__username="lead").user


def _where(result):
    return [(e.sheet, e.row, e.column.split()[0]) for e in result.errors]


# --- lifecycle: an import creates or changes draft rounds only ------------------------------


@pytest.mark.parametrize("status", ["Signed off", "Submitted to DfE", "Ready for sign-off"])
def test_it_refuses_a_new_round_uploaded_past_draft_naming_the_row(council, lead, write, status):
    build_council_data(council)
    before = ReportingRound.objects.count()
    sheets = {
        fmt.ROUNDS.name: [
            headers(fmt.ROUNDS),
            [None, "2024-25", 3, dt.date(2024, 11, 30), None, status, dt.date(2024, 11, 29)],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug, by=lead)

    assert not result.applied
    assert ("Rounds", 2, "F") in _where(result)
    assert f"an import creates draft rounds only, not '{status}'" in result.errors[0].reason
    assert ReportingRound.objects.count() == before


def test_an_officer_uploading_a_signed_off_round_is_refused_and_nothing_is_written(
    council, la_officer, write
):
    build_council_data(council)
    before = (ReportingRound.objects.count(), MeasureValue.objects.count())
    sheets = {
        fmt.ROUNDS.name: [
            headers(fmt.ROUNDS),
            [None, "2025-26", 1, dt.date(2025, 5, 31), None, "Signed off"],
        ],
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["ehcps", dt.date(2024, 4, 1), "actual", 4321, ""],
        ],
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug, by=la_officer)

    assert _where(result) == [("Rounds", 2, "F")]
    assert (ReportingRound.objects.count(), MeasureValue.objects.count()) == before
    assert not MeasureValue.objects.filter(value=4321).exists()


def test_a_lead_creates_a_draft_round_and_an_officer_may_not(council, lead, la_officer, write):
    build_council_data(council)
    sheets = {
        fmt.ROUNDS.name: [
            headers(fmt.ROUNDS),
            [None, "2024-25", 3, dt.date(2024, 11, 30), "Oct-24", "Draft"],
        ]
    }

    refused = workbook_import(file=write(sheets), council_slug=council.slug, by=la_officer)
    done = workbook_import(file=write(sheets), council_slug=council.slug, by=lead)

    assert _where(refused) == [("Rounds", 2, "B")]
    assert refused.errors[0].reason.startswith("la-officer cannot open a return")
    assert done.applied
    made = ReportingRound.objects.get(agreement__council=council, update_number=3)
    assert made.status == RoundStatus.DRAFT


# --- roles: the same check as the browser ---------------------------------------------------


def test_an_officer_importing_finance_lines_is_refused_as_in_the_browser(
    client, council, la_officer, write
):
    data = build_council_data(council)
    line = FinanceLine.objects.get(agreement=data["agreement"], scenario="latest")
    sheets = {
        fmt.FINANCE.name: [
            headers(fmt.FINANCE),
            [None, "2024-25", "Latest forecast", -1],
            [None, "2025-26", "Latest forecast", -2],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug, by=la_officer)

    assert _where(result) == [("Finance", 2, "B"), ("Finance", 3, "B")]
    reason = result.errors[0].reason
    assert reason == f"la-officer cannot edit finance lines for {council.name}."
    line.refresh_from_db()
    assert line.in_year_position == Decimal("-20000000") and line.version == 1
    assert FinanceLine.objects.filter(agreement=data["agreement"]).count() == 2
    # The browser's door refuses the same person the same thing.
    with pytest.raises(PermissionDenied, match=reason):
        finance_line_save(line=line, expected_version=1, by=la_officer, in_year_position="-1")
    edit = reverse("finance:finance_line_edit", args=[council.slug, line.pk])
    client.force_login(la_officer)
    assert client.post(edit, {"in_year_position": "-1"}).status_code == 403


def _administered_sheets(council, agreement):
    """One sheet per thing only a site administrator may change, each changing one value."""
    signed = agreement.date_signed
    return {
        "council name": (
            fmt.COUNCIL,
            ["Renamed", council.slug, council.dfe_la_number, council.ons_code, 15],
            lambda: LocalAuthority.objects.get(pk=council.pk).name == council.name,
        ),
        "agreement contributions": (
            fmt.AGREEMENTS,
            [signed, agreement.title, "2023-24", "2028-29", 1, agreement.council_contribution],
            lambda: Agreement.objects.get(pk=agreement.pk).dfe_contribution == Decimal("67000000"),
        ),
        "deficit cap": (
            fmt.DEFICIT_CAPS,
            [None, "2024-25", 1],
            lambda: DeficitCap.objects.get(agreement=agreement).cap == Decimal("84500000.50"),
        ),
        "payment status": (
            fmt.PAYMENTS,
            [None, dt.date(2024, 3, 31), 5000000, "Received", dt.date(2024, 4, 2)],
            lambda: (
                PaymentInstalment.objects.get(due_date=dt.date(2024, 3, 31)).status
                == PaymentStatus.EXPECTED
            ),
        ),
        "RAG definition's DfE level": (
            fmt.RAG_DEFINITIONS,
            ["Amber/Green", "A/G", "Mostly on track", "Green"],
            lambda: (
                RagDefinition.objects.get(council=council, level=Rag.AMBER_GREEN).dfe_level
                == Rag.AMBER
            ),
        ),
    }


@pytest.mark.parametrize(
    "what",
    [
        "council name",
        "agreement contributions",
        "deficit cap",
        "payment status",
        "RAG definition's DfE level",
    ],
)
def test_an_officer_cannot_change_what_only_a_site_administrator_may(
    council, la_officer, write, what
):
    data = build_council_data(council)
    RagDefinition.objects.filter(council=council).update(definition="Mostly on track")
    spec, row, unchanged = _administered_sheets(council, data["agreement"])[what]

    result = workbook_import(
        file=write({spec.name: [headers(spec), row]}), council_slug=council.slug, by=la_officer
    )

    assert [(e.sheet, e.row) for e in result.errors] == [(spec.name, 2)]
    assert result.errors[0].reason.startswith("la-officer cannot change the council")
    assert not result.applied and unchanged()


def test_a_site_administrator_may_change_them_and_each_is_in_the_history(council, write):
    data = build_council_data(council)
    RagDefinition.objects.filter(council=council).update(definition="Mostly on track")
    admin = site_admin()
    sheets = {
        spec.name: [headers(spec), row]
        for spec, row, _ in _administered_sheets(council, data["agreement"]).values()
    }

    result = workbook_import(
        file=write(sheets, name="agreement.xlsx"), council_slug=council.slug, by=admin
    )

    assert result.errors == [] and result.applied
    assert LocalAuthority.objects.get(pk=council.pk).name == "Renamed"
    assert RagDefinition.objects.get(council=council, level=Rag.AMBER_GREEN).dfe_level == "green"
    event = AuditEvent.objects.get(action="rag_definition.save")
    assert (event.before["dfe_level"], event.after["dfe_level"]) == ("amber", "green")
    assert event.via == "via workbook agreement.xlsx" and event.user == admin
    actions = set(
        AuditEvent.objects.filter(via="via workbook agreement.xlsx").values_list(
            "action", flat=True
        )
    )
    assert {"council.save", "agreement.save", "deficit_cap.save", "payment_instalment.save"} <= (
        actions
    )


# --- the browser's rules ----------------------------------------------------------------------


def _browser_message(update, **values) -> dict:
    """What the round page's service says to the same values (rolled back by pytest)."""
    with pytest.raises(ValidationError) as refused:
        condition_update_save(update=update, expected_version=update.version, **values)
    return refused.value.message_dict


def test_red_with_no_narrative_is_refused_with_the_browsers_message(council, la_officer, write):
    data = build_council_data(council)
    sheets = {
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, "2024-25", 2, "1", "Red", None],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug, by=la_officer)

    assert _where(result) == [("Condition updates", 2, "F")]
    assert result.errors[0].reason == NARRATIVE_NEEDED
    assert not ConditionUpdate.objects.filter(round=data["draft"], condition__label="1").exists()
    update = ConditionUpdate.objects.get(round=data["draft"], condition__label="3.1")
    browser = _browser_message(update, rag=Rag.RED, narrative="", by=la_officer)
    assert browser["narrative"] == [result.errors[0].reason]


def test_a_narrative_over_the_limit_is_refused_with_the_browsers_message(
    council, la_officer, write
):
    data = build_council_data(council)
    long = "x" * (NARRATIVE_MAX + 500)
    sheets = {
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, "2024-25", 2, "3.1", "Red", long],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug, by=la_officer)

    assert _where(result) == [("Condition updates", 2, "F")]
    too_long = f"{NARRATIVE_MAX:,} characters or fewer (it has {NARRATIVE_MAX + 500:,})"
    assert too_long in result.errors[0].reason
    update = ConditionUpdate.objects.get(round=data["draft"], condition__label="3.1")
    assert (update.narrative, update.version) == ("@risk", 1)
    browser = _browser_message(update, rag=Rag.RED, narrative=long, by=la_officer)
    assert browser["narrative"] == [result.errors[0].reason]


def test_a_figure_that_does_not_suit_its_unit_is_refused_as_a_typed_one_is(
    council, la_officer, write
):
    build_council_data(council)
    sheets = {
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["inmss-pct", dt.date(2024, 4, 1), "actual", 140, ""],
        ]
    }

    result = workbook_import(file=write(sheets), council_slug=council.slug, by=la_officer)

    assert _where(result) == [("Measure values", 2, "D")]
    assert result.errors[0].reason == "A percentage must be between 0 and 100."
    assert not MeasureValue.objects.filter(value=140).exists()


# --- history -------------------------------------------------------------------------------


def test_an_import_records_who_before_after_and_via_the_workbook(
    client, council, la_officer, write
):
    data = build_council_data(council)
    sheets = {
        fmt.CONDITION_UPDATES.name: [
            headers(fmt.CONDITION_UPDATES),
            [None, "2024-25", 2, "3.1", "Amber", "Recovery plan agreed"],
        ],
        fmt.VALUES_LONG.name: [
            headers(fmt.VALUES_LONG),
            ["ehcps", dt.date(2024, 4, 1), "actual", 4321, ""],
        ],
    }

    result = workbook_import(
        file=write(sheets, name="q2 return.xlsx"), council_slug=council.slug, by=la_officer
    )

    assert result.applied
    update = ConditionUpdate.objects.get(round=data["draft"], condition__label="3.1")
    assert (update.rag, update.version, update.updated_by) == (Rag.AMBER, 2, la_officer)
    event = AuditEvent.objects.get(action="condition_update.save", object_id=str(update.pk))
    assert event.via == "via workbook q2 return.xlsx"
    assert event.user == la_officer
    assert event.before == {"rag": "red", "narrative": "@risk"}
    assert event.after == {"rag": "amber", "narrative": "Recovery plan agreed"}
    figures = AuditEvent.objects.get(action="measure_values.save", object_id=str(data["ehcp"].pk))
    assert figures.via == "via workbook q2 return.xlsx"
    assert figures.before == {"actual 2024-04": "5084.0000"}
    assert figures.after == {"actual 2024-04": "4321.0000"}
    # The section's history page shows the change, who made it and through which door.
    client.force_login(la_officer)
    page = client.get(
        reverse(
            "reports:section_history",
            args=[council.slug, "2024-25", 2, "condition", update.pk],
        )
    ).content.decode()
    assert "via workbook q2 return.xlsx" in page
    assert "la-officer" in page and "@risk" in page and "Recovery plan agreed" in page


def test_the_command_acts_as_a_named_user_and_meets_their_role(
    council, la_officer, tmp_path, capsys
):
    build_council_data(council)
    path = tmp_path / "finance.xlsx"
    path.write_bytes(
        workbook_bytes(
            {fmt.FINANCE.name: [headers(fmt.FINANCE), [None, "2024-25", "Latest forecast", -1]]}
        )
    )

    with pytest.raises(CommandError, match="Give --user"):
        call_command("import_workbook", council.slug, str(path))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_workbook", council.slug, str(path), "--user", la_officer.username)

    assert "cannot edit finance lines" in capsys.readouterr().err
    assert FinanceLine.objects.get(scenario="latest").version == 1


def test_the_preview_shows_a_refusal_the_import_would_meet(client, council, la_officer):
    build_council_data(council)
    client.force_login(la_officer)
    book = workbook_bytes(
        {fmt.FINANCE.name: [headers(fmt.FINANCE), [None, "2024-25", "Latest forecast", -1]]}
    )

    response = client.post(
        reverse("workbook:workbook_upload", args=[council.slug]),
        {"workbook": SimpleUploadedFile("book.xlsx", book, content_type=XLSX)},
    )

    html = response.content.decode()
    assert "cannot edit finance lines" in html
    assert response.context["token"] == ""
    assert FinanceLine.objects.get(scenario="latest").version == 1
