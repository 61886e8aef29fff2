"""The risk section's form: a rated update, with impact and likelihood in a scored register."""

from __future__ import annotations

from django import forms

from svmonitor.section_forms import SCORES, RatedUpdateForm

SCORE_CHOICES = [("", "Choose 1 to 5"), *SCORES]
# Issue 15.8: the council chooses which risks go into the DfE report's register.
IN_DFE_REPORT_CHOICES = [
    ("", "When it has an update in this return (the default)"),
    ("True", "Yes, include it"),
    ("False", "No, keep it to the board's dashboard"),
]


class RiskUpdateForm(RatedUpdateForm):
    """A risk's assurance level, progress update, impact and likelihood.

    Impact and likelihood are optional here: the council's register decides (risk_update_save
    requires them in a scored register and refuses them in a rated one, where the page does
    not show them), so every door meets the same rule with the same message."""

    impact = forms.TypedChoiceField(
        label="Impact (1 to 5)", choices=SCORE_CHOICES, coerce=int, required=False, empty_value=None
    )
    likelihood = forms.TypedChoiceField(
        label="Likelihood (1 to 5)",
        choices=SCORE_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )
    in_dfe_report = forms.TypedChoiceField(
        label="In the DfE report's risk register",
        help_text="Every risk stays on the board's dashboard.",
        choices=IN_DFE_REPORT_CHOICES,
        coerce=lambda value: value == "True",
        required=False,
        empty_value=None,
    )
