"""The home page at /, under its plain name "home" (sign-in and settings redirect to it), so
it is mounted outside the reports namespace."""

from django.urls import path

from reports import views_home

urlpatterns = [path("", views_home.home, name="home")]
