"""App config for metrics."""

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """The metrics app."""

    name = "metrics"

    def ready(self) -> None:
        # The quarter's key measures are a part of the return: tell the spine what is still to
        # do in it and which task it is.
        from metrics.sections import register_with_spine

        register_with_spine()
