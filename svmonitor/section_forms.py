"""Form pieces every section of a return shares: GOV.UK widget classes, the version the user
started from, and the rated (RAG + narrative) form."""

from __future__ import annotations

from django import forms

from svmonitor.choices import DEFAULT_DFE_MAPPING, DEFAULT_RAG_DEFINITIONS, Rag
from svmonitor.date_input import PARTS as DATE_PARTS
from svmonitor.date_input import GovukDateInput
from svmonitor.models import RagDefinition
from svmonitor.services import NARRATIVE_MAX

NARRATIVE_HINT = "Required for a Red or Amber level."


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


def narrative_field(label: str = "Progress update", help_text: str = NARRATIVE_HINT):
    """A section's narrative box: a GOV.UK character count (components/_field.html) whose limit
    the form sets from the council (narrative_limits_apply)."""
    field = forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # The limit is checked by the services (every door); the form only shows the count.
    field.max_characters = NARRATIVE_MAX
    return field


def narrative_limits_apply(form, council) -> None:
    """Give every character-counted box of the form the council's limit."""
    limit = getattr(council, "narrative_max", None) or NARRATIVE_MAX
    for field in form.fields.values():
        if getattr(field, "max_characters", None):
            field.max_characters = limit


def rag_options(council) -> list[tuple[str, str, str]]:
    """(level, the council's label for it, hint) for every level, best first: the hint says
    what the level means to the council (its RAG definition) and what DfE reads it as, in
    DfE's words for that level."""
    defined = {}
    if council is not None:
        defined = {d.level: d for d in RagDefinition.objects.filter(council=council)}
    options = []
    for level in Rag:
        definition = defined.get(level.value)
        label = (definition.label if definition else "") or level.label
        if level == Rag.NOT_RATED:
            options.append((level.value, label, "No level given for this update yet."))
            continue
        dfe = Rag(definition.dfe_level if definition else DEFAULT_DFE_MAPPING[level])
        dfe_meaning = DEFAULT_RAG_DEFINITIONS[dfe]
        own = (definition.definition if definition else DEFAULT_RAG_DEFINITIONS[level]).strip()
        hint = f"Reported to DfE as {dfe.label}: {dfe_meaning}."
        if own and own.rstrip(".") != dfe_meaning:
            hint = f"{own.rstrip('.')}. {hint}"
        if label != level.label:
            label = f"{label} ({level.label})"
        options.append((level.value, label, hint))
    return options


class GovukRadios(forms.RadioSelect):
    """GOV.UK radios (components/_field.html draws them, each option with its hint); the
    field's id is its first option's, where the error summary links."""

    def id_for_label(self, id_, index=None):
        return f"{id_}_{index if index is not None else 0}" if id_ else id_


def rag_radios_apply(form, name: str, council) -> None:
    """Make a RAG choice GOV.UK radios in the council's notation, each level's DfE meaning as
    its hint (components/_field.html)."""
    options = rag_options(council)
    field = form.fields[name]
    field.choices = [(value, label) for value, label, _hint in options]
    field.widget = GovukRadios(choices=field.choices)
    field.hints = {value: hint for value, _label, hint in options}


class RatedUpdateForm(VersionedForm):
    """A condition's or workstream's assurance level (radios in the council's notation) and
    progress update (a character count at the council's limit)."""

    rag = forms.ChoiceField(label="Assurance level", choices=Rag.choices)
    narrative = narrative_field()

    def __init__(self, *args, council=None, **kwargs):
        super().__init__(*args, **kwargs)
        rag_radios_apply(self, "rag", council)
        narrative_limits_apply(self, council)
