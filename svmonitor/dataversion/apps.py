"""App config: watch every database connection for writes to council data."""

from django.apps import AppConfig


class DataVersionConfig(AppConfig):
    """The council-data version token (svmonitor/dataversion): no models, two signal hooks."""

    name = "svmonitor.dataversion"
    label = "dataversion"
    verbose_name = "Council-data version"

    def ready(self) -> None:
        # Here, not in a view module, so that every process that writes (web workers, the
        # workbook import command, load_demo, a shell) moves the token, not only the web.
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_save

        from svmonitor.dataversion import bump_pending, watch_connection

        connection_created.connect(watch_connection, dispatch_uid="dataversion.watch")
        post_save.connect(bump_pending, dispatch_uid="dataversion.pending")
