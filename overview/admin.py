"""Admin for a return's overview and headlines: saved through overview.services like the
browser's (round_overview_save, headlines_save), read-only once the return is past draft."""

from django.contrib import admin

from overview.models import Headline, RoundOverview
from overview.selectors import headline_texts
from overview.services import (
    OVERVIEW_FIELDS,
    headlines_fingerprint,
    headlines_save,
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
