"""Fixtures for the query-count tests of issue 9: production's second-factor rule."""

import pytest


@pytest.fixture(autouse=True)
def _as_in_production(settings):
    """TOTP required, as when DEBUG is off."""
    settings.REQUIRE_TOTP = True
