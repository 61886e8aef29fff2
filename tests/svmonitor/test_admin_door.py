"""The admin is a door like the browser's: a locked return and everything it owns are read-only,
saves go through the same services with the same messages, and every admin write leaves a history
entry with before and after values, "via admin"."""

from decimal import Decimal

import pytest
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse

from conditions.models import ConditionUpdate
from finance.models import FinanceLine
from metrics.models import MeasureValue
from overview.models import Headline
from overview.services import headlines_fingerprint
from risks.models import RiskUpdate
from svmonitor.choices import Rag, RoundStatus
from svmonitor.errors import RETURN_LOCKED
from svmonitor.models import Agreement, AuditEvent, KeyContact, ReportingRound
from svmonitor.services import NARRATIVE_NEEDED
from tests import factories as f
from tests.round_builders import programme, round_in

pytestmark = pytest.mark.django_db

SUBMITTED_LOCKED = RETURN_LOCKED.format(state="submitted")


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client):
    client.force_login(f.UserFactory(username="site-admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def submitted():
    round = round_in(RoundStatus.SUBMITTED)
    f.HeadlineFactory(overview=round.overview, kind="driver", position=1, text="Early help")
    return round


def _value(value):
    if value is None:
        return ""
    return str(getattr(value, "pk", value))


def _form_data(page) -> dict:
    """What the admin page's form would post unchanged: the main form and every inline."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {"_save": "Save"}
    for form in forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field.widget, MultiWidget):  # a date and a time, posted apart
                for n, part in enumerate(field.widget.decompress(value)):
                    data[f"{bound.html_name}_{n}"] = _value(part)
            elif isinstance(field.widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [_value(item) for item in value]
            else:
                data[bound.html_name] = _value(value)
    return data


# --- A locked return is read-only -----------------------------------------------------------


def test_it_refuses_to_move_a_submitted_round_to_another_council(admin_client, submitted):
    other = f.AgreementFactory()
    url = _url(ReportingRound, "change", submitted.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'name="agreement"' not in page.content  # shown, not editable
    assert b'name="_save"' not in page.content
    assert SUBMITTED_LOCKED in page.content.decode()  # the services' words, on the page
    response = admin_client.post(
        url, {"agreement": other.pk, "financial_year": 2025, "update_number": 2, "_save": "Save"}
    )
    assert response.status_code == 403
    assert SUBMITTED_LOCKED in response.content.decode()
    submitted.refresh_from_db()
    assert (submitted.agreement_id, submitted.financial_year, submitted.update_number) == (
        submitted.agreement_id,
        2024,
        1,
    )
    assert submitted.agreement_id != other.pk


def test_a_draft_round_keeps_its_agreement_year_and_update_too(admin_client):
    round = round_in(RoundStatus.DRAFT)
    other = f.AgreementFactory()
    url = _url(ReportingRound, "change", round.pk)
    page = admin_client.get(url)
    for name in (b"agreement", b"financial_year", b"update_number", b"status"):
        assert b'name="' + name + b'"' not in page.content
    data = _form_data(page)
    data.update(agreement=other.pk, financial_year=2025, update_number=3, status="submitted")
    assert admin_client.post(url, data).status_code == 302
    round.refresh_from_db()
    assert round.agreement_id != other.pk
    assert (round.financial_year, round.update_number, round.status) == (2024, 1, "draft")


def test_it_refuses_to_move_an_agreement_to_another_council(admin_client, submitted):
    agreement = submitted.agreement
    council = agreement.council
    other = f.LocalAuthorityFactory()
    url = _url(Agreement, "change", agreement.pk)
    data = _form_data(admin_client.get(url))
    data["council"] = other.pk
    assert admin_client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.council == council


def test_it_refuses_to_add_change_or_delete_a_headline_of_a_submitted_round(
    admin_client, submitted
):
    headline = Headline.objects.get(overview__round=submitted)
    overview = submitted.overview
    # Add: the service's round lock refuses it, with its message on the form.
    response = admin_client.post(
        _url(Headline, "add"),
        {"overview": overview.pk, "kind": "barrier", "text": "Added later", "_save": "Save"},
    )
    assert response.status_code == 200
    assert SUBMITTED_LOCKED in response.content.decode()
    # Change and delete: no form, and a POST is refused with the same message.
    page = admin_client.get(_url(Headline, "change", headline.pk))
    assert b'name="_save"' not in page.content
    response = admin_client.post(
        _url(Headline, "change", headline.pk), {"text": "Rewritten", "_save": "Save"}
    )
    assert response.status_code == 403
    assert SUBMITTED_LOCKED in response.content.decode()
    response = admin_client.post(_url(Headline, "delete", headline.pk), {"post": "yes"})
    assert response.status_code == 403
    # The bulk delete action is refused too.
    admin_client.post(
        _url(Headline, "changelist"),
        {"action": "delete_selected", "_selected_action": [headline.pk], "post": "yes"},
    )
    assert list(Headline.objects.filter(overview=overview).values_list("pk", "text")) == [
        (headline.pk, "Early help")
    ]


def test_it_refuses_to_change_a_submitted_rounds_sections(admin_client, submitted):
    update = RiskUpdate.objects.filter(round=submitted).first()
    data = {"rag": "green", "narrative": "", "impact": 1, "likelihood": 1, "_save": "Save"}
    response = admin_client.post(_url(RiskUpdate, "change", update.pk), data)
    assert response.status_code == 403
    assert SUBMITTED_LOCKED in response.content.decode()
    assert admin_client.post(_url(RiskUpdate, "delete", update.pk), {"post": "yes"}).status_code
    assert RiskUpdate.objects.get(pk=update.pk).rag == update.rag


# --- Saves go through the services ----------------------------------------------------------


def test_red_without_a_narrative_gets_the_browsers_message(admin_client):
    round = round_in(RoundStatus.DRAFT)
    update = ConditionUpdate.objects.filter(round=round).first()
    url = _url(ConditionUpdate, "change", update.pk)
    data = _form_data(admin_client.get(url))
    data.update(rag=Rag.RED, narrative="   ")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert NARRATIVE_NEEDED in response.content.decode()
    update.refresh_from_db()
    assert (update.rag, update.version) == (Rag.NOT_RATED, 1)
    assert not AuditEvent.objects.filter(action="condition_update.save").exists()


def test_a_valid_edit_of_a_draft_section_is_recorded_via_admin_with_before_and_after(
    admin_client,
):
    round = round_in(RoundStatus.DRAFT)
    update = ConditionUpdate.objects.filter(round=round).first()
    url = _url(ConditionUpdate, "change", update.pk)
    data = _form_data(admin_client.get(url))
    data.update(rag=Rag.AMBER, narrative="  Corrected by the administrator.  ")
    assert admin_client.post(url, data).status_code == 302
    update.refresh_from_db()
    assert (update.rag, update.narrative, update.version) == (
        Rag.AMBER,
        "Corrected by the administrator.",  # stripped, as the service does
        2,
    )
    event = AuditEvent.objects.get(action="condition_update.save")
    assert (event.via, event.username, event.object_id) == (
        "via admin",
        "site-admin",
        str(update.pk),
    )
    assert event.before == {"rag": Rag.NOT_RATED, "narrative": ""}
    assert event.after == {"rag": Rag.AMBER, "narrative": "Corrected by the administrator."}


def test_a_save_over_a_newer_version_is_refused_with_the_services_message(admin_client):
    round = round_in(RoundStatus.DRAFT)
    update = RiskUpdate.objects.filter(round=round).first()
    url = _url(RiskUpdate, "change", update.pk)
    data = _form_data(admin_client.get(url))  # opened at version 1
    RiskUpdate.objects.filter(pk=update.pk).update(narrative="A colleague's words", version=2)
    data.update(rag=Rag.GREEN, narrative="Mine")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Someone else saved this section after you opened it" in response.content.decode()
    assert RiskUpdate.objects.get(pk=update.pk).narrative == "A colleague's words"


def test_a_headline_saved_in_the_admin_goes_through_headlines_save(admin_client):
    round = round_in(RoundStatus.DRAFT)
    overview = round.overview
    response = admin_client.post(
        _url(Headline, "add"),
        {"overview": overview.pk, "kind": "driver", "text": "First", "_save": "Save"},
    )
    assert response.status_code == 302
    headline = Headline.objects.get(overview=overview)
    assert headline.position == 1
    for n in (2, 3):
        Headline.objects.create(overview=overview, kind="driver", position=n, text=f"No {n}")
    response = admin_client.post(
        _url(Headline, "add"),
        {"overview": overview.pk, "kind": "driver", "text": "Fourth", "_save": "Save"},
    )
    assert "Give at most 3 headlines in each list." in response.content.decode()
    assert Headline.objects.filter(overview=overview).count() == 3
    event = AuditEvent.objects.get(action="headlines.save")
    assert event.via == "via admin"
    assert (event.before, event.after) == (
        {"kind": "driver", "texts": []},
        {"kind": "driver", "texts": ["First"]},
    )


def test_a_headline_edit_carries_the_list_it_was_opened_at(admin_client):
    round = round_in(RoundStatus.DRAFT)
    headline = f.HeadlineFactory(overview=round.overview, text="Opened")
    url = _url(Headline, "change", headline.pk)
    data = _form_data(admin_client.get(url))
    assert data["seen_version"] == headlines_fingerprint(["Opened"])
    Headline.objects.filter(pk=headline.pk).update(text="A colleague's")
    data["text"] = "Mine"
    response = admin_client.post(url, data)
    assert "Someone else saved this section" in response.content.decode()
    assert Headline.objects.get(pk=headline.pk).text == "A colleague's"


def test_a_finance_line_saved_in_the_admin_meets_the_services_rules(admin_client):
    line = f.FinanceLineFactory()
    url = _url(FinanceLine, "change", line.pk)
    data = _form_data(admin_client.get(url))
    data["hnb_income"] = "-5"
    response = admin_client.post(url, data)
    assert "This amount cannot be negative." in response.content.decode()
    data["hnb_income"] = "5000000.00"
    assert admin_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="finance_line.save")
    assert (event.via, event.after["hnb_income"]) == ("via admin", "5000000.00")


def test_a_round_added_in_the_admin_is_opened_by_the_service(admin_client):
    prog = programme()
    response = admin_client.post(
        _url(ReportingRound, "add"),
        {
            "agreement": prog.agreement.pk,
            "financial_year": 2024,
            "update_number": 1,
            "status": "submitted",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    round = ReportingRound.objects.get(agreement=prog.agreement)
    assert round.status == RoundStatus.DRAFT
    assert ConditionUpdate.objects.filter(round=round).count() == 2  # carried forward
    assert AuditEvent.objects.get(action="round.opened").via == "via admin"


# --- Where no service exists, the admin writes the history a service would ------------------


def test_an_admin_edit_without_a_service_records_before_and_after_values(admin_client):
    round = round_in(RoundStatus.DRAFT)
    url = _url(ReportingRound, "change", round.pk)
    data = _form_data(admin_client.get(url))
    data["due_date"] = "2024-06-14"
    assert admin_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="reporting_round.save")
    assert event.via == "via admin"
    assert event.before == {"due_date": "2024-05-31"}
    assert event.after == {"due_date": "2024-06-14"}
    assert event.council == round.agreement.council


def test_admin_adds_and_deletes_are_recorded(admin_client):
    council = f.LocalAuthorityFactory()
    response = admin_client.post(
        _url(KeyContact, "add"),
        {
            "council": council.pk,
            "role": "s151_officer",
            "job_title": "S151 Officer",
            "name": "A Person",
            "email": "a@example.org",
            "order": 0,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    contact = KeyContact.objects.get()
    created = AuditEvent.objects.get(action="key_contact.create")
    assert (created.via, created.after["name"], created.council) == (
        "via admin",
        "A Person",
        council,
    )
    admin_client.post(_url(KeyContact, "delete", contact.pk), {"post": "yes"})
    assert not KeyContact.objects.exists()
    deleted = AuditEvent.objects.get(action="key_contact.delete")
    assert (deleted.before["email"], deleted.after) == ("a@example.org", None)


def test_a_form_shown_again_with_errors_leaves_nothing_written(admin_client):
    # A service that ran while the form was checked is rolled back with the page.
    round = round_in(RoundStatus.DRAFT)
    overview = round.overview
    url = _url(type(overview), "change", overview.pk)
    data = _form_data(admin_client.get(url))
    data.update(overall_rag=Rag.GREEN, overall_narrative="Fine")
    data["headlines-TOTAL_FORMS"] = "x"  # a broken inline: the page comes back
    response = admin_client.post(url, data)
    assert response.status_code == 200
    overview.refresh_from_db()
    assert (overview.overall_rag, overview.version) == (Rag.NOT_RATED, 1)
    assert not AuditEvent.objects.filter(action="round_overview.save").exists()


def test_rows_saved_in_an_inline_are_recorded_each(admin_client):
    agreement = f.AgreementFactory()
    cap = f.DeficitCapFactory(agreement=agreement, financial_year=2024, cap=Decimal("84500000"))
    url = _url(Agreement, "change", agreement.pk)
    data = _form_data(admin_client.get(url))
    data["deficit_caps-0-cap"] = "80000000.00"
    data.update(
        {
            "deficit_caps-TOTAL_FORMS": "2",
            "deficit_caps-1-financial_year": "2025",
            "deficit_caps-1-cap": "70000000.00",
        }
    )
    assert admin_client.post(url, data).status_code == 302
    changed = AuditEvent.objects.get(action="deficit_cap.save")
    assert (changed.via, changed.object_id) == ("via admin", str(cap.pk))
    assert (changed.before, changed.after) == ({"cap": "84500000.00"}, {"cap": "80000000.00"})
    added = AuditEvent.objects.get(action="deficit_cap.create")
    assert (added.after["financial_year"], added.after["cap"]) == (2025, "70000000.00")


def test_a_role_granted_on_the_user_page_is_recorded_via_admin(admin_client):
    council = f.LocalAuthorityFactory()
    user = f.UserFactory(username="alice")
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = _form_data(admin_client.get(url))
    data.update({"memberships-0-council": council.pk, "memberships-0-role": "board"})
    assert admin_client.post(url, data).status_code == 302
    assert AuditEvent.objects.get(action="role_granted").via == "via admin"


def test_it_refuses_an_inline_delete_that_would_take_a_locked_returns_sections(
    admin_client, submitted
):
    agreement = submitted.agreement
    url = _url(Agreement, "change", agreement.pk)
    page = admin_client.get(url)
    data = _form_data(page)
    forms = page.context["inline_admin_formsets"]
    (conditions,) = [
        i.formset for i in forms if i.formset.model._meta.model_name == "agreementcondition"
    ]
    data[f"{conditions.prefix}-0-DELETE"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "cannot be deleted here" in response.content.decode()
    assert ConditionUpdate.objects.filter(round=submitted).count() == 2


def test_saving_an_unchanged_form_writes_nothing(admin_client):
    round = round_in(RoundStatus.DRAFT)
    update = RiskUpdate.objects.filter(round=round).first()
    url = _url(RiskUpdate, "change", update.pk)
    assert admin_client.post(url, _form_data(admin_client.get(url))).status_code == 302
    assert RiskUpdate.objects.get(pk=update.pk).version == update.version
    assert not AuditEvent.objects.filter(action__startswith="risk_update").exists()


def test_a_headline_deleted_in_the_admin_goes_through_headlines_save(admin_client):
    round = round_in(RoundStatus.DRAFT)
    first = f.HeadlineFactory(overview=round.overview, position=1, text="One")
    f.HeadlineFactory(overview=round.overview, position=2, text="Two")
    admin_client.post(_url(Headline, "delete", first.pk), {"post": "yes"})
    assert list(Headline.objects.values_list("position", "text")) == [(1, "Two")]
    event = AuditEvent.objects.get(action="headlines.save")
    assert (event.via, event.before["texts"], event.after["texts"]) == (
        "via admin",
        ["One", "Two"],
        ["Two"],
    )


def test_a_figure_saved_in_the_admin_meets_the_measures_rules(admin_client):
    value = f.MeasureValueFactory()  # a count
    f.AgreementFactory(council=value.measure.council)  # figures lie inside an agreement's years
    url = _url(MeasureValue, "change", value.pk)
    data = _form_data(admin_client.get(url))
    data["value"] = "2.5"
    response = admin_client.post(url, data)
    assert "A count must be a whole number, 0 or more." in response.content.decode()
    data["value"] = "120"
    assert admin_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="measure_value.save")
    assert (event.via, event.before["value"], event.after["value"]) == (
        "via admin",
        "100.0000",
        "120",
    )


def test_the_admin_marks_a_figure_not_available_through_the_service(admin_client):
    value = f.MeasureValueFactory()
    f.AgreementFactory(council=value.measure.council)
    url = _url(MeasureValue, "change", value.pk)
    data = _form_data(admin_client.get(url))
    data["value"], data["not_available_reason"] = "", "SEN2 delayed"
    assert admin_client.post(url, data).status_code == 302
    value.refresh_from_db()
    assert (value.value, value.not_available_reason) == (None, "SEN2 delayed")
    event = AuditEvent.objects.get(action="measure_value.save")
    assert (event.via, event.after["value"]) == ("via admin", "not available: SEN2 delayed")
    # Neither a figure nor a reason is refused by the model's own rule.
    data["not_available_reason"] = ""
    response = admin_client.post(url, data)
    assert "give the reason it is not available" in response.content.decode()
    value.refresh_from_db()
    assert value.not_available_reason == "SEN2 delayed"
