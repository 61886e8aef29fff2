"""Words typed into a form are not lost when the session ends before the save (issue 15.11):
they are kept for their author, shown again after sign-in, and never saved silently."""

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conditions.models import ConditionUpdate
from svmonitor.models import PendingSubmission
from svmonitor.pending import AUTHOR_COOKIE, RESTORED_BANNER
from svmonitor.roles import Role
from svmonitor.signals import SIGNED_IN_AT
from tests.accounts.graph import build_council
from tests.accounts.urlwalk import app_routes, post_data, post_forms, url_for
from tests.conftest import _member
from tests.round_builders import round_in
from tests.round_page.conftest import HTMX, round_url

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
TYPED = "Placements in the new resource base began in May; 14 children moved from independent."


def _signed_in(user) -> Client:
    """A browser that signed in through the sign-in page and opened a page since."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert AUTHOR_COOKIE in client.cookies
    return client


def _sign_in_again(client, user, location: str):
    """Follow the redirect to the sign-in page and sign in; return the page `next` leads to."""
    query = parse_qs(urlsplit(location).query)
    assert urlsplit(location).path == reverse("login")
    next_url = query["next"][0]
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == next_url
    return client.get(next_url)


def _condition(draft):
    return ConditionUpdate.objects.filter(round=draft).order_by("pk").first()


def _edit(draft, update):
    return round_url(draft, f"conditions/{update.pk}/edit/")


def _post_data(update):
    return {"rag": "amber", "narrative": TYPED, "version": str(update.version)}


def test_an_htmx_save_after_the_session_row_is_deleted_keeps_the_text_for_after_sign_in(
    draft, lead
):
    client = _signed_in(lead)
    update = _condition(draft)
    Session.objects.all().delete()

    response = client.post(_edit(draft, update), _post_data(update), **HTMX)

    # Nothing is saved; htmx is sent to sign in, the fragment says so.
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert "You were signed out" in response.content.decode()
    update.refresh_from_db()
    assert update.narrative != TYPED
    kept = PendingSubmission.objects.get()
    assert kept.user == lead and "csrfmiddlewaretoken" not in kept.fields

    page = _sign_in_again(client, lead, response["HX-Redirect"])
    html = page.content.decode()
    assert page.status_code == 200
    assert RESTORED_BANNER in html
    assert TYPED in html
    assert 'type="radio" value="amber" checked' in html
    # Shown again, not saved: the real save still goes through the view and its service.
    update.refresh_from_db()
    assert update.narrative != TYPED
    assert not PendingSubmission.objects.exists()


def test_a_plain_save_after_the_idle_limit_keeps_the_text_and_saving_again_saves_it(draft, lead):
    client = _signed_in(lead)
    update = _condition(draft)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        response = client.post(_edit(draft, update), _post_data(update))
        assert response.status_code == 302
        page = _sign_in_again(client, lead, response["Location"])
        assert TYPED in page.content.decode()
        saved = client.post(_edit(draft, update), _post_data(update))
    assert saved.status_code == 302
    update.refresh_from_db()
    assert update.narrative == TYPED


def test_another_user_signing_in_with_the_link_does_not_get_the_text(draft, lead, council):
    client = _signed_in(lead)
    update = _condition(draft)
    Session.objects.all().delete()
    response = client.post(_edit(draft, update), _post_data(update))
    location = response["Location"]

    other = _member(council, Role.LEAD, "another-lead")
    page = _sign_in_again(Client(), other, location)
    html = page.content.decode()
    assert page.status_code == 200
    assert TYPED not in html and RESTORED_BANNER not in html
    # Still there for its author.
    assert PendingSubmission.objects.filter(user=lead).exists()
    page = _sign_in_again(client, lead, location)
    assert TYPED in page.content.decode()


def test_another_user_signing_in_on_the_same_browser_does_not_get_the_text(draft, lead, council):
    client = _signed_in(lead)
    update = _condition(draft)
    Session.objects.all().delete()
    response = client.post(_edit(draft, update), _post_data(update))
    other = _member(council, Role.LEAD, "another-lead")
    page = _sign_in_again(client, other, response["Location"])
    assert TYPED not in page.content.decode()


def test_a_browser_that_never_signed_in_keeps_nothing(draft, lead):
    update = _condition(draft)
    response = Client().post(_edit(draft, update), _post_data(update))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not PendingSubmission.objects.exists()


def test_a_save_after_the_12_hour_limit_keeps_the_text(draft, lead):
    client = _signed_in(lead)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 60 * 60 - 1
    session.save()
    update = _condition(draft)
    response = client.post(_edit(draft, update), _post_data(update), **HTMX)
    assert response["HX-Redirect"].startswith(reverse("login"))
    page = _sign_in_again(client, lead, response["HX-Redirect"])
    assert TYPED in page.content.decode()


def test_the_date_sent_to_dfe_comes_back_on_the_return_after_sign_in(council):
    round = round_in("signed_off")
    lead = round.agreement.council.memberships.get(role=Role.LEAD).user
    client = _signed_in(lead)
    Session.objects.all().delete()
    submit = reverse("reports:round_submit", args=[round.agreement.council.slug, round.fy, 1])
    day = round.due_date
    data = {
        "submitted_on_day": str(day.day),
        "submitted_on_month": str(day.month),
        "submitted_on_year": str(day.year),
    }
    response = client.post(submit, data)
    page = _sign_in_again(client, lead, response["Location"])
    html = page.content.decode()
    assert page.request["PATH_INFO"] == round_url(round)
    assert RESTORED_BANNER in html
    assert f'name="submitted_on_year" value="{day.year}"' in html
    round.refresh_from_db()
    assert round.submitted_on is None


def test_a_stale_csrf_token_after_signing_in_again_shows_the_form_again(draft, lead):
    client = _signed_in(lead)
    update = _condition(draft)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = client.cookies
    data = {**_post_data(update), "csrfmiddlewaretoken": "x" * 32}
    response = browser.post(_edit(draft, update), data, HTTP_ORIGIN="http://testserver", **HTMX)
    # Signed in: straight back to the form, no sign-in page.
    assert response.status_code == 200
    target = response["HX-Redirect"]
    assert urlsplit(target).path == _edit(draft, update)
    page = browser.get(target)
    assert TYPED in page.content.decode() and RESTORED_BANNER in page.content.decode()


def test_a_cross_site_post_with_a_bad_token_is_refused_and_nothing_is_kept(draft, lead):
    client = _signed_in(lead)
    update = _condition(draft)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = client.cookies
    data = {**_post_data(update), "csrfmiddlewaretoken": "x" * 32}
    response = browser.post(_edit(draft, update), data, HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 403
    assert not PendingSubmission.objects.exists()


def test_passwords_and_the_csrf_token_are_never_kept(draft, lead):
    client = _signed_in(lead)
    update = _condition(draft)
    Session.objects.all().delete()
    client.post(
        _edit(draft, update),
        {**_post_data(update), "csrfmiddlewaretoken": "abc", "new_password1": "secret"},
    )
    assert set(PendingSubmission.objects.get().fields) == {"rag", "narrative", "version"}


def test_expired_kept_submissions_are_purged_by_the_command(draft, lead):
    client = _signed_in(lead)
    update = _condition(draft)
    Session.objects.all().delete()
    response = client.post(_edit(draft, update), _post_data(update))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=13)):
        call_command("purge_pending_submissions", verbosity=0)
        assert not PendingSubmission.objects.exists()
        page = _sign_in_again(client, lead, response["Location"])
    assert TYPED not in page.content.decode()


MARK = "Typed before the session ended"
# Each kind of form a person types into: the field typed into and what was typed.
TYPED_INTO = {
    "overview:overview_edit": ("deficit_this_year_commentary", MARK),
    "overview:headlines_edit": ("texts", MARK),
    "risks:risk_update_edit": ("narrative", MARK),
    "conditions:milestone_edit": ("due_date_year", "2031"),
    "finance:finance_line_edit": ("reflects", MARK),
    "finance:finance_line_add": ("reflects", MARK),
    "metrics:kpi_cell": ("value", "4321"),
}


@pytest.mark.parametrize("name", TYPED_INTO)
def test_every_kind_of_form_comes_back_filled_in_after_sign_in(name):
    graph = build_council("A")
    user = graph.everything
    route = next(route for route in app_routes() if route.name == name)
    url, _ = url_for(route, graph)
    client = _signed_in(user)
    page = client.get(url)
    assert page.status_code == 200, url
    path = urlsplit(url).path
    form = next(
        f for f in post_forms(page.content.decode(), url) if urlsplit(f.action).path == path
    )
    field, typed = TYPED_INTO[name]
    data = {**post_data(url, form.fields), field: typed}
    data.pop("csrfmiddlewaretoken", None)
    Session.objects.all().delete()

    response = client.post(form.action, data)

    assert response.status_code == 302
    shown = _sign_in_again(client, user, response["Location"])
    html = shown.content.decode()
    assert shown.status_code == 200
    assert RESTORED_BANNER in html
    assert typed in html
    assert not PendingSubmission.objects.exists()
