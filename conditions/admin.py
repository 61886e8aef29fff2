"""Admin for conditions, their per-round updates and the programme structure, saved through
conditions.services: sections as the browser saves them, the setup rows as the workbook does."""

from django.contrib import admin

from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    MilestoneUpdate,
    ProgrammeArea,
    Workstream,
    WorkstreamSaving,
    WorkstreamUpdate,
)
from conditions.services import (
    condition_update_save,
    condition_upsert,
    milestone_create,
    milestone_save,
    programme_area_upsert,
    workstream_saving_upsert,
    workstream_update_save,
    workstream_upsert,
)
from svmonitor.admin import SectionInline, admin_inline_register
from svmonitor.admin_audit import (
    AdminDoorMixin,
    AuditedInlineMixin,
    UpsertAdminMixin,
    UpsertServiceMixin,
)


class ConditionServices:
    upsert_service = staticmethod(condition_upsert)
    upsert_row = "condition"
    upsert_parent = "agreement"


class WorkstreamServices:
    upsert_service = staticmethod(workstream_upsert)
    upsert_row = "workstream"
    upsert_parent = "area"


@admin.register(AgreementCondition)
class AgreementConditionAdmin(ConditionServices, UpsertAdminMixin, admin.ModelAdmin):
    owner_fields = ("agreement",)
    list_display = ("label", "title", "agreement", "order", "in_force_from", "in_force_to")
    list_filter = ("agreement__council", "in_force_to")
    search_fields = ("label", "title", "wording", "agreement__council__name")
    list_select_related = ("agreement__council",)
    raw_id_fields = ("agreement",)


class RatedSectionAdmin(AdminDoorMixin, admin.ModelAdmin):
    """A rated section of one round (condition or workstream): saved through its service."""

    round_path = "round"
    service_fields = ("rag", "narrative")
    save_service = None  # staticmethod(condition_update_save or workstream_update_save)

    def has_add_permission(self, request):
        return False  # opening a round makes a row for every condition and workstream

    def save_through_service(self, request, form, change):
        return self.save_service(
            update=form.instance,
            expected_version=self.expected_version(form),
            rag=form.cleaned_data["rag"],
            narrative=form.cleaned_data["narrative"],
            by=request.user,
        )


@admin.register(ConditionUpdate)
class ConditionUpdateAdmin(RatedSectionAdmin):
    owner_fields = ("round", "condition")
    save_service = staticmethod(condition_update_save)
    list_display = ("condition", "round", "rag", "updated_at", "version")
    list_filter = ("rag", "round__status", "round__financial_year", "round__agreement__council")
    search_fields = ("condition__label", "condition__title", "narrative")
    list_select_related = ("condition", "round__agreement__council")
    raw_id_fields = ("round", "condition")
    filter_horizontal = ("key_measures",)
    readonly_fields = ("version", "updated_at", "updated_by")


class WorkstreamInline(
    WorkstreamServices, UpsertServiceMixin, AuditedInlineMixin, admin.TabularInline
):
    model = Workstream
    extra = 0
    fields = ("name", "lead_role", "order")
    show_change_link = True


@admin.register(ProgrammeArea)
class ProgrammeAreaAdmin(UpsertAdminMixin, admin.ModelAdmin):
    upsert_service = staticmethod(programme_area_upsert)
    upsert_row = "area"
    upsert_parent = "council"
    owner_fields = ("council",)
    list_display = ("number", "name", "council")
    list_filter = ("council",)
    search_fields = ("name", "summary", "council__name")
    list_select_related = ("council",)
    inlines = [WorkstreamInline]


class MilestoneInline(SectionInline):
    """A workstream's milestones; each is edited on its own page, through milestone_save."""

    model = Milestone
    fields = ("title", "due_date", "status", "completed_on", "version")


@admin.register(Workstream)
class WorkstreamAdmin(WorkstreamServices, UpsertAdminMixin, admin.ModelAdmin):
    owner_fields = ("area",)
    list_display = ("name", "area", "lead_role", "order")
    list_filter = ("area__council", "area")
    search_fields = ("name", "lead_role", "area__name")
    list_select_related = ("area__council",)
    filter_horizontal = ("conditions",)
    inlines = [MilestoneInline]


@admin.register(WorkstreamUpdate)
class WorkstreamUpdateAdmin(RatedSectionAdmin):
    owner_fields = ("round", "workstream")
    save_service = staticmethod(workstream_update_save)
    list_display = ("workstream", "round", "rag", "updated_at", "version")
    list_filter = ("rag", "round__status", "round__financial_year", "round__agreement__council")
    search_fields = ("workstream__name", "narrative")
    list_select_related = ("workstream", "round__agreement__council")
    raw_id_fields = ("round", "workstream")
    readonly_fields = ("version", "updated_at", "updated_by")


@admin.register(MilestoneUpdate)
class MilestoneUpdateAdmin(AdminDoorMixin, admin.ModelAdmin):
    """A milestone as one round reports it: saved through milestone_save for that round."""

    round_path = "round"
    owner_fields = ("round", "milestone")
    service_fields = ("status", "due_date", "completed_on")
    list_display = ("milestone", "round", "status", "due_date", "completed_on", "version")
    list_filter = ("status", "round__status", "round__financial_year", "round__agreement__council")
    search_fields = ("milestone__title", "milestone__workstream__name")
    list_select_related = ("milestone", "round__agreement__council")
    raw_id_fields = ("round", "milestone")
    readonly_fields = ("version", "updated_at", "updated_by")

    def has_add_permission(self, request):
        return False  # opening a round makes a record of every milestone

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        return milestone_save(
            milestone=form.instance.milestone,
            round_id=form.instance.round_id,
            expected_version=self.expected_version(form),
            status=data["status"],
            due_date=data["due_date"],
            completed_on=data["completed_on"],
            by=request.user,
        )


@admin.register(Milestone)
class MilestoneAdmin(AdminDoorMixin, admin.ModelAdmin):
    owner_fields = ("workstream",)
    service_fields = ("status", "due_date", "completed_on")
    list_display = ("title", "workstream", "due_date", "status", "completed_on")
    list_filter = ("status", "workstream__area__council")
    search_fields = ("title", "workstream__name")
    list_select_related = ("workstream",)
    date_hierarchy = "due_date"
    raw_id_fields = ("workstream",)
    readonly_fields = ("version", "updated_at")

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        if not change:
            return milestone_create(
                workstream=data["workstream"],
                title=data["title"],
                due_date=data["due_date"],
                status=data["status"],
                completed_on=data["completed_on"],
                by=request.user,
            )
        return milestone_save(
            milestone=form.instance,
            expected_version=self.expected_version(form),
            status=data["status"],
            due_date=data["due_date"],
            completed_on=data["completed_on"],
            by=request.user,
        )


# --- Inlines under an agreement and a round ---


class AgreementConditionInline(
    ConditionServices, UpsertServiceMixin, AuditedInlineMixin, admin.TabularInline
):
    model = AgreementCondition
    extra = 0
    fields = ("label", "title", "order", "in_force_from", "in_force_to")
    show_change_link = True


class ConditionUpdateInline(SectionInline):
    model = ConditionUpdate
    fields = ("condition", "rag", "narrative", "version")


class WorkstreamUpdateInline(SectionInline):
    model = WorkstreamUpdate
    fields = ("workstream", "rag", "narrative", "version")


admin_inline_register("agreement", AgreementConditionInline)
admin_inline_register("round", ConditionUpdateInline)
admin_inline_register("round", WorkstreamUpdateInline)


@admin.register(WorkstreamSaving)
class WorkstreamSavingAdmin(AdminDoorMixin, admin.ModelAdmin):
    """A workstream's expected saving in one year (issue 18.3), saved through
    workstream_saving_upsert: the grid's and the workbook's rules and history."""

    owner_fields = ("workstream", "financial_year")
    service_fields = ("workstream", "financial_year", "saving")
    list_display = ("workstream", "financial_year", "saving")
    list_filter = ("financial_year", "workstream__area__council")
    search_fields = ("workstream__name", "workstream__area__council__name")
    list_select_related = ("workstream__area__council",)
    readonly_fields = ("version",)

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        instance = form.instance
        return workstream_saving_upsert(
            workstream=data.get("workstream") or instance.workstream,
            financial_year=data.get("financial_year") or instance.financial_year,
            saving=data["saving"],
            by=request.user,
            expected_version=self.expected_version(form) if change else None,
        )
