"""Local password rules beyond Django's length and common-password lists (issue 16.5).

Refused, each with a message that says why: one character repeated ("aaaaaaaaaaaa"), very few
different characters, the same few characters repeated ("passwordpassword"), runs of
neighbouring characters ("123456789012", "abcdefghijkl", "qwertyuiopas"), and a password built
from the user's own username, e-mail address or name, or the name of a council they hold a role
for, with only a little added ("wiltshire2025!"). Wired in AUTH_PASSWORD_VALIDATORS, so every door
that sets a password through Django's validation (password change, the admin's add-user and
change-password forms, `changepassword`, `createsuperuser`) applies them.

The checks are on the password with case, spaces and the usual separators ignored, and look-alike
characters read as letters (0 as o, 1 and ! as i, 3 as e, 4 and @ as a, 5 and $ as s, 7 as t),
so "W1ltsh1re-2025" is read as built from "Wiltshire". No message repeats the password.
"""

from __future__ import annotations

import re
from itertools import pairwise

from django.core.exceptions import ValidationError

# Strings whose neighbouring characters make a "sequence": the alphabet, digits (9 then 0
# counts: "1234567890 12" is one run), and the keyboard's letter rows read left to right and
# on into the next row, as people type them.
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "`1234567890-=",
)
_NEIGHBOURS = frozenset(
    pair for text in _SEQUENCES for a, b in pairwise(text) for pair in ((a, b), (b, a))
)
# A run of neighbours at least this long counts; a password made of such runs is refused...
SEQUENCE_RUN = 4
# ... with at most this many other characters ("1234567890qw" is still a sequence).
SEQUENCE_SPARE = 3
# Fewer different characters than this is refused whatever the length.
MIN_DISTINCT = 4
# What must be left, once the user's and their councils' names are taken out, for the
# password not to count as built from them.
MIN_REST = 8

# Separators people put between the parts of a password; ignored by every check.
_SEPARATORS = re.compile(r"[\s._\-+/\\|,;:'\"]+")
# Look-alikes read as the letter they stand for, on both the password and the names.
_LOOK_ALIKES = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "l": "i",
        "!": "i",
        "3": "e",
        "4": "a",
        "@": "a",
        "5": "s",
        "$": "s",
        "7": "t",
    }
)
# Words in council names that say what kind of council it is, not which.
_GENERIC_WORDS = frozenset(
    {
        "council",
        "county",
        "city",
        "borough",
        "district",
        "metropolitan",
        "royal",
        "the",
        "and",
        "of",
        "upon",
        "on",
        "with",
    }
)

ONE_CHARACTER = "This password is one character repeated. Use a few unrelated words instead."
FEW_CHARACTERS = (
    "This password uses only {count} different characters. Use a few unrelated words instead."
)
REPEATED = (
    "This password is the same word or characters repeated. Repeating something does not make "
    "a password harder to guess; use a few unrelated words instead."
)
SEQUENCE = (
    "This password is a sequence of neighbouring characters (like 12345, abcde or qwerty), "
    "which is among the first things an attacker tries. Use a few unrelated words instead."
)
BUILT_FROM = (
    "This password is built from {source}, with too little added. Use words that have nothing "
    "to do with you or your council."
)
HELP_TEXT = (
    "Your password cannot be one character or a few characters repeated, a sequence such as "
    "12345 or qwerty, or built from your username, e-mail address, name or council's name."
)


def _plain(text: str) -> str:
    """Lower case, without spaces or separators."""
    return _SEPARATORS.sub("", text.lower())


def _period(text: str) -> int | None:
    """The length of the shortest chunk that `text` repeats (at least twice), or None."""
    for size in range(1, len(text) // 2 + 1):
        if (text[:size] * (len(text) // size + 1))[: len(text)] == text:
            return size
    return None


def _is_sequence(text: str) -> bool:
    """Whether `text` is runs of SEQUENCE_RUN or more neighbouring characters (a repeated
    character counts as its own neighbour) with at most SEQUENCE_SPARE other characters."""
    in_runs, run = 0, 1
    for previous, current in pairwise(text):
        if previous == current or (previous, current) in _NEIGHBOURS:
            run += 1
            continue
        in_runs += run if run >= SEQUENCE_RUN else 0
        run = 1
    in_runs += run if run >= SEQUENCE_RUN else 0
    return in_runs > 0 and len(text) - in_runs <= SEQUENCE_SPARE


def _shape_error(text: str) -> ValidationError | None:
    """Why `text` (already plain) is too regular a shape to be a password, or None."""
    distinct = len(set(text))
    if distinct == 1:
        return ValidationError(ONE_CHARACTER, code="password_one_character")
    if _period(text) is not None:
        return ValidationError(REPEATED, code="password_repeated")
    if _is_sequence(text):
        return ValidationError(SEQUENCE, code="password_sequence")
    if distinct < MIN_DISTINCT:
        return ValidationError(
            FEW_CHARACTERS.format(count=distinct), code="password_few_characters"
        )
    return None


def _names(user) -> list[tuple[str, str]]:
    """(name, where it comes from) for everything a password must not be built from."""
    if user is None:
        return []
    names: list[tuple[str, str]] = []
    username = str(user.get_username() or "")
    email_local = str(getattr(user, "email", "") or "").split("@")[0]
    for value, source in ((username, "your username"), (email_local, "your e-mail address")):
        names.append((value, source))
        names.extend((part, source) for part in re.split(r"[^a-zA-Z0-9]+", value))
    for field in ("first_name", "last_name"):
        names.append((str(getattr(user, field, "") or ""), "your name"))
    if getattr(user, "pk", None) is not None:
        from svmonitor.models import LocalAuthority

        councils = LocalAuthority.objects.filter(memberships__user=user).distinct()
        for council in councils.only("name", "slug").order_by("name"):
            source = f"the name of your council ({council.name})"
            names.extend([(council.name, source), (council.slug, source)])
            names.extend(
                (word, source)
                for word in re.split(r"[^a-zA-Z0-9]+", council.name)
                if word.lower() not in _GENERIC_WORDS
            )
    return names


def _built_from(text: str, user) -> str | None:
    """Where `text` (already plain) comes from, if taking the user's and their councils' names
    out of it leaves too little or only a sequence; else None."""
    read = text.translate(_LOOK_ALIKES)
    found: list[tuple[str, str]] = []
    for name, source in _names(user):
        key = _plain(name).translate(_LOOK_ALIKES)
        if len(key) >= 3 and key in read:
            found.append((key, source))
    if not found:
        return None
    # Longest first, so "wiltshire council" goes before "wiltshire". The look-alike reading
    # has the same length as the password, so a match's place is its place in the password.
    kept = list(text)
    for key, _source in sorted(found, key=lambda item: -len(item[0])):
        for match in re.finditer(re.escape(key), read):
            for index in range(match.start(), match.end()):
                kept[index] = ""
    rest = "".join(kept)
    if len(rest) < MIN_REST or _shape_error(rest) is not None:
        return max(found, key=lambda item: len(item[0]))[1]
    return None


class PasswordShapeValidator:
    """Refuse a password that is a repeat, a sequence or built from the user's or their
    councils' names, saying which."""

    def validate(self, password: str, user=None) -> None:
        text = _plain(password)
        if not text:
            return
        error = _shape_error(text)
        if error is not None:
            raise error
        source = _built_from(text, user)
        if source is not None:
            raise ValidationError(
                BUILT_FROM.format(source=source),
                code="password_built_from_names",
            )

    def get_help_text(self) -> str:
        return HELP_TEXT
