"""Admin for the risk register (saved through risk_upsert, like the workbook's rows) and each
risk's per-round updates (through risk_update_save, like the browser's)."""

from django.contrib import admin

from risks.models import Risk, RiskUpdate
from risks.services import RISK_UPDATE_FIELDS, risk_update_save, risk_upsert
from svmonitor.admin import SectionInline, admin_inline_register
from svmonitor.admin_audit import AdminDoorMixin, UpsertAdminMixin


@admin.register(Risk)
class RiskAdmin(UpsertAdminMixin, admin.ModelAdmin):
    upsert_service = staticmethod(risk_upsert)
    upsert_row = "risk"
    upsert_parent = "council"
    upsert_versioned = True
    owner_fields = ("council",)
    list_display = ("number", "council", "title", "owner_role", "impact", "likelihood", "score")
    list_filter = ("is_open", "council", "impact", "likelihood")
    search_fields = ("title", "owner_role", "mitigation", "council__name")
    list_select_related = ("council",)
    readonly_fields = ("score", "version")


@admin.register(RiskUpdate)
class RiskUpdateAdmin(AdminDoorMixin, admin.ModelAdmin):
    round_path = "round"
    owner_fields = ("round", "risk")
    service_fields = RISK_UPDATE_FIELDS
    list_display = ("risk", "round", "rag", "impact", "likelihood", "score", "version")
    list_filter = ("rag", "round__status", "round__financial_year", "round__agreement__council")
    search_fields = ("risk__title", "narrative")
    list_select_related = ("risk", "round__agreement__council")
    raw_id_fields = ("round", "risk")
    readonly_fields = ("score", "version", "updated_at", "updated_by")

    def has_add_permission(self, request):
        return False  # opening a round makes a row for every open risk

    def save_through_service(self, request, form, change):
        return risk_update_save(
            update=form.instance,
            expected_version=self.expected_version(form),
            by=request.user,
            **{name: form.cleaned_data[name] for name in RISK_UPDATE_FIELDS},
        )


class RiskUpdateInline(SectionInline):
    model = RiskUpdate
    fields = ("risk", "rag", "narrative", "impact", "likelihood", "score", "version")


admin_inline_register("round", RiskUpdateInline)
