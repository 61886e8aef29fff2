"""The round page: who sees it, every section beside the previous update, fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conditions.models import ConditionUpdate, WorkstreamUpdate
from conditions.services import condition_update_save
from overview.models import Headline, RoundOverview
from overview.services import headlines_fingerprint, headlines_save
from risks.models import RiskUpdate
from svmonitor.choices import Rag
from svmonitor.models import AuditEvent
from svmonitor.roles import Role
from svmonitor.services import round_open_next
from tests import factories as f
from tests.conftest import _member
from tests.round_builders import complete, leave_draft
from tests.round_page.conftest import HTMX, add_programme, client_for, round_url

pytestmark = pytest.mark.django_db


def test_an_officer_sees_every_section_with_edit_links(draft, la_officer):
    response = client_for(la_officer).get(round_url(draft))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Quarterly return: 2024-25 Update 1 (May)" in html
    for update in ConditionUpdate.objects.filter(round=draft):
        assert f'id="condition-{update.pk}"' in html
        assert round_url(draft, f"conditions/{update.pk}/edit/") in html
    for update in RiskUpdate.objects.filter(round=draft):
        assert f'id="risk-{update.pk}"' in html
    for update in WorkstreamUpdate.objects.filter(round=draft):
        assert f'id="workstream-{update.pk}"' in html
    assert 'id="overview"' in html
    assert 'id="headlines-driver"' in html
    # Every RAG is printed as a word, never only a colour.
    assert '<strong class="app-rag rag--not-rated">Not rated' in html


def test_a_board_member_reads_the_round_but_gets_no_edit_links(draft, board_member):
    response = client_for(board_member).get(round_url(draft))
    html = response.content.decode()
    assert response.status_code == 200
    assert "/edit/" not in html
    assert "History" in html


def test_another_councils_officer_gets_404_for_the_round_and_its_parts(draft, other_la_officer):
    client = client_for(other_la_officer)
    update = ConditionUpdate.objects.filter(round=draft).first()
    for suffix in (
        "",
        "status/",
        "changes/",
        f"conditions/{update.pk}/edit/",
        f"history/condition/{update.pk}/",
        "overview/edit/",
    ):
        assert client.get(round_url(draft, suffix)).status_code == 404, suffix


def test_signed_out_visitors_are_sent_to_sign_in(draft, client):
    response = client.get(round_url(draft))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


@pytest.mark.parametrize("path", ["2024-2025/1/", "2024-25/4/", "2023-25/1/", "2030-31/1/"])
def test_a_malformed_or_unknown_round_is_404(draft, la_officer, path):
    slug = draft.agreement.council.slug
    response = client_for(la_officer).get(f"/councils/{slug}/rounds/{path}")
    assert response.status_code == 404


def test_each_section_shows_the_previous_updates_level_and_words(programme, la_officer):
    first = round_open_next(
        agreement=programme, financial_year=2024, update_number=1, by=f.lead_of(programme.council)
    )
    old = ConditionUpdate.objects.filter(round=first).first()
    condition_update_save(
        update=old, expected_version=1, rag=Rag.AMBER, narrative="Old words here.", by=la_officer
    )
    leave_draft(first)
    second = round_open_next(
        agreement=programme, financial_year=2024, update_number=2, by=f.lead_of(programme.council)
    )
    new = ConditionUpdate.objects.get(round=second, condition=old.condition)
    condition_update_save(
        update=new, expected_version=1, rag=Rag.GREEN, narrative="New words now.", by=la_officer
    )
    html = client_for(la_officer).get(round_url(second)).content.decode()
    section = html[html.index(f'id="condition-{new.pk}"') :]
    section = section[: section.index("</section>")]
    assert "Previous update (2024-25 Update 1 (May))" in section
    assert "Old words here." in section and "New words now." in section
    assert section.index("Old words here.") < section.index("New words now.")
    assert "rag--amber" in section and "rag--green" in section


def test_a_new_round_carries_everything_forward_as_a_draft(programme, la_officer):
    first = round_open_next(
        agreement=programme, financial_year=2024, update_number=1, by=f.lead_of(programme.council)
    )
    complete(first, la_officer)
    headlines_save(
        overview=RoundOverview.objects.get(round=first),
        kind="driver",
        texts=["Schools engaged early"],
        seen=headlines_fingerprint([]),
        by=la_officer,
    )
    leave_draft(first)
    second = round_open_next(
        agreement=programme, financial_year=2024, update_number=2, by=f.lead_of(programme.council)
    )
    html = client_for(la_officer).get(round_url(second)).content.decode()
    assert "Carried forward; not revised in this update yet." in html
    assert Headline.objects.filter(overview__round=second, text="Schools engaged early").exists()
    assert html.count("Schools engaged early") == 2  # previous and this update


def test_the_completeness_panel_links_each_gap_to_its_section(draft, lead):
    html = client_for(lead).get(round_url(draft)).content.decode()
    update = ConditionUpdate.objects.filter(round=draft).order_by("condition__order").first()
    assert "Still to update" in html
    assert f'href="#condition-{update.pk}">Condition {update.condition.label}: not rated' in html
    assert 'href="#overview">Deficit this year on track: not answered' in html
    assert "Mark ready for sign-off" not in html
    complete(draft, lead)
    html = client_for(lead).get(round_url(draft)).content.decode()
    assert "Everything is updated." in html
    assert "Mark ready for sign-off" in html


def test_the_status_panel_is_a_fragment_for_htmx_and_a_page_otherwise(draft, la_officer):
    client = client_for(la_officer)
    fragment = client.get(round_url(draft, "status/"), **HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="round-status"')
    assert "<html" not in fragment
    assert 'hx-trigger="round-changed from:body"' in fragment
    assert "<html" in client.get(round_url(draft, "status/")).content.decode()


def _programme_round(size: int):
    agreement = f.AgreementFactory()
    add_programme(agreement, conditions=2 * size, risks=size, workstreams=size)
    # Numbered after the council's own (the factory's sequence runs across the session).
    top = max(agreement.council.programme_areas.values_list("number", flat=True), default=0)
    for n in range(size):
        f.ProgrammeAreaFactory(council=agreement.council, number=top + 1 + n)
    officer = _member(agreement.council, Role.LEAD, f"lead-{size}")
    first = round_open_next(agreement=agreement, financial_year=2024, update_number=1, by=officer)
    complete(first, officer)
    leave_draft(first)
    second = round_open_next(agreement=agreement, financial_year=2024, update_number=2, by=officer)
    for kind in ("driver", "barrier"):
        headlines_save(
            overview=RoundOverview.objects.get(round=second),
            kind=kind,
            texts=[f"Headline {n}" for n in range(min(3, size))],
            seen=headlines_fingerprint([]),
            by=officer,
        )
    return second, officer


def test_the_round_page_costs_the_same_queries_for_a_round_three_times_bigger(
    django_assert_num_queries,
):
    small, small_officer = _programme_round(1)
    big, big_officer = _programme_round(3)
    assert ConditionUpdate.objects.filter(round=big).count() == 3 * (
        ConditionUpdate.objects.filter(round=small).count()
    )
    small_client, big_client = client_for(small_officer), client_for(big_officer)
    small_client.get(round_url(small))  # warm the session
    big_client.get(round_url(big))
    with CaptureQueriesContext(connection) as small_queries:
        assert small_client.get(round_url(small)).status_code == 200
    with django_assert_num_queries(len(small_queries.captured_queries)):
        assert big_client.get(round_url(big)).status_code == 200


def test_the_changes_page_shows_what_moved_since_the_previous_update(programme, la_officer):
    first = round_open_next(
        agreement=programme, financial_year=2024, update_number=1, by=f.lead_of(programme.council)
    )
    old = ConditionUpdate.objects.filter(round=first).order_by("pk").first()
    condition_update_save(
        update=old,
        expected_version=1,
        rag=Rag.AMBER,
        narrative="Plans agreed with schools.",
        by=la_officer,
    )
    leave_draft(first)
    second = round_open_next(
        agreement=programme, financial_year=2024, update_number=2, by=f.lead_of(programme.council)
    )
    new = ConditionUpdate.objects.get(round=second, condition=old.condition)
    condition_update_save(
        update=new,
        expected_version=1,
        rag=Rag.RED,
        narrative="Plans agreed with all schools.",
        by=la_officer,
    )
    client = client_for(la_officer)
    html = client.get(round_url(second, "changes/")).content.decode()
    assert "What changed since 2024-25 Update 1 (May)" in html
    assert "changed to" in html and "rag--amber" in html and "rag--red" in html
    assert '<ins><span class="govuk-visually-hidden">[added: </span>all ' in html
    assert "unchanged." in html
    fragment = client.get(round_url(second, "changes/"), **HTMX).content.decode()
    assert "<html" not in fragment and 'id="changes"' in fragment


def test_a_sections_history_shows_who_when_before_and_after(draft, la_officer):
    update = ConditionUpdate.objects.filter(round=draft).first()
    condition_update_save(
        update=update, expected_version=1, rag=Rag.RED, narrative="Behind plan.", by=la_officer
    )
    client = client_for(la_officer)
    url = round_url(draft, f"history/condition/{update.pk}/")
    html = client.get(url).content.decode()
    assert "<html" in html and "la-officer" in html
    assert "Before: Not rated" in html and "After: Red" in html
    assert "After: Behind plan." in html
    fragment = client.get(url, **HTMX).content.decode()
    assert "<html" not in fragment and "History of Condition" in fragment
    # History is read-only: there is no way to post to it, and the rows refuse changes.
    assert client.post(url).status_code == 405
    saves = AuditEvent.objects.filter(object_type="conditions.conditionupdate", object_id=update.pk)
    assert saves.count() == 1


def test_history_of_another_rounds_section_is_404(programme, la_officer):
    first = round_open_next(
        agreement=programme, financial_year=2024, update_number=1, by=f.lead_of(programme.council)
    )
    leave_draft(first)
    second = round_open_next(
        agreement=programme, financial_year=2024, update_number=2, by=f.lead_of(programme.council)
    )
    old = ConditionUpdate.objects.filter(round=first).first()
    client = client_for(la_officer)
    assert client.get(round_url(second, f"history/condition/{old.pk}/")).status_code == 404
    assert client.get(round_url(second, f"conditions/{old.pk}/edit/")).status_code == 404


@pytest.mark.parametrize(
    ("kind", "model", "path", "heading"),
    [
        ("condition", ConditionUpdate, "conditions", lambda u: f"Condition {u.condition.label}: "),
        ("risk", RiskUpdate, "risks", lambda u: f"Risk {u.risk.number}<"),
        ("workstream", WorkstreamUpdate, "workstreams", lambda u: f"{u.workstream.name}<"),
    ],
)
def test_a_sections_row_has_its_heading_escapes_its_text_and_reads_the_same_alone(
    draft, la_officer, kind, model, path, heading
):
    update = model.objects.filter(round=draft).first()
    model.objects.filter(pk=update.pk).update(narrative='<script>alert("x")</script>\nline two')
    client = client_for(la_officer)
    page = client.get(round_url(draft)).content.decode()
    alone = client.get(round_url(draft, f"{path}/{update.pk}/"), **HTMX).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>line two" in alone
    # Every section has its heading on the page (the card's title, and the Edit and History
    # links' names for a screen reader).
    assert f'id="{kind}-{update.pk}-title">{heading(update)}' in page
    start = alone.index(f'<section id="{kind}-{update.pk}"')
    row = alone[start : alone.index("</section>", start) + len("</section>")]
    # The htmx response for one row is the row the page shows, byte for byte (but for the
    # focus it gives back to the row's Edit link).
    assert row.replace(" autofocus>", ">") in page


def test_a_history_page_has_its_h1_and_no_h4_after_it_the_fragment_keeps_its_h4(draft, la_officer):
    update = ConditionUpdate.objects.filter(round=draft).first()
    client = client_for(la_officer)
    url = round_url(draft, f"history/condition/{update.pk}/")
    html = client.get(url).content.decode()
    assert '<h1 class="govuk-heading-l">History of Condition' in html
    assert "<h4" not in html  # axe heading-order: nothing jumps from the h1 to an h4
    fragment = client.get(url, **HTMX).content.decode()
    assert '<h4 class="govuk-heading-s" tabindex="-1" autofocus>History of Condition' in fragment
