"""The figures a narrative gives for a measure, found by a small, explained parser.

A figure is digits with optional thousands commas and decimals ("4,512", "11.4"), with an
optional "£" before it and an optional "%", "k", "m", "bn" or "million" after it ("£1.2m" is
1,200,000; "£350k" is 350,000; "5.8%" is 5.8). Left out, because they are not amounts: a year
written alone (1900-2099 with no comma, decimals or unit), a number joined to another by "-"
or "/" (a date, "2024-25", "3/4"), and a number straight after a word that numbers things
("condition 3", "Update 2", "risk 4", "priority 1", "area 2", "quarter 3", "Q3", "tier 2",
"phase 1", "year 2", "page 4").

A figure belongs to a measure when, in the same sentence, it is the first figure after the
measure's name (or, with none after, the last one before it) and its kind matches the
measure's unit: a "%" figure for a percentage, a "£" figure for money, a plain figure for a
count or weeks. A measure's name matches as written, or without a leading "Number of",
"Percentage of", "Proportion of", "% of" or "Total" ("EHCPs" for "Number of EHCPs"). A figure
in a sentence that names none of the section's measures is not read as any of theirs, even when
the section cites only one: tried on the demo councils' narratives, that read a plan's income,
a spending target and a contribution (three £ figures in one Wiltshire update) as the cited
overspend measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

PERCENT, MONEY, PLAIN = "percent", "money", "plain"
UNIT_KIND = {"percent": PERCENT, "gbp": MONEY, "gbp_m": MONEY, "count": PLAIN, "weeks": PLAIN}
SCALE = {"k": Decimal(1_000), "m": Decimal(1_000_000), "million": Decimal(1_000_000)}
SCALE["bn"] = Decimal(1_000_000_000)

FIGURE = re.compile(
    r"(?P<pound>£\s?)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<unit>%|million\b|bn\b|k\b|m\b))?",
    re.IGNORECASE,
)
NUMBERING = re.compile(
    r"\b(?:condition|update|risk|priority|area|workstream|quarter|q|tier|phase|stage|step|"
    r"year|page|section|paragraph|appendix|table|figure)\s*$",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
NAME_PREFIX = re.compile(r"^(?:number of|percentage of|proportion of|% of|total)\s+", re.IGNORECASE)
NEAR = 80  # characters: a figure further from the name than this is not read as its


@dataclass(frozen=True)
class Figure:
    """One figure in a narrative: as written, its kind and its value in plain units."""

    text: str
    kind: str
    value: Decimal
    start: int
    end: int

    def value_in(self, unit: str) -> Decimal:
        """The figure in the measure's own unit (£m measures are kept in millions)."""
        return self.value / SCALE["m"] if unit == "gbp_m" else self.value


def figures(sentence: str) -> list[Figure]:
    """Every figure in one sentence that is an amount (see the module's rules)."""
    found = []
    for match in FIGURE.finditer(sentence):
        start, end = match.span()
        before, after = sentence[max(0, start - 1) : start], sentence[end : end + 2]
        if before and (before.isalnum() or before in "-/.,") and not match.group("pound"):
            continue
        if re.match(r"[-/]\d", after):
            continue
        if NUMBERING.search(sentence[:start]) and not match.group("pound"):
            continue
        raw, unit, pound = match.group("number"), (match.group("unit") or ""), match.group("pound")
        plain = not unit and not pound and raw.isdigit()
        if plain and len(raw) == 4 and 1900 <= int(raw) <= 2099:
            continue
        try:
            value = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            continue
        if unit == "%":
            kind = PERCENT
        else:
            value *= SCALE.get(unit.lower(), Decimal(1))
            kind = MONEY if pound else PLAIN
        found.append(Figure(match.group(0).strip(), kind, value, start, end))
    return found


def name_forms(name: str) -> list[str]:
    """The ways a measure's name is matched: as written, and without a leading "Number of"."""
    forms = [name.strip()]
    short = NAME_PREFIX.sub("", forms[0])
    if short and short != forms[0]:
        forms.append(short)
    return [form.lower() for form in forms if form]


def _name_spans(sentence: str, forms: list[str]) -> list[tuple[int, int]]:
    lower = sentence.lower()
    spans = []
    for form in forms:
        pattern = r"(?<!\w)" + re.escape(form) + r"(?!\w)"
        spans += [match.span() for match in re.finditer(pattern, lower)]
    return spans


@dataclass(frozen=True)
class MeasureRef:
    """A measure as the parser needs it."""

    pk: int
    name: str
    unit: str


def figures_for_measures(text: str, measures: list[MeasureRef]) -> list[tuple[MeasureRef, Figure]]:
    """Each figure the narrative gives for one of the measures, in the order written."""
    pairs: list[tuple[MeasureRef, Figure]] = []
    for sentence in SENTENCE_END.split(text or ""):
        found = figures(sentence)
        if not found:
            continue
        taken: set[int] = set()
        for measure in measures:
            kind = UNIT_KIND.get(measure.unit, PLAIN)
            for name_start, name_end in _name_spans(sentence, name_forms(measure.name)):
                fits = [fig for fig in found if fig.kind == kind and fig.start not in taken]
                after = [f for f in fits if f.start >= name_end and f.start - name_end <= NEAR]
                before = [f for f in fits if f.end <= name_start and name_start - f.end <= NEAR]
                pick = after[0] if after else (before[-1] if before else None)
                if pick is not None:
                    taken.add(pick.start)
                    pairs.append((measure, pick))
    return pairs


def differs(found: Decimal, data: Decimal, tolerance_pct: Decimal) -> bool:
    """Whether a narrative's figure is further from the data than the tolerance (per cent of
    the data's figure; any difference at all from a zero)."""
    if data == 0:
        return found != 0
    return abs(found - data) > abs(data) * tolerance_pct / Decimal(100)
