"""The admin as a door like the others: saves go through the services where one exists, with the
services' messages on the form; every other write is recorded in the audit trail with before and
after values; everything a locked return owns is read-only. Every event says "via admin".

Why the service runs while the form is validated: Django's changeform_view saves inside one
transaction, but a form shown again with errors is a normal response, so the transaction would
commit. AdminDoorMixin.changeform_view therefore rolls back any POST that did not end in a save,
and a service called during validation can show its refusal on the form and leave nothing behind.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import get_deleted_objects, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse

from svmonitor.audit import audit_record, audit_via, json_safe
from svmonitor.choices import RoundStatus
from svmonitor.errors import StaleEdit, round_locked_message
from svmonitor.models import LocalAuthority
from svmonitor.services.sections import round_lock_for_edit

ADMIN_DOOR = "via admin"
# What save_through_service returns for a save it leaves to the generic, audited path.
NO_SERVICE = object()
ADMIN_STALE = (
    "Someone else saved this after you opened it. Reload the page to see their change, then "
    "make yours again."
)


def action_prefix(model) -> str:
    """The model part of an audit action, as the services write it: ConditionUpdate ->
    condition_update."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def editable_names(model) -> list[str]:
    """The fields a person can set on a model (its concrete editable fields and many-to-many)."""
    return [
        field.name
        for field in model._meta.get_fields()
        if (getattr(field, "concrete", False) or field.many_to_many)
        and not field.auto_created
        and getattr(field, "editable", False)
    ]


def field_values(obj, names) -> dict:
    """The named fields of an object, JSON-safe; foreign keys as ids, many-to-many as id lists."""
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            related = getattr(obj, name).values_list("pk", flat=True) if obj.pk else []
            values[name] = sorted(related)
        else:
            values[name] = json_safe(getattr(obj, field.attname))
    return values


def _changed(form) -> list[str]:
    """The fields the person changed (the version the form carries is not one of them)."""
    return [name for name in form.changed_data if name != "seen_version"]


def _by_service(obj) -> bool:
    """Whether an inline row was saved or deleted through its service while it was checked."""
    return getattr(obj, "_admin_door_saved", False)


def _as_stored(obj):
    """The row as stored, not the admin's instance, which holds the form's unsaved values (a
    service names it in its messages: "cannot change ... for <council>")."""
    return type(obj)._default_manager.get(pk=obj.pk)


def _become(obj, saved) -> None:
    """Make the admin's unsaved instance the row a service created, for the admin's redirect."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def service_values(form, *, change: bool, exclude=()) -> tuple[dict, dict]:
    """What a valid form sets, as an `<entity>_upsert` takes it: the model's fields (only the
    changed ones on a change) and, apart, its many-to-many targets by field name."""
    model = form._meta.model
    names = _changed(form) if change else list(form.fields)
    editable = set(editable_names(model))
    values, links = {}, {}
    for name in names:
        if name not in editable or name in exclude or name not in form.cleaned_data:
            continue
        if model._meta.get_field(name).many_to_many:
            links[name] = list(form.cleaned_data[name])
        else:
            values[name] = form.cleaned_data[name]
    return values, links


class UpsertServiceMixin:
    """For an admin or inline of a setup row (a council's details, contacts and RAG definitions,
    an agreement and its money terms, conditions, the programme, risks, the measure catalogue):
    the row is saved through its `<entity>_upsert`, as the workbook saves it, so both doors meet
    the same role check, validation and history entry."""

    upsert_service = None  # staticmethod(<entity>_upsert)
    upsert_row = ""  # the service's keyword for the stored row: "agreement", "payment"...
    upsert_parent: str | None = None  # the owner it takes by name: "council", "agreement"...
    upsert_versioned = False  # whether it takes expected_version (rows with a version)
    delete_service = None  # staticmethod(<entity>_delete), where one exists

    def upsert(self, request, form, *, parent, instance, expected_version=None):
        """Save the form's row through the service; return the saved row."""
        values, links = service_values(
            form, change=instance is not None, exclude=(self.upsert_parent,)
        )
        kwargs = {self.upsert_row: instance, **values, **links}
        if self.upsert_parent:
            kwargs[self.upsert_parent] = parent
        if self.upsert_versioned:
            kwargs["expected_version"] = expected_version
        return self.upsert_service(by=request.user, **kwargs)

    def delete_through_service(self, request, obj):
        if self.delete_service is None:
            return NO_SERVICE
        return self.delete_service(**{self.upsert_row: obj}, by=request.user)


class AdminDoorForm(forms.ModelForm):
    """An admin form that carries the version it was opened at and, once Django's own checks
    pass, hands the save to its admin (AdminDoorMixin.door_clean), so refusals show on the form."""

    seen_version = forms.CharField(widget=forms.HiddenInput, required=False)
    door = None  # (model admin, request), set per request by AdminDoorMixin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.door is not None and self.instance.pk is not None:
            self.fields["seen_version"].initial = str(self.door[0].seen_version_of(self.instance))

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.door is not None and not self._errors:
            model_admin, request = self.door
            model_admin.door_clean(request, self)


INLINE_DELETE_REFUSED = (
    "{obj} cannot be deleted here: deleting it would also delete {what}, which cannot be deleted "
    "(a return past draft keeps its sections)."
)
INLINE_DELETE_PROTECTED = "{obj} cannot be deleted: {what} still refer to it."


class AuditedInlineFormSet(BaseInlineFormSet):
    """Inline rows deleted from a parent's page meet the checks of their own delete page: a row
    whose deletion would take a locked return's sections with it is refused. Rows whose inline
    has a service are saved (and deleted, where a delete service exists) through it while the
    formset is checked, so its refusals show on the row; the admin's transaction rolls them back
    if the page comes back with errors."""

    door = None  # (admin site, request, inline), set per request by AuditedInlineMixin

    def clean(self):
        super().clean()
        if self.door is None:
            return
        if self.can_delete:
            self._check_deletes()
        inline = self.door[2]
        if isinstance(inline, UpsertServiceMixin) and inline.upsert_service is not None:
            self._save_through_service(inline)

    def _save_through_service(self, inline) -> None:
        request = self.door[1]
        if self.instance.pk is None:
            return  # the parent was not saved: its own form says why
        refused = []
        parent = _as_stored(self.instance)
        with audit_via(ADMIN_DOOR):
            for form in self.forms:
                if not hasattr(form, "cleaned_data") or form.errors:
                    continue
                stored = form.instance.pk is not None
                deleting = self.can_delete and self._should_delete_form(form)
                try:
                    if deleting:
                        if not stored:
                            continue
                        result = inline.delete_through_service(request, form.instance)
                    elif not form.has_changed():
                        continue
                    else:
                        result = inline.upsert(
                            request,
                            form,
                            parent=parent,
                            instance=_as_stored(form.instance) if stored else None,
                        )
                except StaleEdit as error:
                    form.add_error(None, error.message)
                except ValidationError as error:
                    if deleting:
                        refused += error.messages
                    else:
                        AdminDoorMixin._add_errors(form, error)
                except PermissionDenied as error:
                    if deleting:
                        refused.append(str(error))
                    else:
                        form.add_error(None, str(error))
                else:
                    if result is NO_SERVICE:
                        continue
                    if result is not None:
                        _become(form.instance, result)
                    form.instance._admin_door_saved = True
        if refused:
            # A row marked for deletion is not checked as a form: say it for the whole table.
            raise ValidationError(refused)

    def _check_deletes(self) -> None:
        admin_site, request, _ = self.door
        for form in self.forms:
            if not getattr(form, "cleaned_data", {}).get("DELETE") or form.instance.pk is None:
                continue
            _, _, perms_needed, protected = get_deleted_objects(
                [form.instance], request, admin_site
            )
            if perms_needed:
                what = ", ".join(sorted(str(name) for name in perms_needed))
                raise ValidationError(INLINE_DELETE_REFUSED.format(obj=form.instance, what=what))
            if protected:
                what = ", ".join(str(item) for item in protected[:3])
                raise ValidationError(INLINE_DELETE_PROTECTED.format(obj=form.instance, what=what))


class AuditedInlineMixin:
    """For an editable inline under an AdminDoorMixin admin (which saves and audits its rows,
    or, with UpsertServiceMixin, leaves them to the inline's service)."""

    formset = AuditedInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.door = (self.admin_site, request, self)  # a fresh class per call: per request
        return formset


class AdminDoorMixin:
    """For every council-owned ModelAdmin: saves through the services, history for the rest,
    a locked return read-only (the owning round found through `round_path`)."""

    form = AdminDoorForm
    # From the object to the round that owns it: None (no round), "" (it is the round), "round".
    round_path: str | None = None
    # Read-only once created: what ties the row to its council, round or cell.
    owner_fields: tuple[str, ...] = ()
    # The fields the entity's service saves; other changed fields are saved and audited here.
    service_fields: tuple[str, ...] = ()
    # Whether an admin save bumps the row's version, as the services do.
    bump_version = True
    # False where Django's signals already audit the model (memberships).
    audit_writes = True

    # --- The owning round's lock ------------------------------------------------------------

    def owning_round(self, obj):
        """The round whose lock governs obj, or None."""
        if obj is None or self.round_path is None:
            return None
        target = obj
        for part in filter(None, self.round_path.split("__")):
            target = getattr(target, part, None)
            if target is None:
                return None
        return target

    def locked_message(self, obj) -> str | None:
        """The services' own refusal when obj belongs to a return past draft, else None."""
        round = self.owning_round(obj)
        if round is not None and round.status != RoundStatus.DRAFT:
            return round_locked_message(round)
        return None

    def has_change_permission(self, request, obj=None):
        return self.locked_message(obj) is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.locked_message(obj) is None and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += tuple(name for name in self.owner_fields if name not in fields)
        return fields

    def refused(self, request, obj, message: str):
        """403 with the services' message: what the browser and the workbook say too."""
        context = {
            **self.admin_site.each_context(request),
            "title": "This cannot be changed",
            "message": message,
            "opts": self.opts,
            "object": obj,
        }
        return TemplateResponse(request, "admin/refused.html", context, status=403)

    # --- Views: one transaction per save, rolled back unless the save happened --------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        message = self.locked_message(obj)
        if message is not None:
            if request.method == "POST":
                return self.refused(request, obj, message)
            self.message_user(request, message, messages.WARNING)
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with audit_via(ADMIN_DOOR), transaction.atomic(using=router.db_for_write(self.model)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if not getattr(request, "_admin_door_saved", False):
                # The form came back with errors: what a service wrote while checking it goes.
                transaction.set_rollback(True)
        return response

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        message = self.locked_message(obj)
        if message is not None:
            return self.refused(request, obj, message)
        with audit_via(ADMIN_DOOR):
            return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        # The delete action deletes through delete_queryset below.
        with audit_via(ADMIN_DOOR):
            return super().changelist_view(request, extra_context)

    # --- The form: versions and the service ------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, AdminDoorForm):
            form.door = (self, request)  # a fresh class per call: safe per request
        return form

    def _versioned(self) -> bool:
        return any(field.name == "version" for field in self.model._meta.concrete_fields)

    def seen_version_of(self, obj):
        """What the form carries to detect a save in between (the row's version)."""
        return obj.version if self._versioned() else ""

    def expected_version(self, form):
        """The version the form was opened at; the stored one if a POST did not send it."""
        seen = (form.cleaned_data.get("seen_version") or "").strip()
        if not seen:
            return self.seen_version_of(form.instance)
        return int(seen) if seen.isdigit() else seen

    def save_through_service(self, request, form, change):
        """Save through the entity's service and return the saved row, or NO_SERVICE."""
        return NO_SERVICE

    def delete_through_service(self, request, obj):
        """Delete through the entity's service, or return NO_SERVICE."""
        return NO_SERVICE

    def door_clean(self, request, form) -> None:
        """Run the save's rules (the service, or the lock and version checks) on a valid form."""
        change = not form.instance._state.adding
        uses_service = not change or set(self.service_fields) & set(_changed(form))
        try:
            with audit_via(ADMIN_DOOR):
                result = (
                    self.save_through_service(request, form, change) if uses_service else NO_SERVICE
                )
                if result is NO_SERVICE and change:
                    self._check_generic_save(form)
        except StaleEdit as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            self._add_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            form.door_result = result

    def _check_generic_save(self, form) -> None:
        obj = form.instance
        round = self.owning_round(obj)
        if round is not None:
            # Held until the admin's transaction ends: mark-ready waits for this save.
            round_lock_for_edit(round_id=round.pk)
        if self._versioned():
            stored = (
                type(obj)
                ._default_manager.select_for_update()
                .filter(pk=obj.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored != self.expected_version(form):
                raise StaleEdit(current={}, current_version=stored, message=ADMIN_STALE)

    @staticmethod
    def _add_errors(form, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for item in errors:
                form.add_error(target, item)

    # --- Saving and history -----------------------------------------------------------------

    def _audited_names(self, form, *, change: bool, service: bool) -> list[str]:
        model_names = set(editable_names(self.model))
        names = _changed(form) if change else list(form.fields)
        names = [name for name in names if name in model_names]
        if service:
            names = [name for name in names if name not in self.service_fields]
        return names

    def save_model(self, request, obj, form, change):
        result = getattr(form, "door_result", NO_SERVICE)
        service = result is not NO_SERVICE
        names = self._audited_names(form, change=change, service=service)
        with audit_via(ADMIN_DOOR):
            if service:
                concrete = {
                    name: getattr(obj, name)
                    for name in names
                    if not obj._meta.get_field(name).many_to_many
                }
                if result is not None and result.pk != obj.pk:
                    # The service made the row (an add), or remade it (a headline list).
                    _become(obj, result)
                stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
                form.door_before = field_values(stored, names) if stored and names else None
                if concrete and stored is not None:
                    type(obj)._default_manager.filter(pk=obj.pk).update(**concrete)
                if stored is not None:
                    obj.refresh_from_db()
                form.door_action = "save"
            elif change and not _changed(form):
                form.door_before = {}  # nothing changed: no write, no version bump, no entry
            else:
                stored = type(obj)._default_manager.get(pk=obj.pk) if change else None
                form.door_before = field_values(stored, names) if change else None
                if change and self.bump_version and self._versioned():
                    obj.version += 1
                if hasattr(obj, "updated_by_id"):
                    obj.updated_by = request.user
                obj.save()
                form.door_action = "save" if change else "create"
        form.door_names = names

    def save_related(self, request, form, formsets, change):
        with audit_via(ADMIN_DOOR):
            super().save_related(request, form, formsets, change)
            names = getattr(form, "door_names", [])
            obj = form.instance
            after = field_values(obj, names)
            before = getattr(form, "door_before", None)
            action = getattr(form, "door_action", "save")
            if self.audit_writes and obj.pk is not None and names and before != after:
                audit_record(
                    action=f"{action_prefix(self.model)}.{action}",
                    user=request.user,
                    obj=obj,
                    before=before,
                    after=after,
                    request=request,
                )
        request._admin_door_saved = True

    def _delete_audited(self, request, obj) -> None:
        before = field_values(obj, editable_names(type(obj)))
        if self.audit_writes and isinstance(obj, LocalAuthority):
            # An event pointing at the council would stop it going (the FK is PROTECT).
            audit_record(
                action="local_authority.delete",
                user=request.user,
                before={"id": obj.pk, **before},
                request=request,
            )
        elif self.audit_writes:
            audit_record(
                action=f"{action_prefix(type(obj))}.delete",
                user=request.user,
                obj=obj,
                before=before,
                request=request,
            )
        obj.delete()

    def delete_model(self, request, obj):
        with audit_via(ADMIN_DOOR):
            try:
                if self.delete_through_service(request, obj) is NO_SERVICE:
                    round = self.owning_round(obj)
                    if round is not None:
                        round_lock_for_edit(round_id=round.pk)
                    self._delete_audited(request, obj)
            except ValidationError as error:
                raise PermissionDenied(" ".join(error.messages)) from error

    def delete_queryset(self, request, queryset):
        # One by one, so each goes through its service or leaves its own history entry.
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows their service did not save already: saved with a history entry each."""
        with audit_via(ADMIN_DOOR):
            formset.save(commit=False)
            prefix = action_prefix(formset.model)
            names = editable_names(formset.model)
            # The lists stay whole for the admin's own change message.
            deleted = [obj for obj in formset.deleted_objects if not _by_service(obj)]
            new_objects = [obj for obj in formset.new_objects if not _by_service(obj)]
            for obj in deleted:
                self._delete_audited(request, obj)
            changed = []
            for obj, changed_names in formset.changed_objects:
                if _by_service(obj):
                    continue
                audited = [name for name in changed_names if name in names]
                stored = type(obj)._default_manager.get(pk=obj.pk)
                if self.bump_version and hasattr(obj, "version"):
                    obj.version += 1
                obj.save()
                changed.append((obj, audited, field_values(stored, audited)))
            for obj in new_objects:
                obj.save()
            formset.save_m2m()
            if not self.audit_writes:
                return
            for obj, audited, before in changed:
                audit_record(
                    action=f"{prefix}.save",
                    user=request.user,
                    obj=obj,
                    before=before,
                    after=field_values(obj, audited),
                    request=request,
                )
            for obj in new_objects:
                audit_record(
                    action=f"{prefix}.create",
                    user=request.user,
                    obj=obj,
                    after=field_values(obj, names),
                    request=request,
                )


class UpsertAdminMixin(UpsertServiceMixin, AdminDoorMixin):
    """The admin of a setup row: every field a person sets is saved through the row's
    `<entity>_upsert` (role check, validation, history), none through the generic path."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.service_fields = tuple(editable_names(model))

    def save_through_service(self, request, form, change):
        stored = _as_stored(form.instance) if change else None
        parent = None
        if self.upsert_parent and change:
            parent = getattr(stored, self.upsert_parent)  # read-only once created
        elif self.upsert_parent:
            parent = form.cleaned_data[self.upsert_parent]
        saved = self.upsert(
            request,
            form,
            parent=parent,
            instance=stored,
            expected_version=self.expected_version(form) if change else None,
        )
        if not change:
            # Now, not in save_model: the inlines under a new row are saved while checked too.
            _become(form.instance, saved)
        return saved
