"""URLs of the conditions app."""

from django.urls import path  # noqa: F401

app_name = "conditions"

urlpatterns: list = []
