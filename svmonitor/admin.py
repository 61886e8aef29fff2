"""Admin for the spine: councils, agreements, rounds and their history (superusers only)."""

from django.contrib import admin
from django.db import models

from svmonitor.models import (
    Agreement,
    AuditEvent,
    KeyContact,
    LocalAuthority,
    Membership,
    MonitoringTierChange,
    RagDefinition,
    ReportingRound,
    RoundEvent,
    SignOff,
)

# Inlines that apps above the spine add under an agreement or a round (their admin.py calls
# admin_inline_register), so the spine's admin never imports them.
_REGISTERED_INLINES: dict[str, list] = {"agreement": [], "round": []}


def admin_inline_register(parent: str, inline) -> None:
    """Show `inline` under every agreement ("agreement") or round ("round") in the admin."""
    if inline not in _REGISTERED_INLINES[parent]:
        _REGISTERED_INLINES[parent].append(inline)


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


class RoundInlineMixin:
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


class MonitoringTierChangeInline(admin.TabularInline):
    model = MonitoringTierChange
    extra = 0


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
    inlines = [MonitoringTierChangeInline]

    def get_inlines(self, request, obj):
        # The apps that own an agreement's conditions and payments add their inlines.
        return [*self.inlines, *_REGISTERED_INLINES["agreement"]]


@admin.register(MonitoringTierChange)
class MonitoringTierChangeAdmin(CouncilListAdminMixin, admin.ModelAdmin):
    council_path = "agreement__council"
    list_display = ("agreement", "tier", "effective_from")
    list_filter = ("tier",)
    search_fields = ("reason",)


# --- Rounds ----------------------------------------------------------------------------------


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
    inlines = [SignOffInline, RoundEventInline]

    def get_inlines(self, request, obj):
        # The apps that own a return's sections add their inlines (before the history).
        return [*_REGISTERED_INLINES["round"], *self.inlines]

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
