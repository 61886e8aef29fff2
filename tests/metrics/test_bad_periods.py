"""Figures for months outside the agreement's years: refused at the door, skipped by every reader.

Old data stored before the services refused such months is made with MeasureValue.objects.create,
as it would be found in the database.
"""

import datetime as dt
import io
from html import unescape

import openpyxl
import pytest
from django.urls import reverse

from metrics.models import Measure, MeasureValue, Series
from svmonitor.roles import Role
from tests import factories as f
from tests.conftest import _member
from tests.jobs import download
from tests.pdf.conftest import pdf_text
from tests.reports.conftest import build_council
from tests.round_page.conftest import HTMX, client_for
from workbook import format as fmt

pytestmark = pytest.mark.django_db
BAD = (dt.date(1, 1, 1), dt.date(2999, 12, 1))
NOTE = "2 figures outside the agreement's years were left out"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def old_bad_data(council):
    """A council with figures, plus two of them for 0001-01 and 2999-12 stored long ago."""
    latest = build_council(council=council)
    measure = Measure.objects.filter(council=council).order_by("pk").first()
    actual = Series.objects.get(council=council, slug="actual")
    for period in BAD:
        MeasureValue.objects.create(measure=measure, series=actual, period=period, value=7)
    return {"round": latest, "measure": measure, "code": measure.code}


def test_the_excel_export_leaves_out_figures_outside_the_agreement_and_says_so(
    client, council, la_officer, old_bad_data
):
    client.force_login(la_officer)
    response = client.get(reverse("workbook:workbook_export", args=[council.slug]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    about = {row[0]: row[1] for row in book[fmt.ABOUT_SHEET].iter_rows(values_only=True)}
    assert about["Left out"].startswith(NOTE)
    assert f"{old_bad_data['code']}, January 0001 (actual)" in about["Left out"]
    assert f"{old_bad_data['code']}, December 2999 (actual)" in about["Left out"]
    grid_header = next(book[fmt.GRID.name].iter_rows(values_only=True))
    # Four fixed columns and the months the good figures cover (July to December 2024).
    assert list(grid_header[4:]) == ["Jul-24", "Aug-24", "Sep-24", "Oct-24", "Nov-24", "Dec-24"]


@pytest.mark.parametrize("start", ["0001-01", "2999-12", "9999-12", "0000-01", None])
def test_the_kpi_grid_for_a_bad_month_opens_and_names_the_figures_left_out(
    council, la_officer, old_bad_data, start
):
    query = {"from": start} if start else {}
    response = client_for(la_officer).get(reverse("metrics:kpi_grid", args=[council.slug]), query)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert NOTE in html
    assert "January 0001 (actual)" in html
    if start:
        assert "There is a problem" in html
    # Whatever was asked for, the grid shows months inside the agreement.
    grid = response.context["grid"]
    assert dt.date(2023, 4, 1) <= grid.months[0] <= dt.date(2029, 3, 1)


def test_the_board_pack_and_the_dashboard_leave_out_figures_outside_the_agreement(
    client, council, la_officer, old_bad_data
):
    client.force_login(la_officer)
    dashboard = client.get(reverse("reports:council_dashboard", args=[council.slug]))
    assert dashboard.status_code == 200
    # 2999-12 is past the round's month, so only 0001-01 was read for this round.
    one = "1 figure outside the agreement's years was left out"
    assert one in unescape(dashboard.content.decode())
    assert "0001" not in str(
        [p.period for m in dashboard.context["snap"].measures for ln in m.lines for p in ln.points]
    )
    pack = download(client, reverse("reports:board_pack_pdf", args=[council.slug]))
    assert pack.status_code == 200
    text = pdf_text(pack.content)
    assert one in text
    assert "January 0001 (actual)" in text


@pytest.mark.parametrize(
    ("period", "shown"), [("0001-01", "January 0001"), ("2999-12", "December 2999")]
)
@pytest.mark.parametrize("htmx", [True, False])
def test_a_kpi_cell_posted_for_a_month_outside_the_agreement_is_refused(
    council, la_officer, old_bad_data, period, shown, htmx
):
    MeasureValue.objects.filter(period__in=BAD).delete()
    measure = old_bad_data["measure"]
    data = {"measure": measure.pk, "period": period, "series": "actual", "value": "5"}
    response = client_for(la_officer).post(
        reverse("metrics:kpi_cell", args=[council.slug]), data, **(HTMX if htmx else {})
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert f"The month {shown} is outside the agreement's years (April 2023 to March 2029)" in html
    assert not MeasureValue.objects.filter(period__in=BAD).exists()


def test_a_kpi_cell_for_month_zero_is_not_found_rather_than_an_error(
    council, la_officer, old_bad_data
):
    data = {"measure": old_bad_data["measure"].pk, "period": "0000-01", "series": "actual"}
    url = reverse("metrics:kpi_cell", args=[council.slug])
    assert client_for(la_officer).post(url, {**data, "value": "5"}).status_code == 404
    assert client_for(la_officer).get(url, data).status_code == 404


def test_a_council_without_an_agreement_shows_no_figure_and_names_the_old_ones(db):
    measure = f.MeasureFactory(name="EHCPs")
    actual = f.SeriesFactory(council=measure.council, kind="actual", slug="actual")
    MeasureValue.objects.create(
        measure=measure, series=actual, period=dt.date(2024, 4, 1), value=6357
    )
    officer = _member(measure.council, Role.OFFICER, "no-agreement-officer")
    response = client_for(officer).get(
        reverse("metrics:kpi_grid", args=[measure.council.slug]), {"from": "2024-04"}
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert (
        f"1 figure outside the agreement's years was left out: {measure.code}, April 2024" in html
    )
    assert "6,357" not in html
