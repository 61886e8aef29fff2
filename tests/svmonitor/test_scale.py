import pytest
from django.core.management import CommandError, call_command

from conditions.models import ConditionUpdate
from metrics.models import MeasureValue
from risks.models import Risk
from svmonitor.models import LocalAuthority, ReportingRound


@pytest.mark.django_db
def test_it_generates_councils_with_every_kind_of_data():
    call_command("generate_scale_data", councils=2, years=2, measures=4, verbosity=0)

    councils = LocalAuthority.objects.filter(slug__startswith="scale-")
    assert councils.count() == 2
    # Three rounds a year, the last one an open draft.
    assert ReportingRound.objects.filter(agreement__council__in=councils).count() == 12
    assert ReportingRound.objects.filter(status="draft").count() == 2
    # Every condition has an update in every round, with a narrative of realistic length.
    update = ConditionUpdate.objects.first()
    assert len(update.narrative) > 800
    # 4 measures x 24 months x 3 monthly series, plus a March statistical-neighbour value a year.
    assert MeasureValue.objects.filter(measure__council=councils[0]).count() == 4 * (24 * 3 + 2)
    risk = Risk.objects.first()
    assert risk.score == risk.impact * risk.likelihood


@pytest.mark.django_db
def test_it_refuses_to_duplicate_and_replaces_on_request():
    call_command("generate_scale_data", councils=1, years=1, measures=2, verbosity=0)
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_scale_data", councils=1, years=1, measures=2, verbosity=0)

    call_command("generate_scale_data", councils=1, years=1, measures=3, replace=True, verbosity=0)
    assert LocalAuthority.objects.filter(slug__startswith="scale-").count() == 1
    assert MeasureValue.objects.values("measure").distinct().count() == 3
