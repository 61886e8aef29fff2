"""Writes for reporting rounds, re-exported so `from svmonitor.services import X` names them all:
the lifecycle (rounds.py) and the rules every section save follows (sections.py)."""

from svmonitor.services.rounds import (
    ROUND_NUMBERS,
    round_default_due_date,
    round_mark_ready,
    round_open_next,
    round_record_imported,
    round_record_submission,
    round_reopen,
    round_sign_off,
)
from svmonitor.services.sections import (
    NARRATIVE_MAX,
    NARRATIVE_NEEDED,
    narrative_limit,
    rated_section_confirmable,
    rated_section_validate,
    round_lock_for_edit,
    section_confirm_versioned,
    section_save_versioned,
    text_length_errors,
)

__all__ = [
    "NARRATIVE_MAX",
    "NARRATIVE_NEEDED",
    "ROUND_NUMBERS",
    "narrative_limit",
    "rated_section_confirmable",
    "rated_section_validate",
    "round_default_due_date",
    "round_lock_for_edit",
    "round_mark_ready",
    "round_open_next",
    "round_record_imported",
    "round_record_submission",
    "round_reopen",
    "round_sign_off",
    "section_confirm_versioned",
    "section_save_versioned",
    "text_length_errors",
]
