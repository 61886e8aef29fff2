"""A URLconf for the deployment tests: the real one plus views that fail on purpose."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path

from svmonitor.pdf_limits import render_pdf_bounded
from svmonitor.ratelimit import rate_limited
from svmonitor.urls import handler400, handler403, handler404, handler500  # noqa: F401
from svmonitor.urls import urlpatterns as real_patterns

SECRET_DETAIL = "internal-detail-7f3a: password=hunter2 at /srv/svmonitor/models.py line 42"


def boom(request, slug):
    raise RuntimeError(SECRET_DETAIL)


def forbidden(request):
    raise PermissionDenied(SECRET_DETAIL)


@login_required
@rate_limited("export")
def export(request):
    response = HttpResponse(b"a,b\n1,2\n", content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="export.csv"'
    return response


@login_required
@rate_limited("upload")
def upload(request):
    return HttpResponse("uploaded")


@login_required
def slow_pdf(request):
    rows = "".join(f"<tr><td>{i}</td><td>row</td></tr>" for i in range(4000))
    pdf = render_pdf_bounded(f"<table>{rows}</table>", base_url="/")
    return HttpResponse(pdf, content_type="application/pdf")


urlpatterns = [
    path("test-errors/councils/<slug:slug>/boom", boom),
    path("test-errors/forbidden", forbidden),
    path("test-errors/export", export),
    path("test-errors/upload", upload),
    path("test-errors/slow.pdf", slow_pdf),
    *real_patterns,
]
