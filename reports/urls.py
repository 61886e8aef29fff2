"""URLs of the reports app: the dashboards and portfolio, the return as one page with its
lifecycle, and the PDFs and the Word report."""

from django.urls import path

from reports import views, views_docx, views_lifecycle, views_pdf, views_return, views_tasks

app_name = "reports"

# A round is named by council, financial year ("2024-25") and update (1, 2 or 3).
ROUND = "councils/<slug:slug>/rounds/<str:fy>/<int:n>/"

urlpatterns = [
    path("councils/", views.council_list, name="council_list"),
    path("councils/<slug:slug>/", views.council_dashboard, name="council_dashboard"),
    path(
        "councils/<slug:slug>/dashboard/<slug:part>/",
        views.council_dashboard_part,
        name="council_dashboard_part",
    ),
    path(
        "councils/<slug:slug>/measures/<str:code>/",
        views.council_measure,
        name="council_measure",
    ),
    path("portfolio/", views.portfolio, name="portfolio"),
    path(ROUND + "report.pdf", views_pdf.report_pdf, name="report_pdf"),
    path(ROUND + "report.docx", views_docx.report_docx, name="report_docx"),
    path("councils/<slug:slug>/board-pack.pdf", views_pdf.board_pack_pdf, name="board_pack_pdf"),
    # The return and its lifecycle.
    path("councils/<slug:slug>/rounds/", views_lifecycle.round_list, name="round_list"),
    path("councils/<slug:slug>/rounds/open/", views_lifecycle.round_open, name="round_open"),
    path(
        "councils/<slug:slug>/rounds/sharing/",
        views_lifecycle.round_drafts_sharing,
        name="round_drafts_sharing",
    ),
    path(ROUND, views_return.round_detail, name="round_detail"),
    path(ROUND + "status/", views_return.round_status, name="round_status"),
    # A draft return as a task list: each task's page, "No change this quarter".
    path(ROUND + "tasks/", views_tasks.task_list, name="task_list"),
    path(
        ROUND + "tasks/no-change/",
        views_tasks.tasks_confirm_unchanged,
        name="tasks_confirm_unchanged",
    ),
    path(ROUND + "tasks/<slug:key>/", views_tasks.task_detail, name="task_detail"),
    path(
        ROUND + "tasks/<slug:key>/no-change/",
        views_tasks.task_confirm_unchanged,
        name="task_confirm_unchanged",
    ),
    path(
        ROUND + "tasks/<slug:key>/suggestions/<slug:outcome>/",
        views_tasks.task_suggestion_decide,
        name="task_suggestion_decide",
    ),
    path(ROUND + "changes/", views_return.round_changes_view, name="round_changes"),
    path(
        ROUND + "history/<str:section>/<int:pk>/",
        views_return.section_history_view,
        name="section_history",
    ),
    path(ROUND + "ready/", views_lifecycle.round_ready, name="round_ready"),
    path(ROUND + "sign-off/", views_lifecycle.round_sign_off_view, name="round_sign_off"),
    path(ROUND + "submit/", views_lifecycle.round_submit, name="round_submit"),
    path(ROUND + "reopen/", views_lifecycle.round_reopen_view, name="round_reopen"),
]
