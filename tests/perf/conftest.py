"""Fixtures for the query-count and cache tests of issue 9: production's second-factor rule."""

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _as_in_production(settings):
    """TOTP required (as when DEBUG is off), and no dashboard body kept from another test."""
    settings.REQUIRE_TOTP = True
    caches["dashboard"].clear()
    yield
    caches["dashboard"].clear()
