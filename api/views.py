"""The data feed's views: read-only lists of rows, JSON or CSV, a page at a time.

Each view finds the council among the token's (another council's is 404), the rounds the
token's user may read, and builds its rows from those rounds' records (api/selectors.py).
Every request, refused or not, is recorded once against its token (api_token_used).

The Safety Valve return's resources sit under /api/councils/<slug>/; the DSG deficit
management plan's under /api/councils/<slug>/dsg-plan/, each its own table with its own round
keys (a council running both has a 2025-26/2 of each), read the same way (`kind`).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer

from api import selectors
from api.auth import TokenAuthentication
from api.models import ApiToken
from api.pagination import FeedPagination
from api.renderers import CSVRenderer
from api.serializers import (
    ConditionRatingSerializer,
    CouncilSerializer,
    DsgCypSerializer,
    DsgFinanceFigureSerializer,
    DsgFinanceSummarySerializer,
    DsgWorkstreamSavingSerializer,
    DsgWorkstreamSerializer,
    FinanceLineSerializer,
    MeasureSerializer,
    MeasureValueSerializer,
    RiskRatingSerializer,
    RoundSerializer,
)
from api.services import api_token_used
from svmonitor.sections import DSG_PLAN, SAFETY_VALVE

ROUND_PARAMETER = OpenApiParameter(
    "round",
    OpenApiTypes.STR,
    description="A round as financial year and update, e.g. 2024-25/3. Not in that form: 400 "
    "naming the parameter; not one the token reads: 404.",
)
FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "csv"], description="csv: the same rows as CSV"
)


class FeedMixin:
    """Token only, read only, JSON or CSV; every request recorded against its token."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = FeedPagination
    council = None
    # Which kind of return's rounds the view reads (svmonitor/return_kinds.py).
    kind = SAFETY_VALVE

    @property
    def token(self) -> ApiToken:
        return self.request.auth

    def find_council(self):
        self.council = selectors.feed_council(self.token, self.kwargs["slug"])
        return self.council

    def readable_rounds(self, council):
        """The council's rounds of the view's kind that the token reads."""
        return selectors.feed_rounds(self.token, council, self.kind)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(request.auth, ApiToken):
            api_token_used(
                token=request.auth,
                request=request,
                council=self.council,
                status=response.status_code,
            )
        # What one token may read is not for a shared cache to keep.
        response["Cache-Control"] = "private, no-store"
        return response


class FeedView(FeedMixin, ListAPIView):
    """A list; the subclass builds its rows (dicts in a fixed order, which the pages slice)."""

    def rows(self) -> list[dict]:
        raise NotImplementedError

    def get_queryset(self):
        return self.rows()

    def list(self, request, *args, **kwargs):
        # The rows are JSON-ready already, in the serializer's fields and order (a test holds
        # them to it): the serializer describes them in the OpenAPI description, and running
        # it over 5,000 rows a page would cost more than building them.
        return self.get_paginated_response(self.paginate_queryset(self.rows()))


@extend_schema(parameters=[FORMAT_PARAMETER])
class CouncilList(FeedView):
    """The councils this token reads."""

    serializer_class = CouncilSerializer

    def rows(self):
        return list(
            selectors.feed_councils(self.token).values("slug", "name", "dfe_la_number", "ons_code")
        )


@extend_schema(parameters=[FORMAT_PARAMETER])
class CouncilDetail(FeedMixin, RetrieveAPIView):
    """One council."""

    serializer_class = CouncilSerializer

    def get_object(self):
        return self.find_council()


@extend_schema(parameters=[FORMAT_PARAMETER])
class RoundList(FeedView):
    """The council's returns this token reads, with status and dates (drafts only where the
    token's user reads drafts)."""

    serializer_class = RoundSerializer

    def rows(self):
        council = self.find_council()
        return selectors.round_rows(council, self.readable_rounds(council))


class _PerRound(FeedView):
    """Rows of every readable round, or of the one `?round=` names."""

    def rounds(self):
        council = self.find_council()
        rounds = self.readable_rounds(council)
        key = self.request.query_params.get("round")
        return council, ([selectors.feed_round(rounds, key)] if key else rounds)


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class ConditionRatingList(_PerRound):
    """Each agreement condition's RAG and narrative in each round, as the round's record has it."""

    serializer_class = ConditionRatingSerializer

    def rows(self):
        return selectors.condition_rating_rows(*self.rounds())


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class RiskRatingList(_PerRound):
    """Each risk's rating and narrative in each round, as the round's record has it."""

    serializer_class = RiskRatingSerializer

    def rows(self):
        return selectors.risk_rating_rows(*self.rounds())


class _AsOfRound(FeedView):
    """Rows as one round's record has them: `?round=`, else the latest the token reads."""

    def round(self):
        council = self.find_council()
        rounds = self.readable_rounds(council)
        return council, selectors.feed_round(rounds, self.request.query_params.get("round"))


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class MeasureList(_AsOfRound):
    """The key measures, as the round's record has them."""

    serializer_class = MeasureSerializer

    def rows(self):
        return selectors.measure_rows(*self.round())


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class MeasureValueList(_AsOfRound):
    """Every figure in long form (one row per measure, series and period), as the round's
    record has them."""

    serializer_class = MeasureValueSerializer

    def rows(self):
        return selectors.measure_value_rows(*self.round())


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class FinanceLineList(_AsOfRound):
    """High Needs Block finance lines per financial year and scenario, with the deficit cap,
    as the round's record has them."""

    serializer_class = FinanceLineSerializer

    def rows(self):
        return selectors.finance_line_rows(*self.round())


# --- the DSG deficit management plan ----------------------------------------------------------


@extend_schema(parameters=[FORMAT_PARAMETER])
class DsgRoundList(RoundList):
    """The council's DSG deficit management plan updates this token reads, with status and dates
    (drafts only where the token's user reads drafts)."""

    kind = DSG_PLAN


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class DsgFinanceSummaryList(_AsOfRound):
    """The DSG plan's balances per block (and the whole DSG), scenario and financial year:
    allocation, income, expenditure, in-year position, balances brought and carried forward,
    as the DSG plan update's record has them (`?round=`, else the latest the token reads)."""

    kind = DSG_PLAN
    serializer_class = DsgFinanceSummarySerializer

    def rows(self):
        return selectors.dsg_finance_summary_rows(*self.round())


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class DsgFinanceFigureList(_AsOfRound):
    """Every figure of the DSG plan in long form (one row per block, line, scenario and
    financial year), as the DSG plan update's record has them."""

    kind = DSG_PLAN
    serializer_class = DsgFinanceFigureSerializer

    def rows(self):
        return selectors.dsg_finance_figure_rows(*self.round())


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class DsgWorkstreamList(_AsOfRound):
    """The DSG plan's workstream log: each workstream's area, lead, dates, status, the plan line
    it affects and its total saving, as the DSG plan update's record has it."""

    kind = DSG_PLAN
    serializer_class = DsgWorkstreamSerializer

    def rows(self):
        return selectors.dsg_workstream_rows(*self.round())


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class DsgWorkstreamSavingList(_AsOfRound):
    """Each workstream's saving per financial year (long form), as the DSG plan update's
    record has it."""

    kind = DSG_PLAN
    serializer_class = DsgWorkstreamSavingSerializer

    def rows(self):
        return selectors.dsg_workstream_saving_rows(*self.round())


@extend_schema(parameters=[ROUND_PARAMETER, FORMAT_PARAMETER])
class DsgCypList(_AsOfRound):
    """Children and young people with EHC plans by census year, placement and age group or
    primary need (long form), as the DSG plan update's record has them."""

    kind = DSG_PLAN
    serializer_class = DsgCypSerializer

    def rows(self):
        return selectors.dsg_cyp_rows(*self.round())
