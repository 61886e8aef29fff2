"""App config for risks."""

from django.apps import AppConfig


class RisksConfig(AppConfig):
    """The risks app."""

    name = "risks"
