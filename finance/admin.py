"""Admin for payments, deficit caps and finance lines."""

from django.contrib import admin

from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from svmonitor.admin import CouncilListAdminMixin, VersionedAdminMixin, admin_inline_register


class PaymentInstalmentInline(admin.TabularInline):
    model = PaymentInstalment
    extra = 0


class DeficitCapInline(admin.TabularInline):
    model = DeficitCap
    extra = 0


admin_inline_register("agreement", PaymentInstalmentInline)
admin_inline_register("agreement", DeficitCapInline)


@admin.register(PaymentInstalment)
class PaymentInstalmentAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    council_path = "agreement__council"
    list_display = ("agreement", "due_date", "amount", "status", "status_date")
    list_filter = ("status",)
    search_fields = ("note",)
    date_hierarchy = "due_date"


@admin.register(DeficitCap)
class DeficitCapAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    council_path = "agreement__council"
    list_display = ("agreement", "financial_year", "cap")
    list_filter = ("financial_year",)


@admin.register(FinanceLine)
class FinanceLineAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = (
        "agreement",
        "financial_year",
        "scenario",
        "in_year_position",
        "cumulative_deficit",
        "reflects",
    )
    list_filter = ("scenario", "financial_year", "agreement__council")
    search_fields = ("reflects", "agreement__council__name")
    list_select_related = ("agreement__council",)
    readonly_fields = ("version",)
