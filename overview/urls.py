"""URLs of the overview app: a return's overview and its three headline lists; a DSG plan
round's texts and governance."""

from django.urls import path

from overview import views, views_dsg

app_name = "overview"

ROUND = "councils/<slug:slug>/rounds/<str:fy>/<int:n>/"
DSG_ROUND = "councils/<slug:slug>/dsg-plan/<str:fy>/<int:n>/"

urlpatterns = [
    path(ROUND + "overview/", views.overview_show, name="overview_show"),
    path(ROUND + "overview/edit/", views.overview_edit, name="overview_edit"),
    path(ROUND + "headlines/<str:kind>/", views.headlines_show, name="headlines_show"),
    path(ROUND + "headlines/<str:kind>/edit/", views.headlines_edit, name="headlines_edit"),
    path(DSG_ROUND + "text/<slug:topic>/edit/", views_dsg.dsg_text_edit, name="dsg_text_edit"),
    path(DSG_ROUND + "governance/edit/", views_dsg.dsg_governance_edit, name="dsg_governance_edit"),
]
