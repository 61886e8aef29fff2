"""URLs of the finance app: the High Needs Block finance lines the finance lead keeps."""

from django.urls import path

from finance import views, views_dsg, views_grid

app_name = "finance"

urlpatterns: list = [
    path("councils/<slug:slug>/finance/", views.finance_lines, name="finance_lines"),
    path(
        "councils/<slug:slug>/finance/forecast/",
        views_grid.forecast_grid,
        name="forecast_grid",
    ),
    path(
        "councils/<slug:slug>/rounds/<str:fy>/<int:n>/finance/confirm/",
        views_grid.forecast_confirm,
        name="forecast_confirm",
    ),
    path(
        "councils/<slug:slug>/finance/dsg-plan/",
        views_dsg.dsg_plan_grid,
        name="dsg_plan_grid",
    ),
    path(
        "councils/<slug:slug>/dsg-plan/<str:fy>/<int:n>/finance/confirm/",
        views_dsg.dsg_plan_confirm,
        name="dsg_plan_confirm",
    ),
    path("councils/<slug:slug>/finance/add/", views.finance_line_add, name="finance_line_add"),
    path(
        "councils/<slug:slug>/finance/<int:pk>/", views.finance_line_show, name="finance_line_show"
    ),
    path(
        "councils/<slug:slug>/finance/<int:pk>/edit/",
        views.finance_line_edit,
        name="finance_line_edit",
    ),
]
