"""URLs of the metrics app: monthly KPI entry."""

from django.urls import path, re_path

from metrics import views_kpi, views_month

app_name = "metrics"

urlpatterns: list = [
    path("councils/<slug:slug>/kpis/", views_kpi.kpi_grid, name="kpi_grid"),
    path("councils/<slug:slug>/kpis/cell/", views_kpi.kpi_cell, name="kpi_cell"),
    path("councils/<slug:slug>/kpis/month/", views_month.kpi_month_latest, name="kpi_month_latest"),
    re_path(
        r"^councils/(?P<slug>[-a-zA-Z0-9_]+)/kpis/(?P<month>[0-9]{4}-[0-9]{2})/$",
        views_month.kpi_month,
        name="kpi_month",
    ),
]
