"""URLs of background jobs' pages (svmonitor/job_views.py)."""

from django.urls import path

from svmonitor import job_views

app_name = "jobs"

urlpatterns = [
    path("<uuid:job_id>/", job_views.job_status, name="job_status"),
    path("<uuid:job_id>/result/", job_views.job_result, name="job_result"),
]
