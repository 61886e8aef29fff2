"""Admin for the spine: councils, agreements, rounds and their history (superusers only)."""

from django.contrib import admin
from django.db import models

from conditions.models import AgreementCondition, ConditionUpdate, WorkstreamUpdate
from risks.models import RiskUpdate
from svmonitor.models import (
    Agreement,
    AuditEvent,
    DeficitCap,
    Headline,
    KeyContact,
    LocalAuthority,
    Membership,
    MonitoringTierChange,
    PaymentInstalment,
    RagDefinition,
    ReportingRound,
    RoundEvent,
    RoundOverview,
    SignOff,
)


class ReadOnlyAdminMixin:
    """History is never edited: no add, change or delete, only view."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CouncilListAdminMixin:
    """A changelist filtered and searched by the council its rows belong to (`council_path`),
    which it also joins: the filter and search add it after the class's own."""

    council_path = "council"
    list_select_related: tuple = ()

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), self.council_path)

    def get_search_fields(self, request):
        return (*super().get_search_fields(request), f"{self.council_path}__name")

    def get_list_select_related(self, request):
        return (self.council_path, *super().get_list_select_related(request))


class VersionedAdminMixin:
    """An admin save bumps the row's version, so a form open in the app sees a stale edit."""

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        if hasattr(obj, "updated_by_id"):
            obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class LockedRoundAdminMixin:
    """A section of a return past draft is read-only here too: reopen the round first."""

    def _round_of(self, obj):
        return obj.round if obj is not None and hasattr(obj, "round_id") else None

    def has_change_permission(self, request, obj=None):
        round = self._round_of(obj)
        locked = round is not None and round.is_locked
        return not locked and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        round = self._round_of(obj)
        locked = round is not None and round.is_locked
        return not locked and super().has_delete_permission(request, obj)


class _RoundInlineMixin:
    """Inline under a round: read-only once the round is past draft (obj is the round)."""

    extra = 0
    show_change_link = True

    def _locked(self, obj):
        # obj is the parent: a round, or an overview (whose round decides).
        round = getattr(obj, "round", obj)
        return round is not None and round.is_locked

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


# --- Councils --------------------------------------------------------------------------------


class KeyContactInline(admin.TabularInline):
    model = KeyContact
    extra = 0


class RagDefinitionInline(admin.TabularInline):
    model = RagDefinition
    extra = 0


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "dfe_la_number", "ons_code", "risk_score_threshold")
    list_filter = ("is_fictional",)
    search_fields = ("name", "slug", "dfe_la_number", "ons_code")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [KeyContactInline, RagDefinitionInline]


@admin.register(KeyContact)
class KeyContactAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    list_display = ("job_title", "name", "role", "email", "council")
    list_filter = ("role",)
    search_fields = ("job_title", "name", "email")


@admin.register(RagDefinition)
class RagDefinitionAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    list_display = ("council", "level", "label", "dfe_level")
    list_filter = ("level", "dfe_level")
    search_fields = ("label", "definition")


@admin.register(Membership)
class MembershipAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    list_display = ("user", "council", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("council",)


# --- Agreements ------------------------------------------------------------------------------


class PaymentInstalmentInline(admin.TabularInline):
    model = PaymentInstalment
    extra = 0


class DeficitCapInline(admin.TabularInline):
    model = DeficitCap
    extra = 0


class MonitoringTierChangeInline(admin.TabularInline):
    model = MonitoringTierChange
    extra = 0


class AgreementConditionInline(admin.TabularInline):
    model = AgreementCondition
    extra = 0
    fields = ("label", "title", "order", "in_force_from", "in_force_to")
    show_change_link = True


@admin.register(Agreement)
class AgreementAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    list_display = (
        "council",
        "title",
        "date_signed",
        "first_financial_year",
        "last_financial_year",
        "dfe_contribution",
        "council_contribution",
    )
    search_fields = ("title",)
    date_hierarchy = "date_signed"
    autocomplete_fields = ("council",)
    # Django 6 assumes https for a URL typed without a scheme; opt in now (no deprecation).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [
        AgreementConditionInline,
        PaymentInstalmentInline,
        DeficitCapInline,
        MonitoringTierChangeInline,
    ]


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


@admin.register(MonitoringTierChange)
class MonitoringTierChangeAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    council_path = "agreement__council"
    list_display = ("agreement", "tier", "effective_from")
    list_filter = ("tier",)
    search_fields = ("reason",)


# --- Rounds ----------------------------------------------------------------------------------


class ConditionUpdateInline(_RoundInlineMixin, admin.TabularInline):
    model = ConditionUpdate
    fields = ("condition", "rag", "narrative", "version")
    readonly_fields = ("version",)
    raw_id_fields = ("condition",)


class RiskUpdateInline(_RoundInlineMixin, admin.TabularInline):
    model = RiskUpdate
    fields = ("risk", "rag", "narrative", "impact", "likelihood", "score", "version")
    readonly_fields = ("score", "version")
    raw_id_fields = ("risk",)


class WorkstreamUpdateInline(_RoundInlineMixin, admin.TabularInline):
    model = WorkstreamUpdate
    fields = ("workstream", "rag", "narrative", "version")
    readonly_fields = ("version",)
    raw_id_fields = ("workstream",)


class SignOffInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SignOff
    extra = 0
    fields = ("capacity", "signed_by", "signed_at", "snapshot_sha256", "voided_at", "void_reason")
    readonly_fields = fields


class RoundEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RoundEvent
    extra = 0
    fields = ("at", "action", "from_status", "to_status", "by", "reason")
    readonly_fields = fields
    ordering = ("at",)


@admin.register(ReportingRound)
class ReportingRoundAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    council_path = "agreement__council"
    list_display = (
        "__str__",
        "financial_year",
        "update_number",
        "status",
        "due_date",
        "data_as_at",
        "submitted_on",
    )
    list_filter = ("status", "financial_year", "update_number")
    search_fields = ("agreement__title",)
    # The lifecycle moves only through svmonitor.services, which records events and sign-offs.
    readonly_fields = (
        "status",
        "ready_at",
        "ready_by",
        "submitted_on",
        "submitted_recorded_by",
        "version",
    )
    raw_id_fields = ("agreement",)
    inlines = [
        ConditionUpdateInline,
        RiskUpdateInline,
        WorkstreamUpdateInline,
        SignOffInline,
        RoundEventInline,
    ]

    def save_formset(self, request, form, formset, change):
        # Inline saves bump versions like the services do, so stale app forms are refused.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj.pk is not None and hasattr(obj, "version"):
                obj.version += 1
            if hasattr(obj, "updated_by_id"):
                obj.updated_by = request.user
            obj.save()
        formset.save_m2m()


class HeadlineInline(_RoundInlineMixin, admin.TabularInline):
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


# --- History: read-only ----------------------------------------------------------------------


@admin.register(SignOff)
class SignOffAdmin(CouncilListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    council_path = "round__agreement__council"
    list_display = ("round", "capacity", "signed_by", "signed_at", "voided_at")
    list_filter = ("capacity",)
    search_fields = ("signed_by__username", "snapshot_sha256")
    list_select_related = ("signed_by",)
    date_hierarchy = "signed_at"


@admin.register(RoundEvent)
class RoundEventAdmin(CouncilListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    council_path = "round__agreement__council"
    list_display = ("round", "action", "from_status", "to_status", "by", "at")
    list_filter = ("action", "to_status")
    search_fields = ("reason", "by__username")
    list_select_related = ("by",)
    date_hierarchy = "at"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "username", "action", "council", "object_type", "object_repr")
    list_filter = ("action", "object_type", "council")
    search_fields = ("username", "action", "object_repr", "object_id", "ip_address")
    list_select_related = ("council", "user")
    date_hierarchy = "at"
