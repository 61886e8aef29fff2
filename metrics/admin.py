"""Admin for key measures, their figures and headline cards; figures save through
measure_value_save like the browser's, sources, series, measures and headline cards through
their upserts like the workbook's rows."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from metrics.models import (
    CypAgeGroup,
    CypFigure,
    CypNeed,
    CypPlacement,
    CypYear,
    DataSource,
    HeadlineCard,
    Measure,
    MeasureValue,
    Sen2Figure,
    Series,
    StatisticalNeighbour,
)
from metrics.periods import PeriodKind
from metrics.selectors_cyp import AGE, NEED, statistical_neighbours_of
from metrics.services import (
    data_source_upsert,
    headline_card_upsert,
    measure_upsert,
    measure_value_save,
    series_upsert,
)
from metrics.services_cyp import (
    cyp_table_save,
    cyp_year_delete,
    cyp_year_upsert,
    statistical_neighbours_set,
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


# --- Issue 19: the DSG plan's CYP tables, statistical neighbours and DfE's SEN2 figures -------


@admin.register(CypPlacement, CypAgeGroup, CypNeed)
class CypCategoryAdmin(AdminDoorMixin, admin.ModelAdmin):
    """DfE's names for the CYP tables' rows and columns: a site administrator may correct a
    name or the order (audited); the codes are what the workbook and the grids key by."""

    list_display = ("name", "code", "order")
    search_fields = ("name", "code")
    owner_fields = ("code",)


@admin.register(CypYear)
class CypYearAdmin(UpsertAdminMixin, admin.ModelAdmin):
    upsert_service = staticmethod(cyp_year_upsert)
    upsert_row = "year"
    upsert_parent = "council"
    owner_fields = ("council",)
    list_display = ("census_year", "basis", "council")
    list_filter = ("basis", "council")
    search_fields = ("council__name",)
    list_select_related = ("council",)

    def delete_through_service(self, request, obj):
        cyp_year_delete(council=obj.council, census_year=obj.census_year, by=request.user)


@admin.register(CypFigure)
class CypFigureAdmin(AdminDoorMixin, admin.ModelAdmin):
    """One box of a CYP table, saved through cyp_table_save as the grid and the workbook save
    it (its version checked)."""

    owner_fields = ("year", "placement", "age_group", "need")
    service_fields = ("year", "placement", "age_group", "need", "count")
    list_display = ("year", "placement", "age_group", "need", "count")
    list_filter = ("year__council", "placement")
    search_fields = ("placement__name", "year__council__name")
    list_select_related = ("year__council", "placement", "age_group", "need")
    raw_id_fields = ("year",)

    @staticmethod
    def _address(cell):
        column = cell.age_group or cell.need
        if column is None or cell.year_id is None or cell.placement_id is None:
            raise ValidationError("Choose a census year, a placement and an age group or need.")
        table = AGE if cell.age_group is not None else NEED
        return table, (cell.placement.code, column.code)

    def save_through_service(self, request, form, change):
        cell = form.instance
        if cell.age_group_id is not None and cell.need_id is not None:
            raise ValidationError("Choose an age group or a need, not both.")
        table, key = self._address(cell)
        cyp_table_save(
            council=cell.year.council,
            census_year=cell.year.census_year,
            table=table,
            cells={key: form.cleaned_data.get("count")},
            versions={key: self.expected_version(form) if change else 0},
            by=request.user,
        )
        column = {"age_group": cell.age_group} if table == AGE else {"need": cell.need}
        return CypFigure.objects.get(year=cell.year, placement=cell.placement, **column)

    def delete_through_service(self, request, obj):
        table, key = self._address(obj)
        cyp_table_save(
            council=obj.year.council,
            census_year=obj.year.census_year,
            table=table,
            cells={key: None},
            versions={key: obj.version},
            by=request.user,
        )


@admin.register(StatisticalNeighbour)
class StatisticalNeighbourAdmin(AdminDoorMixin, admin.ModelAdmin):
    """One neighbour of a council, saved through statistical_neighbours_set (the programme
    lead's page): the name comes from the loaded SEN2 figures."""

    owner_fields = ("council",)
    service_fields = ("council", "area_code", "name", "order")
    list_display = ("name", "area_code", "council", "order")
    list_filter = ("council",)
    search_fields = ("name", "area_code", "council__name")
    list_select_related = ("council",)

    def save_through_service(self, request, form, change):
        row = form.instance
        council = row.council
        codes = [n.area_code for n in statistical_neighbours_of(council)]
        if change:
            old = StatisticalNeighbour.objects.get(pk=row.pk).area_code
            codes = [row.area_code if code == old else code for code in codes]
        else:
            codes.append(row.area_code)
        statistical_neighbours_set(council=council, entries=codes, by=request.user)
        return StatisticalNeighbour.objects.get(council=council, area_code=row.area_code)

    def delete_through_service(self, request, obj):
        codes = [n.area_code for n in statistical_neighbours_of(obj.council)]
        statistical_neighbours_set(
            council=obj.council,
            entries=[code for code in codes if code != obj.area_code],
            by=request.user,
        )


@admin.register(Sen2Figure)
class Sen2FigureAdmin(admin.ModelAdmin):
    """DfE's published figures, read-only: `manage.py load_sen2 FILE.csv` loads them."""

    list_display = ("name", "area_code", "census_year", "ehc_plans", "new_plans", "illustrative")
    list_filter = ("census_year", "level", "illustrative")
    search_fields = ("name", "area_code", "old_la_code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
