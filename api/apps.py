"""App config for the data feed."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read-only data feed (/api/): above reports, whose frozen records it reads."""

    name = "api"
    verbose_name = "Data feed"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # drf-spectacular finds the token scheme through this extension when it is imported.
        from api import schema  # noqa: F401
