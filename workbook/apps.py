"""App config for workbook."""

from django.apps import AppConfig


class WorkbookConfig(AppConfig):
    """Excel in and out: parses a workbook's rows, then calls each app's services."""

    name = "workbook"
    verbose_name = "Programme workbook"

    def ready(self) -> None:
        # The import's confirm runs as a background job (svmonitor/jobs.py).
        from workbook.jobs import jobs_register

        jobs_register()
