"""URLs of the overview app: a return's overview and its three headline lists."""

from django.urls import path

from overview import views

app_name = "overview"

ROUND = "councils/<slug:slug>/rounds/<str:fy>/<int:n>/"

urlpatterns = [
    path(ROUND + "overview/", views.overview_show, name="overview_show"),
    path(ROUND + "overview/edit/", views.overview_edit, name="overview_edit"),
    path(ROUND + "headlines/<str:kind>/", views.headlines_show, name="headlines_show"),
    path(ROUND + "headlines/<str:kind>/edit/", views.headlines_edit, name="headlines_edit"),
]
