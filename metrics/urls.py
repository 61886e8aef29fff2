"""URLs of the metrics app: monthly KPI entry."""

from django.urls import path

from metrics import views_kpi

app_name = "metrics"

urlpatterns: list = [
    path("councils/<slug:slug>/kpis/", views_kpi.kpi_grid, name="kpi_grid"),
    path("councils/<slug:slug>/kpis/cell/", views_kpi.kpi_cell, name="kpi_cell"),
]
