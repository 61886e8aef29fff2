"""The one way a setup row (a council's details, its agreement, conditions, programme, measures)
is created or changed outside a section of a return: validated like the model says, under the
version the caller saw, and recorded with before and after. Each app's `<entity>_upsert` does its
role check and then calls `row_write`."""

from __future__ import annotations

from django.db import models

from svmonitor.audit import audit_record, json_safe, model_fields_dict
from svmonitor.errors import StaleEdit


def _m2m_ids(obj: models.Model, attr: str) -> list[int]:
    return sorted(getattr(obj, attr).values_list("pk", flat=True))


def row_write(
    *,
    model: type[models.Model],
    instance: models.Model | None,
    values: dict,
    by,
    action: str,
    m2m: dict | None = None,
    expected_version: int | None = None,
) -> models.Model:
    """Create (`instance` None or unsaved) or change one row; full_clean, save and history.

    Call inside the caller's transaction (every `<entity>_upsert` is atomic). A model with a
    `version` is written only over `expected_version` when one is given, and bumped. A change
    records the fields it changed, before and after: whichever door passed the row (a workbook
    passes its whole sheet row, the admin the form), the same change leaves the same entry.
    """
    names = {f.name for f in model._meta.concrete_fields}
    fields = [name for name in values if name in names]
    m2m = m2m or {}
    if instance is None or instance.pk is None:
        obj = model(**values)
        before = None
    else:
        # Re-read under a row lock: the caller's instance may hold planned, unsaved values.
        obj = model._default_manager.select_for_update().get(pk=instance.pk)
        before = model_fields_dict(obj, fields)
        before.update({attr: _m2m_ids(obj, attr) for attr in m2m})
        if "version" in names:
            if expected_version is not None and obj.version != expected_version:
                raise StaleEdit(current=json_safe(before), current_version=obj.version)
            obj.version += 1
        for name, value in values.items():
            setattr(obj, name, value)
    if "updated_by" in names:
        obj.updated_by = by
    obj.full_clean()
    obj.save()
    for attr, targets in m2m.items():
        getattr(obj, attr).set(targets)
    plain = [name for name in fields if not model._meta.get_field(name).is_relation]
    if plain:
        # As stored, not as typed: "5.5" from one door and "5.50" from another are one value.
        obj.refresh_from_db(fields=plain)
    after = model_fields_dict(obj, fields)
    after.update({attr: sorted(t.pk for t in targets) for attr, targets in m2m.items()})
    if before is not None:
        changed = [name for name in after if before.get(name) != after[name]]
        before = {name: before[name] for name in changed}
        after = {name: after[name] for name in changed}
    audit_record(
        action=f"{action}.{'create' if before is None else 'save'}",
        user=by,
        obj=obj,
        before=before,
        after=after,
    )
    return obj
