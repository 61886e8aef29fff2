"""Risk registers per council: scored (impact x likelihood 1-5) or rated (RAG only).

A rated council's risks keep no score, from any door (the services, the round page, the
workbook); a scored council's must have one."""

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from risks.models import Risk, RiskUpdate
from risks.services import risk_update_create, risk_update_save, risk_upsert
from svmonitor.choices import Rag, RiskRegister
from svmonitor.models import LocalAuthority
from svmonitor.services import round_open_next
from svmonitor.services.council import council_save
from tests import factories as f
from tests.excel.builders import headers, minimal_sheets, site_admin, workbook_bytes
from tests.round_page.conftest import HTMX, add_programme, client_for, round_url
from workbook import format as fmt
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return site_admin()


def _rated(council, levels="red"):
    LocalAuthority.objects.filter(pk=council.pk).update(
        risk_register=RiskRegister.RATED, risk_key_levels=levels
    )
    council.refresh_from_db()
    return council


def _rated_update(council, **kwargs):
    """A draft round's update of a risk in `council`'s (rated) register, without a score."""
    round = f.ReportingRoundFactory(agreement__council=council)
    risk = f.RiskFactory(council=council, impact=None, likelihood=None)
    return f.RiskUpdateFactory(round=round, risk=risk, impact=None, likelihood=None, **kwargs)


# --- the council's choice ---------------------------------------------------------------------


def test_a_council_chooses_a_rated_register_and_its_key_levels_through_the_council_service(admin):
    council = f.LocalAuthorityFactory()
    assert council.risk_register == RiskRegister.SCORED and council.risk_key_levels == "red"

    saved = council_save(
        council=council, by=admin, risk_register="rated", risk_key_levels="Red, Amber/Red, red"
    )

    saved.refresh_from_db()
    assert saved.risk_register == RiskRegister.RATED
    # Labels are read as codes, stored once each.
    assert saved.risk_key_levels == "red,amber_red"
    assert saved.risk_key_level_list == ("red", "amber_red")


@pytest.mark.parametrize(
    ("levels", "message"),
    [("purple", "Not a RAG level: purple"), ("not_rated", "Not a RAG level"), ("", "at least one")],
)
def test_a_rated_register_needs_known_key_levels(admin, levels, message):
    council = f.LocalAuthorityFactory()
    with pytest.raises(ValidationError) as excinfo:
        council_save(council=council, by=admin, risk_register="rated", risk_key_levels=levels)
    assert message in excinfo.value.message_dict["risk_key_levels"][0]
    council.refresh_from_db()
    assert council.risk_register == RiskRegister.SCORED


def test_the_database_refuses_a_rated_register_without_key_levels():
    council = f.LocalAuthorityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        LocalAuthority.objects.filter(pk=council.pk).update(
            risk_register="rated", risk_key_levels=""
        )


# --- the database -----------------------------------------------------------------------------


def test_impact_and_likelihood_are_both_empty_or_both_one_to_five_and_the_score_follows():
    council = _rated(f.LocalAuthorityFactory())
    risk = f.RiskFactory(council=council, impact=None, likelihood=None)
    risk.refresh_from_db()
    assert risk.score is None
    for impact, likelihood in ((3, None), (None, 2)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Risk.objects.filter(pk=risk.pk).update(impact=impact, likelihood=likelihood)
        with pytest.raises(IntegrityError), transaction.atomic():
            f.RiskUpdateFactory(
                round__agreement__council=council, risk=risk, impact=impact, likelihood=likelihood
            )


# --- the services -----------------------------------------------------------------------------


def test_a_rated_councils_risk_update_saves_without_a_score(admin):
    council = _rated(f.LocalAuthorityFactory())
    update = _rated_update(council)

    saved = risk_update_save(
        update=update, expected_version=1, rag=Rag.RED, narrative="Escalated.", by=admin
    )

    assert (saved.rag, saved.impact, saved.likelihood, saved.score) == (Rag.RED, None, None, None)


def test_a_rated_councils_risk_update_refuses_a_score_with_a_field_message(admin):
    council = _rated(f.LocalAuthorityFactory(name="Northdale"))
    update = _rated_update(council)

    with pytest.raises(ValidationError) as excinfo:
        risk_update_save(
            update=update,
            expected_version=1,
            rag=Rag.AMBER,
            narrative="Watching.",
            impact=3,
            likelihood=4,
            by=admin,
        )

    errors = excinfo.value.message_dict
    assert set(errors) == {"impact", "likelihood"}
    assert "Northdale rates its risks by RAG only and keeps no impact" in errors["impact"][0]
    assert RiskUpdate.objects.get(pk=update.pk).version == 1


def test_a_rated_councils_new_risk_section_refuses_a_score(admin):
    council = _rated(f.LocalAuthorityFactory())
    round = f.ReportingRoundFactory(agreement__council=council)
    risk = f.RiskFactory(council=council, impact=None, likelihood=None)
    with pytest.raises(ValidationError) as excinfo:
        risk_update_create(
            round=round, risk=risk, rag=Rag.GREEN, narrative="", impact=2, likelihood=None, by=admin
        )
    assert set(excinfo.value.message_dict) == {"impact"}
    made = risk_update_create(round=round, risk=risk, rag=Rag.GREEN, narrative="", by=admin)
    assert made.score is None


def test_a_scored_councils_risk_update_refuses_a_missing_score(admin):
    update = f.RiskUpdateFactory()
    with pytest.raises(ValidationError) as excinfo:
        risk_update_save(
            update=update, expected_version=1, rag=Rag.GREEN, narrative="", likelihood=2, by=admin
        )
    assert excinfo.value.message_dict == {"impact": ["Choose a whole number from 1 to 5."]}


def test_the_register_refuses_a_score_in_a_rated_register_and_requires_one_in_a_scored(admin):
    rated = _rated(f.LocalAuthorityFactory())
    with pytest.raises(ValidationError) as excinfo:
        risk_upsert(council=rated, risk=None, by=admin, number=1, title="T", impact=4, likelihood=4)
    assert set(excinfo.value.message_dict) == {"impact", "likelihood"}
    made = risk_upsert(council=rated, risk=None, by=admin, number=1, title="T")
    assert (made.impact, made.likelihood, made.score) == (None, None, None)

    scored = f.LocalAuthorityFactory()
    with pytest.raises(ValidationError) as excinfo:
        risk_upsert(council=scored, risk=None, by=admin, number=1, title="T", impact=4)
    assert excinfo.value.message_dict == {"likelihood": ["Choose a whole number from 1 to 5."]}
    assert not Risk.objects.filter(council=scored).exists()


# --- carry-forward ----------------------------------------------------------------------------


def test_opening_the_next_round_of_a_rated_council_carries_no_score(admin):
    council = _rated(f.AgreementFactory().council)
    agreement = council.agreements.get()
    add_programme(agreement, risks=2)
    Risk.objects.filter(council=council).update(impact=None, likelihood=None)
    opener = f.lead_of(council)
    first = round_open_next(agreement=agreement, financial_year=2024, update_number=1, by=opener)
    RiskUpdate.objects.filter(round=first).update(rag=Rag.RED, narrative="High demand.")
    first.status = "submitted"
    first.submitted_on = first.due_date
    first.save()

    second = round_open_next(agreement=agreement, financial_year=2024, update_number=2, by=opener)

    rows = RiskUpdate.objects.filter(round=second).values_list("rag", "impact", "likelihood")
    assert sorted(rows) == [(Rag.RED, None, None), (Rag.RED, None, None)]


# --- the round page ---------------------------------------------------------------------------


@pytest.fixture
def rated_draft(programme, council, lead):
    """A draft round of a council that rates its risks by RAG only."""
    _rated(council)
    Risk.objects.filter(council=council).update(impact=None, likelihood=None)
    return round_open_next(agreement=programme, financial_year=2024, update_number=1, by=lead)


def _risk_edit_url(round):
    update = RiskUpdate.objects.filter(round=round).order_by("pk").first()
    return update, round_url(round, f"risks/{update.pk}/edit/")


def test_a_rated_councils_round_page_asks_for_no_score_and_saves_without_one(
    rated_draft, la_officer
):
    update, url = _risk_edit_url(rated_draft)
    client = client_for(la_officer)

    form = client.get(url, **HTMX).content.decode()
    assert 'name="impact"' not in form and 'name="likelihood"' not in form
    assert "Likelihood" not in form and "score" not in form.lower()

    data = {"rag": "red", "narrative": "Escalated to the board.", "version": "1"}
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" not in html
    assert "score" not in html.lower() and "likelihood" not in html.lower()
    row = RiskUpdate.objects.get(pk=update.pk)
    assert (row.rag, row.version, row.impact, row.score) == ("red", 2, None, None)

    page = client.get(round_url(rated_draft, "")).content.decode()
    assert "likelihood" not in page.lower() and "= score" not in page


def test_a_rated_councils_round_page_refuses_a_score_posted_anyway(rated_draft, la_officer):
    update, url = _risk_edit_url(rated_draft)
    data = {"rag": "amber", "narrative": "Watching.", "impact": "3", "likelihood": "3"}
    response = client_for(la_officer).post(url, {**data, "version": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "rates its risks by RAG only" in html
    assert RiskUpdate.objects.get(pk=update.pk).version == 1


def test_a_scored_councils_round_page_refuses_a_missing_score(draft, la_officer):
    update = RiskUpdate.objects.filter(round=draft).order_by("pk").first()
    url = round_url(draft, f"risks/{update.pk}/edit/")
    data = {"rag": "amber", "narrative": "Watching.", "likelihood": "3", "version": "1"}
    html = client_for(la_officer).post(url, data, **HTMX).content.decode()
    assert f'id="risk-{update.pk}-impact_error"' in html
    assert "Choose a whole number from 1 to 5." in html
    assert RiskUpdate.objects.get(pk=update.pk).version == 1


# --- the workbook -----------------------------------------------------------------------------


def _rated_book(tmp_path, *, risk_score=(None, None), update_score=(None, None)):
    sheets = minimal_sheets()
    sheets[fmt.COUNCIL.name][1] += [None, "Rated", "Red, Amber/Red"]  # KPI grouping blank
    sheets[fmt.RISKS.name] = [
        headers(fmt.RISKS),
        [1, "Places run short", "Costs rise", "Head of SEND", *risk_score, "New school", "", "Yes"],
    ]
    sheets[fmt.RISK_UPDATES.name] = [
        headers(fmt.RISK_UPDATES),
        [None, "2024-25", 1, 1, "Amber/Red", "Second site agreed.", *update_score],
    ]
    path = tmp_path / "rated.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    return path


def test_a_rated_council_imports_its_risks_without_scores(admin, tmp_path):
    result = workbook_import(file=_rated_book(tmp_path), council_slug="new-council", by=admin)

    assert result.errors == []
    council = LocalAuthority.objects.get(slug="new-council")
    assert (council.risk_register, council.risk_key_levels) == ("rated", "red,amber_red")
    risk = Risk.objects.get(council=council)
    assert (risk.impact, risk.likelihood, risk.score) == (None, None, None)
    update = RiskUpdate.objects.get(risk=risk)
    assert (update.rag, update.score) == (Rag.AMBER_RED, None)


@pytest.mark.parametrize(
    ("sheet", "scores"),
    [(fmt.RISKS.name, {"risk_score": (4, 3)}), (fmt.RISK_UPDATES.name, {"update_score": (4, 3)})],
)
def test_a_rated_councils_workbook_with_a_score_is_refused_naming_the_cell(
    admin, tmp_path, sheet, scores
):
    result = workbook_import(
        file=_rated_book(tmp_path, **scores), council_slug="new-council", by=admin
    )

    assert not result.applied
    found = [(e.sheet, e.row, e.reason) for e in result.errors]
    assert any(
        s == sheet and r == 2 and "rates its risks by RAG only" in why for s, r, why in found
    )
    assert not LocalAuthority.objects.filter(slug="new-council").exists()


def test_a_scored_councils_workbook_without_a_score_is_refused(admin, tmp_path):
    sheets = minimal_sheets()
    sheets[fmt.RISKS.name] = [
        headers(fmt.RISKS),
        [1, "Places run short", "Costs rise", "Head of SEND", 4, None, "", "", "Yes"],
    ]
    path = tmp_path / "scored.xlsx"
    path.write_bytes(workbook_bytes(sheets))

    result = workbook_import(file=path, council_slug="new-council", by=admin)

    assert not result.applied
    assert [(e.sheet, e.row, e.reason) for e in result.errors] == [
        (fmt.RISKS.name, 2, "Choose a whole number from 1 to 5.")
    ]


def test_the_council_sheet_round_trips_the_register(admin, tmp_path):
    from workbook.exporter import workbook_export

    council = _rated(f.AgreementFactory().council, "red,amber_red")
    f.RiskFactory(council=council, number=1, impact=None, likelihood=None)
    book = workbook_export(council=council)
    path = tmp_path / "export.xlsx"
    path.write_bytes(book)
    sheets = openpyxl.load_workbook(path, read_only=True)
    council_row = list(sheets[fmt.COUNCIL.name].iter_rows(values_only=True))[1]
    assert council_row[6:8] == ("Rated", "Red, Amber/Red")
    cells = list(sheets[fmt.RISKS.name].iter_rows(values_only=True))[1]
    risk_row = dict(zip(headers(fmt.RISKS), cells, strict=False))
    assert (risk_row["Impact (1-5)"], risk_row["Likelihood (1-5)"]) == (None, None)
    sheets.close()
    result = workbook_import(file=path, council_slug=council.slug, by=admin)

    assert result.errors == []
    assert result.totals["changed"] == 0
    council.refresh_from_db()
    assert (council.risk_register, council.risk_key_levels) == ("rated", "red,amber_red")


def test_the_changes_page_of_a_council_that_now_rates_its_risks_lists_no_score(
    programme, council, lead, la_officer
):
    first = round_open_next(agreement=programme, financial_year=2024, update_number=1, by=lead)
    assert RiskUpdate.objects.get(round=first).score == 12  # scored then: 4 x 3
    ReportingRound = type(first)
    ReportingRound.objects.filter(pk=first.pk).update(
        status="submitted", submitted_on=first.due_date
    )
    _rated(council)
    Risk.objects.filter(council=council).update(impact=None, likelihood=None)
    second = round_open_next(agreement=programme, financial_year=2024, update_number=2, by=lead)
    update = RiskUpdate.objects.get(round=second)
    assert update.score is None
    risk_update_save(
        update=update, expected_version=1, rag=Rag.RED, narrative="Now Red.", by=la_officer
    )

    page = client_for(la_officer).get(round_url(second, "changes/")).content.decode()

    assert "Now Red." in page
    assert "Impact" not in page and "Likelihood" not in page and "not scored" not in page
