"""Generate national-scale benchmark data: many councils, many years of monthly values."""

from django.core.management.base import BaseCommand, CommandError

from demo.scale import ScaleSpec, scale_data_delete, scale_data_generate
from svmonitor.models import LocalAuthority


class Command(BaseCommand):
    help = (
        "Create fictional councils with conditions, risks, workstreams, milestones, monthly "
        "values in several series and three rounds a year with narratives, for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--councils", type=int, default=40)
        parser.add_argument("--years", type=int, default=9)
        parser.add_argument("--measures", type=int, default=60)
        parser.add_argument("--first-year", type=int, default=2020)
        parser.add_argument("--prefix", default="scale", help="Slug prefix of the councils")
        parser.add_argument("--replace", action="store_true", help="Delete earlier scale data")

    def handle(self, *args, **options):
        spec = ScaleSpec(
            councils=options["councils"],
            years=options["years"],
            measures=options["measures"],
            first_year=options["first_year"],
            slug_prefix=options["prefix"],
        )
        if min(spec.councils, spec.years, spec.measures) < 1:
            raise CommandError("--councils, --years and --measures must be at least 1")
        existing = LocalAuthority.objects.filter(slug__startswith=f"{spec.slug_prefix}-")
        if existing.exists():
            if not options["replace"]:
                raise CommandError(
                    f"Councils with the prefix {spec.slug_prefix!r} exist; pass --replace"
                )
            scale_data_delete(prefix=spec.slug_prefix)
        counts = scale_data_generate(spec=spec)
        summary = ", ".join(f"{value} {key}" for key, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Created {summary}"))
