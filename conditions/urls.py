"""URLs of the conditions app: the quarterly return, its sections and its lifecycle."""

from django.urls import path

from conditions import views, views_lifecycle, views_overview

app_name = "conditions"

# A round is named by council, financial year ("2024-25") and update (1, 2 or 3).
ROUND = "councils/<slug:slug>/rounds/<str:fy>/<int:n>/"


def _rated(segment: str, kind: str) -> list:
    """A rated section's show and edit URLs (conditions:condition_update_edit and so on): the
    three kinds share one pair of views, and `kind` says which."""
    base = f"{ROUND}{segment}/<int:pk>/"
    return [
        path(base, views.rated_section_show, {"kind": kind}, name=f"{kind}_update_show"),
        path(base + "edit/", views.rated_section_edit, {"kind": kind}, name=f"{kind}_update_edit"),
    ]


urlpatterns = [
    path("councils/<slug:slug>/rounds/", views_lifecycle.round_list, name="round_list"),
    path("councils/<slug:slug>/rounds/open/", views_lifecycle.round_open, name="round_open"),
    path(ROUND, views.round_detail, name="round_detail"),
    path(ROUND + "status/", views.round_status, name="round_status"),
    path(ROUND + "changes/", views.round_changes_view, name="round_changes"),
    path(
        ROUND + "history/<str:section>/<int:pk>/",
        views.section_history_view,
        name="section_history",
    ),
    *_rated("conditions", "condition"),
    *_rated("risks", "risk"),
    *_rated("workstreams", "workstream"),
    path(ROUND + "milestones/<int:pk>/", views_overview.milestone_show, name="milestone_show"),
    path(ROUND + "milestones/<int:pk>/edit/", views_overview.milestone_edit, name="milestone_edit"),
    path(ROUND + "overview/", views_overview.overview_show, name="overview_show"),
    path(ROUND + "overview/edit/", views_overview.overview_edit, name="overview_edit"),
    path(ROUND + "headlines/<str:kind>/", views_overview.headlines_show, name="headlines_show"),
    path(
        ROUND + "headlines/<str:kind>/edit/", views_overview.headlines_edit, name="headlines_edit"
    ),
    path(ROUND + "ready/", views_lifecycle.round_ready, name="round_ready"),
    path(ROUND + "sign-off/", views_lifecycle.round_sign_off_view, name="round_sign_off"),
    path(ROUND + "submit/", views_lifecycle.round_submit, name="round_submit"),
    path(ROUND + "reopen/", views_lifecycle.round_reopen_view, name="round_reopen"),
]
