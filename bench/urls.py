"""A bench-only URLconf: the app's URLs plus a trivial signed-in page (bench/run.py).

The trivial page is the dashboard's floor: the same middleware, session, user and base
template, and nothing else. Used with override_settings(ROOT_URLCONF="bench.urls").
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from svmonitor.urls import handler400, handler403, handler404, handler500
from svmonitor.urls import urlpatterns as app_urls

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@login_required
@require_GET
def base_page(request):
    """templates/base.html with an empty content block, for a signed-in user."""
    return render(request, "base.html")


urlpatterns = [path("bench/base/", base_page, name="bench_base"), *app_urls]
