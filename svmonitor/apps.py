"""App config for the project spine."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SvmonitorConfig(AppConfig):
    """The spine: councils, agreements, rounds, people and the audit trail."""

    name = "svmonitor"
    verbose_name = "Safety Valve programme"

    def ready(self) -> None:
        # Account audit hooks (sign-ins, role changes) and the user admin with council roles.
        # The defusedxml start-up check (svmonitor.E001) registers itself on import.
        from svmonitor import admin_accounts, checks, signals  # noqa: F401

        admin_accounts.register()
        # The day's e-mail reminders can run as a background job (send_reminders --queue).
        from svmonitor.reminders import reminders_job_register

        reminders_job_register()


class SiteAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with svmonitor's admin site (svmonitor.admin_site.SiteAdmin)."""

    # Named in INSTALLED_APPS in place of django.contrib.admin; "svmonitor" stays SvmonitorConfig.
    default = False
    default_site = "svmonitor.admin_site.SiteAdmin"
