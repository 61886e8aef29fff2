"""Limits through every door: upload and export rates, problems listed, rows per sheet, and
numbers too large for their column."""

import datetime as dt
import io
import tracemalloc
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from openpyxl import Workbook

from conditions.models import Milestone, ProgrammeArea, Workstream
from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from metrics.models import DataSource, Measure, MeasureValue, Series
from risks.models import Risk, RiskUpdate
from svmonitor import ratelimit
from svmonitor.models import Agreement, LocalAuthority, ReportingRound
from svmonitor.roles import Role
from tests.conftest import _member
from tests.excel.builders import build_council_data, headers, rewrite_part, workbook_bytes
from tests.factories import FinanceLineFactory
from tests.round_page.conftest import HTMX, client_for
from workbook import format as fmt
from workbook import reader

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_ROWS = 200_000


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(data: bytes, name="book.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def _upload_url(council):
    return reverse("workbook:workbook_upload", args=[council.slug])


def _errors(response) -> list[str]:
    return [str(error) for error in response.context["preview"].errors]


# --- rates --------------------------------------------------------------------------------------


@pytest.fixture
def one_minute(monkeypatch):
    """Every request inside the same minute."""
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_000.0)


def test_the_upload_after_the_limit_in_a_minute_is_refused_with_429(
    council, la_officer, settings, one_minute
):
    settings.UPLOAD_RATE_PER_MINUTE = 2
    client = client_for(la_officer)
    book = workbook_bytes({fmt.DATA_SOURCES.name: [headers(fmt.DATA_SOURCES), ["MI"]]})
    # Looking at the upload page is not an upload.
    for _ in range(3):
        assert client.get(_upload_url(council)).status_code == 200
    assert client.post(_upload_url(council), {"workbook": _upload(book)}).status_code == 200
    preview = client.post(_upload_url(council), {"workbook": _upload(book)})
    assert preview.status_code == 200
    token = preview.context["token"]
    confirm_url = reverse("workbook:workbook_confirm", args=[council.slug])
    refused = client.post(confirm_url, {"token": token})
    assert refused.status_code == 429
    assert refused["Retry-After"]
    text = unescape(refused.content.decode())
    assert "You have asked for more workbook uploads than the limit of 2 a minute" in text
    assert not DataSource.objects.filter(name="MI").exists()
    assert client.post(_upload_url(council), {"workbook": _upload(book)}).status_code == 429


@pytest.mark.parametrize("name", ["workbook:workbook_export", "workbook:workbook_template"])
def test_the_excel_export_after_the_limit_in_a_minute_is_refused_with_429(
    council, la_officer, settings, one_minute, name
):
    settings.EXPORT_RATE_PER_MINUTE = 3
    client = client_for(la_officer)
    url = reverse(name, args=[council.slug])
    for _ in range(3):
        assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert "PDF or Excel exports than the limit of 3 a minute" in unescape(refused.content.decode())


# --- problems listed and rows per sheet ---------------------------------------------------------


@pytest.fixture(scope="module")
def bad_workbook(tmp_path_factory):
    """200,000 rows, each with a value that is not a number (about 3.3 MB)."""
    path = tmp_path_factory.mktemp("limits") / "bad.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet(fmt.VALUES_LONG.name)
    sheet.append(headers(fmt.VALUES_LONG))
    for _ in range(BAD_ROWS):
        sheet.append(["ehcps", "2024-04-01", "actual", "lots", ""])
    book.save(path)
    return path.read_bytes()


def test_a_200000_row_bad_workbook_is_refused_with_a_short_page_and_bounded_memory(
    council, la_officer, bad_workbook, settings
):
    settings.UPLOAD_RATE_PER_MINUTE = 0
    client = client_for(la_officer)
    tracemalloc.start()
    try:
        response = client.post(_upload_url(council), {"workbook": _upload(bad_workbook)})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert len(response.content) < 200 * 1024
    assert peak < 100 * 1024 * 1024, f"peak {peak / 1048576:.0f} MB"
    problems = response.context["preview"].errors
    # The first 100 are listed, then why reading stopped; the rest are counted.
    assert len(problems) == 101
    assert problems.hidden >= 900
    html = unescape(response.content.decode())
    assert html.count('<td class="govuk-table__cell">Measure values</td>') == 101
    assert f"and {problems.hidden:,} more problems, not listed" in html
    assert (
        "sheet 'Measure values', row 2, column D 'Value': must be a number" in _errors(response)[0]
    )
    assert "problems found: reading stopped here" in str(problems[-1])
    assert not MeasureValue.objects.exists()


def test_a_sheet_longer_than_the_row_cap_is_refused_naming_it(council, la_officer, settings):
    settings.WORKBOOK_MAX_ROWS_PER_SHEET = 30
    rows = [[f"Source {n}", None, "basis"] for n in range(31)]
    sheets = {fmt.DATA_SOURCES.name: [headers(fmt.DATA_SOURCES), *rows]}
    response = client_for(la_officer).post(
        _upload_url(council), {"workbook": _upload(workbook_bytes(sheets))}
    )
    assert response.status_code == 200
    found = _errors(response)
    assert found == [
        "sheet 'Data sources', row 32: the sheet has more than 30 rows, the most one import "
        "reads: split it over several workbooks (reading stopped here)"
    ]
    assert not DataSource.objects.filter(name="Source 0").exists()


def test_the_import_command_says_how_many_problems_it_did_not_list(council, tmp_path, bad_workbook):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bad_workbook)
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"at least 1,001 problem\(s\) found"):
        call_command("import_workbook", council.slug, str(path), "--dry-run", stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 102
    assert lines[-1] == "... and 900 more problem(s)."


# --- numbers too large for their column ---------------------------------------------------------

HUGE = 1e30


def _agreement_row(**changes):
    values = [dt.date(2024, 3, 15), "SV", "2023-24", "2028-29", 1, 2]
    row = dict(zip(headers(fmt.AGREEMENTS)[: len(values)], values, strict=True))
    row.update(changes)
    return [row.get(h) for h in headers(fmt.AGREEMENTS)]


# Every numeric column of every kind, each holding a number it cannot keep.
TOO_LARGE = {
    fmt.AGREEMENTS.name: [
        headers(fmt.AGREEMENTS),
        _agreement_row(**{"DfE contribution (£)": HUGE}),
    ],
    fmt.PAYMENTS.name: [headers(fmt.PAYMENTS), [None, dt.date(2025, 3, 31), "99999999999999.995"]],
    fmt.DEFICIT_CAPS.name: [headers(fmt.DEFICIT_CAPS), [None, HUGE, 5]],
    fmt.RISKS.name: [headers(fmt.RISKS), [HUGE, "T", None, None, 1, 1]],
    fmt.SERIES.name: [headers(fmt.SERIES), ["x", "X", "Baseline", 10**40]],
    fmt.VALUES_LONG.name: [headers(fmt.VALUES_LONG), ["ehcps", "2024-04-01", "", HUGE]],
    fmt.GRID.name: [
        ["Measure code", "Measure", "Data source", "Series", "Apr-24"],
        ["ehcps", None, None, None, HUGE],
    ],
    fmt.FINANCE.name: [headers(fmt.FINANCE), [None, "2024-25", "Latest forecast", -(10**20)]],
}
EXPECTED = [
    "sheet 'Agreement', row 2, column E 'DfE contribution (£)': 1E+30 is too large: "
    "at most 99,999,999,999,999.99 fits",
    "sheet 'Payments', row 2, column C 'Amount (£)': 100000000000000.00 is too large",
    "sheet 'Deficit caps', row 2, column B 'Financial year': '10000000000000000198",
    "sheet 'Risks', row 2, column A 'Risk': must be at most 32767",
    "sheet 'Series', row 2, column D 'Order': must be at most 32767",
    "sheet 'Measure values', row 2, column D 'Value': 1E+30 is too large: "
    "at most 99,999,999,999,999.9999 fits",
    "sheet 'Measure grid', row 2, column E 'Apr-24': 1E+30 is too large",
    "sheet 'Finance', row 2, column D 'In-year position (£)': -1E+20 is too large: "
    "at most 99,999,999,999,999.99 fits",
]


def test_a_number_too_large_for_its_column_is_a_cell_error_naming_it_not_a_500(council, la_officer):
    build_council_data(council)
    before = MeasureValue.objects.count(), FinanceLine.objects.count()
    response = client_for(la_officer).post(
        _upload_url(council), {"workbook": _upload(workbook_bytes(TOO_LARGE))}
    )
    assert response.status_code == 200
    found = _errors(response)
    for where in EXPECTED:
        assert any(error.startswith(where) for error in found), (where, found)
    assert (MeasureValue.objects.count(), FinanceLine.objects.count()) == before


def test_infinity_in_a_cell_is_a_cell_error(council, la_officer):
    # Excel cannot write infinity, but a crafted file can: <v>1e400</v> reads as inf.
    build_council_data(council)
    sheets = {
        fmt.VALUES_LONG.name: [headers(fmt.VALUES_LONG), ["ehcps", "2024-04-01", "", 4242]],
        fmt.DEFICIT_CAPS.name: [headers(fmt.DEFICIT_CAPS), [None, 4343, 5]],
    }
    book = workbook_bytes(sheets)
    for part, number in (
        ("xl/worksheets/sheet1.xml", b"4242"),
        ("xl/worksheets/sheet2.xml", b"4343"),
    ):
        book = rewrite_part(
            book, part, lambda xml, n=number: xml.replace(b"<v>" + n + b"</v>", b"<v>1e400</v>")
        )
    response = client_for(la_officer).post(_upload_url(council), {"workbook": _upload(book)})
    assert response.status_code == 200
    found = _errors(response)
    assert "sheet 'Measure values', row 2, column D 'Value': must be a finite number" in found
    assert (
        "sheet 'Deficit caps', row 2, column B 'Financial year': must be a financial year "
        "like 2024-25" in found
    )


def test_a_cell_openpyxl_cannot_convert_is_a_problem_naming_the_row(council, la_officer):
    # A huge number in a date-formatted cell: openpyxl's date conversion overflows.
    sheets = {fmt.PAYMENTS.name: [headers(fmt.PAYMENTS), [None, dt.date(2025, 3, 31), 100]]}
    data = rewrite_part(
        workbook_bytes(sheets),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<v>45747</v>", b"<v>1e30</v>"),
    )
    response = client_for(la_officer).post(_upload_url(council), {"workbook": _upload(data)})
    assert response.status_code == 200
    assert any(
        error.startswith("sheet 'Payments', row 2: this row could not be read")
        for error in _errors(response)
    ), _errors(response)


# Which model each sheet writes, for the check that every numeric column fits its field.
SHEET_MODELS = {
    fmt.COUNCIL: LocalAuthority,
    fmt.AGREEMENTS: Agreement,
    fmt.PAYMENTS: PaymentInstalment,
    fmt.DEFICIT_CAPS: DeficitCap,
    fmt.ROUNDS: ReportingRound,
    fmt.AREAS: ProgrammeArea,
    fmt.WORKSTREAMS: Workstream,
    fmt.MILESTONES: Milestone,
    fmt.RISKS: Risk,
    fmt.RISK_UPDATES: RiskUpdate,
    fmt.SERIES: Series,
    fmt.MEASURES: Measure,
    fmt.VALUES_LONG: MeasureValue,
    fmt.FINANCE: FinanceLine,
}
SMALL = (models.PositiveSmallIntegerField, models.SmallIntegerField)


def test_every_numeric_column_takes_what_its_model_field_holds_and_names_what_it_cannot():
    checked = 0
    for spec, model in SHEET_MODELS.items():
        fields = {f.name: f for f in model._meta.concrete_fields}
        for column in spec.columns:
            field = fields.get(column.key)
            if field is None or field.is_relation:
                continue
            if column.kind in (fmt.DECIMAL, fmt.MONEY):
                assert isinstance(field, models.DecimalField), (spec.name, column.key)
                whole = field.max_digits - field.decimal_places
                largest = Decimal(f"{'9' * whole}.{'9' * field.decimal_places}")
                assert reader.parse_cell(str(-largest), column) == -largest
                for huge in (HUGE, Decimal(10) ** whole, "1E+999999999", 10**40):
                    with pytest.raises(ValueError, match="too large"):
                        reader.parse_cell(huge, column)
                checked += 1
            elif column.kind == fmt.INT and isinstance(field, SMALL):
                assert column.maximum is not None and column.maximum <= 32767
                assert column.minimum is not None and column.minimum >= 0
                with pytest.raises(ValueError, match="must be at most"):
                    reader.parse_cell(HUGE, column)
                checked += 1
    assert checked >= 20


# --- the browser forms --------------------------------------------------------------------------


def test_a_kpi_cell_of_1e30_is_a_field_error(council, la_officer):
    measure = Measure.objects.create(
        council=council,
        code="ehcps",
        name="EHCPs",
        unit="count",
        polarity="lower",
        data_source=DataSource.objects.create(council=council, name="MI"),
    )
    Series.objects.create(council=council, kind="actual", name="Actual", slug="actual")
    client = client_for(la_officer)
    for typed in ("1E+30", "1e999999999", "-1E+30", "Infinity"):
        data = {"measure": measure.pk, "period": "2024-04", "series": "actual", "value": typed}
        response = client.post(reverse("metrics:kpi_cell", args=[council.slug]), data, **HTMX)
        assert response.status_code == 200, typed
        html = unescape(response.content.decode())
        assert "EHCPs, April 2024: This number is too large to store." in html or (
            typed == "Infinity" and "EHCPs, April 2024: Enter a number." in html
        ), typed
    assert not MeasureValue.objects.exists()


def test_a_finance_figure_of_1e30_is_a_field_error(council):
    finance = _member(council, Role.FINANCE, "finance-lead")
    line = FinanceLineFactory(agreement=council.agreements.get(), financial_year=2024)
    url = reverse("finance:finance_line_edit", args=[council.slug, line.pk])
    client = client_for(finance)
    for typed in ("1E+30", "1e999999999", "NaN", "-Infinity"):
        data = {"in_year_position": typed, "reflects": "Q2", "version": str(line.version)}
        response = client.post(url, data, **HTMX)
        assert response.status_code == 200, typed
        html = unescape(response.content.decode())
        assert "govuk-error-message" in html and (
            "This amount is too large to store." in html
            or "This number is too large to store." in html
            or "Enter a number." in html
        ), typed
    line.refresh_from_db()
    assert line.version == 1
