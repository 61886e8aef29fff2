"""Issue 13, point 8: every fact in the Eastmoor workbook reaches the dashboard and the DfE report.

The committed fixture (fixtures/demo-eastmoor.xlsx) is imported into a fresh database through
`workbook_import`, as load_demo and a council's first upload do. Then the workbook itself is
read cell by cell (openpyxl, by header text: not through the importer) into a list of facts:
the council, contacts, agreement, each condition's number, title and wording, each update's
RAG and progress update, each risk with its owner, mitigation and RAG, the overview answers
and commentary, the headlines, the headline cards, each measure's name and every figure (month,
series, value, note), read as the council wrote it: "60.4%*" as 60.4 with the note *Value
notes* gives "*", "n/a: reason" as not available with the reason, a cell formatted as a
percentage as the percentage shown, "2023-24 AY" as an academic year. Each fact is looked for
on three surfaces, as the council's board member reads them:

* the dashboard (at the fact's round, `?round=2024-25/N`; standing facts and figures at the
  latest round), its figures read from each measure's "Figures for ..." table;
* the quarterly return page (the dashboard links to it): where the dashboard by design shows a
  summary, the words are on the return page;
* the DfE report PDF of the fact's round, read with pdftotext (its tables column by column,
  each word placed by its position); every figure from the latest report's key-measure grid
  (Eastmoor chose a grid of the last 13 months), each under its measure, series and month.
  No word of any report may run past the page's right edge.

The counts are printed (`-s` shows them; `EASTMOOR_LIST=1` lists every fact missing from a
surface with its reason) and pinned: what a surface does not show is counted under its reason,
and any fact missing without a reason fails the test.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.test import TestCase
from openpyxl import load_workbook

from demo.data.eastmoor import WORKBOOK_PATH, build_eastmoor_workbook, eastmoor_workbook_write
from svmonitor.models import LocalAuthority
from svmonitor.roles import Role
from tests.dashboard_pages import dashboard_html
from tests.factories import MembershipFactory, UserFactory
from tests.jobs import download
from workbook.importer import workbook_import

PDFTOTEXT = shutil.which("pdftotext")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
UPDATE_MONTHS = {1: "May", 2: "August", 3: "November"}


def norm(text: str) -> str:
    """Whitespace collapsed, case folded, typographic quotes and joins made plain."""
    text = html.unescape(text).replace("\u2019", "'").replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text).strip().casefold()
    text = re.sub(r"-\s+", "-", text)  # a word broken at its hyphen across two lines
    return re.sub(r"\s*/\s*", "/", text)


@dataclass(frozen=True)
class Fact:
    """One thing the workbook says. `update` is the 2024-25 update it belongs to (None for
    standing facts); figures carry their measure, series, month, value and note."""

    kind: str
    text: str
    update: int | None = None
    entity: str = ""  # "condition 3", "risk 2": whose RAG a RAG fact is
    measure: str = ""
    series: str = ""
    period: str = ""  # as the pages print it, normalised: "oct 2023", "2023-24 ay", "2023-24"
    value: Decimal | None = None  # None: marked not available (text is the reason)

    def __str__(self) -> str:
        where = f" (Update {self.update})" if self.update else ""
        if self.kind == "figure":
            shown = "not available" if self.value is None else self.value
            return (
                f"figure {self.measure} {self.series or 'actual'} {self.period} = "
                f"{shown}{' [' + self.text + ']' if self.text else ''}"
            )
        return f"{self.kind}{where}: {self.entity + ' ' if self.entity else ''}{self.text[:70]}"


def _rows(wb, sheet: str) -> list[dict]:
    ws = wb[sheet]
    header, *rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=False)) for row in rows if any(c is not None for c in row)]


def period_label(written) -> str:
    """A period as the pages print it: a month "Oct 2023", a year "2023-24 AY" or "2023-24"."""
    if isinstance(written, dt.datetime | dt.date):
        return norm(f"{written:%b %Y}")
    text = norm(str(written))
    if re.fullmatch(r"\d{4}-\d{2}( ay)?", text):
        return text
    name, year = text.split("-")  # a grid header such as "Oct-23"
    return f"{name} 20{year}"


def label_date(label: str) -> dt.date:
    """The first day of a period label: a month, an academic year (September) or a financial
    year (April)."""
    if re.fullmatch(r"\d{4}-\d{2} ay", label):
        return dt.date(int(label[:4]), 9, 1)
    if re.fullmatch(r"\d{4}-\d{2}", label):
        return dt.date(int(label[:4]), 4, 1)
    month, year = label.split()
    return dt.date(int(year), MONTH_NAMES.index(month.title()) + 1, 1)


NOT_AVAILABLE = re.compile(r"(?:-|n/a|not available)(?:\s*[:\-\u2013]\s*(.+))?", re.I)
MARKERS = "*\u2020\u2021\u00a7\u00b6#\u00b9\u00b2\u00b3"


def figure_written(cell, notes: dict[str, str]) -> tuple[Decimal | None, str]:
    """A grid or Measure values cell as the council wrote it: (value, note) or, for "-", "n/a"
    or "not available", (None, reason)."""
    value = cell.value
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if "%" in (cell.number_format or ""):
            number = (number * 100).quantize(Decimal("0.0001")).normalize()
        return number, ""
    text = str(value).strip()
    unavailable = NOT_AVAILABLE.fullmatch(text)
    if unavailable:
        return None, unavailable.group(1) or "Not available"
    marker = ""
    while text and text[-1] in MARKERS:
        marker, text = text[-1] + marker, text[:-1]
    number = Decimal(text.replace("£", "").replace(",", "").replace("%", ""))
    return number, notes.get(marker, "")


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}"


def workbook_facts(path: Path) -> list[Fact]:
    """Every fact the workbook holds, read from its cells."""
    wb = load_workbook(path, data_only=True)
    facts = [Fact("council name", _rows(wb, "Council")[0]["Name"])]
    for row in _rows(wb, "Key contacts"):
        facts.append(Fact("contact job title", row["Job title"]))
        facts.append(Fact("contact e-mail", row["E-mail"]))
    for row in _rows(wb, "Agreement"):
        facts.append(Fact("agreement title", row["Title"]))
        facts.append(
            Fact(
                "agreement years", f"{row['First financial year']} to {row['Last financial year']}"
            )
        )
        facts.append(Fact("agreement signed", _day(row["Date signed"])))
        for column in ("DfE contribution (£)", "Council contribution (£)"):
            facts.append(Fact("agreement contribution", f"£{row[column]:,.2f}"))
    for row in _rows(wb, "Rounds"):
        n = row["Update"]
        facts.append(Fact("round", f"{row['Financial year']} Update {n}", n))
        facts.append(Fact("round data month", f"{row['Data as at']:%B %Y}", n))
        if row["Submitted on"]:
            facts.append(Fact("round submitted on", _day(row["Submitted on"]), n))
        for who in ("S151", "DCS"):
            if row[f"{who} signed off by"]:
                facts.append(Fact("sign-off recorded by", row[f"{who} signed off by"], n))
                facts.append(Fact("sign-off recorded on", _day(row[f"{who} signed off on"]), n))
    for row in _rows(wb, "Data sources"):
        facts.append(Fact("data source", row["Data source"]))
        facts.append(Fact("data source refreshed", _day(row["Last refreshed"])))
        facts.append(Fact("data source basis", row["Basis"]))
    for row in _rows(wb, "Series"):
        facts.append(Fact("series", row["Name"]))
    for row in _rows(wb, "Conditions"):
        facts.append(Fact("condition title", f"{row['Condition']}|{row['Title']}"))
        facts.append(Fact("condition wording", row["Wording"]))
    for row in _rows(wb, "Condition updates"):
        n, entity = row["Update"], f"condition {row['Condition']}"
        facts.append(Fact("condition RAG", row["RAG"], n, entity))
        facts.append(Fact("condition progress update", row["Progress update"], n, entity))
    for row in _rows(wb, "Risks"):
        facts.append(Fact("risk", f"Risk {row['Risk']}|{row['There is a risk that']}"))
        facts.append(Fact("risk impact", row["Impact"]))
        facts.append(Fact("risk owner", row["Owner (role)"]))
        facts.append(Fact("risk mitigation", row["Mitigation"]))
    for row in _rows(wb, "Risk updates"):
        n, entity = row["Update"], f"risk {row['Risk']}"
        facts.append(Fact("risk RAG", row["RAG"], n, entity))
        facts.append(Fact("risk progress update", row["Progress update"], n, entity))
    for row in _rows(wb, "Overviews"):
        n = row["Update"]
        facts.append(Fact("overall RAG", row["Overall RAG"], n))
        facts.append(Fact("overall narrative", row["Overall narrative"], n))
        for question in ("Deficit this year", "Zero deficit", "Capital project"):
            facts.append(Fact(f"answer: {question}", row[f"{question} on track"], n))
            facts.append(Fact("commentary", row[f"{question} commentary"], n))
        facts.append(Fact("answer: adviser support", row["Adviser support requested"], n))
        if row["Support requested"]:
            facts.append(Fact("support requested", row["Support requested"], n))
    for row in _rows(wb, "Headlines"):
        facts.append(Fact(f"headline ({row['Kind']})", row["Headline"], row["Update"]))
    for row in _rows(wb, "Headline cards"):
        facts.append(Fact("headline card", row["Label"]))
        facts.append(Fact("headline card comparator", row["Comparator label"]))
    names = {}
    for row in _rows(wb, "Measures"):
        names[row["Measure code"]] = row["Measure"]
        facts.append(Fact("measure", row["Measure"]))
    notes = {row["Marker"]: row["Note"] for row in _rows(wb, "Value notes")}
    ws = wb["Measure values"]
    header = [cell.value for cell in ws[1]]
    for cells in ws.iter_rows(min_row=2):
        row = dict(zip(header, cells, strict=False))
        value, note = figure_written(row["Value"], notes)
        facts.append(
            Fact(
                "figure",
                row["Note"].value or note or "",
                measure=names[row["Measure code"].value],
                series=row["Series"].value or "",
                period=period_label(row["Period"].value),
                value=value,
            )
        )
    ws = wb["Measure grid"]
    header = [cell.value for cell in ws[1]]
    periods = {i: period_label(h) for i, h in enumerate(header) if i >= 4 and h}
    for cells in ws.iter_rows(min_row=2):
        for i, period in periods.items():
            if cells[i].value is not None:
                value, note = figure_written(cells[i], notes)
                facts.append(
                    Fact(
                        "figure",
                        note,
                        measure=names[cells[0].value],
                        series=cells[3].value or "",
                        period=period,
                        value=value,
                    )
                )
    return facts


def _number(text: str) -> Decimal | None:
    """A figure as a page prints it ("£61,380", "42.30%", "3,588", "£5.60m") as a number."""
    match = re.search(r"-?£?[\d,]*\.?\d+", text)
    if not match:
        return None
    try:
        return Decimal(match.group().replace("£", "").replace(",", ""))
    except InvalidOperation:
        return None


# -- the dashboard -------------------------------------------------------------------------------


def _cells(row_html: str) -> list[str]:
    return [
        norm(re.sub(r"<[^>]+>", " ", cell))
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)
    ]


def page_text(page: str) -> str:
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return norm(re.sub(r"<[^>]+>", " ", page))


def dashboard_rows(page: str) -> list[list[str]]:
    """Every table row of the page as its cells' text."""
    return [_cells(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)]


def dashboard_figures(page: str) -> dict[tuple[str, str, str], list[str]]:
    """(measure name, series name, period) -> the cells the "Figures for" tables print."""
    figures = defaultdict(list)
    for block in re.findall(
        r'<details class="govuk-details app-series-details">(.*?)</details>', page, re.S
    ):
        title = re.search(r"Figures for (.*?)</span>", block, re.S).group(1)
        title = re.sub(r" from [A-Z][a-z]+ \d{4}$", "", html.unescape(title))  # the window
        name = norm(re.sub(r" \(Condition \d+:.*\)$", "", title))
        # One table a measure: a row a period, a column a line (its header names the series).
        for head, body in re.findall(r"<thead>(.*?)</thead>(.*?)</table>", block, re.S):
            series = _cells(head)[1:]
            for cells in dashboard_rows(body):
                if cells and re.fullmatch(PERIOD, cells[0]):
                    for line, cell in zip(series, cells[1:], strict=False):
                        if cell:
                            figures[(name, line, cells[0])].append(cell)
    return figures


# -- the PDF --------------------------------------------------------------------------------------


PERIOD = r"[a-z]{3} \d{4}|\d{4}-\d{2}(?: ay)?"
SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
HEADER_WORDS = {"Agreement", "condition", "Risk", "Assurance", "level", "Mitigation", "Progress"}


@dataclass
class PdfText:
    """A DfE report as text: every page in reading order, and its two-column tables (the
    conditions and the risk register) read column by column, each word placed by its position.
    """

    text: str
    rags: dict[tuple[str, int], str]  # ("condition 3", update) -> the assurance cell's text
    figures: dict[tuple[str, str, dt.date], list[str]]
    months: dict[str, list[str]]  # measure name -> the periods its grid is headed by
    clipped: list[str]  # words that run past the page's right edge


def pdf_read(content: bytes, names: list[str]) -> PdfText:
    assert PDFTOTEXT, "the fact test reads the PDF with poppler-utils' pdftotext"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        plain = subprocess.run(  # noqa: S603 - poppler's pdftotext with fixed arguments
            [PDFTOTEXT, "-enc", "UTF-8", handle.name, "-"], capture_output=True, check=True
        ).stdout.decode()
        boxes = subprocess.run(  # noqa: S603 - as above
            [PDFTOTEXT, "-bbox", "-enc", "UTF-8", handle.name, "-"],
            capture_output=True,
            check=True,
        ).stdout.decode()
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', boxes, re.S)
    columns: dict[str, list[tuple[int, float, float, str]]] = defaultdict(list)
    starts: list[tuple[float, str]] = []
    clipped = []
    page_words = []
    for number, (width, height, body) in enumerate(pages):
        page_words.append(
            [
                (float(x0), float(y) + number * 1000, float(x1), html.unescape(w))
                for x0, y, x1, w in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">'
                    r"(.*?)</word>",
                    body,
                )
            ]
        )
        for right, word in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', body
        ):
            if float(right) > float(width):
                clipped.append(html.unescape(word))
        words = [
            (float(x), float(y), html.unescape(w))
            for x, y, w in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(.*?)</word>',
                body,
            )
        ]
        heads = {w: (x, y) for x, y, w in words if w in ("Assurance", "Progress", "Mitigation")}
        if "Assurance" in heads and "Progress" in heads:
            # Below the table's header row (one line or two: "Assurance" / "level").
            head_y = heads["Assurance"][1]
            top = max(y for _, y, w in words if w in HEADER_WORDS and 0 <= y - head_y < 14) + 8
            starts = sorted(
                [(0.0, "entity")] + [(x - 2, name.casefold()) for name, (x, _) in heads.items()]
            )
        elif starts:
            # A page the table runs on to without repeating its header: the page header only.
            top = 40
        else:
            continue
        bottom = float(height) - 40  # above the footer
        for x, y, w in words:
            if not top < y < bottom:
                continue
            column = [name for start, name in starts if x >= start][-1]
            columns[column].append((number, y, x, w))
    text = plain
    for column in columns.values():
        column.sort()
        text += "\n" + " ".join(w for *_, w in column)
    # Whose assurance cells: each "Update N (Month)" in the assurance column belongs to the
    # last "Condition N:" or "Risk N:" that starts at or above it in the first column.
    # Rows start level across columns, give or take a few points: compare lines, not points.
    events = [(p, round(y / 6), 0, x, w) for p, y, x, w in columns["entity"]]
    events += [(p, round(y / 6), 1, x, w) for p, y, x, w in columns["assurance"]]
    events.sort()
    rags: dict[tuple[str, int], list[str]] = defaultdict(list)
    entity, update, previous = "", 0, ""
    for _, _, column, _, word in events:
        if column == 0:
            if re.fullmatch(r"\d+:", word) and previous in ("Condition", "Risk"):
                entity, update = f"{previous.casefold()} {word[:-1]}", 0
            previous = word
            continue
        if word == "Update":
            update = -1
        elif update == -1 and word.isdigit():
            update = int(word)
        elif update > 0 and not re.fullmatch(r"\((May|August|November)\)", word):
            rags[(entity, update)].append(word)
    figures, months = pdf_grid_figures(page_words, names)
    return PdfText(
        text=norm(text),
        rags={key: norm(" ".join(words)) for key, words in rags.items()},
        figures=figures,
        months=months,
        clipped=clipped,
    )


VALUE = re.compile(rf"[-+]?£?[\d,]*\.?\d+(?:%|m)?[{SUPERSCRIPTS}]*|n/a[{SUPERSCRIPTS}]*")
INLINE = re.compile(r"(\d{4}-\d{2}(?: AY)?|[A-Z][a-z]{2} '\d\d): ([^;]+)")


def _label(text: str) -> str:
    """A heading as a period label: "Oct '23" -> "oct 2023", "2023-24 AY" -> "2023-24 ay"."""
    month = re.fullmatch(r"([A-Z][a-z]{2}) '(\d\d)", text)
    return norm(f"{month.group(1)} 20{month.group(2)}") if month else norm(text)


def pdf_grid_figures(page_words: list[list[tuple]], names: list[str]):
    """Figures from the "Grid of the last months" key-measure tables: a header row (Measure,
    Series, then one column per month), then per measure its name (wrapped over lines and
    centred on its rows) beside one row per series, each figure under its month; a measure with
    a figure a year prints "2023-24 AY: 21.80%; ..." in one line. Words are placed by position:
    each row goes to the measure name centred nearest it, each figure to the nearest month."""
    figures, headed = defaultdict(list), defaultdict(list)
    known = [norm(name) for name in names]
    table: dict | None = None

    def finish(table):
        if not table:
            return
        blocks, buffer = [], []
        for y, name_words, *_ in table["lines"]:
            if not name_words:
                continue
            buffer.append((y, name_words))
            text = norm(" ".join(w for _, words in buffer for w in words))
            if text in known:
                blocks.append((text, (buffer[0][0] + buffer[-1][0]) / 2))
                buffer = []
            elif not any(name.startswith(text) for name in known):
                buffer = []
        lines = table["lines"]
        for i, (y, _, series, values, whole) in enumerate(lines):
            if not blocks or not (series or values):
                continue
            name = min(blocks, key=lambda block: abs(block[1] - y))[0]
            inline = INLINE.findall(whole)
            if inline:
                for label, value in inline:
                    figures[(name, "actual", _label(label))].append(value.strip())
                    headed[name].append(_label(label))
                continue
            if not values:
                continue
            if table["series_x"] is None:
                series = "Actual"  # a table of actual figures only has no Series column
            else:
                # A series name wrapped over lines is centred on its row of figures: the
                # lines just above and below without figures of their own may hold the rest.
                before = [lines[j][2] for j in (i - 2, i - 1) if j >= 0 and not lines[j][3]]
                after = [lines[j][2] for j in (i + 1, i + 2) if j < len(lines) and not lines[j][3]]
                for above in range(len(before) + 1):
                    for below in range(len(after) + 1):
                        parts = [*before[len(before) - above :], series, *after[:below]]
                        if norm(" ".join(parts)) in SERIES_NAMES.values():
                            series = " ".join(parts)
            if norm(series) not in SERIES_NAMES.values():
                continue
            headed[name] += [label for _, label in table["months"]]
            for x, word in values:
                label = min(table["months"], key=lambda month: abs(month[0] - x))[1]
                figures[(name, norm(series), label)].append(word)

    for words in page_words:
        lines = []
        for word in sorted(words, key=lambda w: (w[1], w[0])):
            if lines and abs(lines[-1][0][1] - word[1]) < 2:
                lines[-1].append(word)
            else:
                lines.append([word])
        for line in lines:
            texts = [w for *_, w in line]
            if texts[0] == "Measure" and any(re.fullmatch(r"'\d\d", w) for w in texts):
                finish(table)
                series_x = next((x0 for x0, _, _, w in line if w == "Series"), None)
                months = []
                for (x0, _, _, w), (_, _, x1, year) in itertools.pairwise(line):
                    if re.fullmatch(r"[A-Z][a-z]{2}", w) and re.fullmatch(r"'\d\d", year):
                        months.append(((x0 + x1) / 2, _label(f"{w} {year}")))
                centres = sorted(x for x, _ in months)
                width = (centres[-1] - centres[0]) / max(len(centres) - 1, 1) if centres else 0
                first = centres[0] - width / 2 if centres else 1e9  # where the figures begin
                table = {"series_x": series_x, "first": first, "months": months, "lines": []}
                continue
            if table is None:
                continue
            if texts[0] in ("Sources:", "Source:", "Condition", "Other") or texts[0].endswith(","):
                finish(table)
                table = None
                continue
            y = line[0][1]
            name_end = table["series_x"] or table["first"]
            name_words = [w for x0, _, x1, w in line if x1 < name_end - 2]
            series = " ".join(
                w for x0, _, x1, w in line if x0 >= name_end - 2 and (x0 + x1) / 2 < table["first"]
            )
            values = [
                ((x0 + x1) / 2, w)
                for x0, _, x1, w in line
                if (x0 + x1) / 2 >= table["first"] and VALUE.fullmatch(w)
            ]
            whole = " ".join(w for x0, _, x1, w in line if x1 >= name_end - 2)
            table["lines"].append((y, name_words, series, values, whole))
    finish(table)
    return figures, headed


# -- the test -------------------------------------------------------------------------------------

SERIES_NAMES = {"": "actual", "forecast": "recovery plan forecast"}
ANSWER_LABELS = {
    # (dashboard label, report label) of each question
    "answer: Deficit this year": ("deficit this year on track?", "deficit in the current year?"),
    "answer: Zero deficit": (
        "zero deficit by the end of the agreement on track?",
        "by the end of the safety valve agreement?",
    ),
    "answer: Capital project": (
        "capital project on track?",
        "is your la's safety valve capital project on track?",
    ),
    "answer: adviser support": (
        "support requested from the dfe adviser?",
        "request for send adviser support",
    ),
}


CONTRIBUTIONS = (
    "the agreement's DfE and council contributions are on the dashboard's summary; the DfE "
    "report's format has no place for them"
)


def _figure_in_reports(fact: Fact, report: PdfText) -> bool:
    """Whether the report's key-measure grid prints the figure (one not available as "n/a")."""
    key = (norm(fact.measure), SERIES_NAMES[fact.series], fact.period)
    for cell in report.figures.get(key, []):
        if fact.value is None and cell.startswith("n/a"):
            return True
        if fact.value is not None and _number(cell) == fact.value:
            return True
    return False


class EastmoorFactsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        admin = UserFactory(username="site-admin", is_superuser=True)
        result = workbook_import(file=WORKBOOK_PATH, council_slug="eastmoor", by=admin, create=True)
        assert not result.errors, [str(e) for e in result.errors]
        cls.council = LocalAuthority.objects.get(slug="eastmoor")
        cls.reader = UserFactory(username="eastmoor-board")
        MembershipFactory(user=cls.reader, council=cls.council, role=Role.BOARD)
        cls.facts = workbook_facts(WORKBOOK_PATH)

    def setUp(self):
        self.client.force_login(self.reader)

    def _get(self, url: str) -> bytes:
        response = download(self.client, url)
        assert response.status_code == 200, url
        if getattr(response, "streaming", False):
            return b"".join(response.streaming_content)
        return response.content

    def test_the_committed_workbook_is_what_the_script_builds(self):
        with tempfile.TemporaryDirectory() as folder:
            built = eastmoor_workbook_write(Path(folder) / "built.xlsx")
            assert built.read_bytes() == WORKBOOK_PATH.read_bytes(), (
                "fixtures/demo-eastmoor.xlsx is out of date: run manage.py build_demo_workbook"
            )
        assert build_eastmoor_workbook()["Council"]["A2"].value == "Eastmoor Council"

    def test_the_workbook_has_the_shape_of_a_council_unlike_wiltshire(self):
        kinds = Counter(fact.kind for fact in self.facts)
        assert kinds["condition title"] == 12
        assert kinds["risk"] == 8 and kinds["risk RAG"] == 24
        assert kinds["figure"] >= 13 * 30
        wb = load_workbook(WORKBOOK_PATH)
        # Finance only in words: no finance, payments or deficit-cap tables.
        assert not {"Finance", "Payments", "Deficit caps", "Programme areas"} & set(wb.sheetnames)
        grid = next(wb["Measure grid"].iter_rows(values_only=True))
        assert len([h for h in grid[4:] if h]) == 13
        figures = [fact for fact in self.facts if fact.kind == "figure"]
        # Figures as councils write them: not available (with reasons), value notes, academic
        # and financial years, and a row of cells formatted as percentages.
        assert len([f for f in figures if f.value is None]) == 6
        assert len([f for f in figures if f.value is not None and f.text]) == 7
        assert {f.period for f in figures if not re.fullmatch(r"[a-z]{3} \d{4}", f.period)} == {
            "2023-24 ay",
            "2024-25 ay",
            "2023-24",
            "2024-25",
        }
        assert "0.0%" in {
            cell.number_format for row in wb["Measure grid"].iter_rows() for cell in row
        }
        assert self.council.kpi_grouping == "conditions"
        assert self.council.risk_register == "rated"
        # The DfE report tables its key measures as a grid of the last 13 months, as the
        # council's own report does, with charts off for the measures it chose.
        assert (self.council.kpi_table_layout, self.council.kpi_table_months) == ("months", 13)
        assert self.council.measures.filter(show_chart=False).count() == 8

    def test_every_fact_reaches_the_dashboard_or_return_page_and_the_dfe_report(self):
        base = f"/councils/{self.council.slug}"
        dashboard, rows, returns, pdfs = {}, {}, {}, {}
        names = [fact.text for fact in self.facts if fact.kind == "measure"]
        for n in (1, 2, 3):
            page = dashboard_html(self.client, self.council, f"?round=2024-25/{n}")
            dashboard[n], rows[n] = page_text(page), dashboard_rows(page)
            returns[n] = page_text(self._get(f"{base}/rounds/2024-25/{n}/").decode())
            pdfs[n] = pdf_read(self._get(f"{base}/rounds/2024-25/{n}/report.pdf"), names)
        # Nothing in any report runs past the right edge of its page (a table too wide for the
        # page used to cut off the latest months and the end of narrative lines).
        assert {n: pdfs[n].clipped for n in pdfs} == {1: [], 2: [], 3: []}
        # Updates 1 and 2 went to DfE before svmonitor: every surface says they were imported.
        for n in (1, 2):
            for surface in (dashboard[n], returns[n], pdfs[n].text):
                assert "imported from the council's records" in surface
        latest_figures = dashboard_figures(
            dashboard_html(self.client, self.council, "?round=2024-25/3")
        )
        rag_labels = {
            level.casefold(): dfe.casefold()
            for level, dfe in (
                ("Amber/Green", "Amber"),
                ("Amber/Red", "Red"),
            )
        }

        def on_dashboard(fact: Fact) -> bool:
            n = fact.update or 3
            if fact.kind == "figure":
                shown = latest_figures.get(
                    (norm(fact.measure), SERIES_NAMES[fact.series], fact.period), []
                )
                if fact.value is None:
                    return any(
                        "not available" in cell and norm(fact.text) in cell for cell in shown
                    )
                return any(
                    _number(cell) == fact.value and norm(fact.text) in cell for cell in shown
                )
            if fact.kind in ("condition RAG", "risk RAG"):
                return _rag_in_rows(rows[n], fact, exact=True)
            if fact.kind in ANSWER_LABELS:
                label = ANSWER_LABELS[fact.kind][0]
                return f"{label} {norm(fact.text)}" in dashboard[n]
            if fact.kind == "overall RAG":
                return f"overall rag {norm(fact.text)}" in dashboard[n]
            if fact.kind in ("condition title", "risk"):
                number, title = fact.text.split("|")
                return f"{norm(number)} {norm(title)}" in dashboard[n]
            return norm(fact.text) in dashboard[n]

        def on_return_page(fact: Fact) -> bool:
            return norm(fact.text.split("|")[-1]) in returns[fact.update or 3]

        def in_report(fact: Fact) -> bool:
            n = fact.update or 3
            pdf = pdfs[n]
            if fact.kind == "figure":
                # The latest report's grid covers all 13 months, with notes as footnotes.
                return _figure_in_reports(fact, pdfs[3]) and (
                    not fact.text or norm(fact.text) in pdfs[3].text
                )
            if fact.kind in ("condition RAG", "risk RAG"):
                cell = pdf.rags.get((fact.entity, n), "")
                return norm(fact.text) in cell.replace("(", " ").replace(")", " ").split()
            if fact.kind in ANSWER_LABELS:
                return f"{ANSWER_LABELS[fact.kind][1]} {norm(fact.text)}" in pdf.text
            if fact.kind in ("condition title", "risk"):
                number, title = fact.text.split("|")
                label = number if fact.kind == "risk" else f"condition {number}"
                return f"{norm(label)}: {norm(title)}" in pdf.text
            return norm(fact.text) in pdf.text

        def dashboard_reason(fact: Fact) -> str | None:
            """Why a fact is by design not on the dashboard (it must then be on the return
            page, or be a RAG the dashboard shows as the level reported to DfE)."""
            if fact.kind in ("condition RAG", "risk RAG"):
                if _rag_in_rows(rows[fact.update], fact, exact=False, dfe=rag_labels):
                    return (
                        "a blended RAG (Amber/Green, Amber/Red) shows as the level reported to "
                        "DfE in the dashboard's tables; the DfE report prints both"
                    )
                return None
            summary_only = {
                "condition wording",
                "condition progress update",
                "risk progress update",
                "risk owner",
                "commentary",
                "support requested",
                "contact job title",
                "contact e-mail",
                "headline (driver)",
                "headline (barrier)",
                "headline (engagement)",
                "sign-off recorded by",
                "sign-off recorded on",
            }
            if fact.kind in summary_only and on_return_page(fact):
                return "the dashboard summarises; the words are on the quarterly return page"
            if fact.kind in ("contact job title", "contact e-mail"):
                return "key contacts are printed in the DfE report only"
            if fact.kind in ("risk mitigation", "risk impact"):
                return "the dashboard lists each risk by title and RAG only"
            return None

        def report_reason(fact: Fact) -> str | None:
            """Why a fact is by design not in the DfE report's text."""
            if fact.kind in ("overall RAG", "overall narrative"):
                return "the board's overall RAG and narrative are the dashboard's, not DfE's"
            if fact.kind in ("headline card", "headline card comparator"):
                return "headline cards head the dashboard; the DfE report has none"
            if fact.kind == "risk impact":
                return "the DfE report's risk register has no impact column"
            if fact.kind == "agreement contribution":
                return CONTRIBUTIONS
            if fact.kind == "data source basis":
                return "the DfE report names each measure's source and its date, not its basis"
            return None

        summary, unexplained, reasons_seen = [], [], {}
        for surface, check, reason in (
            ("dashboard", on_dashboard, dashboard_reason),
            ("DfE report", in_report, report_reason),
        ):
            found, missing = 0, Counter()
            for fact in self.facts:
                if check(fact):
                    found += 1
                    continue
                why = reason(fact)
                if os.environ.get("EASTMOOR_LIST"):
                    print(surface, "|", why and why[:30], "|", fact)
                if why is None:
                    unexplained.append(f"{surface}: {fact}")
                else:
                    missing[why] += 1
            summary.append(f"{surface}: {found} / {len(self.facts)} facts found")
            reasons_seen[surface] = list(missing)
            summary += [f"  missing ({count}): {why}" for why, count in missing.items()]
        print("\nEastmoor workbook facts\n" + "\n".join(summary))
        assert unexplained == [], "\n".join(unexplained[:80]) + f"\n({len(unexplained)} in all)"
        # Pinned, so a change that loses (or gains) a fact on either surface is seen here.
        assert summary[0] == f"dashboard: 639 / {len(self.facts)} facts found"
        assert summary[1 + len(reasons_seen["dashboard"])] == (
            f"DfE report: 769 / {len(self.facts)} facts found"
        )
        assert len(self.facts) == 785


def _rag_in_rows(rows: list[list[str]], fact: Fact, *, exact: bool, dfe=None) -> bool:
    """Whether a table row of the entity shows the RAG in its Update N column."""
    kind, number = fact.entity.split()
    want = norm(fact.text)
    if not exact:
        want = (dfe or {}).get(want, want)
    for cells in rows:
        if len(cells) < 5:
            continue
        if cells[0] != (number if kind == "condition" else f"risk {number}"):
            continue
        cell = cells[1 + fact.update]
        if want in cell.replace("(", " ").replace(")", " ").split() or cell == want:
            return True
    return False
