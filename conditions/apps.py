"""App config for conditions."""

from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    """The conditions app."""

    name = "conditions"
