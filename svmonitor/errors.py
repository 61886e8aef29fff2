"""Exceptions the services raise that views turn into messages."""

from django.core.exceptions import ValidationError

from svmonitor.choices import RoundOrigin

RETURN_LOCKED = "This return is {state} and can no longer be edited; reopen it first."
IMPORTED_READ_ONLY = (
    "{label} was imported from the council's records as submitted to DfE before svmonitor; "
    "it cannot be edited or reopened."
)
_STATE_WORDS = {"ready": "ready for sign-off", "signed_off": "signed off", "submitted": "submitted"}


class StaleEdit(Exception):
    """A save carried an older version than the one stored: someone else saved in between."""

    def __init__(self, *, current: dict, current_version: int | str, message: str = "") -> None:
        # current_version is what the form re-submits to save over the stored state: a version
        # number, or for a row-less state (a headline list) its fingerprint.
        self.current = current
        self.current_version = current_version
        self.message = message or (
            "Someone else saved this section after you opened it. Their text is shown below "
            "with yours; copy what you need and save again."
        )
        super().__init__(self.message)


def locked_message(status: str) -> str:
    """What every door says of a return past draft: "This return is submitted and ..."."""
    return RETURN_LOCKED.format(state=_STATE_WORDS.get(status, status))


def locked_error(status: str) -> ValidationError:
    """The error every section service raises for a return that is past draft."""
    return ValidationError(locked_message(status), code="locked")


def round_locked_message(round) -> str:
    """What every door says of a return it may not edit: an imported return's own words
    (it can never be reopened), else the locked words for its status."""
    if getattr(round, "origin", None) == RoundOrigin.IMPORTED:
        return IMPORTED_READ_ONLY.format(label=round.label)
    return locked_message(round.status)


def round_locked_error(round) -> ValidationError:
    """The error every section service raises for a return it may not edit."""
    return ValidationError(round_locked_message(round), code="locked")
