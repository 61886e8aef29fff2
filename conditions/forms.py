"""Forms for editing a return in place: each feeds one service and only normalises input."""

from __future__ import annotations

from django import forms

from svmonitor.choices import Rag, YesNo
from svmonitor.fy import fy_bounds, fy_label
from svmonitor.models import Headline, SignOff
from svmonitor.selectors import ON_TRACK_QUESTIONS
from svmonitor.services import HEADLINES_MAX, NARRATIVE_MAX

NARRATIVE_HINT = f"Required for a Red or Amber level. Up to {NARRATIVE_MAX:,} characters."
SCORES = [(n, str(n)) for n in range(1, 6)]
ANSWERS = [("", "Not answered yet"), *YesNo.choices]
VERSION_LOST = "This form lost track of the version you started from; reload the page."


class GovukFormMixin:
    """Adds GOV.UK Frontend classes to widgets, and their error modifiers to invalid fields."""

    widget_classes = {
        forms.Select: "govuk-select",
        forms.Textarea: "govuk-textarea",
        forms.DateInput: "govuk-input govuk-input--width-10",
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


def _narrative_field(label: str = "Progress update") -> forms.CharField:
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
    narrative = _narrative_field()


class RiskUpdateForm(RatedUpdateForm):
    """A risk's assurance level, progress update, impact and likelihood."""

    impact = forms.TypedChoiceField(label="Impact (1 to 5)", choices=SCORES, coerce=int)
    likelihood = forms.TypedChoiceField(label="Likelihood (1 to 5)", choices=SCORES, coerce=int)


class MilestoneForm(VersionedForm):
    """A milestone's status, due date and completion date."""

    status = forms.ChoiceField(
        label="Status",
        choices=[
            ("complete", "Complete"),
            ("on_track", "On track"),
            ("at_risk", "At risk"),
            ("overdue", "Overdue"),
        ],
    )
    due_date = forms.DateField(
        label="Due date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date the milestone is due, like 2025-03-31."},
    )
    completed_on = forms.DateField(
        label="Completed on",
        required=False,
        help_text="Only for a completed milestone.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, round=None, original_completed_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.original_completed_on = original_completed_on

    def clean_completed_on(self):
        day = self.cleaned_data.get("completed_on")
        # A completion reported in this round falls in its financial year; an unchanged earlier
        # date (reported in an earlier round) stays as it was.
        if day and self.round is not None and day != self.original_completed_on:
            first, last = fy_bounds(self.round.financial_year)
            if not first <= day <= last:
                raise forms.ValidationError(
                    f"The completion date must be inside {fy_label(self.round.financial_year)} "
                    f"({first:%-d %B %Y} to {last:%-d %B %Y})."
                )
        return day


class OverviewForm(VersionedForm):
    """The three on-track answers with commentary, adviser request and overall assurance."""

    deficit_this_year_on_track = forms.ChoiceField(choices=ANSWERS, required=False)
    deficit_this_year_commentary = _narrative_field("Commentary")
    zero_deficit_on_track = forms.ChoiceField(choices=ANSWERS, required=False)
    zero_deficit_commentary = _narrative_field("Commentary")
    capital_project_on_track = forms.ChoiceField(choices=ANSWERS, required=False)
    capital_project_commentary = _narrative_field("Commentary")
    adviser_support_requested = forms.BooleanField(
        label="Request support from the DfE adviser", required=False
    )
    adviser_support_detail = _narrative_field("What support is requested")
    overall_rag = forms.ChoiceField(label="Overall assurance level", choices=Rag.choices)
    overall_narrative = _narrative_field("Overall narrative")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for answer, commentary, wording in ON_TRACK_QUESTIONS:
            self.fields[answer].label = f"{wording}?"
            self.fields[
                commentary
            ].help_text = f"Required with a Yes or No answer. Up to {NARRATIVE_MAX:,} characters."
        self.fields["adviser_support_detail"].help_text = "Required if you request support."

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


class ReopenForm(GovukFormMixin, forms.Form):
    """Why a return is sent back to draft."""

    reason = forms.CharField(
        label="Why are you reopening this return?",
        help_text="This is recorded, and any sign-offs are voided.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the return is being reopened."},
    )


class SubmissionForm(GovukFormMixin, forms.Form):
    """The date the signed-off return was sent to DfE."""

    submitted_on = forms.DateField(
        label="Date sent to DfE",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date the return was sent to DfE.",
            "invalid": "Enter the date the return was sent to DfE as a real date, like 2024-12-11.",
        },
    )

    def __init__(self, *args, round=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round

    def clean_submitted_on(self):
        day = self.cleaned_data["submitted_on"]
        if self.round is not None:
            first, last = fy_bounds(self.round.financial_year)
            if not first <= day <= last:
                raise forms.ValidationError(
                    f"The date sent to DfE must be inside {fy_label(self.round.financial_year)} "
                    f"({first:%-d %B %Y} to {last:%-d %B %Y})."
                )
        return day


class OpenRoundForm(GovukFormMixin, forms.Form):
    """Which round to open next."""

    financial_year = forms.IntegerField(widget=forms.HiddenInput)
    update_number = forms.IntegerField(widget=forms.HiddenInput)


SIGN_OFF_LABELS = dict(SignOff.Capacity.choices)
# "... and, as the S151 officer, sign it off ...": the capacity as it reads inside a sentence.
SIGN_OFF_AS = {
    SignOff.Capacity.S151: "the S151 officer",
    SignOff.Capacity.DCS: "the director of children's services",
}
DECLARATION = (
    "I confirm that I have read this return and, as {capacity}, sign it off as an accurate account"
)


class SignOffForm(GovukFormMixin, forms.Form):
    """The statutory officer's declaration, ticked before a sign-off is recorded."""

    confirm = forms.BooleanField(
        error_messages={
            "required": "Tick the box to confirm you have read this return before signing it off."
        }
    )

    def __init__(self, *args, capacity: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.capacity = capacity
        self.fields["confirm"].label = DECLARATION.format(
            capacity=SIGN_OFF_AS.get(capacity, "a statutory officer")
        )
