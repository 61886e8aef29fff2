"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Never `playwright install` (no download is possible): the system Chromium is launched directly.
The demo councils are loaded into the test database and a non-demo user (demo accounts are
refused when DEBUG is off) is signed in by handing the browser a session cookie.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from svmonitor.models import LocalAuthority
from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"


@pytest.fixture
def demo(transactional_db):
    """The demo councils, and a board member of Wiltshire who is also an adviser for the others."""
    call_command("load_demo", verbosity=0)
    user = UserFactory(username="browser-board-member")
    for council in LocalAuthority.objects.filter(slug__in=["wiltshire", "northdale", "eastmoor"]):
        role = Role.BOARD if council.slug == "wiltshire" else Role.ADVISER
        MembershipFactory(user=user, council=council, role=role)
    return user


@pytest.fixture
def signed_in(chromium, live_server, demo):
    """A function making a browser context signed in as the demo fixture's user."""
    client = Client()
    client.force_login(demo, backend="svmonitor.backends.AccountBackend")
    session = client.cookies["sessionid"].value
    contexts = []

    def make(**options):
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, **options)
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def axe_serious_violations(page) -> list[str]:
    """Run axe-core on the page; describe each serious or critical violation."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    # axe really ran: it reports the rules the page passed as well as those it failed.
    assert len(result["passes"]) > 10
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is true.

    Playwright's `wait_for_function` builds its predicate with `new Function` inside the page,
    which the strict CSP (no 'unsafe-eval') refuses and reports as a console error; `evaluate`
    goes through the DevTools protocol, which the page's CSP does not govern.
    """
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"Still false after {timeout}s: {expression}")
        page.wait_for_timeout(50)
