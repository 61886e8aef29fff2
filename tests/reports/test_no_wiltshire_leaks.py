"""Issue 13, point 9: nothing one demo council holds shows on another's pages.

The demo is loaded (Wiltshire, Northdale and Eastmoor, the last imported from its workbook, and
Westbridge, a DSG plan only: its plan update's page and plan PDF stand for the return's),
and for each council the texts only it holds (headline-card titles,
programme-area names, condition titles, risk titles, contact job titles, its own name) are
looked for on every other council's dashboard, round page, KPI grid, finance page, workbook
export (every cell) and DfE report (the PDF's text), read as that council's board member.
"""

import html
import re

from django.apps import apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import models
from django.test import TestCase, override_settings
from django.urls import reverse

from conditions.models import AgreementCondition, ProgrammeArea
from metrics.models import HeadlineCard
from risks.models import Risk
from svmonitor.models import KeyContact, LocalAuthority, ReportingRound
from svmonitor.roles import Role
from tests.accounts.urlwalk import response_text
from tests.factories import MembershipFactory, UserFactory
from tests.jobs import download


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _own_texts(council) -> dict[str, set[str]]:
    """Every text of the kinds the issue names that the council's data holds, by kind."""
    return {
        "headline card": set(
            HeadlineCard.objects.filter(council=council).values_list("title", flat=True)
        ),
        "programme area": set(
            ProgrammeArea.objects.filter(council=council).values_list("name", flat=True)
        ),
        "condition": set(
            AgreementCondition.objects.filter(agreement__council=council).values_list(
                "title", flat=True
            )
        ),
        "risk": set(Risk.objects.filter(council=council).values_list("title", flat=True)),
        "contact job title": set(
            KeyContact.objects.filter(council=council).values_list("job_title", flat=True)
        ),
        "name": {council.name},
    }


# How each kind of row reaches its council; the first path a model has is used.
_COUNCIL_PATHS = (
    "council",
    "agreement__council",
    "round__agreement__council",
    "area__council",
    "workstream__area__council",
    "milestone__workstream__area__council",
    "overview__round__agreement__council",
    "measure__council",
    "condition__agreement__council",
    "risk__council",
)
_DATA_APPS = ("svmonitor", "conditions", "risks", "metrics", "finance", "overview")


def _data_corpus(council) -> str:
    """Every text the council's own rows hold, in every app: what "its data says"."""
    parts = []
    for model in apps.get_models():
        if model._meta.app_label not in _DATA_APPS or model is LocalAuthority:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        if not fields:
            continue
        for path in _COUNCIL_PATHS:
            try:
                rows = model.objects.filter(**{path: council}).values_list(*fields)
                parts.extend(str(v) for row in rows for v in row if v)
            except FieldError:
                continue
            break
    parts += [council.name, council.slug]
    return _norm("\n".join(parts))


@override_settings(EXPORT_RATE_PER_MINUTE=0)
class NoLeaksBetweenDemoCouncilsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", verbosity=0)
        cls.councils = {c.slug: c for c in LocalAuthority.objects.order_by("slug")}
        cls.texts = {slug: _own_texts(c) for slug, c in cls.councils.items()}
        cls.corpus = {slug: _data_corpus(c) for slug, c in cls.councils.items()}
        # Our own readers: the demo's accounts sign in only while DEBUG is on.
        cls.readers = {}
        for slug, council in cls.councils.items():
            cls.readers[slug] = UserFactory(username=f"reader-{slug}")
            MembershipFactory(user=cls.readers[slug], council=council, role=Role.BOARD)

    def _only_in(self, slug: str, reader: str) -> dict[str, set[str]]:
        """The council's texts that the reader's council's data does not hold anywhere
        (wording both hold, such as "S151 Officer" in "Director of Finance (S151 Officer)", is
        the reader's own data, not a leak)."""
        return {
            kind: {text for text in texts if text and _norm(text) not in self.corpus[reader]}
            for kind, texts in self.texts[slug].items()
        }

    def _pages(self, slug: str) -> dict[str, str]:
        """The council's pages as its board member reads them, as normalised text."""
        self.client.force_login(self.readers[slug])
        latest = (
            ReportingRound.objects.filter(agreement__council__slug=slug)
            .order_by("-financial_year", "-update_number")
            .first()
        )
        round_args = [slug, latest.fy, latest.update_number]
        # A council that keeps only a DSG plan (Westbridge): its plan update's page and the
        # plan's PDF stand for the return's page and the DfE report.
        dsg = latest.return_kind == "dsg_plan"
        urls = {
            "dashboard": reverse("reports:council_dashboard", args=[slug]),
            "round page": reverse(latest.kind.url_name("round_detail"), args=round_args),
            "KPI grid": reverse("metrics:kpi_grid", args=[slug]),
            "finance page": reverse("finance:finance_lines", args=[slug]),
            "workbook export": reverse("workbook:workbook_export", args=[slug]),
            "DfE report": reverse(
                "reports:dsg_plan_pdf" if dsg else "reports:report_pdf", args=round_args
            ),
        }
        pages = {}
        for name, url in urls.items():
            response = download(self.client, url)
            assert response.status_code == 200, (name, url, response.status_code)
            pages[name] = _norm(html.unescape(response_text(response)))
        return pages

    def test_there_are_demo_councils_with_texts_of_their_own(self):
        assert {"wiltshire", "northdale", "eastmoor"} <= set(self.councils)
        for slug in self.councils:
            for reader in self.councils:
                if reader != slug:
                    only = self._only_in(slug, reader)
                    # A council with no Safety Valve agreement has no conditions, risks or
                    # headline cards of its own: its name, contacts (and areas) must do.
                    least = 10 if self.councils[slug].runs_safety_valve else 3
                    assert sum(len(texts) for texts in only.values()) >= least, (slug, only)

    def test_no_councils_own_texts_show_on_anothers_pages(self):
        found = []
        checked = 0
        for slug in self.councils:
            pages = self._pages(slug)
            # Positive control: the page is the council's own and its text was read.
            for name, text in pages.items():
                assert _norm(self.councils[slug].name) in text, (slug, name)
            for other in self.councils:
                if other == slug:
                    continue
                for kind, texts in self._only_in(other, slug).items():
                    for text in texts:
                        for name, page in pages.items():
                            checked += 1
                            if _norm(text) in page:
                                found.append(f"{other}'s {kind} {text!r} on {slug}'s {name}")
        assert checked > 100
        assert found == [], "\n".join(found)

    def test_the_word_wiltshire_is_on_no_other_councils_page(self):
        found = []
        for slug in self.councils:
            if slug == "wiltshire":
                continue
            for name, page in self._pages(slug).items():
                if "wiltshire" in page:
                    at = page.index("wiltshire")
                    found.append(f"{slug}'s {name}: …{page[max(0, at - 80) : at + 40]}…")
        assert found == [], "\n".join(found)

    def test_sections_for_programme_areas_show_only_for_councils_that_have_them(self):
        """Wiltshire organises its plan in programme areas; a council with none (Eastmoor) is
        not shown an empty "by programme area" section that its data never asked for."""
        shown = {}
        for slug, council in self.councils.items():
            if not council.runs_safety_valve:
                # Westbridge's areas group its DSG plan's workstream log; the Safety Valve
                # dashboard's workstream status section is not its.
                continue
            dashboard = self._pages(slug)["dashboard"]
            has_areas = council.programme_areas.exists()
            shown[slug] = (has_areas, "workstream status by programme area" in dashboard)
        assert shown["wiltshire"] == (True, True)
        assert shown["eastmoor"] == (False, False)
        assert all(has == on_page for has, on_page in shown.values()), shown
