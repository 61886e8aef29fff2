"""`manage.py load_demo`: load or refresh the three demo councils and their demo accounts."""

from django.core.management.base import BaseCommand

from demo.data.loader import demo_data_load


class Command(BaseCommand):
    help = (
        "Load Wiltshire (from the seed documents), the fictional Northdale, and the fictional "
        "Eastmoor (imported from fixtures/demo-eastmoor.xlsx through the workbook import), with "
        "one demo user per role for each and a DfE adviser. Safe to run again: a second run "
        "changes nothing."
    )

    def handle(self, *args, **options):
        summaries = demo_data_load()
        if options["verbosity"] < 1:
            return
        for summary in summaries:
            if summary.slug == "demo users":
                self.stdout.write(f"demo users: {summary.tally.summary()}")
            else:
                self.stdout.write(summary.line())
        if options["verbosity"] > 1:
            for summary in summaries:
                for model, seen in sorted(summary.tally.seen.items()):
                    created = summary.tally.created[model]
                    changed = summary.tally.changed[model]
                    self.stdout.write(
                        f"  {summary.slug} {model}: {seen} rows, {created} created, "
                        f"{changed} changed"
                    )
