"""App config for conditions."""

from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    """Agreement conditions, the programme (areas, workstreams, milestones) and their updates."""

    name = "conditions"

    def ready(self) -> None:
        # Tell the spine how to carry this part of a return forward, what is still to do in it,
        # which URLs edit it and where its history is kept.
        from conditions.sections import register_with_spine

        register_with_spine()
