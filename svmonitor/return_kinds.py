"""The kinds of return a council may run (issue 19): what a round of each kind is called, when
it falls due, and where its pages live. The lifecycle, sign-off, frozen record and access are
the spine's and shared by every kind; a kind's *parts* are registered by the apps that own them
(svmonitor.sections.return_part_register with `return_kind=`). Adding a kind is one
`return_kind_register` call here or in an app's ready(), plus its parts: no copy of the
lifecycle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from svmonitor.fy import fy_label
from svmonitor.sections import DSG_PLAN, SAFETY_VALVE


@dataclass(frozen=True)
class RoundSlot:
    """One round of a year in a kind's cadence: its name, the month it is known by, and the
    day it falls due (month and day; a month before April falls in the next calendar year of
    the financial year)."""

    number: int
    name: str
    month: str
    due_month: int
    due_day: int
    # The month its data runs to by default (first of that month).
    data_month: int


@dataclass(frozen=True)
class ReturnKind:
    """A kind of return: its titles, its cadence, who receives it, and the URL names of its
    round pages (each names the same reports views, with `kind=` in the URL's kwargs)."""

    slug: str
    title: str
    # "Quarterly return" / "DSG plan update": what a page calls one round of it.
    heading: str
    round_noun: str
    # "quarter" / "term": as in "No change this quarter".
    period_noun: str
    recipient: str
    slots: dict[int, RoundSlot]
    # The path segment of its round pages: /councils/<slug>/<url_segment>/<fy>/<n>/.
    url_segment: str
    # Prefix of the reports URL names of its round pages: "" gives reports:round_detail,
    # "dsg_" gives reports:dsg_round_detail.
    url_name_prefix: str = ""
    signers: tuple[str, ...] = field(default=("s151", "dcs"))
    # What opening the next round carries forward, as the round list says it.
    carry_forward_note: str = "Every part is carried forward from the latest update as a draft."
    # What the round page offers to download: (label, reports URL page name, is Word).
    outputs: tuple[tuple[str, str, bool], ...] = ()
    # A submitted round's status in words: where it went ("Submitted to DfE").
    submitted_label: str = "Submitted to DfE"

    def label(self, financial_year: int, number: int) -> str:
        """E.g. "2024-25 Update 3 (November)" or "2025-26 DSG plan, autumn term (December)"."""
        slot = self.slots[number]
        return f"{fy_label(financial_year)} {slot.name} ({slot.month})"

    def due_date(self, financial_year: int, number: int) -> dt.date:
        """The default due date of a round of this kind."""
        slot = self.slots[number]
        year = financial_year if slot.due_month >= 4 else financial_year + 1
        return dt.date(year, slot.due_month, slot.due_day)

    def data_as_at(self, financial_year: int, number: int) -> dt.date:
        """The default month a round's data runs to."""
        slot = self.slots[number]
        year = financial_year if slot.data_month >= 4 else financial_year + 1
        return dt.date(year, slot.data_month, 1)

    def url_name(self, page: str) -> str:
        """The reports URL name of one of its round pages, e.g. "reports:dsg_round_detail"."""
        return f"reports:{self.url_name_prefix}{page}"


_KINDS: dict[str, ReturnKind] = {}


def return_kind_register(kind: ReturnKind) -> None:
    """Add a kind of return (idempotent by slug)."""
    _KINDS[kind.slug] = kind


def return_kind(slug: str) -> ReturnKind:
    """The registered kind with that slug (KeyError if none)."""
    return _KINDS[slug]


def return_kinds() -> list[ReturnKind]:
    """Every registered kind, Safety Valve first."""
    return sorted(_KINDS.values(), key=lambda k: (k.slug != SAFETY_VALVE, k.title))


def return_kind_choices() -> list[tuple[str, str]]:
    """(slug, title) of every registered kind, for forms and model choices."""
    return [(k.slug, k.title) for k in return_kinds()]


return_kind_register(
    ReturnKind(
        slug=SAFETY_VALVE,
        title="Safety Valve monitoring return",
        heading="Quarterly return",
        round_noun="quarterly return",
        period_noun="quarter",
        recipient="DfE",
        slots={
            1: RoundSlot(1, "Update 1", "May", 5, 31, 4),
            2: RoundSlot(2, "Update 2", "August", 8, 31, 7),
            3: RoundSlot(3, "Update 3", "November", 11, 30, 10),
        },
        url_segment="rounds",
        carry_forward_note=(
            "Every condition, risk, workstream, overview answer and headline is carried "
            "forward from the latest return as a draft to revise."
        ),
    )
)

# The DSG deficit management plan (DSG conditions of grant, paragraph 5.2): kept by every
# council whose DSG is in deficit and presented to its Schools Forum at least termly. The
# three terms of a financial year: summer (April-July), autumn, spring (January-March).
return_kind_register(
    ReturnKind(
        slug=DSG_PLAN,
        title="DSG deficit management plan",
        heading="DSG plan update",
        round_noun="termly plan update",
        period_noun="term",
        recipient="Schools Forum",
        # As its plan and Schools Forum paper say (reports/dsg/build.py): it went to the Forum.
        submitted_label="Presented to the Schools Forum",
        slots={
            1: RoundSlot(1, "DSG plan, summer term", "July", 7, 15, 5),
            2: RoundSlot(2, "DSG plan, autumn term", "December", 12, 15, 10),
            3: RoundSlot(3, "DSG plan, spring term", "March", 3, 15, 1),
        },
        url_segment="dsg-plan",
        url_name_prefix="dsg_",
        # reports/dsg: the plan and the termly Schools Forum paper, from the round's record.
        outputs=(
            ("DSG deficit management plan (PDF)", "plan_pdf", False),
            ("DSG deficit management plan (Word)", "plan_docx", True),
            ("Schools Forum paper (PDF)", "schools_forum_pdf", False),
            ("Schools Forum paper (Word)", "schools_forum_docx", True),
        ),
        carry_forward_note=(
            "Every narrative, table and the workstream log is carried forward from the latest "
            "update of the plan as a draft to revise; the financial summary and the children "
            "and young people tables are the plan's own figures, kept between updates."
        ),
    )
)
