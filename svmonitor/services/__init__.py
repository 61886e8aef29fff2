"""Writes for reporting rounds, re-exported so `from svmonitor.services import X` names them all:
the lifecycle (rounds.py), the overview and headlines (overview.py), and the rules every section
save follows (sections.py)."""

from svmonitor.services.overview import (
    HEADLINES_MAX,
    OVERVIEW_FIELDS,
    OVERVIEW_TEXTS,
    headlines_fingerprint,
    headlines_save,
    round_overview_save,
)
from svmonitor.services.rounds import (
    DUE_DATES,
    round_default_due_date,
    round_mark_ready,
    round_open_next,
    round_record_submission,
    round_reopen,
    round_sign_off,
)
from svmonitor.services.sections import (
    NARRATIVE_MAX,
    NARRATIVE_NEEDED,
    rated_section_validate,
    round_lock_for_edit,
    section_save_versioned,
    text_length_errors,
)

__all__ = [
    "DUE_DATES",
    "HEADLINES_MAX",
    "NARRATIVE_MAX",
    "NARRATIVE_NEEDED",
    "OVERVIEW_FIELDS",
    "OVERVIEW_TEXTS",
    "headlines_fingerprint",
    "headlines_save",
    "rated_section_validate",
    "round_default_due_date",
    "round_lock_for_edit",
    "round_mark_ready",
    "round_open_next",
    "round_overview_save",
    "round_record_submission",
    "round_reopen",
    "round_sign_off",
    "section_save_versioned",
    "text_length_errors",
]
