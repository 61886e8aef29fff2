"""Forms of a return's lifecycle: open the next round, sign off, record the submission, reopen."""

from __future__ import annotations

from django import forms

from svmonitor.date_input import GovukDateField
from svmonitor.fy import fy_bounds, fy_label
from svmonitor.models import SignOff
from svmonitor.return_kinds import return_kind_choices
from svmonitor.section_forms import GovukFormMixin
from svmonitor.services.rounds import round_last_signed_on


class ReopenForm(GovukFormMixin, forms.Form):
    """Why a return is sent back to draft."""

    reason = forms.CharField(
        label="Why are you reopening this return?",
        help_text="This is recorded, and any sign-offs are voided.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the return is being reopened."},
    )


class SubmissionForm(GovukFormMixin, forms.Form):
    """The date the signed-off return was sent to its recipient (DfE; a DSG plan update's,
    the Schools Forum)."""

    submitted_on = GovukDateField(
        label="Date sent to DfE",
        error_messages={"required": "Enter the date the return was sent to DfE."},
    )

    def __init__(self, *args, round=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.recipient = round.kind.recipient if round is not None else "DfE"
        if self.recipient != "DfE":
            field = self.fields["submitted_on"]
            field.label = field.called = f"Date sent to {self.recipient}"
            field.error_messages["required"] = (
                f"Enter the date the return was sent to {self.recipient}."
            )

    def clean_submitted_on(self):
        day = self.cleaned_data["submitted_on"]
        if self.round is not None:
            first, last = fy_bounds(self.round.financial_year)
            signed = round_last_signed_on(self.round)
            if signed is not None and signed > last:
                # Signed off after its year ended (a late return, or a spring term signed in
                # April): it can only have gone since, so the year's end is no bound; the
                # service refuses a date before the sign-off or in the future.
                if day < first:
                    raise forms.ValidationError(
                        f"The date sent to {self.recipient} must be on or after "
                        f"{first:%-d %B %Y}, the start of {fy_label(self.round.financial_year)}."
                    )
            elif not first <= day <= last:
                raise forms.ValidationError(
                    f"The date sent to {self.recipient} must be inside "
                    f"{fy_label(self.round.financial_year)} "
                    f"({first:%-d %B %Y} to {last:%-d %B %Y})."
                )
        return day


class OpenRoundForm(GovukFormMixin, forms.Form):
    """Which round to open next."""

    financial_year = forms.IntegerField(widget=forms.HiddenInput)
    update_number = forms.IntegerField(widget=forms.HiddenInput)
    # Which kind of return (svmonitor/return_kinds.py); a form without it opens a Safety Valve
    # update, as before the kinds.
    return_kind = forms.ChoiceField(
        choices=return_kind_choices, required=False, widget=forms.HiddenInput
    )


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
