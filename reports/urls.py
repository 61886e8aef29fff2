"""URLs of the reports app."""

from django.urls import path

from reports import views, views_pdf

app_name = "reports"

urlpatterns = [
    path("councils/", views.council_list, name="council_list"),
    path("councils/<slug:slug>/", views.council_dashboard, name="council_dashboard"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path(
        "councils/<slug:slug>/rounds/<str:fy>/<int:n>/report.pdf",
        views_pdf.report_pdf,
        name="report_pdf",
    ),
    path("councils/<slug:slug>/board-pack.pdf", views_pdf.board_pack_pdf, name="board_pack_pdf"),
]
