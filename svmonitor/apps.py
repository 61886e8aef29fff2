"""App config for the project spine."""

from django.apps import AppConfig


class SvmonitorConfig(AppConfig):
    """The spine: councils, agreements, rounds, people and the audit trail."""

    name = "svmonitor"
    verbose_name = "Safety Valve programme"

    def ready(self) -> None:
        # Account audit hooks (sign-ins, role changes) and the user admin with council roles.
        # The defusedxml start-up check (svmonitor.E001) registers itself on import.
        from svmonitor import admin_accounts, checks, signals  # noqa: F401

        admin_accounts.register()
