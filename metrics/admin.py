"""Admin for key measures, their figures, headline cards and finance lines."""

from django.contrib import admin

from metrics.models import DataSource, HeadlineCard, Measure, MeasureValue, Series


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "council", "last_refreshed", "basis")
    list_filter = ("council",)
    search_fields = ("name", "basis", "council__name")
    list_select_related = ("council",)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "council", "order")
    list_filter = ("kind", "council")
    search_fields = ("name", "slug", "council__name")
    list_select_related = ("council",)


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "council", "unit", "polarity", "frequency", "data_source")
    list_filter = ("unit", "polarity", "frequency", "reading", "council")
    search_fields = ("name", "code", "council__name")
    list_select_related = ("council", "data_source")
    filter_horizontal = ("conditions",)
    raw_id_fields = ("programme_area",)


@admin.register(MeasureValue)
class MeasureValueAdmin(admin.ModelAdmin):
    list_display = ("measure", "period", "series", "value", "note")
    list_filter = ("series__kind", "measure__council")
    search_fields = ("measure__name", "measure__code", "series__name")
    list_select_related = ("measure", "series")
    date_hierarchy = "period"
    raw_id_fields = ("measure", "series")


@admin.register(HeadlineCard)
class HeadlineCardAdmin(admin.ModelAdmin):
    list_display = ("title", "council", "measure", "comparator", "comparator_label", "order")
    list_filter = ("council",)
    search_fields = ("title", "measure__name", "council__name")
    list_select_related = ("council", "measure", "comparator")
    raw_id_fields = ("measure", "comparator")


