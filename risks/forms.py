"""The risk section's form: a rated update with impact and likelihood."""

from __future__ import annotations

from django import forms

from svmonitor.section_forms import SCORES, RatedUpdateForm


class RiskUpdateForm(RatedUpdateForm):
    """A risk's assurance level, progress update, impact and likelihood."""

    impact = forms.TypedChoiceField(label="Impact (1 to 5)", choices=SCORES, coerce=int)
    likelihood = forms.TypedChoiceField(label="Likelihood (1 to 5)", choices=SCORES, coerce=int)
