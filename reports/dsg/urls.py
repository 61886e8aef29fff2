"""The DSG round's output URLs, added to reports/urls.py: /councils/<slug>/dsg-plan/<fy>/<n>/
plan.pdf, plan.docx, schools-forum.pdf, schools-forum.docx."""

from django.urls import path

from reports.dsg import views

DSG_ROUND = "councils/<slug:slug>/dsg-plan/<str:fy>/<int:n>/"

urlpatterns = [
    path(DSG_ROUND + "plan.pdf", views.dsg_plan_pdf, name="dsg_plan_pdf"),
    path(DSG_ROUND + "plan.docx", views.dsg_plan_docx, name="dsg_plan_docx"),
    path(
        DSG_ROUND + "schools-forum.pdf", views.dsg_schools_forum_pdf, name="dsg_schools_forum_pdf"
    ),
    path(
        DSG_ROUND + "schools-forum.docx",
        views.dsg_schools_forum_docx,
        name="dsg_schools_forum_docx",
    ),
]
