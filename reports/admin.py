"""Admin for frozen round snapshots and the PDFs made from them: read-only, because what was
signed and sent never changes."""

from django.contrib import admin

from reports.models import DriftDecision, PortfolioEntry, ReportFile, RoundSnapshot
from svmonitor.admin import ReadOnlyAdminMixin


@admin.register(RoundSnapshot)
class RoundSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("round", "sha256", "created_at", "created_by")
    list_filter = ("round__agreement__council",)
    search_fields = ("sha256", "round__agreement__council__name")
    list_select_related = ("round__agreement__council", "created_by")
    date_hierarchy = "created_at"


@admin.register(ReportFile)
class ReportFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("round", "kind", "round_version", "pages", "size", "sha256", "created_at")
    list_filter = ("kind", "round__agreement__council")
    search_fields = ("sha256", "round__agreement__council__name")
    list_select_related = ("round__agreement__council",)
    date_hierarchy = "created_at"


@admin.register(DriftDecision)
class DriftDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a decision on a drift suggestion is made on the task page, through its
    service (reports.drift.services), and is part of the section's history."""

    list_display = ("round", "section", "section_pk", "measure", "outcome", "decided_by")
    list_filter = ("outcome", "section", "round__agreement__council")
    search_fields = ("suggestion", "evidence", "round__agreement__council__name")
    list_select_related = ("round__agreement__council", "measure", "decided_by")
    date_hierarchy = "decided_at"


@admin.register(PortfolioEntry)
class PortfolioEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a council's portfolio row is derived from its record, built again by the
    portfolio after any write to the council (reports.portfolio)."""

    list_display = ("council", "data_version", "built_on")
    search_fields = ("council__name",)
    list_select_related = ("council",)
