"""App config for finance."""

from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """DfE payments, deficit caps and High Needs Block finance lines."""

    name = "finance"
    verbose_name = "Finance"
