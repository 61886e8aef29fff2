"""App config for risks."""

from django.apps import AppConfig


class RisksConfig(AppConfig):
    """The risk register and each risk's per-round updates."""

    name = "risks"

    def ready(self) -> None:
        # Tell the spine how to carry this part of a return forward, what is still to do in it,
        # which URLs edit it and where its history is kept.
        from risks.sections import register_with_spine

        register_with_spine()
