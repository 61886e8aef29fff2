"""The one declarative table of who may do what: roles held per council, and their actions."""

from django.db import models


class Role(models.TextChoices):
    """A role a user holds for one council."""

    OFFICER = "officer", "Programme officer"
    LEAD = "lead", "Programme lead"
    BOARD = "board", "Board member"
    FINANCE = "finance", "Finance lead"
    S151 = "s151", "S151 officer"
    DCS = "dcs", "Director of children's services"
    ADVISER = "adviser", "DfE adviser"


class Action(models.TextChoices):
    """Something a user may do to a council's data."""

    VIEW = "view", "View dashboard and reports"
    # Issue 15.7: a return is the council's own until it is submitted. Every council role reads
    # drafts; a DfE adviser reads only submitted returns, unless the council shares its drafts
    # (LocalAuthority.drafts_shared_with_dfe, granted in svmonitor.access and scoping).
    VIEW_DRAFTS = "view_drafts", "Read returns before they are submitted to DfE"
    EDIT = "edit", "Edit the return and KPIs"
    EDIT_FINANCE = "edit_finance", "Edit finance lines"
    SUBMIT = "submit", "Open a return, mark it ready for sign-off, or reopen it"
    RECORD_SUBMISSION = "record_submission", "Record the date the return went to DfE"
    SIGN_OFF = "sign_off", "Sign off the return"
    EXPORT = "export", "Export PDF and Excel"
    UPLOAD = "upload", "Upload workbooks"
    MANAGE_USERS = "manage_users", "Manage users"
    # Held by no council role: only site administrators (is_superuser) change a council's
    # own details, its agreement, its RAG definitions and its key contacts.
    ADMINISTER = "administer", "Change the council, its agreement, RAG definitions and contacts"


_READ = {Action.VIEW, Action.EXPORT}
_COUNCIL_READ = _READ | {Action.VIEW_DRAFTS}

# Deny by default: an action not listed for a role is refused. Site administrators
# (is_superuser) hold every action for every council; they are not a per-council role.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.OFFICER: frozenset(_COUNCIL_READ | {Action.EDIT, Action.UPLOAD}),
    Role.LEAD: frozenset(
        _COUNCIL_READ | {Action.EDIT, Action.UPLOAD, Action.SUBMIT, Action.RECORD_SUBMISSION}
    ),
    Role.BOARD: frozenset(_COUNCIL_READ),
    # Issue 3: the finance lead "reads, exports, edits finance lines"; the programme lead
    # submits. Issue 5: the finance lead records the date the return went to DfE.
    Role.FINANCE: frozenset(_COUNCIL_READ | {Action.EDIT_FINANCE, Action.RECORD_SUBMISSION}),
    Role.S151: frozenset(_COUNCIL_READ | {Action.SIGN_OFF}),
    Role.DCS: frozenset(_COUNCIL_READ | {Action.SIGN_OFF}),
    Role.ADVISER: frozenset(_READ),
}

# Issue 15.7: what a role gains at a council only while the council chooses so, by the name of
# the LocalAuthority field that holds the choice. A council that shares its drafts lets its DfE
# advisers read them.
ROLE_ACTIONS_BY_SETTING: dict[str, dict[str, str]] = {
    Role.ADVISER: {Action.VIEW_DRAFTS: "drafts_shared_with_dfe"},
}

# Roles whose holders sign off or administer: these need a second factor when required.
ROLES_NEEDING_SECOND_FACTOR = frozenset({Role.S151, Role.DCS})


def role_allows(role: str, action: str) -> bool:
    """Whether a per-council role grants an action."""
    return action in ROLE_ACTIONS.get(role, frozenset())
