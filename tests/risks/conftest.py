"""The round page's fixtures (a programme, its lead and a draft round), for the risk tests."""

from tests.round_page.conftest import draft, lead, programme  # noqa: F401
