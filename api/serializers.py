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


class _RoundColumns(serializers.Serializer):
    council = serializers.SlugField(help_text="The council's slug")
    round = serializers.CharField(help_text="Financial year and update, e.g. 2024-25/3")
    financial_year = serializers.IntegerField(help_text="Start year: 2024 is 2024-25")
    update_number = serializers.IntegerField()
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
    update_number = serializers.IntegerField()
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
