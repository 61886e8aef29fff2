"""The data feed: /api/ (docs/urls-and-commands.md, docs/power-bi.md)."""

from django.urls import path
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView

from api import views

app_name = "api"

urlpatterns = [
    # The OpenAPI description: field names and types only, no council's data. It takes no
    # credentials, so the middleware cannot tell a signed-in visitor: no-store set here.
    path(
        "schema/",
        never_cache(SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[])),
        name="schema",
    ),
    path("councils/", views.CouncilList.as_view(), name="council_list"),
    path("councils/<slug:slug>/", views.CouncilDetail.as_view(), name="council_detail"),
    path("councils/<slug:slug>/rounds/", views.RoundList.as_view(), name="round_list"),
    path(
        "councils/<slug:slug>/condition-ratings/",
        views.ConditionRatingList.as_view(),
        name="condition_rating_list",
    ),
    path(
        "councils/<slug:slug>/risk-ratings/",
        views.RiskRatingList.as_view(),
        name="risk_rating_list",
    ),
    path("councils/<slug:slug>/measures/", views.MeasureList.as_view(), name="measure_list"),
    path(
        "councils/<slug:slug>/measure-values/",
        views.MeasureValueList.as_view(),
        name="measure_value_list",
    ),
    path(
        "councils/<slug:slug>/finance-lines/",
        views.FinanceLineList.as_view(),
        name="finance_line_list",
    ),
    # The DSG deficit management plan: its own rounds (terms) and figures (views.py says why).
    path(
        "councils/<slug:slug>/dsg-plan/rounds/",
        views.DsgRoundList.as_view(),
        name="dsg_round_list",
    ),
    path(
        "councils/<slug:slug>/dsg-plan/finance-summary/",
        views.DsgFinanceSummaryList.as_view(),
        name="dsg_finance_summary_list",
    ),
    path(
        "councils/<slug:slug>/dsg-plan/finance-figures/",
        views.DsgFinanceFigureList.as_view(),
        name="dsg_finance_figure_list",
    ),
    path(
        "councils/<slug:slug>/dsg-plan/workstreams/",
        views.DsgWorkstreamList.as_view(),
        name="dsg_workstream_list",
    ),
    path(
        "councils/<slug:slug>/dsg-plan/workstream-savings/",
        views.DsgWorkstreamSavingList.as_view(),
        name="dsg_workstream_saving_list",
    ),
    path(
        "councils/<slug:slug>/dsg-plan/cyp/",
        views.DsgCypList.as_view(),
        name="dsg_cyp_list",
    ),
]
