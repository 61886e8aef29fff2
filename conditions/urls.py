"""URLs of the conditions app: a condition's and a workstream's section of a return, and a
workstream's milestones; the workstreams' forecast savings."""

from django.urls import path

from conditions import views, views_log, views_savings

app_name = "conditions"

# A round is named by council, financial year ("2024-25") and update (1, 2 or 3).
ROUND = "councils/<slug:slug>/rounds/<str:fy>/<int:n>/"

urlpatterns = [
    path(ROUND + "conditions/<int:pk>/", views.condition_update_show, name="condition_update_show"),
    path(
        ROUND + "conditions/<int:pk>/edit/",
        views.condition_update_edit,
        name="condition_update_edit",
    ),
    path(
        ROUND + "workstreams/<int:pk>/",
        views.workstream_update_show,
        name="workstream_update_show",
    ),
    path(
        ROUND + "workstreams/<int:pk>/edit/",
        views.workstream_update_edit,
        name="workstream_update_edit",
    ),
    path(ROUND + "milestones/<int:pk>/", views.milestone_show, name="milestone_show"),
    path(ROUND + "milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    # Issue 18.3: what each workstream is expected to save, by financial year.
    path("councils/<slug:slug>/finance/savings/", views_savings.savings_grid, name="savings_grid"),
    # Issue 19: a workstream's entry in the DSG plan's workstream log.
    path(
        "councils/<slug:slug>/dsg-plan/workstreams/<int:pk>/edit/",
        views_log.workstream_log_edit,
        name="workstream_log_edit",
    ),
]
