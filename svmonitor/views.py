"""Spine views: health and the accessibility statement (the home page is reports.views_home)."""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

# When the statement's text was written against svmonitor's own tests (issue 16.4); change it
# when the text is reviewed.
STATEMENT_PREPARED = dt.date(2026, 12, 7)


@require_GET
def healthz(request):
    """Answer 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "database unavailable"}, status=503)
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def accessibility_statement(request):
    """The accessibility statement, in the form of GOV.UK's sample; public (no sign-in)."""
    context = {
        "operator": settings.SERVICE_OPERATOR,
        "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
        "prepared": STATEMENT_PREPARED,
    }
    return render(request, "accessibility_statement.html", context)
