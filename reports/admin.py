"""Admin for frozen round snapshots: read-only, because what was signed never changes."""

from django.contrib import admin

from reports.models import RoundSnapshot
from svmonitor.admin import ReadOnlyAdminMixin


@admin.register(RoundSnapshot)
class RoundSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("round", "sha256", "created_at", "created_by")
    list_filter = ("round__agreement__council",)
    search_fields = ("sha256", "round__agreement__council__name")
    list_select_related = ("round__agreement__council", "created_by")
    date_hierarchy = "created_at"
