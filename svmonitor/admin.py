"""Admin for the spine: councils, agreements, rounds and their history (superusers only)."""

from django import forms
from django.contrib import admin
from django.db import models

from svmonitor.admin_audit import (
    NO_SERVICE,
    AdminDoorForm,
    AdminDoorMixin,
    AuditedInlineMixin,
    UpsertAdminMixin,
    UpsertServiceMixin,
    service_values,
)
from svmonitor.models import (
    AccountSettings,
    Agreement,
    AuditEvent,
    BackgroundJob,
    ImportPreview,
    KeyContact,
    LocalAuthority,
    Membership,
    MonitoringTierChange,
    PendingSubmission,
    RagDefinition,
    ReminderSent,
    RenderSlot,
    ReportingRound,
    RoundEvent,
    SignOff,
)
from svmonitor.return_kinds import return_kind_choices
from svmonitor.services import round_open_next
from svmonitor.services.council import (
    agreement_upsert,
    council_create,
    council_drafts_sharing_set,
    council_save,
    key_contact_delete,
    key_contact_upsert,
    monitoring_tier_upsert,
    rag_definition_upsert,
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


class SectionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A part of a return listed under it (a round's sections, an overview's headlines, a
    workstream's milestones): each row is edited on its own page, which saves through its
    service (version check, rules, history); a locked round's pages are read-only."""

    extra = 0
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields


# --- Councils (saved through svmonitor.services.council, as the workbook saves them) -----------


class KeyContactServices:
    upsert_service = staticmethod(key_contact_upsert)
    delete_service = staticmethod(key_contact_delete)
    upsert_row = "contact"
    upsert_parent = "council"


class RagDefinitionServices:
    upsert_service = staticmethod(rag_definition_upsert)
    upsert_row = "rag_definition"
    upsert_parent = "council"


class KeyContactInline(
    KeyContactServices, UpsertServiceMixin, AuditedInlineMixin, admin.TabularInline
):
    model = KeyContact
    extra = 0


class RagDefinitionInline(
    RagDefinitionServices, UpsertServiceMixin, AuditedInlineMixin, admin.TabularInline
):
    model = RagDefinition
    extra = 0


class LocalAuthorityAdminForm(AdminDoorForm):
    """The council's settings, with the kinds of return it runs as tick boxes."""

    return_kinds = forms.MultipleChoiceField(
        choices=return_kind_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The kinds of return the council runs.",
    )

    class Meta:
        model = LocalAuthority
        fields = "__all__"


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(UpsertAdminMixin, admin.ModelAdmin):
    form = LocalAuthorityAdminForm
    list_display = (
        "name",
        "slug",
        "dfe_la_number",
        "ons_code",
        "risk_register",
        "risk_score_threshold",
    )
    list_filter = ("is_fictional",)
    search_fields = ("name", "slug", "dfe_la_number", "ons_code")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [KeyContactInline, RagDefinitionInline]

    def upsert(self, request, form, *, parent, instance, expected_version=None):
        values, _ = service_values(form, change=instance is not None)
        if instance is None:
            return council_create(by=request.user, **values)
        # Sharing drafts with DfE is the council's choice, with a service of its own.
        shared = values.pop("drafts_shared_with_dfe", None)
        stored = LocalAuthority.objects.get(pk=instance.pk)
        council = council_save(council=instance, by=request.user, **values)
        if shared is not None and shared != stored.drafts_shared_with_dfe:
            council = council_drafts_sharing_set(council=council, shared=shared, by=request.user)
        return council


@admin.register(KeyContact)
class KeyContactAdmin(
    KeyContactServices, UpsertAdminMixin, CouncilListAdminMixin, admin.ModelAdmin
):
    owner_fields = ("council",)
    list_display = ("job_title", "name", "role", "email", "council")
    list_filter = ("role",)
    search_fields = ("job_title", "name", "email")


@admin.register(RagDefinition)
class RagDefinitionAdmin(
    RagDefinitionServices, UpsertAdminMixin, CouncilListAdminMixin, admin.ModelAdmin
):
    owner_fields = ("council",)
    list_display = ("council", "level", "label", "dfe_level")
    list_filter = ("level", "dfe_level")
    search_fields = ("label", "definition")


@admin.register(Membership)
class MembershipAdmin(AdminDoorMixin, CouncilListAdminMixin, admin.ModelAdmin):
    audit_writes = False  # svmonitor.signals records every role granted, changed or revoked
    list_display = ("user", "council", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("council",)


# --- Agreements ------------------------------------------------------------------------------


class MonitoringTierServices:
    upsert_service = staticmethod(monitoring_tier_upsert)
    upsert_row = "change"
    upsert_parent = "agreement"


class MonitoringTierChangeInline(
    MonitoringTierServices, UpsertServiceMixin, AuditedInlineMixin, admin.TabularInline
):
    model = MonitoringTierChange
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(UpsertAdminMixin, CouncilListAdminMixin, admin.ModelAdmin):
    upsert_service = staticmethod(agreement_upsert)
    upsert_row = "agreement"
    upsert_parent = "council"
    # Moving an agreement would move its rounds, frozen reports included, to another council.
    owner_fields = ("council",)
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
class MonitoringTierChangeAdmin(
    MonitoringTierServices, UpsertAdminMixin, CouncilListAdminMixin, admin.ModelAdmin
):
    council_path = "agreement__council"
    owner_fields = ("agreement",)
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
class ReportingRoundAdmin(AdminDoorMixin, CouncilListAdminMixin, admin.ModelAdmin):
    council_path = "agreement__council"
    round_path = ""
    # A round's identity is set when it is opened (carrying the previous round forward); moving
    # it to another agreement would hand its frozen report to another council.
    owner_fields = ("agreement", "financial_year", "update_number")
    service_fields = ("agreement", "financial_year", "update_number")
    bump_version = False  # the round's version counts lifecycle moves (ReportFile.round_version)
    list_display = (
        "__str__",
        "financial_year",
        "update_number",
        "status",
        "due_date",
        "data_as_at",
        "submitted_on",
        "origin",
    )
    list_filter = ("status", "origin", "financial_year", "update_number")
    search_fields = ("agreement__title",)
    # The lifecycle moves only through svmonitor.services, which records events and sign-offs.
    readonly_fields = (
        "status",
        "ready_at",
        "ready_by",
        "submitted_on",
        "submitted_recorded_by",
        "version",
        # A return submitted before svmonitor is imported by workbook and frozen there.
        "origin",
        "imported_at",
        "imported_by",
        "imported_from",
        "council_sign_offs",
    )
    raw_id_fields = ("agreement",)
    inlines = [SignOffInline, RoundEventInline]

    def get_fields(self, request, obj=None):
        if obj is None:
            # Opened as the browser opens one: round_open_next sets the dates and sections.
            return ("agreement", "financial_year", "update_number")
        return super().get_fields(request, obj)

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        # The apps that own a return's sections add their inlines (before the history).
        return [*_REGISTERED_INLINES["round"], *self.inlines]

    def save_through_service(self, request, form, change):
        if change:
            return NO_SERVICE
        data = form.cleaned_data
        return round_open_next(
            agreement=data["agreement"],
            financial_year=data["financial_year"],
            update_number=data["update_number"],
            by=request.user,
        )


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


@admin.register(ReminderSent)
class ReminderSentAdmin(CouncilListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    council_path = "round__agreement__council"
    list_display = ("round", "kind", "user", "sent_at")
    list_filter = ("kind",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    date_hierarchy = "sent_at"


# Each user switches their own reminders on /accounts/ (account_reminders_set, with history).
@admin.register(AccountSettings)
class AccountSettingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "email_reminders")
    list_filter = ("email_reminders",)
    search_fields = ("user__username",)
    list_select_related = ("user",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "username", "action", "council", "object_type", "object_repr")
    list_filter = ("action", "object_type", "council")
    # user__username: a subject access request finds everything a user did, not only their
    # sign-ins (docs/data-protection.md).
    search_fields = (
        "username",
        "user__username",
        "action",
        "object_repr",
        "object_id",
        "ip_address",
    )
    list_select_related = ("council", "user")
    date_hierarchy = "at"


@admin.register(ImportPreview)
class ImportPreviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Workbooks waiting between preview and import: when, whose and for which council, never
    the file's contents nor the token that confirms it."""

    fields = ("user", "council_slug", "create", "filename", "created_at")
    list_display = ("created_at", "user", "council_slug", "filename")
    search_fields = ("user__username", "council_slug", "filename")
    list_select_related = ("user",)


@admin.register(PendingSubmission)
class PendingSubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Forms kept after an ended session: when and for whom, never what was typed (that is
    for its author alone) nor the token that claims it."""

    fields = ("user", "url_name", "posted_to", "shown_at", "created_at", "expires_at")
    list_display = ("created_at", "user", "url_name", "expires_at")
    search_fields = ("user__username", "url_name")
    list_select_related = ("user",)


# Background jobs are made by the pages that ask for them and run by the workers
# (svmonitor/jobs.py): the admin shows them, for a support question, and changes nothing.
@admin.register(BackgroundJob)
class BackgroundJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Renders and imports on the queue: who asked, where each stands, why one failed."""

    list_display = ("created_at", "kind", "council", "requested_by", "status", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("requested_by__username", "kind", "message")
    list_select_related = ("council", "requested_by")
    exclude = ("params", "result_meta")


@admin.register(RenderSlot)
class RenderSlotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The deployment's render slots and the job holding each."""

    list_display = ("number", "job", "held_until")
