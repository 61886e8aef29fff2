"""The admin site: Django's, except that its sign-in form follows the local-password switch."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse


class SiteAdmin(admin.AdminSite):
    """With LOCAL_PASSWORDS=False the admin's password form would only refuse (the password
    backend refuses every password), so its sign-in sends people to svmonitor's sign-in page,
    where single sign-on is (docs/sso.md)."""

    def login(self, request, extra_context=None):
        if not settings.LOCAL_PASSWORDS:
            return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
        return super().login(request, extra_context)
