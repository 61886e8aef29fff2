"""URLs of the risks app: a risk's section of a return."""

from django.urls import path

from risks import views

app_name = "risks"

ROUND = "councils/<slug:slug>/rounds/<str:fy>/<int:n>/"

urlpatterns = [
    path(ROUND + "risks/<int:pk>/", views.risk_update_show, name="risk_update_show"),
    path(ROUND + "risks/<int:pk>/edit/", views.risk_update_edit, name="risk_update_edit"),
]
