"""Security headers on every page: walk the whole URLconf, GET each URL, check every response.

Nothing is skipped silently: a URL pattern whose arguments cannot be filled in fails the test
and names itself, so a new page is covered the moment its URL is added (add its argument
name to SAMPLE_VALUES if the fallbacks cannot build it).
"""

import itertools
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize
from django_otp.plugins.otp_totp.models import TOTPDevice

from svmonitor.middleware_security import RequestContextMiddleware
from svmonitor.models import BackgroundJob
from tests.factories import (
    AgreementConditionFactory,
    ConditionUpdateFactory,
    MeasureValueFactory,
    RiskUpdateFactory,
    RoundOverviewFactory,
)

PRODUCTION = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}

GENERIC_FALLBACKS = ["1", "x", "2024-25"]


def _routes(resolver=None, prefix=""):
    """Every endpoint as (its full regex, the URLPattern)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        regex = entry.pattern.regex.pattern.removeprefix("^")
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + regex)
        else:
            yield prefix + regex, entry


def _model_pk(name: str) -> list[str]:
    """'risk_pk' / 'condition_id' -> the pk of a row of a model with that name, if any."""
    stem = re.sub(r"_?(pk|id)$", "", name).replace("_", "")
    found = []
    for model in apps.get_models():
        if stem and model.__name__.lower().endswith(stem):
            row = model.objects.order_by("pk").first()
            if row is not None:
                found.append(str(row.pk))
    return found


def _admin_object_pk(fmt: str) -> list[str]:
    """admin/<app>/<model>/%(object_id)s/... -> the pk of a real row of that model."""
    match = re.match(r"admin/(\w+)/(\w+)/", fmt)
    if not match:
        return []
    try:
        model = apps.get_model(match[1], match[2])
    except LookupError:
        return []
    row = model._default_manager.order_by("pk").first()
    return [str(row.pk)] if row is not None else []


def _candidates(name: str, data: dict, fmt: str) -> list[str]:
    if fmt.startswith("admin/") and name in ("object_id", "pk", "id"):
        return [*_admin_object_pk(fmt), *GENERIC_FALLBACKS]
    known = data["samples"].get(name)
    if known is not None:
        return [*known, *GENERIC_FALLBACKS]
    if name in ("pk", "id", "object_id") or name.endswith(("_pk", "_id")):
        return [*_model_pk(name), *GENERIC_FALLBACKS]
    return GENERIC_FALLBACKS


def _build(regex: str, pattern, data: dict) -> str | None:
    """A path that resolves to this very pattern, or None."""
    for fmt, params in normalize(regex):
        pools = [_candidates(param, data, fmt) for param in params]
        for values in itertools.product(*pools):
            path = "/" + fmt % dict(zip(params, values, strict=True))
            try:
                match = resolve(path)
            except Resolver404:
                continue
            if match.func is pattern.callback and match.url_name == pattern.name:
                return path
    return None


@pytest.fixture
def site_data(db):
    """One council with a round and a row in the main tables, so most pages render for real."""
    overview = RoundOverviewFactory()
    round_ = overview.round
    council = round_.agreement.council
    condition = AgreementConditionFactory(agreement=round_.agreement)
    ConditionUpdateFactory(round=round_, condition=condition)
    RiskUpdateFactory(round=round_)
    MeasureValueFactory(measure__council=council)
    superuser = get_user_model().objects.create_superuser("site-admin", "a@example.org", "x" * 16)
    # A row for every admin page that needs one (django-otp's device pages fail on a missing id).
    TOTPDevice.objects.create(user=superuser, name="walk", confirmed=False)
    job = BackgroundJob.objects.create(kind="report_pdf", council=council, round=round_)
    samples = {
        "slug": [council.slug],
        "council_slug": [council.slug],
        "fy": [round_.fy],
        "n": [str(round_.update_number)],
        "update": [str(round_.update_number)],
        "update_number": [str(round_.update_number)],
        "app_label": ["svmonitor", "auth", "conditions", "risks", "metrics", "reports"],
        "uidb64": ["MQ"],
        "token": ["set-password"],
        "job_id": [str(job.pk)],
        # The CYP tables' pages (metrics:cyp_grid, metrics:cyp_column).
        "year": ["2025"],
        "table": ["age"],
        "column": ["5-10"],
    }
    return {"council": council, "round": round_, "superuser": superuser, "samples": samples}


def _all_paths(data):
    paths, unbuildable = [], []
    for regex, pattern in _routes():
        path = _build(regex, pattern, data)
        if path is None:
            unbuildable.append(f"{pattern.name or pattern.callback}: {regex}")
        else:
            paths.append(path)
    return paths, unbuildable


def _header_problems(path, response, *, signed_in: bool) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        for directive, value in (
            ("object-src", ["'none'"]),
            ("base-uri", ["'none'"]),
            ("frame-ancestors", ["'none'"]),
            ("script-src", ["'self'"]),
            ("style-src", ["'self'"]),
        ):
            if directives.get(directive) != value:
                problems.append(f"CSP {directive} is {directives.get(directive)}")
        if "'unsafe-eval'" in csp or "'unsafe-inline'" in csp:
            problems.append("CSP allows unsafe-eval or unsafe-inline")
    if response.get("Strict-Transport-Security") != "max-age=31536000; includeSubDomains":
        problems.append(f"HSTS is {response.get('Strict-Transport-Security')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')!r}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append("no X-Frame-Options: DENY")
    if not response.get("X-Request-ID"):
        problems.append("no X-Request-ID")
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {response.get('Cache-Control')!r}, not no-store")
    if response.status_code >= 500:
        problems.append(f"status {response.status_code}")
    return [f"GET {path} ({response.status_code}): {p}" for p in problems]


@override_settings(**PRODUCTION)
def test_every_url_is_reachable_by_the_walk(site_data):
    paths, unbuildable = _all_paths(site_data)
    assert not unbuildable, "Add sample values for: " + "; ".join(unbuildable)
    # The walk really covers the site: the home page, the dashboard, sign-in and the admin.
    assert "/" in paths and "/accounts/login/" in paths and "/admin/" in paths
    assert f"/councils/{site_data['council'].slug}/" in paths


@override_settings(**PRODUCTION)
def test_every_page_carries_the_security_headers_when_signed_in(site_data):
    paths, _ = _all_paths(site_data)
    client = Client(raise_request_exception=False)
    client.force_login(site_data["superuser"])
    problems = []
    for path in paths:
        response = client.get(path, secure=True)
        problems += _header_problems(path, response, signed_in=True)
    assert not problems, "\n".join(problems)


@override_settings(**PRODUCTION)
def test_every_page_carries_the_security_headers_when_signed_out(site_data):
    paths, _ = _all_paths(site_data)
    client = Client(raise_request_exception=False)
    problems = []
    for path in paths:
        response = client.get(path, secure=True)
        problems += _header_problems(path, response, signed_in=False)
    assert not problems, "\n".join(problems)


@override_settings(**PRODUCTION)
def test_plain_http_is_redirected_to_https_except_the_health_check(site_data):
    client = Client()
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code == 200


@override_settings(**PRODUCTION)
def test_session_and_csrf_cookies_are_secure_and_httponly(site_data):
    client = Client()
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    client.force_login(site_data["superuser"])
    response = client.get("/", secure=True)
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_downloads_are_never_cached_even_for_anonymous_users():
    def download(request):
        response = HttpResponse(b"x", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="x.csv"'
        return response

    request = RequestFactory().get("/x")
    request.user = AnonymousUser()
    response = RequestContextMiddleware(download)(request)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.urls("tests.deploy.urls_errors")
@override_settings(**PRODUCTION)
def test_a_signed_in_export_is_not_cached(client, la_officer):
    client.force_login(la_officer)
    response = client.get("/test-errors/export", secure=True)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
