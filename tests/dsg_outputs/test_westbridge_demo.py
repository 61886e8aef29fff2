"""The fourth demo council: Westbridge keeps a DSG plan and has no Safety Valve agreement; its
termly rounds are presented, frozen and signed off, and their outputs download."""

from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from reports.dsg.figures import money
from reports.dsg.produce import PDF, dsg_output_produce
from reports.dsg.render import PLAN, SCHOOLS_FORUM
from svmonitor.choices import RoundStatus
from svmonitor.models import Agreement, LocalAuthority, ReportingRound, SignOff
from tests.dsg_outputs.conftest import pdf_text


class WestbridgeDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", verbosity=0)
        cls.council = LocalAuthority.objects.get(slug="westbridge")

    def test_its_one_agreement_row_is_its_dsg_plan(self):
        assert self.council.is_fictional is True
        assert self.council.return_kinds == ["dsg_plan"]
        plan = Agreement.objects.get(council=self.council)
        assert plan.title == "DSG deficit management plan"
        assert (plan.dfe_contribution, plan.council_contribution) == (0, 0)
        assert (plan.first_financial_year, plan.last_financial_year) == (2025, 2029)
        assert not ReportingRound.objects.filter(
            agreement__council=self.council, return_kind="safety_valve"
        ).exists()

    def test_its_termly_rounds_are_two_presented_and_a_draft(self):
        rounds = ReportingRound.objects.filter(agreement__council=self.council).order_by(
            "update_number"
        )
        assert [(r.return_kind, r.financial_year, r.update_number, r.status) for r in rounds] == [
            ("dsg_plan", 2025, 1, RoundStatus.SUBMITTED),
            ("dsg_plan", 2025, 2, RoundStatus.SUBMITTED),
            ("dsg_plan", 2025, 3, RoundStatus.DRAFT),
        ]
        for round_ in rounds[:2]:
            sha = round_.snapshots.get().sha256
            signed = SignOff.objects.filter(round=round_, snapshot_sha256=sha)
            assert sorted(signed.values_list("capacity", flat=True)) == ["dcs", "s151"]
            assert {s.signed_by.username for s in signed} == {
                "s151.westbridge",
                "dcs.westbridge",
            }

    def test_the_autumn_paper_is_signed_and_takes_its_previous_forecast_from_the_summer(self):
        summer, autumn = ReportingRound.objects.filter(
            agreement__council=self.council, update_number__in=(1, 2)
        ).order_by("update_number")
        paper = dsg_output_produce(round=autumn, document=SCHOOLS_FORUM, fmt=PDF, bounded=False)
        assert paper.source.previous.label == summer.label
        assert paper.source.previous.payload == summer.snapshots.get().payload
        text = pdf_text(paper.content)
        assert "DRAFT" not in text
        assert "Westbridge Council" in text
        plan = dsg_output_produce(round=autumn, document=PLAN, fmt=PDF, bounded=False)
        assert "Signed off by" in pdf_text(plan.content)

    def test_the_autumn_papers_movement_is_its_forecast_less_the_summers(self):
        summer, autumn = ReportingRound.objects.filter(
            agreement__council=self.council, update_number__in=(1, 2)
        ).order_by("update_number")

        def high_needs(round_, scenario):
            blocks = round_.snapshots.get().payload["parts"]["dsg_finance"]["blocks"]
            block = next(b for b in blocks if b["key"] == "high_needs")
            found = next(s for s in block["scenarios"] if s["key"] == scenario)
            return Decimal(found["derived"]["2025"]["expenditure"])

        budget = high_needs(autumn, "budget")
        forecast, previous = high_needs(autumn, "mitigated"), high_needs(summer, "mitigated")
        assert forecast != previous  # the demo's autumn term moved the forecast
        row = " ".join(
            money(v) for v in (budget, forecast, previous, forecast - previous, forecast - budget)
        )
        paper = dsg_output_produce(round=autumn, document=SCHOOLS_FORUM, fmt=PDF, bounded=False)
        assert f"High needs block {row}" in pdf_text(paper.content)

    def test_loading_twice_changes_nothing_for_westbridge(self):
        out = StringIO()
        call_command("load_demo", stdout=out)
        line = next(li for li in out.getvalue().splitlines() if li.startswith("westbridge:"))
        assert "(0 created, 0 changed)" in line, line
