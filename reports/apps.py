"""App config for reports."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The top layer: the snapshot read model, the return's pages, dashboards, PDFs."""

    name = "reports"

    def ready(self) -> None:
        # The spine's lifecycle freezes a round when it is marked ready; the frozen record is
        # built from this app's read model.
        from reports.freeze import SnapshotFreezer
        from svmonitor.sections import round_freezer_register

        round_freezer_register(SnapshotFreezer())
        # Renders run as background jobs on the queue (svmonitor/jobs.py).
        from reports.jobs import jobs_register

        jobs_register()
        # The DSG plan's outputs (issue 19.5) run the same way.
        from reports.dsg.jobs import dsg_jobs_register

        dsg_jobs_register()
