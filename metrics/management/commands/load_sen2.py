"""`manage.py load_sen2 FILE.csv`: load DfE's published EHC plan figures (SEN2)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from metrics.sen2 import sen2_read
from metrics.services_cyp import sen2_load


class Command(BaseCommand):
    help = (
        "Load an 'Education, health and care plans' CSV from Explore Education Statistics "
        "(EHC plans at January, or new plans) for England and every local authority. "
        "Re-loading a year replaces that year's figures; a file with any bad row changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV as downloaded from Explore Education Statistics.")
        parser.add_argument(
            "--user", help="Record the load as this site administrator (default: the shell)."
        )
        parser.add_argument(
            "--illustrative",
            action="store_true",
            help="Mark the figures as made up (demo data): every page that shows them says so.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        by = None
        if options.get("user"):
            by = get_user_model().objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"No user called {options['user']!r}.")
        parsed = sen2_read(data, source=path.name)
        try:
            counts = sen2_load(
                parsed=parsed, source=path.name, by=by, illustrative=options["illustrative"]
            )
        except ValidationError as error:
            raise CommandError(
                f"{path.name}: nothing loaded.\n" + "\n".join(error.messages)
            ) from error
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        years = sorted({row.census_year for row in parsed.rows})
        self.stdout.write(
            f"{path.name}: {len(parsed.rows)} areas and years read (January "
            f"{', '.join(map(str, years))}); {counts['created']} added, {counts['changed']} "
            f"changed, {counts['removed']} removed."
        )
