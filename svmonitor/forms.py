"""Account forms: sign in, change password, and the TOTP code."""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils import timezone

# One message for every failed sign-in: wrong password, unknown user, inactive, demo account
# with DEBUG off, or throttled. Saying which would tell an attacker which usernames exist.
SIGN_IN_FAILED = (
    "Enter a correct username and password. After {limit} failed attempts, sign-in is paused "
    "for {minutes} minutes."
)
# A locked-out username+IP pair is told so and when it may try again (issue 16.5). Unknown and
# known usernames are locked alike, so this says nothing about which exist.
SIGN_IN_LOCKED = (
    "This account is locked because of {limit} failed sign-in attempts. You can try again "
    "from {time}."
)
TOKEN_INVALID = "Enter the 6-digit code shown in your authenticator app now."  # noqa: S105

_INPUT = "govuk-input"


def sign_in_failed_message() -> str:
    """The one sign-in failure message, with the throttle limits from settings."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return SIGN_IN_FAILED.format(limit=settings.AXES_FAILURE_LIMIT, minutes=minutes)


def govuk_time(moment: dt.datetime) -> str:
    """A local time as GOV.UK writes it ("2:32pm", "midday", "midnight"), with the date
    ("12:05am on 8 December 2026") when it is not today."""
    local = timezone.localtime(moment)
    if (local.hour, local.minute) == (12, 0):
        text = "midday"
    elif (local.hour, local.minute) == (0, 0):
        text = "midnight"
    else:
        hour = local.hour % 12 or 12
        text = f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    if local.date() != timezone.localdate():
        text += f" on {local.day} {local:%B %Y}"
    return text


def sign_in_locked_message(until: dt.datetime) -> str:
    """The lockout message: why, and the first whole minute at which sign-in works again."""
    if until.second or until.microsecond:
        until = until.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return SIGN_IN_LOCKED.format(limit=settings.AXES_FAILURE_LIMIT, time=govuk_time(until))


class SignInForm(AuthenticationForm):
    """Username and password; failures all give the same message."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        message = sign_in_failed_message()
        self.error_messages = {"invalid_login": message, "inactive": message}
        # autocomplete lets password managers fill and paste; nothing here blocks paste.
        self.fields["username"].widget.attrs.update(
            {"class": _INPUT, "autocomplete": "username", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update(
            {"class": _INPUT, "autocomplete": "current-password"}
        )


class AccountPasswordChangeForm(PasswordChangeForm):
    """Django's password change, checked by AUTH_PASSWORD_VALIDATORS (12+ chars, not common)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].widget.attrs.update(
            {"class": _INPUT, "autocomplete": "current-password"}
        )
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.update({"class": _INPUT, "autocomplete": "new-password"})
        self.fields["new_password1"].help_text = (
            "At least 12 characters. A few unrelated words make a good password; you do not "
            "need numbers or symbols. Common passwords, repeats, sequences such as 12345 or "
            "qwerty, and passwords built from your username or your council's name are refused."
        )


class TokenForm(forms.Form):
    """The 6-digit code from an authenticator app."""

    otp_token = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": f"{_INPUT} govuk-input--width-5",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_otp_token(self) -> str:
        # People paste codes with spaces ("123 456"); keep only the digits.
        return "".join(ch for ch in self.cleaned_data["otp_token"] if ch.isdigit())
