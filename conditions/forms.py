"""Forms for editing a return in place: each feeds one service and only normalises input."""

from __future__ import annotations

from django import forms

from conditions.models import Workstream
from svmonitor.date_input import GovukDateField
from svmonitor.fy import fy_bounds, fy_label
from svmonitor.section_forms import VersionedForm


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
    due_date = GovukDateField(
        label="Due date",
        error_messages={"required": "Enter the date the milestone is due."},
    )
    completed_on = GovukDateField(
        label="Completed on",
        called="The completion date",
        required=False,
        help_text="Only for a completed milestone.",
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


class WorkstreamLogForm(VersionedForm):
    """A workstream's entry in the DSG plan's workstream log."""

    lead_role = forms.CharField(
        label="Lead",
        max_length=120,
        required=False,
        help_text="A role title, not a person's name. For example, Head of SEND.",
    )
    start_date = GovukDateField(
        label="Start date",
        called="The start date",
        required=False,
        help_text="For example, 1 9 2025",
    )
    end_date = GovukDateField(
        label="End date",
        called="The end date",
        required=False,
        help_text="When the workstream is due to finish. For example, 31 8 2027",
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Not given"), *Workstream.Status.choices],
        required=False,
    )
    dsg_line = forms.CharField(
        label="DSG line affected",
        max_length=200,
        required=False,
        help_text="The line of the DSG plan whose spending it changes. For example, "
        "Independent special schools.",
    )
