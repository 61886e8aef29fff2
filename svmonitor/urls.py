"""Top-level URLconf: each app mounts its own URLs (see docs/urls-and-commands.md)."""

from django.contrib import admin
from django.urls import include, path

from svmonitor import views

urlpatterns = [
    # The home page reads every role's tasks, so the top layer (reports) serves it.
    path("", include("reports.home_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility_statement, name="accessibility_statement"),
    path("admin/", admin.site.urls),
    path("accounts/", include("svmonitor.account_urls")),
    # Background jobs (renders, imports): status and result pages (svmonitor/job_views.py).
    path("jobs/", include("svmonitor.job_urls")),
    path("", include("reports.urls")),
    path("", include("conditions.urls")),
    path("", include("risks.urls")),
    path("", include("overview.urls")),
    path("", include("metrics.urls")),
    path("", include("finance.urls")),
    path("", include("workbook.urls")),
    # The data feed for Power BI and DfE data requests (token only; docs/power-bi.md).
    path("api/", include("api.urls")),
]

# Generic error pages with the request id and no internal detail (svmonitor/error_views.py).
handler400 = "svmonitor.error_views.bad_request"
handler403 = "svmonitor.error_views.forbidden"
handler404 = "svmonitor.error_views.not_found"
handler500 = "svmonitor.error_views.server_error"
