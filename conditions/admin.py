"""Admin for conditions, their per-round updates and the programme structure."""

from django.contrib import admin

from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    ProgrammeArea,
    Workstream,
    WorkstreamUpdate,
)
from svmonitor.admin import (
    LockedRoundAdminMixin,
    RoundInlineMixin,
    VersionedAdminMixin,
    admin_inline_register,
)


@admin.register(AgreementCondition)
class AgreementConditionAdmin(admin.ModelAdmin):
    list_display = ("label", "title", "agreement", "order", "in_force_from", "in_force_to")
    list_filter = ("agreement__council", "in_force_to")
    search_fields = ("label", "title", "wording", "agreement__council__name")
    list_select_related = ("agreement__council",)
    raw_id_fields = ("agreement",)


@admin.register(ConditionUpdate)
class ConditionUpdateAdmin(LockedRoundAdminMixin, VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("condition", "round", "rag", "updated_at", "version")
    list_filter = ("rag", "round__status", "round__financial_year", "round__agreement__council")
    search_fields = ("condition__label", "condition__title", "narrative")
    list_select_related = ("condition", "round__agreement__council")
    raw_id_fields = ("round", "condition")
    filter_horizontal = ("key_measures",)
    readonly_fields = ("version", "updated_at", "updated_by")


class WorkstreamInline(admin.TabularInline):
    model = Workstream
    extra = 0
    fields = ("name", "lead_role", "order")
    show_change_link = True


@admin.register(ProgrammeArea)
class ProgrammeAreaAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "council")
    list_filter = ("council",)
    search_fields = ("name", "summary", "council__name")
    list_select_related = ("council",)
    inlines = [WorkstreamInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("title", "due_date", "status", "completed_on", "version")
    readonly_fields = ("version",)


@admin.register(Workstream)
class WorkstreamAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "lead_role", "order")
    list_filter = ("area__council", "area")
    search_fields = ("name", "lead_role", "area__name")
    list_select_related = ("area__council",)
    filter_horizontal = ("conditions",)
    inlines = [MilestoneInline]

    def save_formset(self, request, form, formset, change):
        # Milestone saves bump the version like milestone_save does.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj.pk is not None:
                obj.version += 1
            obj.save()
        formset.save_m2m()


@admin.register(WorkstreamUpdate)
class WorkstreamUpdateAdmin(LockedRoundAdminMixin, VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("workstream", "round", "rag", "updated_at", "version")
    list_filter = ("rag", "round__status", "round__financial_year", "round__agreement__council")
    search_fields = ("workstream__name", "narrative")
    list_select_related = ("workstream", "round__agreement__council")
    raw_id_fields = ("round", "workstream")
    readonly_fields = ("version", "updated_at", "updated_by")


@admin.register(Milestone)
class MilestoneAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "workstream", "due_date", "status", "completed_on")
    list_filter = ("status", "workstream__area__council")
    search_fields = ("title", "workstream__name")
    list_select_related = ("workstream",)
    date_hierarchy = "due_date"
    raw_id_fields = ("workstream",)
    readonly_fields = ("version", "updated_at")


# --- Inlines under an agreement and a round ---


class AgreementConditionInline(admin.TabularInline):
    model = AgreementCondition
    extra = 0
    fields = ("label", "title", "order", "in_force_from", "in_force_to")
    show_change_link = True


class ConditionUpdateInline(RoundInlineMixin, admin.TabularInline):
    model = ConditionUpdate
    fields = ("condition", "rag", "narrative", "version")
    readonly_fields = ("version",)
    raw_id_fields = ("condition",)


class WorkstreamUpdateInline(RoundInlineMixin, admin.TabularInline):
    model = WorkstreamUpdate
    fields = ("workstream", "rag", "narrative", "version")
    readonly_fields = ("version",)
    raw_id_fields = ("workstream",)


admin_inline_register("agreement", AgreementConditionInline)
admin_inline_register("round", ConditionUpdateInline)
admin_inline_register("round", WorkstreamUpdateInline)
