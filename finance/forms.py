"""Forms for typing in High Needs Block finance lines: they only carry text to the services,
which parse and validate every figure."""

from __future__ import annotations

from django import forms

from finance.models import FinanceLine
from finance.selectors import FINANCE_ROWS
from finance.services import REFLECTS_MAX
from svmonitor.section_forms import GovukFormMixin, VersionedForm

MONEY_HINT = "Pounds, to the penny. Leave blank if there is no figure."
COMPUTED_HINT = (
    "Computed from the high needs block of the DSG management plan's financial summary: "
    "change it there."
)


def _money_field(label: str, hint: str) -> forms.CharField:
    # Text, not a number input: people type "£1,200.50", and the service reads it.
    return forms.CharField(
        label=f"{label} (£)",
        required=False,
        max_length=40,
        help_text=f"{hint} {MONEY_HINT}".strip(),
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}
        ),
    )


class FinanceFigureFields(forms.Form):
    """The six figures and what they reflect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, hint in FINANCE_ROWS:
            self.fields[name] = _money_field(label, hint)
        self.fields["reflects"] = forms.CharField(
            label="What the figures reflect",
            required=False,
            max_length=REFLECTS_MAX,
            help_text='For example "Q2 forecast" or "2023-24 outturn".',
        )
        # Figures the DSG management plan computes for this year are shown, not typed here.
        for name in getattr(self, "computed", ()):
            self.fields[name].disabled = True
            self.fields[name].help_text = COMPUTED_HINT
        # GovukFormMixin styled the fields that existed when it ran; style these too.
        for bound in self.fields.values():
            if type(bound.widget) is forms.TextInput:
                bound.widget.attrs["class"] = "govuk-input govuk-input--width-20"

    def figures(self):
        """The visible figure fields, in reading order."""
        return [self[name] for name, _label, _hint in FINANCE_ROWS]


class FinanceLineForm(FinanceFigureFields, VersionedForm):
    """A saved line's figures, with the version the editor started from."""

    computed: frozenset = frozenset()

    @classmethod
    def with_computed(cls, computed) -> type[FinanceLineForm]:
        """The form with `computed` figures read-only (the DSG plan computes them)."""
        if not computed:
            return cls
        return type("FinanceLineComputedForm", (cls,), {"computed": frozenset(computed)})


class FinanceLineAddForm(FinanceFigureFields, GovukFormMixin, forms.Form):
    """A new line: which year and scenario, then its figures."""

    financial_year = forms.TypedChoiceField(label="Financial year", coerce=int)
    scenario = forms.ChoiceField(label="Scenario", choices=FinanceLine.Scenario.choices)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(year, label) for year, label in years]
