"""Admin for payments, deficit caps and finance lines, each saved through finance.services:
finance lines as the browser saves them, payments and caps as the workbook does."""

from django.contrib import admin

from finance.models import (
    DeficitCap,
    DsgPlanFigure,
    DsgPlanLine,
    FinanceLine,
    ForecastReview,
    PaymentInstalment,
)
from finance.services import (
    FINANCE_FIELDS,
    deficit_cap_upsert,
    finance_line_create,
    finance_line_save,
    payment_instalment_upsert,
)
from finance.services_dsg import dsg_plan_figure_save
from svmonitor.admin import CouncilListAdminMixin, ReadOnlyAdminMixin, admin_inline_register
from svmonitor.admin_audit import (
    AdminDoorMixin,
    AuditedInlineMixin,
    UpsertAdminMixin,
    UpsertServiceMixin,
)


class PaymentServices:
    upsert_service = staticmethod(payment_instalment_upsert)
    upsert_row = "payment"
    upsert_parent = "agreement"


class DeficitCapServices:
    upsert_service = staticmethod(deficit_cap_upsert)
    upsert_row = "deficit_cap"
    upsert_parent = "agreement"


class PaymentInstalmentInline(
    PaymentServices, UpsertServiceMixin, AuditedInlineMixin, admin.TabularInline
):
    model = PaymentInstalment
    extra = 0


class DeficitCapInline(
    DeficitCapServices, UpsertServiceMixin, AuditedInlineMixin, admin.TabularInline
):
    model = DeficitCap
    extra = 0


admin_inline_register("agreement", PaymentInstalmentInline)
admin_inline_register("agreement", DeficitCapInline)


@admin.register(PaymentInstalment)
class PaymentInstalmentAdmin(
    PaymentServices, UpsertAdminMixin, CouncilListAdminMixin, admin.ModelAdmin
):
    council_path = "agreement__council"
    owner_fields = ("agreement",)
    list_display = ("agreement", "due_date", "amount", "status", "status_date")
    list_filter = ("status",)
    search_fields = ("note",)
    date_hierarchy = "due_date"


@admin.register(DeficitCap)
class DeficitCapAdmin(
    DeficitCapServices, UpsertAdminMixin, CouncilListAdminMixin, admin.ModelAdmin
):
    council_path = "agreement__council"
    owner_fields = ("agreement",)
    list_display = ("agreement", "financial_year", "cap")
    list_filter = ("financial_year",)


@admin.register(FinanceLine)
class FinanceLineAdmin(AdminDoorMixin, admin.ModelAdmin):
    owner_fields = ("agreement", "financial_year", "scenario")
    service_fields = ("agreement", "financial_year", "scenario", *FINANCE_FIELDS)
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

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        figures = {name: data[name] for name in FINANCE_FIELDS}
        if change:
            return finance_line_save(
                line=form.instance,
                expected_version=self.expected_version(form),
                by=request.user,
                **figures,
            )
        return finance_line_create(
            agreement=data["agreement"],
            financial_year=data["financial_year"],
            scenario=data["scenario"],
            by=request.user,
            **figures,
        )


@admin.register(ForecastReview)
class ForecastReviewAdmin(CouncilListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Made only by the finance services (a forecast saved or confirmed for a draft return);
    read here, never edited."""

    council_path = "round__agreement__council"
    list_display = ("round", "how", "reviewed_by", "reviewed_at")
    list_filter = ("how",)
    list_select_related = ("round__agreement__council", "reviewed_by")


@admin.register(DsgPlanFigure)
class DsgPlanFigureAdmin(AdminDoorMixin, admin.ModelAdmin):
    """A DSG plan figure, saved through finance.services_dsg as the grid saves it (so the
    Safety Valve finance lines follow)."""

    owner_fields = ("line", "financial_year", "scenario")
    service_fields = ("line", "financial_year", "scenario", "amount")
    list_display = ("line", "financial_year", "scenario", "amount")
    list_filter = ("scenario", "line__block", "line__agreement__council")
    list_select_related = ("line__agreement__council",)
    readonly_fields = ("version",)

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        line = data["line"] if not change else form.instance.line
        return dsg_plan_figure_save(
            line=line,
            financial_year=data["financial_year"] if not change else form.instance.financial_year,
            scenario=data["scenario"] if not change else form.instance.scenario,
            amount=data["amount"],
            expected_version=self.expected_version(form) if change else 0,
            by=request.user,
        )


@admin.register(DsgPlanLine)
class DsgPlanLineAdmin(CouncilListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Made by the DSG plan services when a figure is first saved on a line; read here."""

    council_path = "agreement__council"
    list_display = ("agreement", "block", "kind", "name", "position")
    list_filter = ("block", "kind")
