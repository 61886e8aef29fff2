"""Admin for the risk register and each risk's per-round updates."""

from django.contrib import admin

from risks.models import Risk, RiskUpdate
from svmonitor.admin import (
    LockedRoundAdminMixin,
    RoundInlineMixin,
    VersionedAdminMixin,
    admin_inline_register,
)


@admin.register(Risk)
class RiskAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "council", "title", "owner_role", "impact", "likelihood", "score")
    list_filter = ("is_open", "council", "impact", "likelihood")
    search_fields = ("title", "owner_role", "mitigation", "council__name")
    list_select_related = ("council",)
    readonly_fields = ("score", "version")


@admin.register(RiskUpdate)
class RiskUpdateAdmin(LockedRoundAdminMixin, VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("risk", "round", "rag", "impact", "likelihood", "score", "version")
    list_filter = ("rag", "round__status", "round__financial_year", "round__agreement__council")
    search_fields = ("risk__title", "narrative")
    list_select_related = ("risk", "round__agreement__council")
    raw_id_fields = ("round", "risk")
    readonly_fields = ("score", "version", "updated_at", "updated_by")


class RiskUpdateInline(RoundInlineMixin, admin.TabularInline):
    model = RiskUpdate
    fields = ("risk", "rag", "narrative", "impact", "likelihood", "score", "version")
    readonly_fields = ("score", "version")
    raw_id_fields = ("risk",)


admin_inline_register("round", RiskUpdateInline)
