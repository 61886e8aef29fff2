"""Admin for key measures, their figures and headline cards; figures save through
measure_value_save like the browser's, sources, series, measures and headline cards through
their upserts like the workbook's rows."""

from django.contrib import admin

from metrics.models import DataSource, HeadlineCard, Measure, MeasureValue, Series
from metrics.periods import PeriodKind
from metrics.services import (
    data_source_upsert,
    headline_card_upsert,
    measure_upsert,
    measure_value_save,
    series_upsert,
)
from svmonitor.admin_audit import AdminDoorForm, AdminDoorMixin, UpsertAdminMixin


@admin.register(DataSource)
class DataSourceAdmin(UpsertAdminMixin, admin.ModelAdmin):
    upsert_service = staticmethod(data_source_upsert)
    upsert_row = "source"
    upsert_parent = "council"
    owner_fields = ("council",)
    list_display = ("name", "council", "last_refreshed", "basis")
    list_filter = ("council",)
    search_fields = ("name", "basis", "council__name")
    list_select_related = ("council",)


@admin.register(Series)
class SeriesAdmin(UpsertAdminMixin, admin.ModelAdmin):
    upsert_service = staticmethod(series_upsert)
    upsert_row = "series"
    upsert_parent = "council"
    owner_fields = ("council",)
    list_display = ("name", "slug", "kind", "council", "order")
    list_filter = ("kind", "council")
    search_fields = ("name", "slug", "council__name")
    list_select_related = ("council",)


@admin.register(Measure)
class MeasureAdmin(UpsertAdminMixin, admin.ModelAdmin):
    upsert_service = staticmethod(measure_upsert)
    upsert_row = "measure"
    upsert_parent = "council"
    owner_fields = ("council",)
    list_display = ("name", "code", "council", "unit", "polarity", "frequency", "data_source")
    list_filter = (
        "unit",
        "polarity",
        "frequency",
        "reading",
        "show_chart",
        "stock_flow_role",
        "council",
    )
    search_fields = ("name", "code", "council__name")
    list_select_related = ("council", "data_source")
    filter_horizontal = ("conditions", "risks")
    raw_id_fields = ("programme_area",)


class MeasureValueForm(AdminDoorForm):
    """A figure's admin form: a blank period kind is a month, as it always was."""

    class Meta:
        model = MeasureValue
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "period_kind" in self.fields:
            self.fields["period_kind"].required = False

    def clean_period_kind(self):
        return self.cleaned_data.get("period_kind") or PeriodKind.MONTH


@admin.register(MeasureValue)
class MeasureValueAdmin(AdminDoorMixin, admin.ModelAdmin):
    form = MeasureValueForm
    # A figure is one cell (measure, period, series): measure_value_save sets it, marks it not
    # available (a blank value with a reason) or clears it.
    owner_fields = ("measure", "period", "period_kind", "series")
    service_fields = ("measure", "period", "period_kind", "series", "value", "not_available_reason")
    list_display = (
        "measure",
        "period",
        "period_kind",
        "series",
        "value",
        "not_available_reason",
        "note",
    )
    list_filter = ("series__kind", "period_kind", "measure__council")
    search_fields = ("measure__name", "measure__code", "series__name")
    list_select_related = ("measure", "series")
    date_hierarchy = "period"
    raw_id_fields = ("measure", "series")

    def save_through_service(self, request, form, change):
        cell = form.instance if change else None
        data = form.cleaned_data
        value = data.get("value")
        return measure_value_save(
            measure=cell.measure if cell else data["measure"],
            period=cell.period if cell else data["period"],
            period_kind=cell.period_kind if cell else data["period_kind"],
            series=cell.series if cell else data["series"],
            value=value,
            not_available=data.get("not_available_reason") if value is None else None,
            by=request.user,
        )

    def delete_through_service(self, request, obj):
        measure_value_save(
            measure=obj.measure,
            period=obj.period,
            period_kind=obj.period_kind,
            series=obj.series,
            value=None,
            by=request.user,
        )


@admin.register(HeadlineCard)
class HeadlineCardAdmin(UpsertAdminMixin, admin.ModelAdmin):
    upsert_service = staticmethod(headline_card_upsert)
    upsert_row = "card"
    upsert_parent = "council"
    owner_fields = ("council",)
    list_display = ("title", "council", "measure", "comparator", "comparator_label", "order")
    list_filter = ("council",)
    search_fields = ("title", "measure__name", "council__name")
    list_select_related = ("council", "measure", "comparator")
    raw_id_fields = ("measure", "comparator")
