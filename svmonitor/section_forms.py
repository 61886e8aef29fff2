"""Form pieces every section of a return shares: GOV.UK widget classes, the version the user
started from, and the rated (RAG + narrative) form."""

from __future__ import annotations

from django import forms

from svmonitor.choices import Rag
from svmonitor.date_input import PARTS as DATE_PARTS
from svmonitor.date_input import GovukDateInput
from svmonitor.services import NARRATIVE_MAX

NARRATIVE_HINT = f"Required for a Red or Amber level. Up to {NARRATIVE_MAX:,} characters."


SCORES = [(n, str(n)) for n in range(1, 6)]


VERSION_LOST = "This form lost track of the version you started from; reload the page."


class GovukFormMixin:
    """Adds GOV.UK Frontend classes to widgets, and their error modifiers to invalid fields."""

    widget_classes = {
        forms.Select: "govuk-select",
        forms.Textarea: "govuk-textarea",
        forms.TextInput: "govuk-input",
        forms.NumberInput: "govuk-input govuk-input--width-5",
        forms.CheckboxInput: "govuk-checkboxes__input",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            base = next((c for t, c in self.widget_classes.items() if type(bound.widget) is t), "")
            if base:
                bound.widget.attrs["class"] = base

    def add_error(self, field, error):
        super().add_error(field, error)
        # Service errors arrive here too, so the error style follows every message.
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if isinstance(widget, GovukDateInput) and not widget.error_parts:
                # A rule about the whole date (inside the year, not in the future): every box.
                widget.error_parts = DATE_PARTS
            css = widget.attrs.get("class", "") if widget is not None else ""
            if css and "--error" not in css and not isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = f"{css} {css.split()[0]}--error"


class VersionedForm(GovukFormMixin, forms.Form):
    """A section form carrying the version the user started from."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": VERSION_LOST, "invalid": VERSION_LOST},
    )


def narrative_field(label: str = "Progress update") -> forms.CharField:
    """A section's narrative box, with the length hint."""
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=NARRATIVE_HINT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class RatedUpdateForm(VersionedForm):
    """A condition's or workstream's assurance level and progress update."""

    rag = forms.ChoiceField(label="Assurance level", choices=Rag.choices)
    narrative = narrative_field()
