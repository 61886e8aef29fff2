"""Top-level URLconf."""

from django.contrib import admin
from django.urls import include, path

from svmonitor import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
]
