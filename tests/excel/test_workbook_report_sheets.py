"""The workbook holds the whole DfE report (issue 13): key contacts, headline cards, each
return's overview and headlines, imported through the services; "Not answered" wherever a
question can be left unanswered; the format's version."""

import io
import re
from pathlib import Path

import openpyxl
from django.conf import settings
from django.db import transaction

from metrics.models import HeadlineCard
from overview.models import Headline, RoundOverview
from reports.pdf.render import pdf_from_html, report_html
from reports.pdf.selectors import report_source_for_round
from reports.snapshot import round_snapshot_build
from reports.snapshot.hydrate import snapshot_from_dict
from reports.snapshot.serialise import snapshot_as_dict
from svmonitor.choices import RoundStatus
from svmonitor.errors import locked_message
from svmonitor.models import AuditEvent, KeyContact, LocalAuthority, ReportingRound
from tests import factories as f
from tests.excel.builders import build_council_data, headers, minimal_sheets, site_admin
from tests.excel.builders import workbook_bytes as sheets_bytes
from tests.excel.test_workbook_roundtrip import _cells, _wipe
from tests.pdf.conftest import pdf_text, report_council
from tests.round_page.conftest import client_for, round_url
from workbook import format as fmt
from workbook.exporter import workbook_export
from workbook.importer import workbook_import
from workbook.reader import OLD_VERSION

REPORT_SHEETS = (
    fmt.KEY_CONTACTS.name,
    fmt.HEADLINE_CARDS.name,
    fmt.OVERVIEWS.name,
    fmt.HEADLINES.name,
)
ROUND = [None, "2024-25", 1]


def _about(version: str) -> list[list]:
    return [["Item", "Value"], ["svmonitor workbook", f"format version {version}"]]


def _import(tmp_path, sheets: dict, *, slug: str, by, name: str = "report.xlsx"):
    path = tmp_path / name
    path.write_bytes(sheets_bytes(sheets))
    return workbook_import(file=path, council_slug=slug, by=by)


def _round_with_programme(agreement):
    """A draft 2024-25 Update 1 made as an import makes one: no overview of its own yet."""
    round_ = f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=1)
    assert not RoundOverview.objects.filter(round=round_).exists()
    source = f.DataSourceFactory(council=agreement.council, name="MI")
    f.SeriesFactory(council=agreement.council, kind="actual", slug="actual", name="Actual")
    f.SeriesFactory(council=agreement.council, kind="baseline", slug="forecast", name="Forecast")
    f.MeasureFactory(council=agreement.council, code="ehcps", data_source=source)
    return round_


OVERVIEW_ROW = [
    *ROUND,
    "Amber",
    "Demand is above plan.",
    "No",
    "Placements cost more than planned.",
    "Not answered",
    "",
    "Yes",
    "The school opens in September.",
    "Yes",
    "Early years inclusion advice.",
]


def _report_sheets() -> dict:
    return {
        fmt.ABOUT_SHEET: _about(fmt.FORMAT_VERSION),
        fmt.KEY_CONTACTS.name: [
            headers(fmt.KEY_CONTACTS),
            ["S151 officer", "Director of Finance", "", "", 0],
            ["Director of children's services", "DCS", "Sam Lee", "sam@example.org", 1],
        ],
        fmt.HEADLINE_CARDS.name: [
            headers(fmt.HEADLINE_CARDS),
            ["ehcps", "forecast", "EHCPs", "Forecast to date", "plans", 1],
        ],
        fmt.OVERVIEWS.name: [headers(fmt.OVERVIEWS), OVERVIEW_ROW],
        fmt.HEADLINES.name: [
            headers(fmt.HEADLINES),
            [*ROUND, "driver", 1, "Schools engaged early"],
            [*ROUND, "driver", 2, "Panel reformed"],
            [*ROUND, "Biggest barriers to implementation", 1, "Recruitment"],
        ],
    }


# -- round trip --------------------------------------------------------------------------


def test_the_report_sheets_round_trip_through_an_empty_database(council, tmp_path):
    data = build_council_data(council)
    ReportingRound.objects.filter(pk=data["submitted"].pk).update(
        status=RoundStatus.DRAFT, submitted_on=None
    )
    f.KeyContactFactory(council=council, role="s151_officer", job_title="S151", name="", email="")
    f.KeyContactFactory(council=council, role="dcs", job_title="DCS", name="Sam", order=1)
    plan = council.series.get(slug="sv-forecast")
    f.HeadlineCardFactory(
        council=council, measure=data["ehcp"], comparator=plan, title="EHCPs", subject="plans"
    )
    overview = f.RoundOverviewFactory(
        round=data["draft"],
        deficit_this_year_on_track="no",
        deficit_this_year_commentary="Placements.",
        capital_project_on_track="yes",
        capital_project_commentary="On time.",
        overall_rag="amber",
        overall_narrative="Above plan.",
    )
    f.HeadlineFactory(overview=overview, kind="driver", position=1, text="Schools")
    f.HeadlineFactory(overview=overview, kind="driver", position=2, text="Panel")
    f.HeadlineFactory(overview=overview, kind="barrier", position=1, text="Recruitment")
    first = workbook_export(council=council)
    cells = _cells(first)
    assert cells[fmt.OVERVIEWS.name][1][3:] == (
        "Amber",
        "Above plan.",
        "No",
        "Placements.",
        "Not answered",
        None,
        "Yes",
        "On time.",
        "Not answered",
        None,
    )
    assert len(cells[fmt.HEADLINES.name]) == 4
    assert "Round overviews" not in cells and "Round headlines" not in cells
    HeadlineCard.objects.all().delete()
    _wipe()
    path = tmp_path / "export.xlsx"
    path.write_bytes(first)

    result = workbook_import(file=path, council_slug=council.slug, by=site_admin())

    assert result.errors == []
    second = _cells(workbook_export(council=LocalAuthority.objects.get(slug=council.slug)))
    for sheet in REPORT_SHEETS:
        assert len(cells[sheet]) > 1, sheet
        assert second[sheet] == cells[sheet], sheet
    assert second == cells


# -- import through the services -----------------------------------------------------------


def test_it_imports_overview_headlines_contacts_and_cards_through_the_services(
    council, agreement, tmp_path
):
    round_ = _round_with_programme(agreement)
    admin = site_admin()

    result = _import(tmp_path, _report_sheets(), slug=council.slug, by=admin)

    assert result.errors == []
    overview = RoundOverview.objects.get(round=round_)
    assert (overview.overall_rag, overview.deficit_this_year_on_track) == ("amber", "no")
    assert overview.zero_deficit_on_track == ""
    assert (overview.capital_project_on_track, overview.adviser_support_requested) == (
        "yes",
        "yes",
    )
    assert overview.adviser_support_detail == "Early years inclusion advice."
    texts = list(
        Headline.objects.filter(overview=overview)
        .order_by("kind", "position")
        .values_list("kind", "position", "text")
    )
    assert texts == [
        ("barrier", 1, "Recruitment"),
        ("driver", 1, "Schools engaged early"),
        ("driver", 2, "Panel reformed"),
    ]
    contacts = list(KeyContact.objects.filter(council=council).order_by("order"))
    assert [(c.role, c.job_title, c.name, c.email) for c in contacts] == [
        ("s151_officer", "Director of Finance", "", ""),
        ("dcs", "DCS", "Sam Lee", "sam@example.org"),
    ]
    card = HeadlineCard.objects.get(council=council)
    assert (card.measure.code, card.comparator.slug, card.title) == ("ehcps", "forecast", "EHCPs")
    via = "via workbook report.xlsx"
    actions = set(AuditEvent.objects.filter(via=via, user=admin).values_list("action", flat=True))
    assert {
        "round_overview.create",
        "round_overview.save",
        "headlines.save",
        "key_contact.create",
        "headline_card.create",
    } <= actions
    # Importing it again changes nothing.
    again = _import(tmp_path, _report_sheets(), slug=council.slug, by=admin)
    assert again.errors == []
    assert again.totals["created"] == again.totals["changed"] == 0


def test_not_answered_clears_an_answer_and_a_blank_cell_keeps_it(council, agreement, tmp_path):
    round_ = _round_with_programme(agreement)
    admin = site_admin()
    _import(tmp_path, _report_sheets(), slug=council.slug, by=admin)
    row = list(OVERVIEW_ROW)
    row[5] = None  # deficit this year: blank keeps "No"
    row[11] = "Not answered"  # adviser support: cleared
    row[12] = ""

    result = _import(
        tmp_path,
        {fmt.OVERVIEWS.name: [headers(fmt.OVERVIEWS), row]},
        slug=council.slug,
        by=admin,
    )

    assert result.errors == []
    overview = RoundOverview.objects.get(round=round_)
    assert (overview.deficit_this_year_on_track, overview.adviser_support_requested) == ("no", "")


def test_adviser_support_yes_without_what_is_refused_with_the_round_pages_words(
    council, agreement, tmp_path
):
    _round_with_programme(agreement)
    row = list(OVERVIEW_ROW)
    row[12] = ""

    result = _import(
        tmp_path,
        {fmt.OVERVIEWS.name: [headers(fmt.OVERVIEWS), row]},
        slug=council.slug,
        by=site_admin(),
    )

    assert [e.reason for e in result.errors] == [
        "Say what support is requested from the DfE adviser."
    ]
    assert not RoundOverview.objects.exists()


def test_a_locked_rounds_overview_row_is_refused_with_the_services_message(
    council, agreement, tmp_path
):
    round_ = _round_with_programme(agreement)
    f.RoundOverviewFactory(round=round_)
    ReportingRound.objects.filter(pk=round_.pk).update(status=RoundStatus.READY)

    result = _import(
        tmp_path,
        {fmt.OVERVIEWS.name: [headers(fmt.OVERVIEWS), OVERVIEW_ROW]},
        slug=council.slug,
        by=site_admin(),
    )

    assert len(result.errors) == 1
    assert locked_message(RoundStatus.READY) in result.errors[0].reason
    assert RoundOverview.objects.get(round=round_).overall_rag == "not_rated"


def test_a_locked_rounds_headlines_are_refused(council, agreement, tmp_path):
    round_ = _round_with_programme(agreement)
    f.RoundOverviewFactory(round=round_)
    ReportingRound.objects.filter(pk=round_.pk).update(status=RoundStatus.SIGNED_OFF)
    sheets = {fmt.HEADLINES.name: _report_sheets()[fmt.HEADLINES.name]}

    result = _import(tmp_path, sheets, slug=council.slug, by=site_admin())

    assert [locked_message(RoundStatus.SIGNED_OFF) in e.reason for e in result.errors] == [
        True,
        True,
    ]
    assert not Headline.objects.exists()


def test_an_officers_key_contacts_row_is_refused_for_want_of_the_administer_right(
    council, la_officer, tmp_path
):
    sheets = {fmt.KEY_CONTACTS.name: _report_sheets()[fmt.KEY_CONTACTS.name]}

    result = _import(tmp_path, sheets, slug=council.slug, by=la_officer)

    assert len(result.errors) == 2
    assert all(
        "cannot change the council, its agreement, rag definitions and contacts" in e.reason
        for e in result.errors
    )
    assert not KeyContact.objects.exists()


def test_an_officer_imports_the_overview_and_headline_cards(
    council, agreement, la_officer, tmp_path
):
    round_ = _round_with_programme(agreement)
    sheets = _report_sheets()
    del sheets[fmt.KEY_CONTACTS.name]

    result = _import(tmp_path, sheets, slug=council.slug, by=la_officer)

    assert result.errors == []
    assert RoundOverview.objects.get(round=round_).overall_rag == "amber"
    assert HeadlineCard.objects.filter(council=council).count() == 1


def test_a_headline_list_with_a_gap_is_refused(council, agreement, tmp_path):
    _round_with_programme(agreement)
    sheets = {
        fmt.HEADLINES.name: [headers(fmt.HEADLINES), [*ROUND, "driver", 2, "Second only"]],
    }

    result = _import(tmp_path, sheets, slug=council.slug, by=site_admin())

    assert [e.reason for e in result.errors] == ["positions in a list run 1, 2, 3 with no gap"]


# -- Not answered on every page and PDF ----------------------------------------------------


def _answered_but_adviser(round_):
    RoundOverview.objects.filter(round=round_).update(
        deficit_this_year_on_track="yes",
        deficit_this_year_commentary="On plan.",
        zero_deficit_on_track="yes",
        zero_deficit_commentary="On plan.",
        capital_project_on_track="yes",
        capital_project_commentary="On plan.",
        adviser_support_requested="",
        adviser_support_detail="",
    )


def _flat(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_adviser_support_not_answered_shows_as_such_on_the_round_page_and_dashboard(
    council, agreement, la_officer
):
    round_ = f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=1)
    f.RoundOverviewFactory(round=round_)
    _answered_but_adviser(round_)
    client = client_for(la_officer)

    page = _flat(client.get(round_url(round_)).content.decode())
    dashboard = _flat(client.get(f"/councils/{council.slug}/").content.decode())

    # The round page shows the previous update beside this one (none here).
    assert "Support requested from the DfE adviser? No previous update Not answered" in page
    assert "Support requested from the DfE adviser? Not answered" in dashboard
    assert "Deficit this year on track? Yes" in dashboard
    assert page.count("Not answered") == dashboard.count("Not answered") == 1


def test_adviser_support_not_answered_prints_not_answered_in_the_dfe_report(db):
    with transaction.atomic():
        latest = report_council()
        _answered_but_adviser(latest)
        pdf = pdf_from_html(report_html(report_source_for_round(round=latest)), bounded=False)
        transaction.set_rollback(True)

    text = pdf_text(pdf)

    assert "Request for SEND adviser support Not answered" in text
    assert "No request made" not in text


def test_a_payload_frozen_with_a_true_or_false_request_loads_as_yes_or_no(council, agreement):
    round_ = f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=1)
    f.RoundOverviewFactory(round=round_, adviser_support_requested="")
    payload = snapshot_as_dict(round_snapshot_build(round_))
    assert payload["overview"]["adviser_support_requested"] == ""

    for old, now in ((True, "yes"), (False, "no")):
        payload["overview"]["adviser_support_requested"] = old
        assert snapshot_from_dict(payload).overview.adviser_support_requested == now


# -- the format's version --------------------------------------------------------------------


def test_the_export_says_its_format_version_and_the_doc_names_it(council):
    cells = _cells(workbook_export(council=council))
    assert cells[fmt.ABOUT_SHEET][1] == ("svmonitor workbook", "format version 2")
    doc = (Path(settings.BASE_DIR) / "docs" / "import-formats.md").read_text()
    assert f"format version {fmt.FORMAT_VERSION}" in doc


def test_a_version_1_workbook_still_imports_with_a_note(db, tmp_path):
    sheets = {fmt.ABOUT_SHEET: _about("1"), **minimal_sheets()}
    # Version 1 exported the overview read-only under another name: skipped without a word.
    sheets["Round overviews"] = [["Agreement signed", "Financial year", "Update"], ROUND]

    result = _import(tmp_path, sheets, slug="new-council", by=site_admin())

    assert result.errors == []
    assert result.applied
    assert OLD_VERSION.format(version="1", current=fmt.FORMAT_VERSION) in result.notes
    assert not any("Round overviews" in note for note in result.notes)
    assert LocalAuthority.objects.filter(slug="new-council").exists()


def test_a_workbook_of_an_unknown_version_is_refused_saying_what_to_do(db, tmp_path):
    sheets = {fmt.ABOUT_SHEET: _about("3"), **minimal_sheets()}

    result = _import(tmp_path, sheets, slug="new-council", by=site_admin())

    assert len(result.errors) == 1
    reason = result.errors[0].reason
    assert "format version 3" in reason and "reads versions 1 and 2" in reason
    assert "Download a fresh export or template" in reason
    assert not LocalAuthority.objects.filter(slug="new-council").exists()


def test_the_template_has_the_report_sheets_with_their_headers(council):
    workbook = openpyxl.load_workbook(
        io.BytesIO(workbook_export(council=council, template=True)), read_only=True
    )
    try:
        for spec in (fmt.KEY_CONTACTS, fmt.HEADLINE_CARDS, fmt.OVERVIEWS, fmt.HEADLINES):
            row = next(workbook[spec.name].iter_rows(values_only=True))
            assert list(row) == headers(spec)
    finally:
        workbook.close()


def test_the_changes_page_says_not_answered_for_an_unanswered_request(
    council, agreement, la_officer
):
    earlier = f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=1)
    later = f.ReportingRoundFactory(agreement=agreement, financial_year=2024, update_number=2)
    f.RoundOverviewFactory(round=earlier)
    f.RoundOverviewFactory(
        round=later, adviser_support_requested="yes", adviser_support_detail="Inclusion advice."
    )

    page = _flat(client_for(la_officer).get(round_url(later, "changes/")).content.decode())

    assert "Adviser support requested: Not answered → Yes" in page


def test_the_preview_writes_nothing_and_its_confirm_imports_the_report_sheets(
    council, agreement, tmp_path
):
    round_ = _round_with_programme(agreement)
    f.RoundOverviewFactory(round=round_, zero_deficit_on_track="no", zero_deficit_commentary="x")
    admin = site_admin()
    path = tmp_path / "report.xlsx"
    path.write_bytes(sheets_bytes(_report_sheets()))

    preview = workbook_import(file=path, council_slug=council.slug, by=admin, dry_run=True)

    assert preview.errors == []
    assert not Headline.objects.exists() and not KeyContact.objects.exists()
    shown = {(line.field, line.old, line.new) for line in preview.changes}
    assert ("zero deficit on track", "No", "Not answered") in shown
    confirmed = workbook_import(
        file=path, council_slug=council.slug, by=admin, expected=preview.stamps
    )
    assert confirmed.errors == [] and confirmed.applied
    assert Headline.objects.filter(overview__round=round_).count() == 3
