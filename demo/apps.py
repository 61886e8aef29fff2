"""App config for demo."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and national-scale data generators: outside the shipped layers."""

    name = "demo"
    verbose_name = "Demo data"
