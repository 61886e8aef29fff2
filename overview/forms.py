"""Forms for a return's overview and its headline lists."""

from __future__ import annotations

from django import forms

from overview.models import Headline
from overview.selectors import ON_TRACK_QUESTIONS
from overview.services import HEADLINES_MAX
from svmonitor.choices import Rag, YesNo
from svmonitor.date_input import GovukDateField
from svmonitor.section_forms import (
    GovukFormMixin,
    VersionedForm,
    narrative_field,
    narrative_limits_apply,
    rag_radios_apply,
)

ANSWERS = [("", "Not answered"), *YesNo.choices]


class OverviewForm(VersionedForm):
    """The three on-track answers with commentary, adviser request and overall assurance."""

    deficit_this_year_on_track = forms.ChoiceField(choices=ANSWERS, required=False)
    deficit_this_year_commentary = narrative_field("Commentary")
    zero_deficit_on_track = forms.ChoiceField(choices=ANSWERS, required=False)
    zero_deficit_commentary = narrative_field("Commentary")
    capital_project_on_track = forms.ChoiceField(choices=ANSWERS, required=False)
    capital_project_commentary = narrative_field("Commentary")
    adviser_support_requested = forms.ChoiceField(
        label="Request support from the DfE adviser?", choices=ANSWERS, required=False
    )
    adviser_support_detail = narrative_field("What support is requested")
    overall_rag = forms.ChoiceField(label="Overall assurance level", choices=Rag.choices)
    overall_narrative = narrative_field("Overall narrative")

    def __init__(self, *args, council=None, **kwargs):
        super().__init__(*args, **kwargs)
        for answer, commentary, wording in ON_TRACK_QUESTIONS:
            self.fields[answer].label = f"{wording}?"
            self.fields[commentary].help_text = "Required with a Yes or No answer."
        self.fields["adviser_support_detail"].help_text = "Required with a Yes answer."
        rag_radios_apply(self, "overall_rag", council)
        narrative_limits_apply(self, council)

    @property
    def questions(self):
        """(answer field, commentary field) pairs in the template's order."""
        return [(self[answer], self[commentary]) for answer, commentary, _w in ON_TRACK_QUESTIONS]


class RepeatedTextarea(forms.Textarea):
    """Every value posted under one name (the headline boxes share one)."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def id_for_label(self, id_):
        # The boxes are "<id>-1", "<id>-2"...: the error summary links to the first.
        return f"{id_}-1" if id_ else id_


class HeadlinesForm(GovukFormMixin, forms.Form):
    """One list of headlines; `seen` is a fingerprint of the list the user started from."""

    texts = forms.Field(required=False, widget=RepeatedTextarea)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_texts(self):
        value = self.cleaned_data.get("texts") or []
        return [str(text) for text in (value if isinstance(value, list) else [value])]

    def slots(self) -> list[str]:
        """The texts to show in the boxes: what was posted, padded to three boxes."""
        if self.is_bound:
            texts = self.data.getlist("texts") if hasattr(self.data, "getlist") else []
        else:
            texts = list(self.initial.get("texts", []))
        return texts + [""] * (HEADLINES_MAX - len(texts))


HEADLINE_KIND_VALUES = Headline.Kind.values


class NarrativeTextForm(VersionedForm):
    """One topic's text of a DSG plan round (a character count at the council's limit)."""

    text = narrative_field("Text", help_text="")

    def __init__(self, *args, council=None, topic=None, **kwargs):
        super().__init__(*args, **kwargs)
        if topic is not None:
            self.fields["text"].label = topic.title
            self.fields["text"].help_text = topic.hint
        narrative_limits_apply(self, council)


class GovernanceForm(VersionedForm):
    """A DSG plan round's Schools Forum date, next review and notes (GOV.UK date inputs)."""

    schools_forum_date = GovukDateField(
        label="Schools Forum date",
        called="The Schools Forum date",
        required=False,
        help_text="The meeting this term's plan goes to. For example, 12 6 2025",
    )
    next_review_date = GovukDateField(
        label="Next review date",
        called="The next review date",
        required=False,
        help_text="When the plan is next reviewed. For example, 9 10 2025",
    )
    notes = narrative_field("Governance notes", help_text="Optional.")

    def __init__(self, *args, council=None, **kwargs):
        super().__init__(*args, **kwargs)
        narrative_limits_apply(self, council)
