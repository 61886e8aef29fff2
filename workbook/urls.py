"""URLs of the programme workbook: upload, preview and confirm an import; download the export
and the blank template."""

from django.urls import path

from workbook import views

app_name = "workbook"

urlpatterns: list = [
    # Not under councils/: reports' councils/<slug>/ would take "councils/new/".
    path("setup/council/", views.council_setup, name="council_setup"),
    path("setup/council/confirm/", views.council_setup_confirm, name="council_setup_confirm"),
    path(
        "setup/council/template.xlsx",
        views.council_setup_template,
        name="council_setup_template",
    ),
    path("councils/<slug:slug>/workbook/import/", views.workbook_upload, name="workbook_upload"),
    path(
        "councils/<slug:slug>/workbook/import/confirm/",
        views.workbook_confirm,
        name="workbook_confirm",
    ),
    path(
        "councils/<slug:slug>/workbook/export.xlsx",
        views.workbook_export_download,
        name="workbook_export",
    ),
    path(
        "councils/<slug:slug>/workbook/template.xlsx",
        views.workbook_template_download,
        name="workbook_template",
    ),
]
