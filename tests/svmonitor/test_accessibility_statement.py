"""The accessibility statement (issue 16.4): public, in the GOV.UK sample's form, the operator's
contact from settings, and linked from every page's footer."""

import pytest
from django.core.checks import run_checks
from django.template.loader import get_template
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from svmonitor.roles import Role
from tests.factories import LocalAuthorityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accessibility/"
# The headings of GOV.UK's sample accessibility statement, in its order.
SAMPLE_HEADINGS = [
    "Accessibility statement for svmonitor",
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website\u2019s accessibility",
    "Compliance status",
    "Non-accessible content",
    "Non-compliance with the accessibility regulations",
    "Content that\u2019s not within the scope of the accessibility regulations",
    "What we\u2019re doing to improve accessibility",
    "Preparation of this accessibility statement",
]
FOOTER_LINK = f'<a class="govuk-footer__link" href="{URL}">Accessibility statement</a>'


def test_the_statement_is_public_and_has_the_govuk_samples_sections_in_order():
    assert reverse("accessibility_statement") == URL
    response = Client().get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    places = [html.find(heading) for heading in SAMPLE_HEADINGS]
    assert -1 not in places, [h for h, at in zip(SAMPLE_HEADINGS, places, strict=True) if at < 0]
    assert places == sorted(places)
    assert "partially compliant with the" in html and "version 2.2</a> AA standard" in html
    assert "Equality Advisory and Support Service" in html


def test_it_says_what_was_tested_with_what_and_the_known_problems():
    html = Client().get(URL).content.decode()
    for fact in ("axe-core 4.14", "Playwright", "keyboard", "JavaScript turned off", "PDF/UA"):
        assert fact in html, fact
    # Known problems, each with what to do instead.
    assert "2.2.1 (Timing adjustable)" in html
    assert "2.1.1 (Keyboard)" in html and "the same figures in a table beside it" in html
    assert "not been checked with a PDF accessibility checker" in html
    assert "/admin/" in html


@override_settings(
    SERVICE_OPERATOR="Northdale Council", ACCESSIBILITY_CONTACT_EMAIL="access@northdale.example"
)
def test_the_operator_and_contact_come_from_settings():
    html = Client().get(URL).content.decode()
    assert "This website is run by Northdale Council." in html
    assert html.count('href="mailto:access@northdale.example"') == 2
    assert "has not been given a contact address" not in html


@override_settings(SERVICE_OPERATOR="", ACCESSIBILITY_CONTACT_EMAIL="")
def test_without_settings_it_points_to_the_site_administrator_and_check_deploy_warns():
    html = Client().get(URL).content.decode()
    assert "mailto:" not in html
    assert "ask the person who set up your account (your site administrator)" in html
    assert "svmonitor.W010" in [
        message.id for message in run_checks(include_deployment_checks=True)
    ]


@override_settings(ACCESSIBILITY_CONTACT_EMAIL="access@northdale.example")
def test_check_deploy_is_quiet_once_the_contact_is_set():
    assert "svmonitor.W010" not in [m.id for m in run_checks(include_deployment_checks=True)]


def test_the_footer_links_to_it_on_the_sign_in_page_a_signed_in_page_and_an_error_page():
    anonymous = Client()
    assert FOOTER_LINK in anonymous.get(reverse("login")).content.decode()
    assert FOOTER_LINK in anonymous.get(URL).content.decode()
    user = UserFactory(username="officer")
    MembershipFactory(user=user, council=LocalAuthorityFactory(), role=Role.OFFICER)
    signed_in = Client()
    signed_in.force_login(user)
    assert FOOTER_LINK in signed_in.get(reverse("home")).content.decode()
    assert FOOTER_LINK in signed_in.get(reverse("account_detail")).content.decode()
    not_found = signed_in.get("/councils/no-such-council/")
    assert not_found.status_code == 404
    assert FOOTER_LINK in not_found.content.decode()
    # The 500 page stands alone (it must render when base.html cannot) and links it too.
    assert f'href="{URL}"' in get_template("500.html").render({})


def test_a_user_who_has_not_yet_given_their_second_factor_can_still_read_it(settings):
    settings.REQUIRE_TOTP = True
    user = UserFactory(username="s151")
    MembershipFactory(user=user, council=LocalAuthorityFactory(), role=Role.S151)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 302  # sent to give the code first
    assert client.get(URL).status_code == 200
