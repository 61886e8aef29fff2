"""The DSG plan's texts (narratives, stakeholder engagement, Schools Forum paper) and governance:
saved through the services, carried into the next DSG round, confirmed unchanged, their task
pages and the fragments a round freezes (issue 19)."""

import datetime as dt
import itertools
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from overview.models import NarrativeTopic, RoundGovernance, RoundNarrative
from overview.services import (
    round_governance_confirm,
    round_governance_save,
    round_narrative_confirm,
    round_narrative_save,
)
from svmonitor.choices import RoundStatus
from svmonitor.errors import StaleEdit
from svmonitor.models import NARRATIVE_MAX_FLOOR, AuditEvent
from svmonitor.roles import Role
from svmonitor.sections import return_parts
from tests import factories as f

pytestmark = pytest.mark.django_db
DSG = "dsg_plan"


def _dsg_round(agreement, *, update_number=1, previous=None, by=None):
    """A DSG round of 2025-26 opened the way the spine opens one: each DSG part carried
    forward from `previous` (None for the first)."""
    round = f.ReportingRoundFactory(
        agreement=agreement,
        financial_year=2025,
        update_number=update_number,
        due_date=dt.date(2025, 7, 1),
        return_kind=DSG,
    )
    for part in return_parts(DSG):
        part.carry_forward(round, previous, by)
    return round


def _topic(key):
    return NarrativeTopic.objects.get(return_kind=DSG, key=key)


@pytest.fixture
def officer(council):
    user = f.UserFactory(username="dsg-officer")
    f.MembershipFactory(user=user, council=council, role=Role.OFFICER)
    return user


def _part(name):
    return next(p for p in return_parts(DSG) if p.name == name)


def test_the_dsg_topics_are_rows_seeded_per_kind_of_return():
    groups = {}
    for topic in NarrativeTopic.objects.filter(return_kind=DSG).order_by("group", "position"):
        groups.setdefault(topic.group, []).append(topic.key)
    assert groups == {
        "narrative": ["financial_plan", "high_needs_trends", "outcomes"],
        "stakeholders": [
            "schools_forum",
            "education_settings",
            "parents_carers",
            "children_young_people",
            "elected_members",
            "health_partners",
        ],
        "paper": ["purpose", "recommendations", "background", "decisions"],
    }
    # No text parts are registered for the Safety Valve return.
    assert not NarrativeTopic.objects.filter(return_kind="safety_valve").exists()


def test_a_text_saves_with_its_version_checked_and_its_history(agreement, officer):
    round = _dsg_round(agreement, by=officer)
    topic = _topic("financial_plan")
    row = round_narrative_save(
        round=round, topic=topic, expected_version=1, text="  Balance by 2028-29.  ", by=officer
    )
    assert (row.text, row.version, row.updated_by) == ("Balance by 2028-29.", 2, officer)
    event = AuditEvent.objects.get(action="round_narrative.save")
    assert event.before == {"topic": "financial_plan", "text": ""}
    assert event.after == {"topic": "financial_plan", "text": "Balance by 2028-29."}
    assert event.council == agreement.council
    with pytest.raises(StaleEdit):
        round_narrative_save(round=round, topic=topic, expected_version=1, text="Old", by=officer)
    assert RoundNarrative.objects.get(pk=row.pk).text == "Balance by 2028-29."


def test_a_text_longer_than_the_councils_limit_is_refused(agreement, officer):
    council = agreement.council
    council.narrative_max = NARRATIVE_MAX_FLOOR
    council.save()
    round = _dsg_round(agreement, by=officer)
    with pytest.raises(ValidationError) as refused:
        round_narrative_save(
            round=round,
            topic=_topic("outcomes"),
            expected_version=1,
            text="x" * (NARRATIVE_MAX_FLOOR + 1),
            by=officer,
        )
    assert "text" in refused.value.message_dict
    assert RoundNarrative.objects.get(round=round, topic__key="outcomes").text == ""


def test_a_round_with_no_text_yet_gets_one_on_first_save(agreement, officer):
    # A round a workbook opened has no rows: the first save (version 0 seen) makes one.
    round = f.ReportingRoundFactory(agreement=agreement, financial_year=2025, return_kind=DSG)
    row = round_narrative_save(
        round=round, topic=_topic("purpose"), expected_version=0, text="To update.", by=officer
    )
    assert row.text == "To update."


def test_a_safety_valve_round_refuses_a_dsg_text(agreement, officer):
    round = f.ReportingRoundFactory(agreement=agreement)
    with pytest.raises(ValidationError):
        round_narrative_save(
            round=round, topic=_topic("purpose"), expected_version=0, text="No.", by=officer
        )


def test_a_safety_valve_round_has_no_governance(agreement, officer):
    round = f.ReportingRoundFactory(agreement=agreement)
    with pytest.raises(ValidationError):
        round_governance_save(round=round, expected_version=0, by=officer, notes="No.")
    assert not RoundGovernance.objects.exists()


def test_a_board_member_may_not_save_a_text(agreement, board_member):
    from django.core.exceptions import PermissionDenied

    round = _dsg_round(agreement)
    with pytest.raises(PermissionDenied):
        round_narrative_save(
            round=round, topic=_topic("purpose"), expected_version=1, text="x", by=board_member
        )


def test_a_locked_round_refuses_a_text(agreement, officer):
    round = _dsg_round(agreement, by=officer)
    round.status = RoundStatus.READY
    round.save()
    with pytest.raises(ValidationError):
        round_narrative_save(
            round=round, topic=_topic("purpose"), expected_version=1, text="x", by=officer
        )


def test_texts_and_governance_carry_into_the_next_dsg_round_as_not_reviewed(agreement, officer):
    first = _dsg_round(agreement, by=officer)
    round_narrative_save(
        round=first, topic=_topic("outcomes"), expected_version=1, text="Fewer waits.", by=officer
    )
    round_governance_save(
        round=first,
        expected_version=1,
        by=officer,
        schools_forum_date=dt.date(2025, 6, 12),
        next_review_date=dt.date(2025, 10, 9),
        notes="Termly.",
    )
    second = _dsg_round(agreement, update_number=2, previous=first, by=officer)
    carried = RoundNarrative.objects.get(round=second, topic__key="outcomes")
    assert (carried.text, carried.version) == ("Fewer waits.", 1)
    governance = RoundGovernance.objects.get(round=second)
    # This term's meeting is a new one; the next review and notes carry.
    assert governance.schools_forum_date is None
    assert (governance.next_review_date, governance.notes) == (dt.date(2025, 10, 9), "Termly.")
    gaps = _part("dsg_narrative").completeness(second, True)
    assert [(g.item, g.problem) for g in gaps] == [
        ("Financial plan", "not written"),
        ("High needs trends", "not written"),
        ("Outcomes", "not yet reviewed for this update"),
    ]
    # Editing the new round leaves the first as it was.
    round_narrative_save(
        round=second, topic=_topic("outcomes"), expected_version=1, text="Changed.", by=officer
    )
    assert RoundNarrative.objects.get(round=first, topic__key="outcomes").text == "Fewer waits."


def test_no_change_this_term_confirms_a_carried_text_with_history(agreement, officer):
    first = _dsg_round(agreement, by=officer)
    round_narrative_save(
        round=first, topic=_topic("outcomes"), expected_version=1, text="Kept.", by=officer
    )
    second = _dsg_round(agreement, update_number=2, previous=first, by=officer)
    carried = RoundNarrative.objects.get(round=second, topic__key="outcomes")
    tasks = _part("dsg_narrative").tasks(second, True)
    assert [str(ref) for ref in tasks[0].unchanged] == [f"dsg_text:{carried.pk}:1"]
    round_narrative_confirm(pk=carried.pk, expected_version=1, by=officer)
    carried.refresh_from_db()
    assert (carried.text, carried.version) == ("Kept.", 2)
    assert AuditEvent.objects.filter(
        action="round_narrative.confirm", object_id=str(carried.pk)
    ).exists()
    empty = RoundNarrative.objects.get(round=second, topic__key="financial_plan")
    with pytest.raises(ValidationError):
        round_narrative_confirm(pk=empty.pk, expected_version=1, by=officer)


def test_governance_needs_both_dates_in_order(agreement, officer):
    round = _dsg_round(agreement, by=officer)
    with pytest.raises(ValidationError) as refused:
        round_governance_save(
            round=round,
            expected_version=1,
            by=officer,
            schools_forum_date=dt.date(2025, 6, 12),
            next_review_date=dt.date(2025, 6, 1),
            notes="",
        )
    assert "next_review_date" in refused.value.message_dict
    assert [g.item for g in _part("dsg_governance").completeness(round, False)] == [
        "Schools Forum date",
        "Next review date",
    ]
    governance = RoundGovernance.objects.get(round=round)
    with pytest.raises(ValidationError):
        round_governance_confirm(pk=governance.pk, expected_version=1, by=officer)


def test_the_fragments_hold_the_texts_and_every_forum_date_so_far(agreement, officer):
    first = _dsg_round(agreement, by=officer)
    round_narrative_save(
        round=first, topic=_topic("purpose"), expected_version=1, text="To update.", by=officer
    )
    round_governance_save(
        round=first,
        expected_version=1,
        by=officer,
        schools_forum_date=dt.date(2025, 6, 12),
        next_review_date=dt.date(2025, 10, 9),
        notes="",
    )
    second = _dsg_round(agreement, update_number=2, previous=first, by=officer)
    round_governance_save(
        round=second,
        expected_version=1,
        by=officer,
        schools_forum_date=dt.date(2025, 10, 9),
        next_review_date=dt.date(2026, 1, 15),
        notes="",
    )
    paper = _part("dsg_forum_paper").snapshot(first)
    assert paper["topics"][0] == {
        "key": "purpose",
        "title": "Purpose of the report",
        "text": "To update.",
    }
    assert [t["key"] for t in paper["topics"]] == [
        "purpose",
        "recommendations",
        "background",
        "decisions",
    ]
    assert _part("dsg_governance").snapshot(second) == {
        "schools_forum_date": "2025-10-09",
        "schools_forum_dates": ["2025-06-12", "2025-10-09"],
        "next_review_date": "2026-01-15",
        "notes": "",
    }
    # The first round's fragment does not see the later term's meeting.
    assert _part("dsg_governance").snapshot(first)["schools_forum_dates"] == ["2025-06-12"]


def test_a_topic_added_as_data_is_asked_for_with_no_code(agreement, officer):
    NarrativeTopic.objects.create(
        return_kind=DSG, group="narrative", key="capital", title="Capital", position=4
    )
    round = _dsg_round(agreement, by=officer)
    assert "Capital" in [
        c.title for c in _part("dsg_narrative").task_summary(round, "dsg-narrative")
    ]
    assert _part("dsg_narrative").progress([round], set()) == {round.pk: (0, 4)}


def test_the_task_pages_queries_do_not_grow_with_the_topics(agreement, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round = _dsg_round(agreement, by=officer)
    part = _part("dsg_narrative")
    with CaptureQueriesContext(connection) as few:
        part.task_summary(round, "dsg-narrative")
        part.tasks(round, False)
    for n in range(5, 15):
        NarrativeTopic.objects.create(
            return_kind=DSG, group="narrative", key=f"extra-{n}", title=f"Extra {n}", position=n
        )
    with CaptureQueriesContext(connection) as many:
        part.task_summary(round, "dsg-narrative")
        part.tasks(round, False)
    assert len(many) == len(few)


# --- the edit pages ---------------------------------------------------------------------------


def _text_url(round, key):
    return reverse("overview:dsg_text_edit", args=[round.agreement.council.slug, "2025-26", 1, key])


def test_an_officer_edits_a_text_in_the_browser_and_goes_back_to_the_task(
    client, agreement, la_officer
):
    round = _dsg_round(agreement, by=la_officer)
    client.force_login(la_officer)
    url = _text_url(round, "high_needs_trends")
    page = client.get(url)
    assert page.status_code == 200
    assert "High needs trends" in page.content.decode()
    back = "/councils/x/somewhere/"
    saved = client.post(url, {"text": "Demand up 9%.", "version": "1", "next": back})
    assert saved.status_code == 302
    assert saved["Location"] == back
    assert (
        RoundNarrative.objects.get(round=round, topic__key="high_needs_trends").text
        == "Demand up 9%."
    )
    stale = client.post(url, {"text": "Mine.", "version": "1"})
    assert stale.status_code == 200
    assert "Someone else saved this section" in stale.content.decode()
    # A page of its own: the card's heading sits straight under the h1 (h2, then h3 for the
    # two versions side by side), no level skipped (axe heading-order).
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", stale.content.decode())]
    main = levels[levels.index(1) :]
    assert main[:2] == [1, 2], main
    assert all(b - a <= 1 for a, b in itertools.pairwise(main)), main


def test_a_text_page_is_404_for_another_councils_officer_and_for_an_unknown_topic(
    client, agreement, other_la_officer, la_officer, board_member
):
    round = _dsg_round(agreement, by=la_officer)
    client.force_login(other_la_officer)
    assert client.get(_text_url(round, "outcomes")).status_code == 404
    client.force_login(la_officer)
    assert client.get(_text_url(round, "no-such-topic")).status_code == 404
    client.force_login(board_member)
    assert client.get(_text_url(round, "outcomes")).status_code == 403


def test_governance_is_edited_with_the_govuk_date_input(client, agreement, la_officer):
    round = _dsg_round(agreement, by=la_officer)
    client.force_login(la_officer)
    url = reverse("overview:dsg_governance_edit", args=[agreement.council.slug, "2025-26", 1])
    page = client.get(url)
    assert 'name="schools_forum_date_day"' in page.content.decode()
    bad = client.post(
        url,
        {
            "schools_forum_date_day": "31",
            "schools_forum_date_month": "2",
            "schools_forum_date_year": "2025",
            "version": "1",
        },
    )
    assert bad.status_code == 200
    assert "must be a real date" in bad.content.decode()
    ok = client.post(
        url,
        {
            "schools_forum_date_day": "12",
            "schools_forum_date_month": "6",
            "schools_forum_date_year": "2025",
            "next_review_date_day": "9",
            "next_review_date_month": "10",
            "next_review_date_year": "2025",
            "notes": "",
            "version": "1",
        },
    )
    assert ok.status_code == 302
    governance = RoundGovernance.objects.get(round=round)
    assert governance.schools_forum_date == dt.date(2025, 6, 12)
    assert AuditEvent.objects.filter(action="round_governance.save").count() == 1


def _history_url(round, section, pk):
    return reverse(
        "reports:dsg_section_history",
        args=[round.agreement.council.slug, "2025-26", round.update_number, section, pk],
    )


def test_a_texts_and_the_governances_history_pages_show_their_saves_and_go_back_to_the_task(
    client, agreement, la_officer
):
    round = _dsg_round(agreement, by=la_officer)
    text = round_narrative_save(
        round=round,
        topic=_topic("outcomes"),
        expected_version=1,
        text="Fewer waits.",
        by=la_officer,
    )
    governance = round_governance_save(
        round=round,
        expected_version=1,
        by=la_officer,
        schools_forum_date=dt.date(2025, 6, 12),
        next_review_date=dt.date(2025, 10, 9),
        notes="",
    )
    client.force_login(la_officer)
    page = client.get(_history_url(round, "dsg_text", text.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "History of Outcomes" in html
    assert "Fewer waits." in html
    narrative_task = reverse(
        "reports:dsg_task_detail", args=[agreement.council.slug, "2025-26", 1, "dsg-narrative"]
    )
    assert f'href="{narrative_task}">Back to the section' in html
    page = client.get(_history_url(round, "dsg_governance", governance.pk))
    assert page.status_code == 200
    assert "History of Governance" in page.content.decode()
    assert "Schools Forum date" in page.content.decode()


def test_a_texts_history_is_404_for_another_councils_officer_and_another_rounds_text(
    client, agreement, la_officer, other_la_officer
):
    first = _dsg_round(agreement, by=la_officer)
    second = _dsg_round(agreement, update_number=2, previous=first, by=la_officer)
    text = RoundNarrative.objects.get(round=first, topic__key="outcomes")
    client.force_login(other_la_officer)
    assert client.get(_history_url(first, "dsg_text", text.pk)).status_code == 404
    client.force_login(la_officer)
    assert client.get(_history_url(second, "dsg_text", text.pk)).status_code == 404
    assert client.get(_history_url(first, "dsg_governance", text.pk)).status_code == 404


def test_each_governance_date_gives_one_example_not_two(client, agreement, la_officer):
    _dsg_round(agreement, by=la_officer)
    client.force_login(la_officer)
    url = reverse("overview:dsg_governance_edit", args=[agreement.council.slug, "2025-26", 1])
    html = client.get(url).content.decode()
    assert "plan goes to. For example, 12 6 2025</div>" in html
    assert "When the plan is next reviewed. For example, 9 10 2025</div>" in html
    assert html.count("For example") == 2
