"""`manage.py load_demo`: the seed figures arrive intact, twice is once, and no names leak in."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models
from django.test import TestCase

from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    ProgrammeArea,
    WorkstreamUpdate,
)
from finance.models import FinanceLine
from metrics.models import HeadlineCard, MeasureValue
from risks.models import RiskUpdate
from svmonitor.choices import (
    KpiGrouping,
    MonitoringTier,
    Rag,
    RiskRegister,
    RoundOrigin,
    RoundStatus,
)
from svmonitor.models import (
    Agreement,
    AuditEvent,
    LocalAuthority,
    Membership,
    RagDefinition,
    ReportingRound,
)
from svmonitor.roles import Role
from tests.factories import LocalAuthorityFactory

G, A, R, B, NR = Rag.GREEN, Rag.AMBER, Rag.RED, Rag.BLUE, Rag.NOT_RATED
M = Decimal("1000000")
APPS = ("svmonitor", "conditions", "risks", "metrics", "reports", "auth")
SEED_SURNAMES = ("Townsend", "Watkin", "Freeman", "Davis", "Shiringo", "Stevens", "Williams")
SEED_SURNAMES += ("Fryer", "wiltshire.gov.uk")


def _models():
    """Every model of our apps and auth, with the auto-created many-to-many tables."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APPS
    ]


def _database_state() -> dict:
    """Every row of every table, in primary-key order."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in _models()}


def _round(slug, year, update, kind="safety_valve"):
    return ReportingRound.objects.get(
        agreement__council__slug=slug,
        return_kind=kind,
        financial_year=year,
        update_number=update,
    )


def _value(slug, code, series, period):
    return MeasureValue.objects.get(
        measure__council__slug=slug, measure__code=code, series__slug=series, period=period
    ).value


class LoadDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", verbosity=0)
        cls.wiltshire = LocalAuthority.objects.get(slug="wiltshire")
        cls.agreement = Agreement.objects.get(council=cls.wiltshire)

    def test_it_changes_nothing_when_run_again(self):
        before = _database_state()

        call_command("load_demo", verbosity=0)

        after = _database_state()
        assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
        # Every value of every row, including auto_now timestamps: nothing was re-saved.
        assert after == before

    def test_submitted_rounds_carry_a_frozen_snapshot_signed_by_both_officers(self):
        from reports.freeze import round_snapshot_verify

        for round_ in ReportingRound.objects.filter(
            status=RoundStatus.SUBMITTED, origin=RoundOrigin.RECORDED_HERE
        ):
            snapshot = round_.snapshots.get()
            assert round_snapshot_verify(snapshot)
            sign_offs = {s.capacity: s for s in round_.sign_offs.filter(voided_at__isnull=True)}
            assert set(sign_offs) == {"s151", "dcs"}
            slug = round_.agreement.council.slug
            assert sign_offs["s151"].signed_by.username == f"s151.{slug}"
            assert sign_offs["dcs"].signed_by.username == f"dcs.{slug}"
            assert {s.snapshot_sha256 for s in sign_offs.values()} == {snapshot.sha256}
            assert max(s.signed_at.date() for s in sign_offs.values()) < round_.submitted_on
        # The open draft is neither frozen nor signed.
        draft = _round("wiltshire", 2025, 1)
        assert not draft.snapshots.exists() and not draft.sign_offs.exists()

    def test_each_frozen_snapshot_is_dated_when_its_round_was_marked_ready(self):
        for round_ in ReportingRound.objects.filter(
            status=RoundStatus.SUBMITTED, origin=RoundOrigin.RECORDED_HERE
        ):
            snapshot = round_.snapshots.get()
            assert snapshot.created_at == round_.ready_at
            assert snapshot.created_at.date() < round_.submitted_on
        update_3 = _round("wiltshire", 2024, 3).snapshots.get()
        assert update_3.created_at.date() == dt.date(2024, 12, 8)

    def test_no_demo_milestone_is_past_due_without_being_overdue(self):
        from conditions.models import Milestone

        # The demo's "now" is the open draft's data month; Northdale's late ones say so.
        as_at = _round("wiltshire", 2025, 1).data_as_at
        milestones = Milestone.objects.exclude(status=Milestone.Status.COMPLETE)
        past_due = milestones.filter(due_date__lt=as_at)
        assert not past_due.exclude(status=Milestone.Status.OVERDUE).exists()
        assert not milestones.filter(due_date__gte=as_at, status="overdue").exists()
        assert past_due.filter(workstream__area__council__slug="northdale").exists()
        assert not past_due.filter(workstream__area__council__slug="wiltshire").exists()

    def test_it_loads_wiltshire_agreement_figures(self):
        agreement = self.agreement
        assert (agreement.date_signed.year, agreement.date_signed.month) == (2024, 3)
        assert agreement.last_financial_year == 2028
        assert agreement.dfe_contribution == 67 * M
        assert agreement.council_contribution == Decimal("70.2") * M
        assert agreement.deficit_caps.get(financial_year=2024).cap == Decimal("84.5") * M
        received = agreement.payments.get(status="received")
        assert received.amount == Decimal("26.8") * M
        assert (received.status_date.year, received.status_date.month) == (2024, 3)
        assert sum(p.amount for p in agreement.payments.all()) == 67 * M
        assert agreement.tier_changes.get().tier == MonitoringTier.STANDARD

    def test_it_loads_wiltshire_conditions_in_order(self):
        labels = list(
            AgreementCondition.objects.filter(agreement=self.agreement)
            .order_by("order")
            .values_list("label", flat=True)
        )
        assert labels == ["1", "2", "3.1", "3.2", "3.3", "3.4", "3.5"]

    def test_it_keeps_condition_rag_history_with_lost_ratings_not_rated(self):
        expected = {
            "1": [G, A, R],
            "2": [G, NR, NR],
            "3.1": [G, A, A],
            "3.2": [G, G, NR],
            "3.3": [A, A, A],
            "3.4": [A, A, A],
            "3.5": [G, G, G],
        }
        history = {
            label: [
                ConditionUpdate.objects.get(
                    round=_round("wiltshire", 2024, n), condition__label=label
                ).rag
                for n in (1, 2, 3)
            ]
            for label in expected
        }
        assert history == expected

    def test_it_keeps_risk_rag_history(self):
        expected = {1: [G, G, G], 2: [G, G, G], 3: [A, G, G], 4: [A, A, B], 5: [A, A, A]}
        history = {
            number: [
                RiskUpdate.objects.get(round=_round("wiltshire", 2024, n), risk__number=number).rag
                for n in (1, 2, 3)
            ]
            for number in expected
        }
        assert history == expected
        # The board's two key risks keep the dashboard's scores.
        scores = RiskUpdate.objects.filter(
            round=_round("wiltshire", 2025, 1), risk__number__in=[6, 7]
        ).order_by("risk__number")
        assert [u.score for u in scores] == [20, 16]

    def test_it_loads_the_monthly_ehcp_forecast_and_actual(self):
        months = [dt.date(2024, m, 1) for m in range(4, 11)]
        forecast = [_value("wiltshire", "ehcps", "sv-forecast", p) for p in months]
        actual = [_value("wiltshire", "ehcps", "actual", p) for p in months]
        assert forecast == [5562, 5586, 5609, 5632, 5645, 5649, 5669]
        assert actual == [5728, 5815, 5867, 5861, 5932, 6051, 6161]

    def test_it_loads_update_1_key_measure_tables(self):
        april = dt.date(2024, 4, 1)
        assert _value("wiltshire", "ehcna-requests", "actual", april) == 398
        assert _value("wiltshire", "issued-20-weeks", "sv-forecast", april) == 40
        assert _value("wiltshire", "issued-20-weeks", "last-year", april) == Decimal("36.82")
        assert _value("wiltshire", "moves-down", "last-year", april) == 18
        update = ConditionUpdate.objects.get(
            round=_round("wiltshire", 2024, 1), condition__label="3.1"
        )
        codes = set(update.key_measures.values_list("code", flat=True))
        assert codes == {"ehcps", "ehcna-requests", "no-to-assess"}

    def test_dashboard_differences_come_out_exactly(self):
        dec = dt.date(2024, 12, 1)
        funded = _value("wiltshire", "funded-ehcps", "actual", dec)
        assert funded - _value("wiltshire", "funded-ehcps", "last-year", dec) == 872
        rate = _value("wiltshire", "ehcp-rate", "actual", dec)
        assert rate - _value("wiltshire", "ehcp-rate", "stat-neighbour", dec) == Decimal("0.63")
        rolling = _value("wiltshire", "inmss-pct-rolling", "actual", dec)
        neighbour = _value("wiltshire", "inmss-pct-rolling", "stat-neighbour", dec)
        assert rolling - neighbour == Decimal("-0.08")

    def test_headline_cards_show_the_dashboard_figures(self):
        cards = HeadlineCard.objects.filter(council=self.wiltshire).order_by("order")
        figures = []
        for card in cards:
            latest = MeasureValue.objects.filter(
                measure=card.measure, series__kind="actual"
            ).latest("period")
            comparator = MeasureValue.objects.get(
                measure=card.measure, series=card.comparator, period=latest.period
            )
            figures.append((latest.value, comparator.value, card.comparator_label))
        assert figures == [
            (6357, 5707, "Forecast to date"),
            (Decimal("43.20"), Decimal("28.21"), "Goal for this financial year"),
            (Decimal("5.75"), Decimal("6.92"), "Forecast"),
        ]

    def test_update_3_is_submitted_on_11_december_2024(self):
        rounds = ReportingRound.objects.filter(agreement=self.agreement, financial_year=2024)
        assert {r.status for r in rounds} == {RoundStatus.SUBMITTED}
        assert _round("wiltshire", 2024, 3).submitted_on == dt.date(2024, 12, 11)

    def test_update_3_overview_answers_and_headlines(self):
        overview = _round("wiltshire", 2024, 3).overview
        answers = (
            overview.deficit_this_year_on_track,
            overview.zero_deficit_on_track,
            overview.capital_project_on_track,
        )
        assert answers == ("no", "no", "yes")
        assert overview.adviser_support_requested == "yes"
        assert overview.adviser_support_detail
        assert overview.overall_rag == Rag.AMBER_RED
        kinds = list(overview.headlines.values_list("kind", flat=True))
        assert (kinds.count("driver"), kinds.count("barrier"), kinds.count("engagement")) == (
            3,
            1,
            3,
        )
        update_1 = _round("wiltshire", 2024, 1).overview
        assert (update_1.deficit_this_year_on_track, update_1.zero_deficit_on_track) == (
            "yes",
            "yes",
        )
        assert update_1.adviser_support_detail == "Not at this time."

    def test_the_2025_26_draft_is_carried_forward_from_update_3(self):
        for slug in ("wiltshire", "northdale"):
            source, draft = _round(slug, 2024, 3), _round(slug, 2025, 1)
            assert draft.status == RoundStatus.DRAFT
            assert draft.submitted_on is None
            for model, key in (
                (ConditionUpdate, "condition_id"),
                (RiskUpdate, "risk_id"),
                (WorkstreamUpdate, "workstream_id"),
            ):
                carried = {
                    getattr(u, key): (u.rag, u.narrative) for u in model.objects.filter(round=draft)
                }
                sent = {
                    getattr(u, key): (u.rag, u.narrative)
                    for u in model.objects.filter(round=source)
                }
                assert sent
                assert {k: carried[k] for k in sent} == sent
            assert draft.overview.overall_rag == source.overview.overall_rag
            assert draft.overview.zero_deficit_commentary == source.overview.zero_deficit_commentary
            assert list(draft.overview.headlines.order_by("kind", "position").values_list(
                "kind", "position", "text"
            )) == list(source.overview.headlines.order_by("kind", "position").values_list(
                "kind", "position", "text"
            ))  # fmt: skip

    def test_it_loads_finance_lines_with_nulls_where_seeds_are_silent(self):
        lines = FinanceLine.objects.filter(agreement=self.agreement)
        latest_2024 = lines.get(scenario="latest", financial_year=2024)
        assert latest_2024.in_year_position == Decimal("-43.20") * M
        assert lines.get(scenario="latest", financial_year=2025).hnb_income == Decimal("80.301") * M
        # 2025-26 to 2028-29: computed from the DSG plan's high needs block (issue 19.3).
        assert lines.get(scenario="latest", financial_year=2026).cumulative_deficit == (
            Decimal("54.69") * M
        )
        assert lines.get(scenario="latest", financial_year=2029).cumulative_deficit is None
        assert lines.filter(scenario="agreement").count() >= 5

    def test_wiltshire_dsg_plan_ends_at_the_schools_forum_papers_deficit_and_keeps_q2(self):
        from finance.dsg_summary import dsg_summary_build, dsg_summary_fragment

        summary = dsg_summary_build(agreement=self.agreement)
        end = dsg_summary_fragment(summary)["end_of_plan"]
        assert (end["label"], end["mitigated_before_adjustments"]) == ("2028-29", "-137200000.00")
        assert end["mitigated_carried_forward"] == "0.00"  # DfE's £67m and the council's £70.2m
        assert summary.balances_in("high_needs", "mitigated") == 2028
        latest_2024 = FinanceLine.objects.get(
            agreement=self.agreement, scenario="latest", financial_year=2024
        )
        assert (latest_2024.in_year_position, latest_2024.cumulative_deficit) == (
            Decimal("-43.20") * M,
            Decimal("99.49") * M,
        )
        budget = summary.derived[("high_needs", "budget", 2024)]
        assert budget.in_year == Decimal("-28.21") * M

    def test_wiltshire_presented_its_dsg_plan_in_the_summer_term_on_its_one_agreement(self):
        from reports.snapshot.record import round_record

        summer = _round("wiltshire", 2025, 1, kind="dsg_plan")
        autumn = _round("wiltshire", 2025, 2, kind="dsg_plan")
        assert summer.agreement == autumn.agreement == self.agreement
        assert (summer.status, summer.submitted_on) == ("submitted", dt.date(2025, 6, 26))
        assert autumn.status == "draft"
        record = round_record(summer)
        assert record.is_frozen and {s.capacity for s in record.sign_offs} == {"s151", "dcs"}
        end = record.parts["dsg_finance"]["end_of_plan"]
        assert end["mitigated_before_adjustments"] == "-137200000.00"

    def test_wiltshire_update_3_froze_the_workstream_savings_and_shows_the_remainder(self):
        # Issue 18.3: illustrative savings by workstream, frozen with Update 3.
        from reports.mitigation import snapshot_mitigation
        from reports.snapshot.record import round_record, round_record_changes

        record = round_record(_round("wiltshire", 2024, 3))
        assert record.frozen is not None and round_record_changes(record) == []
        mitigation = snapshot_mitigation(record.snapshot)
        year = next(y for y in mitigation.years if y.financial_year == 2024)
        assert (year.unmitigated, year.mitigated) == (Decimal("-52.40") * M, Decimal("-43.20") * M)
        assert year.savings_total == Decimal("8.30") * M
        assert year.not_attributed == Decimal("0.90") * M
        first = next(y for y in mitigation.years if y.financial_year == 2023)
        assert first.actual == Decimal("-27.30") * M

    def test_rag_definitions_use_each_councils_notation(self):
        labels = {
            slug: dict(
                RagDefinition.objects.filter(council__slug=slug).values_list("level", "label")
            )
            for slug in ("wiltshire", "northdale")
        }
        assert len(labels["wiltshire"]) == len(labels["northdale"]) == len(Rag)
        assert labels["wiltshire"][Rag.GREEN] == "Green - On Track"
        assert labels["wiltshire"][Rag.AMBER_GREEN] == "Amber / Green - Off Track"
        assert labels["wiltshire"][Rag.AMBER_RED] == "Amber / Red - At Risk"
        assert set(labels["northdale"].values()) == {"R", "A", "G", "B", "A/G", "A/R", "NR"}

    def test_northdale_is_fictional_with_nine_conditions(self):
        northdale = LocalAuthority.objects.get(slug="northdale")
        assert northdale.is_fictional is True
        labels = list(
            AgreementCondition.objects.filter(agreement__council=northdale)
            .order_by("order")
            .values_list("label", flat=True)
        )
        assert labels == [str(n) for n in range(1, 10)]
        rounds = ReportingRound.objects.filter(agreement__council=northdale)
        assert sorted((r.financial_year, r.update_number, r.status) for r in rounds) == [
            (2024, 1, "submitted"),
            (2024, 2, "submitted"),
            (2024, 3, "submitted"),
            (2025, 1, "draft"),
        ]
        tiers = northdale.agreements.get().tier_changes.order_by("effective_from")
        assert [t.tier for t in tiers] == [MonitoringTier.STANDARD, MonitoringTier.ENHANCED]
        codes = set(northdale.measures.values_list("code", flat=True))
        assert "tribunal-appeals" in codes
        assert "ehcps" not in codes

    def test_northdale_carries_ehcp_flows_whose_september_gap_is_flagged(self):
        """Issue 18.1: the demo's fictional council marks its stock and flows; its dashboard
        reconciles them, September's cleanse past the 2% threshold, December not reconciled."""
        from reports.snapshot import round_snapshot_build
        from reports.stock_flow import stock_flow_block

        northdale = LocalAuthority.objects.get(slug="northdale")
        roles = set(
            northdale.measures.exclude(stock_flow_role="").values_list("stock_flow_role", flat=True)
        )
        assert roles == {"stock", "issued", "ceased", "requests", "agreed"}
        draft = ReportingRound.objects.get(agreement__council=northdale, financial_year=2025)
        block = stock_flow_block(round_snapshot_build(draft))
        assert [(m.month, m.gap, m.gap_percent) for m in block.flow.flagged] == [
            (dt.date(2024, 9, 1), -71, Decimal("-2.4"))
        ]
        assert [m.month for m in block.flow.not_computed] == [dt.date(2024, 12, 1)]
        assert all(m.gap == 0 for m in block.flow.months if m.is_computed and not m.is_over)
        # Wiltshire's real figures carry no invented flows.
        assert not self.wiltshire.measures.exclude(stock_flow_role="").exists()

    def test_demo_users_hold_one_role_each_and_the_adviser_reads_all_four(self):
        slugs = ("wiltshire", "northdale", "eastmoor", "westbridge")
        expected = {
            f"{role}.{slug}": {(slug, role)}
            for slug in slugs
            for role in ("officer", "lead", "board", "finance", "s151", "dcs")
        }
        expected["adviser"] = {(slug, Role.ADVISER) for slug in slugs}
        held = {}
        for membership in Membership.objects.select_related("user", "council"):
            held.setdefault(membership.user.username, set()).add(
                (membership.council.slug, membership.role)
            )
        assert held == expected
        users = get_user_model().objects.filter(username__in=expected)
        assert users.count() == len(expected)
        for user in users:
            assert user.check_password(settings.DEMO_PASSWORD)
            assert list(user.groups.values_list("name", flat=True)) == ["demo-accounts"]
            assert user.email.endswith("@example.org")
            assert not user.is_staff and not user.is_superuser

    def test_no_seed_officer_name_appears_in_any_text_field(self):
        found = []
        for model in _models():
            text_fields = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
            ]
            if not text_fields:
                continue
            for row in model.objects.values(*text_fields):
                for name, value in row.items():
                    for surname in SEED_SURNAMES:
                        if value and surname.lower() in value.lower():
                            found.append((model._meta.label, name, surname))
        assert found == []

    def test_eastmoor_is_imported_from_its_workbook_by_a_site_administrator(self):
        eastmoor = LocalAuthority.objects.get(slug="eastmoor")
        assert eastmoor.is_fictional is True
        labels = list(
            AgreementCondition.objects.filter(agreement__council=eastmoor)
            .order_by("order")
            .values_list("label", flat=True)
        )
        assert labels == [str(n) for n in range(1, 13)]
        assert eastmoor.kpi_grouping == KpiGrouping.CONDITIONS
        assert eastmoor.risk_register == RiskRegister.RATED
        assert not ProgrammeArea.objects.filter(council=eastmoor).exists()
        assert not FinanceLine.objects.filter(agreement__council=eastmoor).exists()
        # Updates 1 and 2 came in as submitted before svmonitor (frozen at import); 3 is open.
        rounds = ReportingRound.objects.filter(agreement__council=eastmoor)
        assert sorted((r.update_number, r.status, r.origin) for r in rounds) == [
            (1, RoundStatus.SUBMITTED, RoundOrigin.IMPORTED),
            (2, RoundStatus.SUBMITTED, RoundOrigin.IMPORTED),
            (3, RoundStatus.DRAFT, RoundOrigin.RECORDED_HERE),
        ]
        assert all(r.snapshots.exists() for r in rounds if r.update_number < 3)
        # svmonitor recorded no sign-off for them; the council's own record is on the round.
        assert not any(r.sign_offs.exists() for r in rounds)
        # The workbook import's own history entry, naming the file and who imported it.
        entry = AuditEvent.objects.get(action="workbook_import", council=eastmoor)
        assert entry.user.username == "demo-administrator"
        administrator = entry.user
        assert administrator.is_superuser and not administrator.is_staff
        assert not administrator.has_usable_password()
        assert list(administrator.groups.values_list("name", flat=True)) == ["demo-accounts"]
        assert not Membership.objects.filter(user=administrator).exists()
        via = set(
            AuditEvent.objects.filter(council=eastmoor)
            .exclude(action__in=["workbook_import", "role_granted"])
            .values_list("via", flat=True)
        )
        assert via == {"via workbook demo-eastmoor.xlsx"}
        # Every row of the workbook went through its service: the council, agreement,
        # conditions, risks, measures and updates each have their history entry.
        actions = set(AuditEvent.objects.filter(council=eastmoor).values_list("action", flat=True))
        assert {"council.create", "agreement.create", "condition_update.create"} <= actions

    def test_contacts_use_role_titles_and_example_org(self):
        contacts = list(self.wiltshire.contacts.values_list("name", "email"))
        assert ("Chief Executive", "chief.executive@wiltshire.example.org") in contacts
        assert all(email.endswith(".example.org") for _, email in contacts)


@pytest.mark.django_db
def test_it_prints_one_line_per_council_and_nothing_when_quiet():
    out = StringIO()
    call_command("load_demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "wiltshire",
        "northdale",
        "eastmoor",
        "westbridge",
        "demo users",
    ]
    assert "7 conditions" in lines[0] and "9 conditions" in lines[1]
    assert "12 conditions" in lines[2]

    quiet = StringIO()
    call_command("load_demo", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""


@pytest.mark.django_db
def test_a_failed_load_leaves_nothing_behind():
    # A different council already holds Wiltshire's name, so creating Wiltshire must fail.
    LocalAuthorityFactory(name="Wiltshire Council", slug="not-wiltshire")

    with pytest.raises(ValidationError, match="name"):
        call_command("load_demo", verbosity=0)

    assert not LocalAuthority.objects.filter(
        slug__in=["wiltshire", "northdale", "eastmoor", "westbridge"]
    ).exists()
    assert not Agreement.objects.exists()
    assert not get_user_model().objects.filter(username="adviser").exists()
