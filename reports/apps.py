"""App config for reports."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The reports app."""

    name = "reports"
