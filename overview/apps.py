"""App config for overview."""

from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """The overview of a return: on-track answers, headlines, adviser request."""

    name = "overview"
    verbose_name = "Return overview"

    def ready(self) -> None:
        # Tell the spine how to carry this part of a return forward, what is still to do in it,
        # which URLs edit it and where its history is kept.
        from overview.sections import register_with_spine

        register_with_spine()
