"""Data feed tokens in the admin: made (the token shown once), revoked, never edited or deleted.

Both go through the services (api/services.py), "via admin" in the history. A token's last use
and count of uses are shown; each use is in the audit trail as `api_read`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from api.models import ApiToken
from api.services import api_token_check, api_token_create, api_token_revoke
from svmonitor.audit import audit_via

ADMIN_DOOR = "via admin"


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("name", "user", "councils")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                api_token_check(user=cleaned["user"], councils=cleaned["councils"])
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "user",
        "councils_list",
        "created_at",
        "last_used_at",
        "use_count",
        "revoked_at",
    )
    list_filter = ("councils", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    readonly_fields = (
        "name",
        "user",
        "councils_list",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "use_count",
        "revoked_at",
    )
    actions = ["revoke"]
    filter_horizontal = ("councils",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("councils")

    @admin.display(description="Councils")
    def councils_list(self, obj):
        return ", ".join(c.name for c in obj.councils.all())

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ("name", "user", "councils")

    def has_change_permission(self, request, obj=None):
        # Viewable, never edited: a token's reach is fixed when it is made (revoke and remake).
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: its uses stay traceable

    def save_model(self, request, obj, form, change):
        with audit_via(ADMIN_DOOR):
            token, text = api_token_create(
                by=request.user,
                name=form.cleaned_data["name"],
                user=form.cleaned_data["user"],
                councils=form.cleaned_data["councils"],
            )
        obj.pk, obj.prefix, obj.key_sha256 = token.pk, token.prefix, token.key_sha256
        obj._state.adding = False
        obj.token_text = text

    def save_related(self, request, form, formsets, change):
        pass  # the service has set the councils

    def response_add(self, request, obj, post_url_continue=None):
        # The token is shown on this one page and kept nowhere (no message, no session).
        return TemplateResponse(
            request,
            "api/token_created.html",
            {
                **self.admin_site.each_context(request),
                "title": "Data feed token made",
                "token": obj,
                "token_text": obj.token_text,
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        done = 0
        with audit_via(ADMIN_DOOR):
            for token in queryset.filter(revoked_at__isnull=True):
                api_token_revoke(by=request.user, token=token)
                done += 1
        self.message_user(request, f"{done} token(s) revoked.", messages.SUCCESS)
