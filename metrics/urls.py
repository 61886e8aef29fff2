"""URLs of the metrics app: monthly KPI entry; the DSG plan's children and young people tables,
EHCP comparators and statistical neighbours."""

from django.urls import path, re_path

from metrics import views_cyp, views_kpi, views_month

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
    path("councils/<slug:slug>/cyp/", views_cyp.cyp_tables, name="cyp_tables"),
    re_path(
        r"^councils/(?P<slug>[-a-zA-Z0-9_]+)/cyp/(?P<year>[0-9]{4})/(?P<table>age|need)/$",
        views_cyp.cyp_grid,
        name="cyp_grid",
    ),
    re_path(
        r"^councils/(?P<slug>[-a-zA-Z0-9_]+)/cyp/(?P<table>age|need)/(?P<column>[-a-z0-9]+)/$",
        views_cyp.cyp_column,
        name="cyp_column",
    ),
    path(
        "councils/<slug:slug>/ehcp-comparators/",
        views_cyp.ehcp_comparators_view,
        name="ehcp_comparators",
    ),
    path(
        "councils/<slug:slug>/statistical-neighbours/",
        views_cyp.statistical_neighbours,
        name="statistical_neighbours",
    ),
]
