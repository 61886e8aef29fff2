"""A DSG round's outputs come from its frozen record: a live edit after freezing changes
nothing; the Schools Forum paper's previous forecast is the previous round's frozen record."""

import pytest

from finance.models import FinanceLine
from reports.dsg.figures import NONE, money
from reports.dsg.produce import DOCX, PDF, dsg_output_produce
from reports.dsg.render import PLAN, SCHOOLS_FORUM
from svmonitor.choices import RoundStatus
from tests.dsg_outputs.builders import dsg_plan, dsg_round, finance_part, hnb_line
from tests.dsg_outputs.conftest import docx_text, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("finance_part")]
LATEST, UNMITIGATED = FinanceLine.Scenario.LATEST, FinanceLine.Scenario.UNMITIGATED
__all__ = ["finance_part"]


def _text(round_, document, fmt):
    produced = dsg_output_produce(round=round_, document=document, fmt=fmt, bounded=False)
    return produced, (pdf_text if fmt == PDF else docx_text)(produced.content)


def test_a_live_edit_after_sign_off_does_not_change_the_plan_or_the_paper():
    plan = dsg_plan()
    hnb_line(plan, 2025, LATEST, in_year="-4321000.55", cumulative="30000000.00")
    round_ = dsg_round(plan, 1, RoundStatus.SIGNED_OFF)
    before = {
        (doc, fmt): _text(round_, doc, fmt) for doc in (PLAN, SCHOOLS_FORUM) for fmt in (PDF, DOCX)
    }
    # Live data moves after the sign-off...
    FinanceLine.objects.filter(agreement=plan.agreement).update(in_year_position=-9999999)
    for (doc, fmt), (produced, text) in before.items():
        again, text_again = _text(round_, doc, fmt)
        assert text_again == text, (doc, fmt)
        # ...but every output still holds the frozen figure, and not the live one.
        assert money("-4321000.55") in text_again, (doc, fmt)
        assert money("-9999999.00") not in text_again, (doc, fmt)
        assert again.source.sha256 == produced.source.sha256
        assert "DRAFT" not in text_again
        assert plan.s151.username in text_again and plan.dcs.username in text_again


def test_a_draft_reads_live_data_and_says_draft():
    plan = dsg_plan()
    hnb_line(plan, 2025, LATEST, in_year="-1000.00", cumulative="1000.00")
    round_ = dsg_round(plan, 1)
    FinanceLine.objects.filter(agreement=plan.agreement).update(in_year_position=-2500)
    produced, text = _text(round_, PLAN, PDF)
    assert money("-2500.00") in text
    assert "DRAFT" in text and produced.filename.endswith("-DRAFT.pdf")
    assert produced.source.frozen is None


def test_a_ready_round_not_yet_signed_off_is_still_marked_draft():
    plan = dsg_plan()
    round_ = dsg_round(plan, 1, RoundStatus.READY)
    _, text = _text(round_, SCHOOLS_FORUM, PDF)
    assert "DRAFT" in text and "not been signed off" in text


def test_the_papers_previous_forecast_is_the_previous_rounds_frozen_record():
    plan = dsg_plan()
    hnb_line(plan, 2025, LATEST, in_year="-5000000.00", cumulative="20000000.00")
    summer = dsg_round(plan, 1, RoundStatus.SIGNED_OFF)
    # The autumn forecast worsens by £1,250,000.25 after the summer term was frozen.
    hnb_line(plan, 2025, LATEST, in_year="-6250000.25", cumulative="21250000.25")
    autumn = dsg_round(plan, 2, RoundStatus.SIGNED_OFF)
    # A later live edit moves neither the autumn forecast nor its previous forecast.
    hnb_line(plan, 2025, LATEST, in_year="-1.00", cumulative="1.00")
    for fmt in (PDF, DOCX):
        _, text = _text(autumn, SCHOOLS_FORUM, fmt)
        row = " ".join([money("-6250000.25"), money("-5000000.00"), money("-1250000.25")])
        assert f"High needs block {NONE} {row}" in text, fmt
        assert f"Previous forecast: {summer.label}" in text
