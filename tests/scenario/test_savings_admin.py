"""A workstream's saving saved in the admin meets the grid's rules and leaves the same history
(issue 18.3: the admin is one of the doors)."""

import pytest

from conditions.models import WorkstreamSaving
from svmonitor.models import AuditEvent
from tests import factories as f
from tests.svmonitor.test_admin_door import _form_data, _url

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(f.UserFactory(username="site-admin", is_staff=True, is_superuser=True))
    return client


def test_a_saving_added_and_changed_in_the_admin_goes_through_the_service(admin_client, agreement):
    workstream = f.WorkstreamFactory(area=f.ProgrammeAreaFactory(council=agreement.council))
    add = _url(WorkstreamSaving, "add")
    data = {"workstream": workstream.pk, "financial_year": 2024, "saving": "-1", "_save": "Save"}
    response = admin_client.post(add, data)
    assert "Enter a saving as a positive amount" in response.content.decode()
    data.update(financial_year=2060, saving="1000")
    assert "Choose a year from 2023-24 to 2038-39." in admin_client.post(add, data).content.decode()
    assert not WorkstreamSaving.objects.exists()
    data.update(financial_year=2024, saving="1000")
    assert admin_client.post(add, data).status_code == 302
    saving = WorkstreamSaving.objects.get()
    url = _url(WorkstreamSaving, "change", saving.pk)
    data = _form_data(admin_client.get(url))
    data["saving"] = "2500.50"
    assert admin_client.post(url, data).status_code == 302
    saving.refresh_from_db()
    assert (str(saving.saving), saving.version) == ("2500.50", 2)
    events = AuditEvent.objects.filter(action__startswith="workstream_saving").order_by("pk")
    assert [(e.action, e.via) for e in events] == [
        ("workstream_saving.create", "via admin"),
        ("workstream_saving.save", "via admin"),
    ]
