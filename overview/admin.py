"""Admin for a return's overview and headlines: saved through overview.services like the
browser's (round_overview_save, headlines_save), read-only once the return is past draft."""

from django.contrib import admin

from overview.models import (
    Headline,
    NarrativeTopic,
    RoundGovernance,
    RoundNarrative,
    RoundOverview,
)
from overview.selectors import headline_texts
from overview.services import (
    GOVERNANCE_FIELDS,
    OVERVIEW_FIELDS,
    headlines_fingerprint,
    headlines_save,
    round_governance_save,
    round_narrative_save,
    round_overview_save,
)
from svmonitor.admin import CouncilListAdminMixin, SectionInline
from svmonitor.admin_audit import AdminDoorMixin


class HeadlineInline(SectionInline):
    """The overview's headlines; each is edited on its own page, through headlines_save."""

    model = Headline
    fields = ("kind", "position", "text")
    ordering = ("kind", "position")


@admin.register(RoundOverview)
class RoundOverviewAdmin(AdminDoorMixin, CouncilListAdminMixin, admin.ModelAdmin):
    council_path = "round__agreement__council"
    round_path = "round"
    owner_fields = ("round",)
    service_fields = OVERVIEW_FIELDS
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

    def has_add_permission(self, request):
        return False  # opening a round makes its overview

    def save_through_service(self, request, form, change):
        return round_overview_save(
            overview=form.instance,
            expected_version=self.expected_version(form),
            by=request.user,
            **{name: form.cleaned_data[name] for name in OVERVIEW_FIELDS},
        )


@admin.register(Headline)
class HeadlineAdmin(AdminDoorMixin, CouncilListAdminMixin, admin.ModelAdmin):
    council_path = "overview__round__agreement__council"
    round_path = "overview__round"
    # A headline is a place in one list; headlines_save numbers the list.
    owner_fields = ("overview", "kind", "position")
    service_fields = ("overview", "kind", "text")
    list_display = ("overview", "kind", "position", "text")
    list_filter = ("kind",)
    search_fields = ("text",)
    raw_id_fields = ("overview",)

    def get_fields(self, request, obj=None):
        return ("overview", "kind", "text") if obj is None else super().get_fields(request, obj)

    def seen_version_of(self, obj):
        # A list has no version column: its fingerprint is the version (as in the browser).
        return headlines_fingerprint(headline_texts(overview=obj.overview, kind=obj.kind))

    def save_through_service(self, request, form, change):
        headline = form.instance
        if change:
            overview, kind, seen = headline.overview, headline.kind, self.expected_version(form)
            rows = list(Headline.objects.filter(overview=overview, kind=kind).order_by("position"))
            texts = [form.cleaned_data["text"] if h.pk == headline.pk else h.text for h in rows]
            place = next(n for n, h in enumerate(rows) if h.pk == headline.pk)
        else:
            overview, kind = form.cleaned_data["overview"], form.cleaned_data["kind"]
            before = headline_texts(overview=overview, kind=kind)
            texts, place = [*before, form.cleaned_data["text"]], len(before)
            seen = headlines_fingerprint(before)
        saved = headlines_save(
            overview=overview, kind=kind, texts=texts, seen=seen, by=request.user
        )
        return saved[place] if place < len(saved) else None

    def delete_through_service(self, request, obj):
        rows = list(
            Headline.objects.filter(overview=obj.overview, kind=obj.kind).order_by("position")
        )
        headlines_save(
            overview=obj.overview,
            kind=obj.kind,
            texts=[h.text for h in rows if h.pk != obj.pk],
            seen=headlines_fingerprint([h.text for h in rows]),
            by=request.user,
        )


@admin.register(NarrativeTopic)
class NarrativeTopicAdmin(admin.ModelAdmin):
    """The texts a kind of return asks for: seeded by migrations, the same for every council,
    so read here and changed only by a migration (a council cannot reword DfE's template)."""

    list_display = ("return_kind", "group", "position", "key", "title", "required")
    list_filter = ("return_kind", "group")
    search_fields = ("key", "title")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoundNarrative)
class RoundNarrativeAdmin(AdminDoorMixin, CouncilListAdminMixin, admin.ModelAdmin):
    """One topic's text in a DSG plan update, saved through round_narrative_save like the
    browser's; read-only once the update is past draft."""

    council_path = "round__agreement__council"
    round_path = "round"
    owner_fields = ("round", "topic")
    service_fields = ("text",)
    list_display = ("round", "topic", "version", "updated_at")
    list_filter = ("topic__group",)
    search_fields = ("text",)
    readonly_fields = ("version", "updated_at", "updated_by")
    raw_id_fields = ("round",)

    def has_add_permission(self, request):
        return False  # opening a DSG round makes a row for every topic

    def save_through_service(self, request, form, change):
        row = form.instance
        return round_narrative_save(
            round=row.round,
            topic=row.topic,
            expected_version=self.expected_version(form),
            text=form.cleaned_data["text"],
            by=request.user,
        )


@admin.register(RoundGovernance)
class RoundGovernanceAdmin(AdminDoorMixin, CouncilListAdminMixin, admin.ModelAdmin):
    """A DSG plan update's governance, saved through round_governance_save like the
    browser's; read-only once the update is past draft."""

    council_path = "round__agreement__council"
    round_path = "round"
    owner_fields = ("round",)
    service_fields = GOVERNANCE_FIELDS
    list_display = ("round", "schools_forum_date", "next_review_date", "version")
    search_fields = ("notes",)
    readonly_fields = ("version", "updated_at", "updated_by")
    raw_id_fields = ("round",)

    def has_add_permission(self, request):
        return False  # opening a DSG round makes its governance row

    def save_through_service(self, request, form, change):
        return round_governance_save(
            round=form.instance.round,
            expected_version=self.expected_version(form),
            by=request.user,
            **{name: form.cleaned_data[name] for name in GOVERNANCE_FIELDS},
        )
