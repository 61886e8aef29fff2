"""Two people editing the same section: the second save is refused, both texts survive."""

import datetime as dt

import pytest
from django.utils import timezone

from conditions.models import ConditionUpdate, Milestone, MilestoneUpdate
from overview.models import Headline, RoundOverview
from svmonitor.models import AuditEvent
from tests.round_page.conftest import HTMX, client_for, round_url
from tests.round_page.test_section_edit import OVERVIEW, _headlines_form

pytestmark = pytest.mark.django_db


def _version_in(html: str) -> str:
    marker = 'name="version" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_the_second_editor_gets_the_conflict_and_both_texts_survive(draft, la_officer, lead):
    update = ConditionUpdate.objects.filter(round=draft).first()
    url = round_url(draft, f"conditions/{update.pk}/edit/")
    officer, programme_lead = client_for(la_officer), client_for(lead)
    # Both open the same section at version 1.
    assert _version_in(officer.get(url, **HTMX).content.decode()) == "1"
    assert _version_in(programme_lead.get(url, **HTMX).content.decode()) == "1"
    officer_text = "Officer: the new school opened on time."
    lead_text = "Lead: placements are still rising."
    first = officer.post(url, {"rag": "green", "narrative": officer_text, "version": "1"}, **HTMX)
    assert "round-changed" in first.headers["HX-Trigger"]

    second = programme_lead.post(
        url, {"rag": "amber", "narrative": lead_text, "version": "1"}, **HTMX
    )
    html = second.content.decode()
    assert second.status_code == 200
    assert "HX-Trigger" not in second.headers
    assert "Someone else saved this section while you were editing" in html
    assert "Their saved version (by la-officer" in html
    assert officer_text in html  # theirs, read-only
    assert f"{lead_text}</textarea>" in html  # the lead's own words, still in the form
    assert 'type="radio" value="amber" checked' in html
    assert _version_in(html) == "2"  # saving again now reconciles over the stored version
    update.refresh_from_db()
    assert (update.narrative, update.version) == (officer_text, 2)

    merged = f"{officer_text} {lead_text}"
    third = programme_lead.post(url, {"rag": "amber", "narrative": merged, "version": "2"}, **HTMX)
    assert "round-changed" in third.headers["HX-Trigger"]
    update.refresh_from_db()
    assert (update.narrative, update.version) == (merged, 3)
    saves = AuditEvent.objects.filter(
        object_type="conditions.conditionupdate", object_id=update.pk
    ).order_by("pk")
    assert [e.after["narrative"] for e in saves] == [officer_text, merged]
    assert [e.username for e in saves] == ["la-officer", "programme-lead"]


def test_without_javascript_the_conflict_is_a_full_page_with_both_texts(draft, la_officer, lead):
    update = ConditionUpdate.objects.filter(round=draft).first()
    url = round_url(draft, f"conditions/{update.pk}/edit/")
    client_for(la_officer).post(url, {"rag": "green", "narrative": "Theirs.", "version": "1"})
    response = client_for(lead).post(url, {"rag": "green", "narrative": "Mine.", "version": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "Theirs." in html and "Mine.</textarea>" in html
    assert "hx-post" not in html


def test_overview_conflict_shows_their_answers_and_keeps_yours(draft, la_officer, lead):
    url = round_url(draft, "overview/edit/")
    theirs = {**OVERVIEW, "deficit_this_year_commentary": "Their commentary."}
    mine = {**OVERVIEW, "deficit_this_year_commentary": "My commentary."}
    client_for(la_officer).post(url, theirs, **HTMX)
    html = client_for(lead).post(url, mine, **HTMX).content.decode()
    assert "Their saved version" in html and "Their commentary." in html
    assert "My commentary.</textarea>" in html
    assert RoundOverview.objects.get(round=draft).deficit_this_year_commentary == (
        "Their commentary."
    )


def test_headline_conflict_shows_their_list_and_keeps_yours(draft, la_officer, lead):
    officer, programme_lead = client_for(la_officer), client_for(lead)
    seen_by_officer = _headlines_form(officer, draft)
    seen_by_lead = _headlines_form(programme_lead, draft)
    url = round_url(draft, "headlines/driver/edit/")
    officer.post(url, {"seen": seen_by_officer, "texts": ["Officer headline"]}, **HTMX)
    html = programme_lead.post(
        url, {"seen": seen_by_lead, "texts": ["Lead headline"]}, **HTMX
    ).content.decode()
    assert "Someone else saved this section" in html
    assert "Officer headline" in html and ">Lead headline</textarea>" in html
    assert list(Headline.objects.filter(overview__round=draft).values_list("text", flat=True)) == [
        "Officer headline"
    ]
    seen_now = html.split('name="seen" value="')[1].split('"')[0]
    programme_lead.post(
        url, {"seen": seen_now, "texts": ["Officer headline", "Lead headline"]}, **HTMX
    )
    texts = Headline.objects.filter(overview__round=draft).order_by("position")
    assert [h.text for h in texts] == ["Officer headline", "Lead headline"]


def test_milestone_conflict_is_refused_with_their_values(draft, la_officer, lead):
    milestone = Milestone.objects.filter(workstream__updates__round=draft).first()
    url = round_url(draft, f"milestones/{milestone.pk}/edit/")
    # Not due yet, so On track and At risk are both statuses it may have (see milestone_save).
    soon = timezone.localdate() + dt.timedelta(days=60)
    base = {"due_date": f"{soon}", "completed_on": "", "version": "1"}
    client_for(la_officer).post(url, {**base, "status": "at_risk"}, **HTMX)
    html = client_for(lead).post(url, {**base, "status": "on_track"}, **HTMX).content.decode()
    assert "Their saved version" in html and "At risk" in html
    assert '<option value="on_track" selected>' in html
    assert MilestoneUpdate.objects.get(round=draft, milestone=milestone).status == "at_risk"
