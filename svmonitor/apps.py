"""App config for the project spine."""

from django.apps import AppConfig


class SvmonitorConfig(AppConfig):
    """The spine: councils, agreements, rounds, people and the audit trail."""

    name = "svmonitor"
    verbose_name = "Safety Valve programme"
