"""A council with something in every part of the DfE report, and PDF reading helpers."""

import io
import re

import pytest
from pypdf import PdfReader

from conditions.models import ConditionUpdate
from metrics.models import Measure
from overview.models import RoundOverview
from risks.models import Risk
from tests.factories import HeadlineFactory, KeyContactFactory
from tests.reports.conftest import build_council

ANSWERS = {
    "deficit_this_year_on_track": "no",
    "deficit_this_year_commentary": "Demand stayed higher than forecast in the second quarter.",
    "zero_deficit_on_track": "no",
    "zero_deficit_commentary": "Balance is now expected seven years after the agreement began.",
    "capital_project_on_track": "yes",
    "capital_project_commentary": "The new special school opens in September 2025.",
    "adviser_support_requested": "yes",
    "adviser_support_detail": "Early years inclusion advice for the reception triads.",
}


def report_council(**kwargs):
    """build_council's latest round, plus key personnel, cited measures, narratives, answers."""
    latest = build_council(**kwargs)
    council = latest.agreement.council
    KeyContactFactory(council=council, role="s151_officer", name="Finance Director")
    KeyContactFactory(
        council=council, role="dcs", job_title="DCS", name="Children's Director", order=1
    )
    RoundOverview.objects.filter(round=latest).update(**ANSWERS)
    overview = latest.overview
    HeadlineFactory(overview=overview, kind="barrier", position=1, text="Inspection took a month")
    HeadlineFactory(overview=overview, kind="engagement", position=1, text="Parent carer forums")
    measures = list(Measure.objects.filter(council=council).order_by("pk"))
    for i, update in enumerate(
        ConditionUpdate.objects.filter(round=latest).order_by("condition__order")
    ):
        update.narrative = f"Progress on condition {update.condition.label}: plans {i} ahead."
        update.save()
        update.key_measures.add(measures[i % len(measures)])
    for risk in Risk.objects.filter(council=council):
        risk.mitigation = f"Mitigation for risk {risk.number}: weekly panel."
        risk.save()
    return latest


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def pdf_text(pdf: bytes) -> str:
    """The text of the whole document, whitespace collapsed."""
    return " ".join(pdf_pages_text(pdf))


@pytest.fixture
def media(settings, tmp_path):
    """Stored report files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
