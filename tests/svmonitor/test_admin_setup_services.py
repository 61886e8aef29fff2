"""The admin saves a council's own setup rows (its name, contacts and RAG definitions, the
agreement's contributions, deficit caps and payments) through the services the workbook import
uses: the same administrator's right, the same validation and the same history entry, "via
admin" where the workbook's says "via workbook <file>"."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.html import escape

from conditions.models import AgreementCondition, Milestone, ProgrammeArea, Workstream
from finance.models import DeficitCap, PaymentInstalment
from metrics.models import DataSource, Measure, Series
from risks.models import Risk
from svmonitor.access import require_action
from svmonitor.choices import Rag
from svmonitor.models import AuditEvent, KeyContact, LocalAuthority, RagDefinition
from svmonitor.roles import Action
from svmonitor.services.council import agreement_upsert, key_contact_upsert
from tests import factories as f
from tests.excel.builders import build_council_data, headers, site_admin, workbook_bytes
from tests.svmonitor.test_admin_door import _form_data, _url
from workbook import format as fmt
from workbook.importer import workbook_import

pytestmark = pytest.mark.django_db

WORKBOOK = "setup.xlsx"


@pytest.fixture
def setup(council, tmp_path):
    """A council's setup rows as the workbook tests build them, and a site administrator."""
    data = build_council_data(council)
    RagDefinition.objects.filter(council=council).update(definition="Mostly on track")
    contact = f.KeyContactFactory(council=council, email="s151@example.org")
    return {**data, "council": council, "contact": contact, "admin": site_admin(), "tmp": tmp_path}


def _import(setup, spec, row):
    path = setup["tmp"] / WORKBOOK
    path.write_bytes(workbook_bytes({spec.name: [headers(spec), row]}))
    return workbook_import(file=path, council_slug=setup["council"].slug, by=setup["admin"])


def _entry(event) -> tuple:
    return (event.action, event.object_type, event.object_id, event.before, event.after)


def _workbook_entry(setup, spec, row, action) -> tuple:
    """The history entry the workbook writes for one row; the import is then rolled back."""
    with transaction.atomic():
        result = _import(setup, spec, row)
        assert result.errors == [] and result.applied
        event = AuditEvent.objects.get(action=action, via=f"via workbook {WORKBOOK}")
        entry = _entry(event)
        transaction.set_rollback(True)
    return entry


def _service_entry(call, action) -> tuple:
    """The history entry a service writes when called directly; then rolled back."""
    with transaction.atomic():
        call()
        entry = _entry(AuditEvent.objects.get(action=action))
        transaction.set_rollback(True)
    return entry


# --- The same change through the admin: where it is made, and what it sends --------------------


def _own_page(model, obj, **changes):
    return _url(model, "change", obj.pk), None, obj, changes


def _inline(parent_model, parent, prefix, obj, **changes):
    return _url(parent_model, "change", parent.pk), prefix, obj, changes


def _post_data(client, url, prefix, obj, changes) -> dict:
    page = client.get(url)
    data = _form_data(page)
    if prefix is None:
        data.update(changes)
        return data
    (formset,) = [
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.prefix == prefix
    ]
    (index,) = [n for n, form in enumerate(formset.forms) if form.instance.pk == obj.pk]
    data.update({f"{prefix}-{index}-{name}": value for name, value in changes.items()})
    return data


def _cases(setup) -> dict:
    """Each change: the workbook's sheet and row, the admin page that makes it, its action."""
    council, agreement = setup["council"], setup["agreement"]
    cap = DeficitCap.objects.get(agreement=agreement)
    payment = PaymentInstalment.objects.get(due_date=dt.date(2024, 3, 31))
    definition = RagDefinition.objects.get(council=council, level=Rag.AMBER_GREEN)
    return {
        "council name": (
            fmt.COUNCIL,
            ["Renamed", council.slug, council.dfe_la_number, council.ons_code, 15],
            "council.save",
            _own_page(LocalAuthority, council, name="Renamed"),
        ),
        "KPI grouping": (
            fmt.COUNCIL,
            [
                council.name,
                council.slug,
                council.dfe_la_number,
                council.ons_code,
                15,
                "Agreement condition",
            ],
            "council.save",
            _own_page(LocalAuthority, council, kpi_grouping="conditions"),
        ),
        "key-measure tables": (
            fmt.COUNCIL,
            [
                council.name,
                council.slug,
                council.dfe_la_number,
                council.ons_code,
                15,
                None,
                "Grid of the last months",
                7,
            ],
            "council.save",
            _own_page(LocalAuthority, council, kpi_table_layout="months", kpi_table_months="7"),
        ),
        "measure's chart off": (
            fmt.MEASURES,
            [
                "ehcps",
                "Number of EHCPs",
                "Count",
                "Lower is better",
                "MI",
                "Monthly",
                "Point value",
                None,
                "1",
                1,
                "No",
            ],
            "measure.save",
            _own_page(Measure, setup["ehcp"], show_chart=""),
        ),
        "agreement contributions": (
            fmt.AGREEMENTS,
            [
                agreement.date_signed,
                agreement.title,
                "2023-24",
                "2028-29",
                1,
                agreement.council_contribution,
            ],
            "agreement.save",
            _own_page(type(agreement), agreement, dfe_contribution="1"),
        ),
        "deficit cap": (
            fmt.DEFICIT_CAPS,
            [None, "2024-25", 1],
            "deficit_cap.save",
            _inline(type(agreement), agreement, "deficit_caps", cap, cap="1"),
        ),
        "payment status": (
            fmt.PAYMENTS,
            [None, dt.date(2024, 3, 31), 5000000, "Received", dt.date(2024, 4, 2)],
            "payment_instalment.save",
            _own_page(PaymentInstalment, payment, status="received", status_date="2024-04-02"),
        ),
        "RAG definition's DfE level": (
            fmt.RAG_DEFINITIONS,
            ["Amber/Green", "A/G", "Mostly on track", "Green"],
            "rag_definition.save",
            _inline(LocalAuthority, council, "rag_definitions", definition, dfe_level="green"),
        ),
    }


CASES = [
    "council name",
    "KPI grouping",
    "key-measure tables",
    "agreement contributions",
    "deficit cap",
    "payment status",
    "RAG definition's DfE level",
]


# Changes under the edit right (a council's officers may make them): not refused below.
EDIT_CASES = ["measure's chart off"]


@pytest.mark.parametrize("what", [*CASES, *EDIT_CASES])
def test_an_admin_change_writes_the_history_entry_the_workbook_writes(client, setup, what):
    spec, row, action, (url, prefix, obj, changes) = _cases(setup)[what]
    workbook = _workbook_entry(setup, spec, row, action)
    client.force_login(setup["admin"])

    response = client.post(url, _post_data(client, url, prefix, obj, changes))

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=action)
    assert _entry(event) == workbook
    assert (event.via, event.user) == ("via admin", setup["admin"])


def test_a_key_contact_changed_in_the_admin_writes_the_services_history_entry(client, setup):
    contact, council = setup["contact"], setup["council"]
    service = _service_entry(
        lambda: key_contact_upsert(
            council=council, contact=contact, by=setup["admin"], email="finance@example.org"
        ),
        "key_contact.save",
    )
    client.force_login(setup["admin"])
    url, prefix, obj, changes = _own_page(KeyContact, contact, email="finance@example.org")

    response = client.post(url, _post_data(client, url, prefix, obj, changes))

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="key_contact.save")
    assert _entry(event) == service
    assert event.before == {"email": "s151@example.org"} and event.via == "via admin"


# --- A staff user who is not a site administrator is refused, as an officer is in the workbook --


def _staff_with_model_rights(*models):
    user = f.UserFactory(username="staff-editor", is_staff=True, is_superuser=False)
    for model in models:
        name = model._meta.model_name
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label=model._meta.app_label,
                codename__in=[f"{action}_{name}" for action in ("view", "add", "change", "delete")],
            )
        )
    return user


def _stored(setup) -> tuple:
    council, agreement = setup["council"], setup["agreement"]
    return (
        LocalAuthority.objects.get(pk=council.pk).name,
        LocalAuthority.objects.get(pk=council.pk).kpi_grouping,
        type(agreement).objects.get(pk=agreement.pk).dfe_contribution,
        DeficitCap.objects.get(agreement=agreement).cap,
        PaymentInstalment.objects.get(due_date=dt.date(2024, 3, 31)).status,
        RagDefinition.objects.get(council=council, level=Rag.AMBER_GREEN).dfe_level,
        KeyContact.objects.get(pk=setup["contact"].pk).email,
    )


def _contact_added_and_deleted(client, council) -> dict:
    """The council page with its first contact marked for deletion and a new one added."""
    url = _url(LocalAuthority, "change", council.pk)
    data = _form_data(client.get(url))
    data.update(
        {
            "contacts-TOTAL_FORMS": "2",
            "contacts-0-DELETE": "on",
            "contacts-1-role": "dcs",
            "contacts-1-job_title": "Director of Children's Services",
            "contacts-1-name": "A Director",
            "contacts-1-email": "dcs@example.org",
            "contacts-1-order": "1",
        }
    )
    return client.post(url, data)


@pytest.mark.parametrize("what", [*CASES, "key contact"])
def test_a_staff_user_who_is_not_a_site_administrator_is_refused_with_the_services_message(
    client, setup, what
):
    council = setup["council"]
    if what == "key contact":
        url, prefix, obj, changes = _own_page(
            KeyContact, setup["contact"], email="finance@example.org"
        )
    else:
        _, _, _, (url, prefix, obj, changes) = _cases(setup)[what]
    staff = _staff_with_model_rights(
        LocalAuthority,
        KeyContact,
        RagDefinition,
        type(setup["agreement"]),
        DeficitCap,
        PaymentInstalment,
    )
    with pytest.raises(PermissionDenied) as refused:
        agreement_upsert(council=council, agreement=setup["agreement"], by=staff, title="x")
    message = str(refused.value)
    before = _stored(setup)
    client.force_login(staff)

    response = client.post(url, _post_data(client, url, prefix, obj, changes))

    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert message.startswith("staff-editor cannot change the council")
    assert _stored(setup) == before
    assert not AuditEvent.objects.filter(via="via admin").exists()


# --- An invalid value: the message the workbook shows, beside the field; nothing written -------


def test_a_negative_contribution_shows_the_workbooks_message_and_writes_nothing(client, setup):
    agreement = setup["agreement"]
    spec, row = (
        fmt.AGREEMENTS,
        [
            agreement.date_signed,
            agreement.title,
            "2023-24",
            "2028-29",
            -1,
            agreement.council_contribution,
        ],
    )
    workbook = _import(setup, spec, row)
    client.force_login(setup["admin"])
    url, prefix, obj, changes = _own_page(type(agreement), agreement, dfe_contribution="-1")

    response = client.post(url, _post_data(client, url, prefix, obj, changes))

    assert response.status_code == 200
    assert [e.reason for e in workbook.errors] == ["This amount cannot be negative."]
    form = response.context["adminform"].form
    assert form.errors["dfe_contribution"] == [workbook.errors[0].reason]
    assert type(agreement).objects.get(pk=agreement.pk).dfe_contribution == Decimal("67000000")
    assert not AuditEvent.objects.filter(action="agreement.save").exists()


def test_a_rated_level_reported_as_not_rated_shows_the_workbooks_message_and_writes_nothing(
    client, setup
):
    council = setup["council"]
    definition = RagDefinition.objects.get(council=council, level=Rag.AMBER_GREEN)
    workbook = _import(
        setup, fmt.RAG_DEFINITIONS, ["Amber/Green", "A/G", "Mostly on track", "Not rated"]
    )
    client.force_login(setup["admin"])
    url, prefix, obj, changes = _inline(
        LocalAuthority, council, "rag_definitions", definition, dfe_level="not_rated"
    )

    response = client.post(url, _post_data(client, url, prefix, obj, changes))

    assert response.status_code == 200
    (formset,) = [
        i.formset
        for i in response.context["inline_admin_formsets"]
        if i.formset.prefix == "rag_definitions"
    ]
    (form,) = [form for form in formset.forms if form.instance.pk == definition.pk]
    assert [e.reason for e in workbook.errors] == [form.errors["dfe_level"][0]]
    definition.refresh_from_db()
    assert definition.dfe_level == Rag.AMBER
    assert not AuditEvent.objects.filter(action="rag_definition.save").exists()


def test_a_key_contact_added_or_deleted_on_the_council_page_needs_the_administrators_right(
    client, setup
):
    council, contact, admin = setup["council"], setup["contact"], setup["admin"]
    staff = _staff_with_model_rights(LocalAuthority, KeyContact, RagDefinition)
    with pytest.raises(PermissionDenied) as refused:
        key_contact_upsert(council=council, contact=None, by=staff, name="x")
    client.force_login(staff)

    response = _contact_added_and_deleted(client, council)

    assert response.status_code == 200
    assert response.content.decode().count(escape(str(refused.value))) == 2  # each row
    assert list(KeyContact.objects.filter(council=council)) == [contact]
    assert not AuditEvent.objects.filter(action__startswith="key_contact.").exists()

    client.force_login(admin)
    assert _contact_added_and_deleted(client, council).status_code == 302
    (added,) = KeyContact.objects.filter(council=council)
    created = AuditEvent.objects.get(action="key_contact.create")
    deleted = AuditEvent.objects.get(action="key_contact.delete")
    assert (created.object_id, created.after["email"], created.via) == (
        str(added.pk),
        "dcs@example.org",
        "via admin",
    )
    assert (deleted.before["email"], deleted.via, deleted.user) == (
        "s151@example.org",
        "via admin",
        admin,
    )


# --- The programme and catalogue rows the workbook also writes ----------------------------------


def _catalogue(setup) -> dict:
    """For each setup row the workbook writes through an upsert: the admin page, the change and
    the service's action (which is not always the model's name)."""
    council, agreement = setup["council"], setup["agreement"]
    area = ProgrammeArea.objects.get(council=council)
    return {
        "condition": _own_page(
            AgreementCondition, agreement.conditions.get(label="1"), title="Renamed"
        ),
        "monitoring_tier": _inline(
            type(agreement), agreement, "tier_changes", agreement.tier_changes.get(), reason="x"
        ),
        "programme_area": _own_page(ProgrammeArea, area, name="Renamed"),
        "workstream": _inline(
            ProgrammeArea, area, "workstreams", area.workstreams.get(), lead_role="Renamed"
        ),
        "risk": _own_page(Risk, Risk.objects.get(council=council), title="Renamed"),
        "data_source": _own_page(DataSource, DataSource.objects.get(council=council), basis="x"),
        "series": _own_page(Series, Series.objects.get(slug="actual"), name="Renamed"),
        "measure": _own_page(Measure, setup["ehcp"], name="Renamed"),
    }


@pytest.mark.parametrize(
    "action, right",
    [
        ("condition", Action.EDIT),
        ("monitoring_tier", Action.ADMINISTER),
        ("programme_area", Action.EDIT),
        ("workstream", Action.EDIT),
        ("risk", Action.EDIT),
        ("data_source", Action.EDIT),
        ("series", Action.EDIT),
        ("measure", Action.EDIT),
    ],
)
def test_each_setup_row_saved_in_the_admin_goes_through_its_upsert(client, setup, action, right):
    url, prefix, obj, changes = _catalogue(setup)[action]
    ((name, value),) = changes.items()
    # Model rights in the admin are not a council role: the service refuses, as in the workbook.
    staff = _staff_with_model_rights(
        type(setup["agreement"]), ProgrammeArea, type(obj), DataSource, Series, Measure
    )
    with pytest.raises(PermissionDenied) as refused:
        require_action(staff, setup["council"], right)
    client.force_login(staff)
    response = client.post(url, _post_data(client, url, prefix, obj, changes))
    assert response.status_code == 200
    assert escape(str(refused.value)) in response.content.decode()
    assert not AuditEvent.objects.filter(via="via admin").exists()
    client.force_login(setup["admin"])

    response = client.post(url, _post_data(client, url, prefix, obj, changes))

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=f"{action}.save")
    assert (event.via, event.object_id, event.after) == ("via admin", str(obj.pk), {name: value})


def test_a_milestone_added_in_the_admin_meets_the_services_rules(client, setup):
    workstream = Workstream.objects.get(area__council=setup["council"])
    client.force_login(setup["admin"])
    data = {
        "workstream": workstream.pk,
        "title": "Hub extended",
        "due_date": "2099-09-01",
        "status": "complete",
        "completed_on": "2099-08-01",
        "_save": "Save",
    }

    response = client.post(_url(Milestone, "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["completed_on"] == [
        "The completion date cannot be in the future."
    ]
    assert not Milestone.objects.filter(title="Hub extended").exists()
    data.update(status="on_track", completed_on="")
    assert client.post(_url(Milestone, "add"), data).status_code == 302
    created = AuditEvent.objects.get(action="milestone.create")
    assert (created.via, created.after["title"]) == ("via admin", "Hub extended")
