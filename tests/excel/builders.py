"""Data and workbooks the Excel tests build for themselves."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from openpyxl import Workbook

from svmonitor.choices import Rag, RoundStatus
from tests.factories import (
    AgreementConditionFactory,
    AgreementFactory,
    ConditionUpdateFactory,
    DataSourceFactory,
    DeficitCapFactory,
    FinanceLineFactory,
    MeasureFactory,
    MeasureValueFactory,
    MilestoneFactory,
    MonitoringTierChangeFactory,
    PaymentInstalmentFactory,
    ProgrammeAreaFactory,
    RagDefinitionFactory,
    ReportingRoundFactory,
    RiskFactory,
    RiskUpdateFactory,
    SeriesFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamUpdateFactory,
)
from workbook import format as fmt


def build_council_data(council):
    """A council with one of everything the workbook carries, including awkward text."""
    RagDefinitionFactory(council=council, level=Rag.AMBER_GREEN, label="A/G", dfe_level=Rag.AMBER)
    agreement = council.agreements.first() or AgreementFactory(council=council)
    PaymentInstalmentFactory(agreement=agreement, due_date=dt.date(2024, 3, 31))
    PaymentInstalmentFactory(
        agreement=agreement, due_date=dt.date(2025, 3, 31), note="=HYPERLINK(evil)"
    )
    DeficitCapFactory(agreement=agreement, financial_year=2024, cap=Decimal("84500000.50"))
    MonitoringTierChangeFactory(agreement=agreement, effective_from=dt.date(2024, 3, 15))
    submitted = ReportingRoundFactory(
        agreement=agreement,
        financial_year=2024,
        update_number=1,
        status=RoundStatus.SUBMITTED,
        submitted_on=dt.date(2024, 5, 30),
    )
    draft = ReportingRoundFactory(
        agreement=agreement, financial_year=2024, update_number=2, due_date=dt.date(2024, 8, 31)
    )
    c1 = AgreementConditionFactory(agreement=agreement, label="1", order=1)
    c31 = AgreementConditionFactory(agreement=agreement, label="3.1", order=2)
    area = ProgrammeAreaFactory(council=council, number=1, name="Inclusion")
    workstream = WorkstreamFactory(area=area, name="Early help", lead_role="Head of SEND")
    workstream.conditions.set([c1, c31])
    # Past due and not complete, so Overdue: the import checks a milestone as the browser does.
    MilestoneFactory(
        workstream=workstream, title="Hub open", due_date=dt.date(2024, 9, 1), status="overdue"
    )
    MilestoneFactory(
        workstream=workstream,
        title="Panel reformed",
        status="complete",
        completed_on=dt.date(2024, 6, 1),
    )
    source = DataSourceFactory(council=council, name="MI", basis="Q2 forecast")
    actual = SeriesFactory(council=council, kind="actual", name="Actual", slug="actual")
    plan = SeriesFactory(council=council, kind="baseline", name="SV forecast", slug="sv-forecast")
    ehcp = MeasureFactory(
        council=council, code="ehcps", name="Number of EHCPs", data_source=source, order=1
    )
    ehcp.conditions.set([c1])
    inmss = MeasureFactory(
        council=council,
        code="inmss-pct",
        name="% in INMSS",
        unit="percent",
        data_source=source,
        programme_area=area,
        order=2,
    )
    for month in range(14):
        period = dt.date(2023 + (3 + month) // 12, (3 + month) % 12 + 1, 1)
        MeasureValueFactory(measure=ehcp, series=actual, period=period, value=5000 + month * 7)
        MeasureValueFactory(
            measure=inmss, series=actual, period=period, value=Decimal("5.75") + month
        )
        MeasureValueFactory(measure=ehcp, series=plan, period=period, value=4900 + month * 5)
    MeasureValueFactory(
        measure=inmss,
        series=plan,
        period=dt.date(2024, 4, 1),
        value=Decimal("6.92"),
        note="pro rata",
    )
    u1 = ConditionUpdateFactory(
        round=submitted, condition=c1, rag=Rag.AMBER_GREEN, narrative="-5% on plan"
    )
    u1.key_measures.set([ehcp])
    ConditionUpdateFactory(round=draft, condition=c31, rag=Rag.RED, narrative="@risk")
    WorkstreamUpdateFactory(round=draft, workstream=workstream, rag=Rag.GREEN, narrative="ok")
    risk = RiskFactory(council=council, number=1, mitigation="+ more places")
    RiskUpdateFactory(round=draft, risk=risk, rag=Rag.AMBER, impact=4, likelihood=4)
    FinanceLineFactory(agreement=agreement, financial_year=2024, scenario="latest")
    FinanceLineFactory(agreement=agreement, financial_year=2024, scenario="agreement")
    return {"agreement": agreement, "submitted": submitted, "draft": draft, "ehcp": ehcp}


def site_admin():
    """A site administrator: only they create councils and change agreements by import."""
    return UserFactory(username="site-admin", is_superuser=True, is_staff=True)


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx with the given sheets (first row = headers), built with plain openpyxl."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def headers(spec) -> list[str]:
    """The header row of a sheet."""
    return [column.header for column in spec.columns]


def minimal_sheets(name="New Council", slug="new-council") -> dict:
    """A council, an agreement, a round and a grid: the least a new council brings."""
    return {
        fmt.COUNCIL.name: [headers(fmt.COUNCIL), [name, slug, "999", "E06000999", 15]],
        fmt.AGREEMENTS.name: [
            headers(fmt.AGREEMENTS),
            [dt.date(2024, 3, 1), "Safety Valve agreement", "2023-24", "2027-28", 1000, 2000],
        ],
        fmt.ROUNDS.name: [
            headers(fmt.ROUNDS),
            [None, "2024-25", 1, dt.date(2024, 5, 31), "Apr-24", "Draft"],
        ],
        fmt.MEASURES.name: [
            headers(fmt.MEASURES),
            ["ehcps", "Number of EHCPs", "Count", "Lower is better", "MI"],
        ],
        fmt.GRID.name: [
            ["Measure code", "Measure", "Data source", "Series", "Apr-24", "May-24"],
            ["ehcps", "Number of EHCPs", "MI", None, 5000, 5010],
        ],
    }


def zip_bytes(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip with the given parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def rewrite_part(xlsx: bytes, part: str, transform) -> bytes:
    """The same workbook with one part's bytes transformed."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    entries = {}
    for name in source.namelist():
        data = source.read(name)
        entries[name] = transform(data) if name == part else data
    return zip_bytes(entries)
