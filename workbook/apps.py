"""App config for workbook."""

from django.apps import AppConfig


class WorkbookConfig(AppConfig):
    """Excel in and out: parses a workbook's rows, then calls each app's services."""

    name = "workbook"
    verbose_name = "Programme workbook"
