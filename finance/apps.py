"""App config for finance."""

from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """DfE payments, deficit caps and High Needs Block finance lines."""

    name = "finance"
    verbose_name = "Finance"

    def ready(self) -> None:
        # The quarter's finance forecast is a part of the return: tell the spine what is still
        # to do in it and which task it is.
        from finance.sections import register_with_spine
        from finance.sections_dsg import register_with_spine as register_dsg_with_spine

        register_with_spine()
        register_dsg_with_spine()
