"""Writes for a council's own details, its key contacts, its RAG definitions and its agreement
(contributions, monitoring tier): site administrators only, from any door. The agreement's
payments and deficit caps are finance's (finance/services.py), under the same right."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from svmonitor.access import NO_USER, require_action
from svmonitor.audit import audit_record, model_fields_dict
from svmonitor.models import (
    Agreement,
    KeyContact,
    LocalAuthority,
    MonitoringTierChange,
    RagDefinition,
)
from svmonitor.roles import Action
from svmonitor.services.records import row_write

NEEDS_ADMIN = "Only a site administrator can create a council."


@transaction.atomic
def council_create(*, by, **fields) -> LocalAuthority:
    """Create a council (site administrators only: no council role can, as none exists yet)."""
    if by is None:
        raise PermissionDenied(NO_USER)
    if not by.is_superuser:
        raise PermissionDenied(NEEDS_ADMIN)
    return row_write(model=LocalAuthority, instance=None, values=fields, by=by, action="council")


@transaction.atomic
def council_save(*, council: LocalAuthority, by, **fields) -> LocalAuthority:
    """Change a council's name, codes, key-risk threshold or what its KPIs are grouped by."""
    require_action(by, council, Action.ADMINISTER)
    return row_write(model=LocalAuthority, instance=council, values=fields, by=by, action="council")


@transaction.atomic
def key_contact_upsert(
    *, council: LocalAuthority, contact: KeyContact | None, by, **fields
) -> KeyContact:
    """Create or change one of a council's key contacts: role, job title, name and email."""
    require_action(by, council, Action.ADMINISTER)
    return row_write(
        model=KeyContact,
        instance=contact,
        values={**fields, "council": council},
        by=by,
        action="key_contact",
    )


@transaction.atomic
def key_contact_delete(*, contact: KeyContact, by) -> None:
    """Remove a key contact, recording who it was."""
    require_action(by, contact.council, Action.ADMINISTER)
    names = [field.name for field in KeyContact._meta.concrete_fields if not field.primary_key]
    audit_record(
        action="key_contact.delete",
        user=by,
        obj=contact,
        before=model_fields_dict(contact, names),
    )
    contact.delete()


@transaction.atomic
def rag_definition_upsert(
    *, council: LocalAuthority, rag_definition: RagDefinition | None, by, **fields
) -> RagDefinition:
    """Create or change how a council labels one RAG level and which DfE level it reports as."""
    require_action(by, council, Action.ADMINISTER)
    return row_write(
        model=RagDefinition,
        instance=rag_definition,
        values={**fields, "council": council},
        by=by,
        action="rag_definition",
    )


@transaction.atomic
def agreement_upsert(
    *, council: LocalAuthority, agreement: Agreement | None, by, **fields
) -> Agreement:
    """Create or change a council's agreement: its years, contributions and what it supersedes."""
    require_action(by, council, Action.ADMINISTER)
    return row_write(
        model=Agreement,
        instance=agreement,
        values={**fields, "council": council},
        by=by,
        action="agreement",
    )


@transaction.atomic
def monitoring_tier_upsert(
    *, agreement: Agreement, change: MonitoringTierChange | None, by, **fields
) -> MonitoringTierChange:
    """Create or change an entry of an agreement's monitoring-tier history."""
    require_action(by, agreement.council, Action.ADMINISTER)
    return row_write(
        model=MonitoringTierChange,
        instance=change,
        values={**fields, "agreement": agreement},
        by=by,
        action="monitoring_tier",
    )


@transaction.atomic
def council_drafts_sharing_set(*, council: LocalAuthority, shared: bool, by) -> LocalAuthority:
    """Share the council's draft returns with its DfE advisers, or stop sharing them.

    Issue 15.7: the council's choice, so its programme lead (who opens and sends its returns)
    makes it, as does a site administrator; every door (the round list, the admin, the
    workbook's Council sheet) comes here, and the history records who changed it.
    """
    require_action(by, council, Action.SUBMIT)
    return row_write(
        model=LocalAuthority,
        instance=council,
        values={"drafts_shared_with_dfe": bool(shared)},
        by=by,
        action="council.drafts_sharing",
    )
