"""Read the RAG notations councils write ("A/G", "Amber / Green", "Green - On Track")."""

from __future__ import annotations

import re

from svmonitor.choices import Rag

_WORDS = {
    "r": Rag.RED,
    "red": Rag.RED,
    "a": Rag.AMBER,
    "amber": Rag.AMBER,
    "g": Rag.GREEN,
    "green": Rag.GREEN,
    "b": Rag.BLUE,
    "blue": Rag.BLUE,
}
# Two colours written together name a blended level, in either order.
_PAIRS = {
    frozenset({Rag.AMBER, Rag.GREEN}): Rag.AMBER_GREEN,
    frozenset({Rag.AMBER, Rag.RED}): Rag.AMBER_RED,
}
_COMPACT = {"ag": Rag.AMBER_GREEN, "ga": Rag.AMBER_GREEN, "ar": Rag.AMBER_RED, "ra": Rag.AMBER_RED}
_NOT_RATED = {"not rated", "not_rated", "n/a", "na", "nr", "none", "-", "tbc"}
_SPLIT = re.compile("[\\s/\\\\&,:;()\\-\u2013\u2014]+")


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def rag_parse(text: str, council_labels: dict[str, str] | None = None) -> str:
    """The Rag level a council's notation means; ValueError saying why when it is not one."""
    normal = _normal(str(text))
    if not normal:
        return Rag.NOT_RATED
    # The council's own labels win: its "A/G" may be defined differently from ours.
    if council_labels and normal in council_labels:
        return council_labels[normal]
    for choice in Rag:
        if normal in (choice.value, choice.label.casefold()):
            return choice
    if normal in _NOT_RATED:
        return Rag.NOT_RATED
    if normal in _COMPACT:
        return _COMPACT[normal]
    colours = []
    # Leading colour words, then anything after them is commentary ("Green - On Track").
    for token in filter(None, _SPLIT.split(normal)):
        if token in ("and", "to") and colours:
            continue
        if token not in _WORDS:
            break
        colours.append(_WORDS[token])
    if not colours:
        raise ValueError(f"RAG {text!r} is not recognised (use e.g. Red, Amber, A/G, Green)")
    levels = frozenset(colours)
    if len(levels) == 1:
        return colours[0]
    if levels in _PAIRS:
        return _PAIRS[levels]
    raise ValueError(f"RAG {text!r} mixes colours that make no level")


def rag_labels_for_council(definitions) -> dict[str, str]:
    """Map each council label (normalised) to its level, from RagDefinition-like rows."""
    return {_normal(d.label): d.level for d in definitions if d.label}
