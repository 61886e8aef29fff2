"""URLs of the reports app: the dashboards and portfolio, the return as one page with its
lifecycle, and the PDFs and the Word report."""

from django.urls import path

from reports import views, views_docx, views_lifecycle, views_pdf, views_return, views_tasks
from reports.dsg import urls as dsg_urls
from svmonitor.return_kinds import return_kinds
from svmonitor.sections import SAFETY_VALVE

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

# Every other kind of return (svmonitor/return_kinds.py) has the same round pages, served by the
# same views with the kind in the URL's kwargs: /councils/<slug>/<segment>/<fy>/<n>/...
ROUND_PAGES = (
    ("", views_return.round_detail, "round_detail"),
    ("status/", views_return.round_status, "round_status"),
    ("tasks/", views_tasks.task_list, "task_list"),
    ("tasks/no-change/", views_tasks.tasks_confirm_unchanged, "tasks_confirm_unchanged"),
    ("tasks/<slug:key>/", views_tasks.task_detail, "task_detail"),
    ("tasks/<slug:key>/no-change/", views_tasks.task_confirm_unchanged, "task_confirm_unchanged"),
    ("changes/", views_return.round_changes_view, "round_changes"),
    ("history/<str:section>/<int:pk>/", views_return.section_history_view, "section_history"),
    ("ready/", views_lifecycle.round_ready, "round_ready"),
    ("sign-off/", views_lifecycle.round_sign_off_view, "round_sign_off"),
    ("submit/", views_lifecycle.round_submit, "round_submit"),
    ("reopen/", views_lifecycle.round_reopen_view, "round_reopen"),
)
for _kind in return_kinds():
    if _kind.slug == SAFETY_VALVE:
        continue
    _prefix = f"councils/<slug:slug>/{_kind.url_segment}/<str:fy>/<int:n>/"
    urlpatterns += [
        path(_prefix + suffix, view, {"kind": _kind.slug}, name=_kind.url_name_prefix + name)
        for suffix, view, name in ROUND_PAGES
    ]

# The DSG plan's outputs (issue 19.5): plan.pdf, plan.docx, schools-forum.pdf, .docx.
urlpatterns += dsg_urls.urlpatterns
