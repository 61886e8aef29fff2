"""Exceptions the services raise that views turn into messages."""

from django.core.exceptions import ValidationError

RETURN_LOCKED = "This return is {state} and can no longer be edited; reopen it first."
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
