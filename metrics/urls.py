"""URLs of the metrics app."""

from django.urls import path

from metrics import views_excel, views_finance, views_kpi

app_name = "metrics"

urlpatterns: list = [
    path(
        "councils/<slug:slug>/workbook/import/",
        views_excel.workbook_upload,
        name="workbook_upload",
    ),
    path(
        "councils/<slug:slug>/workbook/import/confirm/",
        views_excel.workbook_confirm,
        name="workbook_confirm",
    ),
    path(
        "councils/<slug:slug>/workbook/export.xlsx",
        views_excel.workbook_export_download,
        name="workbook_export",
    ),
    path(
        "councils/<slug:slug>/workbook/template.xlsx",
        views_excel.workbook_template_download,
        name="workbook_template",
    ),
    # Monthly KPI entry (issue 5.8).
    path("councils/<slug:slug>/kpis/", views_kpi.kpi_grid, name="kpi_grid"),
    path("councils/<slug:slug>/kpis/cell/", views_kpi.kpi_cell, name="kpi_cell"),
    # High Needs Block finance lines (the finance lead edits them).
    path("councils/<slug:slug>/finance/", views_finance.finance_lines, name="finance_lines"),
    path(
        "councils/<slug:slug>/finance/add/",
        views_finance.finance_line_add,
        name="finance_line_add",
    ),
    path(
        "councils/<slug:slug>/finance/<int:pk>/",
        views_finance.finance_line_show,
        name="finance_line_show",
    ),
    path(
        "councils/<slug:slug>/finance/<int:pk>/edit/",
        views_finance.finance_line_edit,
        name="finance_line_edit",
    ),
]
