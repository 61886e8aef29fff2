"""The feed's rows: flat, so the CSV has the same fields as the JSON. Read-only."""

from rest_framework import serializers

# Money and figures as the record holds them: exact decimals, given as JSON numbers.
_DECIMAL = {
    "max_digits": None,
    "decimal_places": None,
    "coerce_to_string": False,
    "allow_null": True,
}


class CouncilSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    dfe_la_number = serializers.CharField(help_text="DfE's three-digit local authority number")
    ons_code = serializers.CharField()


UPDATE_NUMBER = (
    "Safety Valve return: Update 1 (May), 2 (August) or 3 (November); DSG deficit management "
    "plan: term 1 (summer), 2 (autumn) or 3 (spring)"
)


class _RoundColumns(serializers.Serializer):
    council = serializers.SlugField(help_text="The council's slug")
    round = serializers.CharField(help_text="Financial year and update, e.g. 2024-25/3")
    financial_year = serializers.IntegerField(help_text="Start year: 2024 is 2024-25")
    update_number = serializers.IntegerField(help_text=UPDATE_NUMBER)
    round_status = serializers.CharField(help_text="draft, ready, signed_off or submitted")
    record = serializers.ChoiceField(
        choices=["frozen", "live"],
        help_text="frozen: read from the record frozen when the return was marked ready (what "
        "was signed and sent); live: a draft, read from the data as it is now",
    )


class RoundSerializer(serializers.Serializer):
    council = serializers.SlugField()
    round = serializers.CharField(help_text="Financial year and update, e.g. 2024-25/3")
    financial_year = serializers.IntegerField()
    fy = serializers.CharField()
    update_number = serializers.IntegerField(help_text=UPDATE_NUMBER)
    label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    origin = serializers.CharField(
        help_text="recorded_here, or imported from the council's records"
    )
    due_date = serializers.DateField()
    data_as_at = serializers.DateField(allow_null=True)
    ready_at = serializers.DateTimeField(allow_null=True)
    submitted_on = serializers.DateField(allow_null=True)
    record = serializers.ChoiceField(choices=["frozen", "live"])
    frozen_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField(help_text="SHA-256 of the frozen record the sign-offs name")


class ConditionRatingSerializer(_RoundColumns):
    condition = serializers.CharField(help_text="The condition's label, e.g. 3.1")
    title = serializers.CharField()
    rag = serializers.CharField(help_text="The council's level code")
    rag_label = serializers.CharField(help_text="As the council writes it")
    dfe_rag = serializers.CharField(help_text="The DfE level it maps to")
    narrative = serializers.CharField()


class RiskRatingSerializer(_RoundColumns):
    risk = serializers.IntegerField(help_text="The risk's number")
    title = serializers.CharField()
    impact = serializers.IntegerField(allow_null=True)
    likelihood = serializers.IntegerField(allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    rag = serializers.CharField()
    rag_label = serializers.CharField()
    dfe_rag = serializers.CharField()
    is_key = serializers.BooleanField()
    narrative = serializers.CharField()


class MeasureSerializer(_RoundColumns):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    polarity = serializers.CharField()
    frequency = serializers.CharField()
    reading = serializers.CharField()
    area_number = serializers.IntegerField(allow_null=True)
    source_name = serializers.CharField()
    source_refreshed = serializers.DateField(allow_null=True)


class MeasureValueSerializer(_RoundColumns):
    measure = serializers.CharField(help_text="The measure's code")
    measure_name = serializers.CharField()
    unit = serializers.CharField()
    series = serializers.CharField(help_text="The series' slug (actual, a forecast, ...)")
    series_name = serializers.CharField()
    series_kind = serializers.CharField()
    period = serializers.DateField(help_text="First day of the month or year")
    period_kind = serializers.CharField(help_text="month, academic_year or financial_year")
    period_label = serializers.CharField()
    value = serializers.DecimalField(**_DECIMAL)
    not_available = serializers.CharField(help_text="Why there is no value, if there is none")
    note = serializers.CharField()


class FinanceLineSerializer(_RoundColumns):
    year = serializers.IntegerField(help_text="The financial year the figures are for")
    fy = serializers.CharField()
    scenario = serializers.CharField(help_text="agreement, latest or unmitigated")
    in_year_position = serializers.DecimalField(**_DECIMAL)
    cumulative_deficit = serializers.DecimalField(**_DECIMAL)
    hnb_income = serializers.DecimalField(**_DECIMAL)
    dfe_payments = serializers.DecimalField(**_DECIMAL)
    council_contribution = serializers.DecimalField(**_DECIMAL)
    schools_block_transfer = serializers.DecimalField(**_DECIMAL)
    reflects = serializers.CharField()
    deficit_cap = serializers.DecimalField(**_DECIMAL)


class DsgFinanceSummarySerializer(_RoundColumns):
    block = serializers.CharField(
        help_text="schools, central, early_years, high_needs, or total (the whole DSG)"
    )
    block_label = serializers.CharField()
    scenario = serializers.CharField(help_text="actual, budget, unmitigated or mitigated")
    scenario_label = serializers.CharField()
    year = serializers.IntegerField(help_text="The financial year the figures are for")
    fy = serializers.CharField()
    allocation = serializers.DecimalField(help_text="DSG allocation after recoupment", **_DECIMAL)
    transfers = serializers.DecimalField(help_text="Block transfers: in +, out -", **_DECIMAL)
    income = serializers.DecimalField(help_text="Allocation plus transfers", **_DECIMAL)
    expenditure = serializers.DecimalField(**_DECIMAL)
    in_year = serializers.DecimalField(help_text="Income less expenditure: deficit -", **_DECIMAL)
    brought_forward = serializers.DecimalField(**_DECIMAL)
    adjustments = serializers.DecimalField(
        help_text="Movements in the balance outside the year", **_DECIMAL
    )
    carried_forward = serializers.DecimalField(
        help_text="Cumulative balance at the year's end: deficit -", **_DECIMAL
    )
    carried_forward_before_adjustments = serializers.DecimalField(**_DECIMAL)
    in_year_pct_of_dsg = serializers.DecimalField(
        help_text="In-year position as a percentage of the allocation", **_DECIMAL
    )
    balances_in = serializers.IntegerField(
        allow_null=True,
        help_text="The first financial year from which the scenario's in-year position stays "
        "in balance, if any",
    )


class DsgFinanceFigureSerializer(_RoundColumns):
    block = serializers.CharField(help_text="schools, central, early_years or high_needs")
    block_label = serializers.CharField()
    line_id = serializers.IntegerField(help_text="The plan line's id, stable across rounds")
    line = serializers.CharField(help_text="The plan line's name")
    line_kind = serializers.CharField(
        help_text="allocation, transfer, expenditure, adjustment or opening"
    )
    scenario = serializers.CharField(help_text="actual, budget, unmitigated or mitigated")
    scenario_label = serializers.CharField()
    year = serializers.IntegerField(help_text="The financial year the figure is for")
    fy = serializers.CharField()
    amount = serializers.DecimalField(help_text="Pounds, as entered in the plan", **_DECIMAL)


class DsgWorkstreamSerializer(_RoundColumns):
    workstream_id = serializers.IntegerField(help_text="The workstream's id, stable across rounds")
    area_number = serializers.IntegerField(help_text="Its programme area's number")
    area = serializers.CharField(help_text="Its programme area's name")
    name = serializers.CharField()
    lead_role = serializers.CharField(help_text="The lead's role title")
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    status = serializers.CharField(
        help_text="not_started, on_track, at_risk, off_track, complete, stopped, or empty"
    )
    status_label = serializers.CharField()
    dsg_line = serializers.CharField(help_text="The line of the DSG plan it affects, as written")
    savings_total = serializers.DecimalField(help_text="Pounds, over every year", **_DECIMAL)


class DsgWorkstreamSavingSerializer(_RoundColumns):
    workstream_id = serializers.IntegerField()
    workstream = serializers.CharField(help_text="The workstream's name")
    area_number = serializers.IntegerField()
    year = serializers.IntegerField(help_text="The financial year of the saving")
    fy = serializers.CharField()
    saving = serializers.DecimalField(help_text="Pounds", **_DECIMAL)


class DsgCypSerializer(_RoundColumns):
    census_year = serializers.IntegerField(help_text="The January census: 2025 is January 2025")
    census_label = serializers.CharField()
    basis = serializers.CharField(help_text="actual or projection")
    table = serializers.ChoiceField(
        choices=["age", "need"], help_text="age: by age group; need: by primary need"
    )
    placement = serializers.CharField(help_text="DfE's placement category code")
    placement_name = serializers.CharField()
    category = serializers.CharField(help_text="The age group's or primary need's code")
    category_name = serializers.CharField()
    count = serializers.IntegerField(help_text="Children and young people with an EHC plan")
