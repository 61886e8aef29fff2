"""Spine views: home and health."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from svmonitor.models import LocalAuthority


@require_GET
def healthz(request):
    """Answer 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "database unavailable"}, status=503)
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_GET
def home(request):
    """Send the user to their only council's dashboard, or to the list of councils."""
    slugs = list(LocalAuthority.objects.for_user(request.user).values_list("slug", flat=True)[:2])
    if len(slugs) == 1:
        return redirect("reports:council_dashboard", slug=slugs[0])
    return redirect("reports:council_list")
