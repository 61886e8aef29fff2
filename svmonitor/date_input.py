"""The GOV.UK date input: a date entered as day, month and year in three boxes, never the
browser's date picker (issue 15.11; https://design-system.service.gov.uk/components/date-input/).

`GovukDateField(label=...)` on any form; `components/_field.html` renders it as a fieldset with
the label as its legend, a hint, the error message and the three boxes, only the boxes in error
marked, and the error summary's link goes to the first box in error (`id_for_label`). Errors are
GOV.UK's: "<label> must include a month", "<label> must be a real date", "Year must include 4
numbers". A client posting the whole date as one ISO field (`submitted_on=2024-12-11`) is still
understood.
"""

from __future__ import annotations

import datetime as dt

from django import forms

PARTS = ("day", "month", "year")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WIDTHS = {"day": 2, "month": 2, "year": 4}


class GovukDateInput(forms.MultiWidget):
    """Three text boxes (day, month, year) with GOV.UK's classes; the boxes in error (set by
    the field when it cleans, or all of them for an error added after) are marked."""

    template_name = "svmonitor/date_input_widget.html"

    def __init__(self, attrs=None):
        widgets = {
            part: forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})
            for part in PARTS
        }
        super().__init__(widgets, attrs)
        self.error_parts: tuple[str, ...] = ()

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [str(day.day), str(day.month), str(day.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        if not any(f"{name}_{part}" in data for part in PARTS) and name in data:
            # One ISO date (an older page, a script or a test): read it as its three parts.
            return self.decompress(data.get(name))
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def id_for_label(self, id_):
        # The error summary and the legend point at the first box in error (else the day).
        first = self.error_parts[0] if self.error_parts else "day"
        return f"{id_}_{first}" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for part, sub in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            css = f"govuk-input govuk-date-input__input govuk-input--width-{_WIDTHS[part]}"
            if part in self.error_parts:
                css += " govuk-input--error"
            sub["attrs"]["class"] = css
            if attrs and attrs.get("id"):
                # Named by part ("…_month"), as the error summary links to them.
                sub["attrs"]["id"] = f"{attrs['id']}_{part}"
            sub["attrs"].pop("aria-describedby", None)
            sub["attrs"].pop("aria-invalid", None)
            sub["part"] = part
            sub["label"] = part.capitalize()
        if attrs and attrs.get("id"):
            context["widget"]["group_id"] = attrs["id"]
        return context


class GovukDateField(forms.MultiValueField):
    """A date entered in the GOV.UK date input, with GOV.UK's error messages.

    `label` (or `called`, where the label does not read as a noun) names the date in the
    messages ("Date sent to DfE must include a month"); a `required` error message of the
    form's own may be given in `error_messages`.
    """

    widget = GovukDateInput

    def __init__(self, *, label: str, called: str | None = None, error_messages=None, **kwargs):
        fields = (forms.CharField(required=False),) * 3
        self.called = called or label
        messages = {
            "required": f"Enter {self.called[0].lower() + self.called[1:]}",
            **(error_messages or {}),
        }
        super().__init__(
            fields,
            label=label,
            require_all_fields=False,
            error_messages=messages,
            **kwargs,
        )

    def clean(self, value):
        widget = self.widget
        widget.error_parts = ()
        parts = [(str(v).strip() if v is not None else "") for v in (value or [None] * 3)]
        if not any(parts):
            if self.required:
                widget.error_parts = PARTS
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        missing = tuple(part for part, text in zip(PARTS, parts, strict=True) if not text)
        if missing:
            widget.error_parts = missing
            raise forms.ValidationError(
                f"{self.called} must include a {' and '.join(missing)}", code="incomplete"
            )
        day_text, month_text, year_text = parts
        month = _MONTHS.get(month_text.lower()) if not month_text.isdigit() else int(month_text)
        if not (year_text.isdigit() and len(year_text) == 4):
            widget.error_parts = ("year",)
            raise forms.ValidationError("Year must include 4 numbers", code="year")
        try:
            if not day_text.isdigit() or month is None:
                raise ValueError
            day = dt.date(int(year_text), month, int(day_text))
        except ValueError:
            widget.error_parts = PARTS
            raise forms.ValidationError(
                f"{self.called} must be a real date", code="invalid"
            ) from None
        self.run_validators(day)
        return day

    def has_changed(self, initial, data):
        return self.widget.decompress(initial) != data
