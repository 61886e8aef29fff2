"""Issue 14: a round page's hundreds of section URLs are reversed once per URL name."""

import pytest
from django.urls import reverse

from svmonitor.section_views import _reverse_keyed, history_url, section_urls
from tests.reports.conftest import build_council

pytestmark = pytest.mark.django_db


def test_keyed_urls_are_the_urls_reverse_makes():
    round = build_council()
    args = [round.agreement.council.slug, round.fy, round.update_number]
    for key in (1, 42, 918273645, 10**9):
        assert _reverse_keyed("conditions:milestone_edit", args, key) == reverse(
            "conditions:milestone_edit", args=[*args, key]
        )
        assert history_url(round, "risk", key) == reverse(
            "reports:section_history", args=[*args, "risk", key]
        )
    for kind in ("drivers", "barriers", "engagement"):
        urls = section_urls(round, "headlines", kind, history_pk=7)
        assert urls["edit"] == reverse("overview:headlines_edit", args=[*args, kind])
        assert urls["show"] == reverse("overview:headlines_show", args=[*args, kind])
        assert urls["history"] == reverse("reports:section_history", args=[*args, kind, 7])


def test_a_key_reverse_would_quote_is_reversed_as_before():
    round = build_council()
    args = [round.agreement.council.slug, round.fy, round.update_number]
    assert _reverse_keyed("overview:headlines_show", args, "a b") == reverse(
        "overview:headlines_show", args=[*args, "a b"]
    )
