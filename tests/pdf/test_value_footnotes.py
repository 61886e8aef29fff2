"""Value notes and not-available reasons as numbered footnotes under the key-measure tables
(issue 13.4): the DfE report PDF, the board pack and the dashboard; years labelled as written."""

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from metrics.models import Measure, MeasureValue, Series
from reports.pdf.render import board_pack_html, pdf_from_html, report_html
from reports.pdf.selectors import report_source_for_round
from reports.snapshot import round_snapshot_build, snapshot_as_dict
from reports.snapshot.hydrate import snapshot_from_dict
from tests.dashboard_pages import dashboard_html
from tests.factories import MeasureValueFactory, MembershipFactory, UserFactory
from tests.pdf.conftest import report_council

pytestmark = pytest.mark.django_db
OCTOBER, NOVEMBER = dt.date(2024, 10, 1), dt.date(2024, 11, 1)


def _noted_council():
    """report_council with its first cited measure's figures noted, not available, and an
    academic-year figure."""
    latest = report_council()
    measure = Measure.objects.filter(council=latest.agreement.council).order_by("pk").first()
    actual = Series.objects.get(council=measure.council, slug="actual")
    figures = MeasureValue.objects.filter(measure=measure, series=actual)
    figures.filter(period=OCTOBER).update(note="Provisional: not yet validated")
    figures.filter(period=NOVEMBER).update(value=None, not_available_reason="SEN2 delayed")
    MeasureValueFactory(
        measure=measure,
        series=actual,
        period=dt.date(2024, 9, 1),
        period_kind="academic_year",
        value=Decimal("6100"),
    )
    return latest, measure


def _pdftotext(pdf: bytes) -> str:
    done = subprocess.run(  # noqa: S603 - a fixed command on our own bytes
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return re.sub(r"[ \t]+", " ", done.stdout.decode())


def test_the_dfe_report_prints_notes_and_reasons_as_footnotes_under_the_table():
    latest, _ = _noted_council()
    text = _pdftotext(
        pdf_from_html(report_html(report_source_for_round(round=latest)), bounded=False)
    )
    # The cells point at their footnotes; the footnotes follow the table, numbered.
    assert "6,003¹" in text  # October's actual, noted
    assert "n/a²" in text  # November's actual, not available
    assert "1. Provisional: not yet validated" in text
    assert "2. Not available: SEN2 delayed" in text
    # The academic year is a period of its own, headed as the council writes it.
    assert "2024-25 AY" in text


def test_the_board_pack_and_the_dashboard_print_the_same_footnotes(client):
    latest, measure = _noted_council()
    snapshot = round_snapshot_build(latest)
    shown = snapshot.measure(measure.code)
    assert shown.footnotes == ("Not available: SEN2 delayed", "Provisional: not yet validated")
    assert [(row.period_label, row.actual.display, row.actual.footnote) for row in shown.table] == [
        ("Dec 2024", "6,005", None),
        ("Nov 2024", "n/a", 1),
        ("Oct 2024", "6,003", 2),
        ("2024-25 AY", "6,100", None),
    ]
    text = _pdftotext(
        pdf_from_html(board_pack_html(report_source_for_round(round=latest)), bounded=False)
    )
    assert "1. Not available: SEN2 delayed" in text
    assert "2. Provisional: not yet validated" in text
    user = UserFactory()
    MembershipFactory(user=user, council=latest.agreement.council, role="board")
    client.force_login(user)
    html = dashboard_html(client, latest.agreement.council)
    assert "<li>Not available: SEN2 delayed</li>" in html
    assert "<li>Provisional: not yet validated</li>" in html
    assert '<span class="govuk-visually-hidden">note </span>1</sup>' in html


def test_a_payload_frozen_before_not_available_and_years_still_loads():
    latest, measure = _noted_council()
    payload = snapshot_as_dict(round_snapshot_build(latest))
    # As frozen before issue 13: points had no kind or reason, tables no footnotes.
    for m in payload["measures"]:
        m.pop("footnotes")
        for line in m["lines"]:
            line["points"] = [
                {k: v for k, v in p.items() if k not in ("period_kind", "not_available")}
                for p in line["points"]
                if p["value"] is not None and p["period_kind"] == "month"
            ]
        for row in m["table"]:
            row.pop("period_kind")
            for cell in (row["actual"], *row["baselines"]):
                cell.pop("footnote")
    old = snapshot_from_dict(payload)
    shown = old.measure(measure.code)
    assert shown.footnotes == ()
    assert {p.period_kind for line in shown.lines for p in line.points} == {"month"}
    assert shown.table[0].period_label == "Dec 2024"
