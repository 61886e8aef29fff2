"""Admin for a return's overview and headlines."""

from django.contrib import admin

from overview.models import Headline, RoundOverview
from svmonitor.admin import (
    CouncilListAdminMixin,
    LockedRoundAdminMixin,
    RoundInlineMixin,
    VersionedAdminMixin,
)


class HeadlineInline(RoundInlineMixin, admin.TabularInline):
    model = Headline
    max_num = 9
    show_change_link = False
    fields = ("kind", "position", "text")
    ordering = ("kind", "position")


@admin.register(RoundOverview)
class RoundOverviewAdmin(
    CouncilListAdminMixin, LockedRoundAdminMixin, VersionedAdminMixin, admin.ModelAdmin
):
    council_path = "round__agreement__council"
    list_display = (
        "round",
        "overall_rag",
        "deficit_this_year_on_track",
        "zero_deficit_on_track",
        "capital_project_on_track",
        "adviser_support_requested",
        "updated_at",
    )
    list_filter = ("overall_rag", "adviser_support_requested")
    search_fields = ("overall_narrative",)
    readonly_fields = ("version", "updated_at", "updated_by")
    raw_id_fields = ("round",)
    inlines = [HeadlineInline]


@admin.register(Headline)
class HeadlineAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    council_path = "overview__round__agreement__council"
    list_display = ("overview", "kind", "position", "text")
    list_filter = ("kind",)
    search_fields = ("text",)
    raw_id_fields = ("overview",)
