"""App config for the project spine."""

from django.apps import AppConfig


class SvmonitorConfig(AppConfig):
    """The spine: councils, agreements, rounds, people and the audit trail."""

    name = "svmonitor"
    verbose_name = "Safety Valve programme"

    def ready(self) -> None:
        # Account audit hooks (sign-ins, role changes) and the user admin with council roles.
        from svmonitor import admin_accounts, signals  # noqa: F401

        admin_accounts.register()
