"""Editing one section in place: htmx fragments, plain POST and redirect, server-side rules."""

import datetime as dt

import pytest

from conditions.models import ConditionUpdate, Milestone, MilestoneUpdate, WorkstreamUpdate
from overview.models import Headline, RoundOverview
from risks.models import RiskUpdate
from svmonitor.choices import RoundStatus
from svmonitor.models import AuditEvent
from tests.round_builders import complete
from tests.round_page.conftest import HTMX, client_for, round_url

pytestmark = pytest.mark.django_db

RATED = {
    "condition": (ConditionUpdate, "conditions", {}),
    "risk": (RiskUpdate, "risks", {"impact": "3", "likelihood": "2"}),
    "workstream": (WorkstreamUpdate, "workstreams", {}),
}


def _edit_url(round, kind, pk):
    return round_url(round, f"{RATED[kind][1]}/{pk}/edit/")


def _first(round, kind):
    return RATED[kind][0].objects.filter(round=round).order_by("pk").first()


@pytest.mark.parametrize("kind", RATED)
def test_get_returns_the_form_fragment_for_htmx_and_a_full_page_otherwise(draft, la_officer, kind):
    update = _first(draft, kind)
    client = client_for(la_officer)
    fragment = client.get(_edit_url(draft, kind, update.pk), **HTMX).content.decode()
    assert fragment.lstrip().startswith(f'<section id="{kind}-{update.pk}"')
    assert "<html" not in fragment
    assert f'hx-post="{_edit_url(draft, kind, update.pk)}"' in fragment
    assert "autofocus" in fragment  # the first field takes focus when swapped in
    page = client.get(_edit_url(draft, kind, update.pk)).content.decode()
    assert "<html" in page and "<h1" in page
    # Without JavaScript the form is a plain POST form.
    assert "hx-post" not in page and f'action="{_edit_url(draft, kind, update.pk)}"' in page


@pytest.mark.parametrize("kind", RATED)
def test_an_invalid_htmx_post_returns_200_with_the_error_and_changes_nothing(
    draft, la_officer, kind
):
    update = _first(draft, kind)
    data = {"rag": "red", "narrative": "  ", "version": "1", **RATED[kind][2]}
    response = client_for(la_officer).post(_edit_url(draft, kind, update.pk), data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "There is a problem" in html
    assert f'href="#{kind}-{update.pk}-narrative">A Red or Amber rating' in html
    assert f'id="{kind}-{update.pk}-narrative_error"' in html
    assert "HX-Trigger" not in response.headers
    update.refresh_from_db()
    assert (update.rag, update.version) == ("not_rated", 1)


@pytest.mark.parametrize("kind", RATED)
def test_a_valid_htmx_post_saves_and_returns_the_row_with_an_event(draft, la_officer, kind):
    update = _first(draft, kind)
    data = {"rag": "amber", "narrative": "Recovery plan agreed.", "version": "1", **RATED[kind][2]}
    response = client_for(la_officer).post(_edit_url(draft, kind, update.pk), data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "round-changed" in response.headers["HX-Trigger"]
    assert "<form" not in html and "Recovery plan agreed." in html
    assert 'role="status">Saved.' in html
    update.refresh_from_db()
    assert (update.rag, update.narrative, update.version) == ("amber", "Recovery plan agreed.", 2)
    assert update.updated_by == la_officer


@pytest.mark.parametrize("kind", RATED)
def test_without_javascript_a_valid_post_redirects_to_the_section(draft, la_officer, kind):
    update = _first(draft, kind)
    data = {"rag": "green", "narrative": "", "version": "1", **RATED[kind][2]}
    client = client_for(la_officer)
    response = client.post(_edit_url(draft, kind, update.pk), data)
    assert response.status_code == 302
    assert response["Location"] == round_url(draft) + f"#{kind}-{update.pk}"
    assert "Your changes were saved." in client.get(response["Location"]).content.decode()


def test_without_javascript_an_invalid_post_shows_the_full_page_with_errors(draft, la_officer):
    update = _first(draft, "condition")
    response = client_for(la_officer).post(
        _edit_url(draft, "condition", update.pk), {"rag": "purple", "narrative": "", "version": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "There is a problem" in html
    assert "Select a valid choice" in html


def test_a_narrative_over_the_limit_is_refused_with_its_length(draft, la_officer):
    update = _first(draft, "condition")
    data = {"rag": "green", "narrative": "x" * 10_001, "version": "1"}
    html = client_for(la_officer).post(_edit_url(draft, "condition", update.pk), data, **HTMX)
    assert "Keep this to 10,000 characters or fewer (it has 10,001)." in html.content.decode()
    update.refresh_from_db()
    assert update.narrative == ""


def test_a_narrative_of_6600_characters_is_kept_under_the_default_limit(draft, la_officer):
    # A real progress update runs to 6,600 characters; the old limit was 5,000.
    update = _first(draft, "condition")
    text = "y" * 6600
    data = {"rag": "green", "narrative": text, "version": "1"}
    client_for(la_officer).post(_edit_url(draft, "condition", update.pk), data, **HTMX)
    update.refresh_from_db()
    assert update.narrative == text


def test_the_narrative_limit_is_the_councils_own(draft, la_officer):
    council = draft.agreement.council
    council.narrative_max = 800
    council.save(update_fields=["narrative_max"])
    update = _first(draft, "condition")
    client = client_for(la_officer)
    form = client.get(_edit_url(draft, "condition", update.pk), **HTMX).content.decode()
    # The GOV.UK character count at the council's limit.
    assert 'data-module="govuk-character-count" data-maxlength="800"' in form
    data = {"rag": "green", "narrative": "z" * 801, "version": "1"}
    html = client.post(_edit_url(draft, "condition", update.pk), data, **HTMX).content.decode()
    assert "Keep this to 800 characters or fewer (it has 801)." in html


def test_a_risk_score_outside_one_to_five_is_refused(draft, la_officer):
    update = _first(draft, "risk")
    data = {"rag": "green", "narrative": "", "version": "1", "impact": "6", "likelihood": "0"}
    html = client_for(la_officer).post(_edit_url(draft, "risk", update.pk), data, **HTMX)
    html = html.content.decode()
    assert f'id="risk-{update.pk}-impact_error"' in html
    assert f'id="risk-{update.pk}-likelihood_error"' in html


def test_a_board_member_may_not_open_or_post_an_edit(draft, board_member):
    update = _first(draft, "condition")
    client = client_for(board_member)
    url = _edit_url(draft, "condition", update.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"rag": "green", "narrative": "", "version": "1"}).status_code == 403
    update.refresh_from_db()
    assert update.version == 1
    assert AuditEvent.objects.filter(action="permission_refused").count() == 2


def test_cancel_returns_the_row_for_htmx_and_redirects_otherwise(draft, la_officer):
    update = _first(draft, "condition")
    client = client_for(la_officer)
    url = round_url(draft, f"conditions/{update.pk}/")
    fragment = client.get(url, **HTMX).content.decode()
    assert fragment.lstrip().startswith(f'<section id="condition-{update.pk}"')
    assert "<form" not in fragment
    assert client.get(url)["Location"] == round_url(draft) + f"#condition-{update.pk}"


# --- milestones ------------------------------------------------------------------------------


def _milestone(round):
    return Milestone.objects.filter(workstream__updates__round=round).first()


def test_a_milestone_is_completed_with_its_date(draft, la_officer):
    milestone = _milestone(draft)
    url = round_url(draft, f"milestones/{milestone.pk}/edit/")
    data = {"status": "complete", "due_date": "2024-12-31", "completed_on": "", "version": "1"}
    client = client_for(la_officer)
    html = client.post(url, data, **HTMX).content.decode()
    assert "Enter the date a completed milestone was completed." in html
    data["completed_on"] = "2024-04-01"
    response = client.post(url, data, **HTMX)
    assert (
        response.content.decode()
        .lstrip()
        .startswith(f'<tr class="govuk-table__row" id="milestone-{milestone.pk}"')
    )
    record = MilestoneUpdate.objects.get(round=draft, milestone=milestone)
    assert (record.status, record.completed_on) == ("complete", dt.date(2024, 4, 1))


def test_a_completion_date_outside_the_rounds_financial_year_is_refused(draft, la_officer):
    milestone = _milestone(draft)
    url = round_url(draft, f"milestones/{milestone.pk}/edit/")
    data = {"status": "complete", "due_date": "2024-12-31", "completed_on": "2024-03-31"}
    html = client_for(la_officer).post(url, {**data, "version": "1"}, **HTMX).content.decode()
    assert "The completion date must be inside 2024-25 (1 April 2024 to 31 March 2025)." in html
    milestone.refresh_from_db()
    assert milestone.status == "on_track" and milestone.version == 1


def test_a_milestone_of_another_council_is_404(draft, la_officer, other_council):
    from tests import factories as f

    foreign = f.MilestoneFactory(workstream__area__council=other_council)
    url = round_url(draft, f"milestones/{foreign.pk}/edit/")
    assert client_for(la_officer).get(url).status_code == 404


# --- overview and headlines ------------------------------------------------------------------

OVERVIEW = {
    "deficit_this_year_on_track": "yes",
    "deficit_this_year_commentary": "",
    "zero_deficit_on_track": "",
    "zero_deficit_commentary": "",
    "capital_project_on_track": "",
    "capital_project_commentary": "",
    "adviser_support_detail": "",
    "overall_rag": "not_rated",
    "overall_narrative": "",
    "version": "1",
}


def test_an_on_track_answer_needs_commentary(draft, la_officer):
    url = round_url(draft, "overview/edit/")
    client = client_for(la_officer)
    html = client.post(url, OVERVIEW, **HTMX).content.decode()
    assert "Deficit this year on track: add commentary to explain the answer." in html
    assert 'href="#overview-deficit_this_year_commentary"' in html
    data = {**OVERVIEW, "deficit_this_year_commentary": "Within the cap."}
    response = client.post(url, data, **HTMX)
    assert "round-changed" in response.headers["HX-Trigger"]
    overview = RoundOverview.objects.get(round=draft)
    assert (overview.deficit_this_year_on_track, overview.version) == ("yes", 2)


def test_an_answer_other_than_yes_or_no_and_adviser_request_without_detail_are_refused(
    draft, la_officer
):
    data = {**OVERVIEW, "deficit_this_year_on_track": "maybe", "adviser_support_requested": "yes"}
    html = client_for(la_officer).post(round_url(draft, "overview/edit/"), data, **HTMX)
    html = html.content.decode()
    assert "Select a valid choice" in html
    data["deficit_this_year_on_track"] = "no"
    data["deficit_this_year_commentary"] = "Placement costs."
    html = client_for(la_officer).post(round_url(draft, "overview/edit/"), data, **HTMX)
    assert "Say what support is requested from the DfE adviser." in html.content.decode()
    assert RoundOverview.objects.get(round=draft).version == 1


def _headlines_form(client, round, kind="driver"):
    html = client.get(round_url(round, f"headlines/{kind}/edit/"), **HTMX).content.decode()
    marker = 'name="seen" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_at_most_three_headlines_a_list(draft, la_officer):
    client = client_for(la_officer)
    seen = _headlines_form(client, draft)
    url = round_url(draft, "headlines/driver/edit/")
    html = client.post(url, {"seen": seen, "texts": ["a", "b", "c", "d"]}, **HTMX).content.decode()
    assert "Give at most 3 headlines in each list." in html
    assert not Headline.objects.filter(overview__round=draft).exists()
    response = client.post(url, {"seen": seen, "texts": ["First", "", "Second"]}, **HTMX)
    assert "round-changed" in response.headers["HX-Trigger"]
    texts = Headline.objects.filter(overview__round=draft, kind="driver").order_by("position")
    assert [h.text for h in texts] == ["First", "Second"]


def test_an_unknown_headline_list_is_404(draft, la_officer):
    assert client_for(la_officer).get(round_url(draft, "headlines/other/edit/")).status_code == 404


# --- a return past draft ---------------------------------------------------------------------


@pytest.fixture
def ready(draft, lead):
    from svmonitor.services import round_mark_ready

    complete(draft, lead)
    return round_mark_ready(round=draft, by=lead)


def test_a_ready_return_offers_no_edit_and_refuses_a_post(ready, la_officer):
    assert ready.status == RoundStatus.READY
    update = _first(ready, "condition")
    client = client_for(la_officer)
    url = _edit_url(ready, "condition", update.pk)
    html = client.get(round_url(ready)).content.decode()
    assert "/edit/" not in html
    fragment = client.get(url, **HTMX).content.decode()
    assert "<form" not in fragment
    assert "This return is ready for sign-off and can no longer be edited" in fragment
    response = client.post(url, {"rag": "red", "narrative": "Late change", "version": "2"})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.narrative == "" and update.rag == "green"
    milestone = _milestone(ready)
    data = {"status": "at_risk", "due_date": "2024-12-31", "completed_on": "", "version": "1"}
    client.post(round_url(ready, f"milestones/{milestone.pk}/edit/"), data)
    milestone.refresh_from_db()
    assert milestone.status == "on_track"


def test_the_locked_note_says_who_can_reopen(ready, la_officer, lead):
    update = _first(ready, "condition")
    url = _edit_url(ready, "condition", update.pk)
    officer_note = client_for(la_officer).get(url, **HTMX).content.decode()
    assert "Ask the programme lead to reopen it" in officer_note
    assert "reopen it first" not in officer_note
    lead_note = client_for(lead).get(url, **HTMX).content.decode()
    assert "can no longer be edited; reopen it first." in lead_note
    # Without JavaScript the same words come back as a message on the round page.
    page = client_for(la_officer).get(url, follow=True).content.decode()
    assert "Ask the programme lead to reopen it" in page
