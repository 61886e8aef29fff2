"""The load bench's edits and read-back (bench/load_client.py, bench/load_data.py), against the
real views on a live server: what it counts as an accepted save is read back, a contested save
is reported as a conflict and saved again, and a save the database does not hold is found lost."""

import pytest
from django.core.management import call_command

from bench.load_client import Editor, Recorder, Session
from bench.load_data import PASSWORD, lost_updates, plan_build
from overview.models import RoundOverview
from overview.selectors import headline_texts
from svmonitor.models import LocalAuthority
from svmonitor.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plan(transactional_db):
    """The demo councils, the bench's plan of them, and two officers of Wiltshire."""
    call_command("load_demo", verbosity=0)
    council = LocalAuthority.objects.get(slug="wiltshire")
    for username in ("bench-officer-a", "bench-officer-b"):
        user = UserFactory(username=username)
        user.set_password(PASSWORD)
        user.save()
        MembershipFactory(user=user, council=council, role=Role.OFFICER)
    return plan_build()


def _wiltshire(plan) -> dict:
    return next(entry for entry in plan if entry["slug"] == "wiltshire")


@pytest.fixture
def signed_in(live_server):
    """A function signing an officer in over HTTP; every connection closed after the test."""
    port = int(live_server.url.rsplit(":", 1)[1])
    sessions = []

    def sign_in(username: str) -> Session:
        session = Session(port)
        # The live server speaks plain HTTP; the bench's server sits behind a TLS proxy.
        session.origin = f"http://127.0.0.1:{port}"
        sessions.append(session)
        session.sign_in(username)
        return session

    yield sign_in
    for session in sessions:
        session.close()


def _target(entry: dict, kind: str) -> dict:
    return next(target for target in entry["targets"] if target["kind"] == kind)


@pytest.mark.parametrize("kind", ["rated", "overview", "headlines"])
def test_an_accepted_section_save_is_read_back(plan, signed_in, kind):
    entry = _wiltshire(plan)
    session = signed_in("bench-officer-a")
    recorder = Recorder()
    editor = Editor(session.port, recorder, "test", "00")
    target = _target(entry, kind)

    fields = editor.get_form(session, f"form_{kind}", target["edit"])
    editor.section_save(session, target, fields, entry["round"])

    assert recorder.errors == []
    assert [save["target"] for save in recorder.saves] == [target["id"]]
    assert lost_updates(plan, recorder.saves) == []


def test_a_contested_save_is_reported_and_the_colleague_saves_again(plan, signed_in):
    entry = _wiltshire(plan)
    first = signed_in("bench-officer-a")
    second = signed_in("bench-officer-b")
    recorder = Recorder()
    editor = Editor(first.port, recorder, "test", "00")
    target = _target(entry, "headlines")

    # Both open the same list; the first saves, then the second over the list they opened.
    mine = editor.get_form(first, "form", target["edit"])
    theirs = editor.get_form(second, "form", target["edit"])
    editor.section_save(first, target, mine, entry["round"])
    met = editor.section_save(second, target, theirs, entry["round"])

    assert recorder.errors == []
    assert met == 1
    assert recorder.conflicts["total"] == 1
    assert len(recorder.saves) == 2
    assert lost_updates(plan, recorder.saves) == []
    overview = RoundOverview.objects.get(pk=target["pk"])
    assert headline_texts(overview=overview, kind=target["list"]) == recorder.saves[1]["texts"]


def test_a_kpi_figure_saved_through_its_cell_is_read_back(plan, signed_in):
    entry = _wiltshire(plan)
    session = signed_in("bench-officer-a")
    recorder = Recorder()
    editor = Editor(session.port, recorder, "test", "00")

    editor.kpi_save(session, entry, entry["cells"][0], 900_001)

    assert recorder.errors == []
    assert recorder.saves == [{"target": entry["cells"][0]["id"], "value": 900_001}]
    assert lost_updates(plan, recorder.saves) == []


def test_the_read_back_finds_saves_the_database_does_not_hold(plan, signed_in):
    entry = _wiltshire(plan)
    session = signed_in("bench-officer-a")
    recorder = Recorder()
    editor = Editor(session.port, recorder, "test", "00")
    target = _target(entry, "rated")
    editor.section_save(session, target, editor.get_form(session, "f", target["edit"]), "/")
    editor.kpi_save(session, entry, entry["cells"][0], 900_002)
    saved, figure = recorder.saves

    # A second save "accepted" over the same version, and a figure that was never stored.
    phantom = {**saved, "token": "LTX-1", "text": "Never stored."}
    lost = lost_updates(plan, [saved, phantom, {**figure, "value": 900_003}])

    assert any("not in the history" in reason for reason in lost)
    assert any("same version" in reason for reason in lost)
    assert any("holds 900002" in reason for reason in lost)
