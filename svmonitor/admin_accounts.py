"""Admin for accounts: the site administrator sets up a user and their council roles together."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from svmonitor.admin_audit import ADMIN_DOOR
from svmonitor.audit import audit_via
from svmonitor.models import Membership

User = get_user_model()


class MembershipInline(admin.TabularInline):
    """The user's roles, one row per council and role (saves are audited by signals)."""

    model = Membership
    extra = 1
    autocomplete_fields = ("council",)
    verbose_name = "council role"
    verbose_name_plural = "council roles (deny by default: no role, no council data)"


class AccountUserAdmin(UserAdmin):
    """Django's user admin with the user's council roles inline."""

    inlines = [MembershipInline]
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_superuser")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Role changes made here are audited by signals; this says which door they came through.
        with audit_via(ADMIN_DOOR):
            return super().changeform_view(request, object_id, form_url, extra_context)


def register() -> None:
    """Swap Django's user admin for ours (called from SvmonitorConfig.ready)."""
    if admin.site.is_registered(User):
        admin.site.unregister(User)
    admin.site.register(User, AccountUserAdmin)
