"""The Word template the DfE report is written into: which file, what it must hold, and how the
default one is built.

The report takes its look from the template's styles: the headings are Word's own "Heading 1"
to "Heading 3" (so the navigation pane and screen readers find them), tables use "SV Table",
notices "SV Notice", small print "SV Small". Everything in the template's body is replaced by
the report; its page set-up, headers and footers (a logo, say) are kept.

A council restyles the report by saving a copy of the default template
(reports/docx/templates/report.docx) with its own fonts, colours or letterhead as
`<REPORT_DOCX_TEMPLATE_DIR>/<council slug>.docx` on the server. The default file is built by
`docx_template_build` (`manage.py build_docx_template`), byte for byte the same each
time, so the committed file can be checked against the code that makes it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.docx"

# Styles the report writes with. A council's template must keep every one (it may restyle them).
TABLE_STYLE = "SV Table"
NOTICE_STYLE = "SV Notice"
SMALL_STYLE = "SV Small"
REQUIRED_STYLES = (
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Normal",
    "List Number",
    "List Bullet",
    "Caption",
    TABLE_STYLE,
    NOTICE_STYLE,
    SMALL_STYLE,
)
# A fixed moment for the zip entries and document properties of the built default template.
_EPOCH = (1980, 1, 1, 0, 0, 0)


class DocxTemplateError(Exception):
    """A council's Word template cannot be used (not a .docx, or a style the report needs is
    missing); the message says which file and what to do."""


@dataclass(frozen=True)
class DocxTemplate:
    """The template a council's report is written into."""

    path: Path
    is_council_own: bool


def docx_template_for(slug: str) -> DocxTemplate:
    """The council's own template if the deployment has one for it, else the default."""
    folder = getattr(settings, "REPORT_DOCX_TEMPLATE_DIR", "")
    if folder:
        own = Path(folder) / f"{slug}.docx"
        if own.is_file():
            return DocxTemplate(own, True)
    return DocxTemplate(DEFAULT_TEMPLATE, False)


def docx_template_open(template: DocxTemplate):
    """The template as a python-docx Document, checked for the styles the report uses."""
    import docx

    try:
        document = docx.Document(str(template.path))
    except Exception as error:  # python-docx raises several kinds for a file that is not .docx
        raise DocxTemplateError(
            f"The Word template {template.path} cannot be opened as a .docx file ({error})."
        ) from error
    names = {style.name for style in document.styles}
    missing = [name for name in REQUIRED_STYLES if name not in names]
    if missing:
        raise DocxTemplateError(
            f"The Word template {template.path} lacks the style{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)}: restyle a copy of the default template "
            f"({DEFAULT_TEMPLATE.name}) rather than starting from a blank document."
        )
    return document


# --- the default template -----------------------------------------------------------------


def docx_template_build() -> bytes:
    """The default template: A4 landscape, a sans-serif house style in British English, Word's
    heading styles, the report's own styles, and "Page N of M" in the footer."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin = section.bottom_margin = Cm(1.6)

    styles = document.styles
    black = RGBColor(0x0B, 0x0C, 0x0C)
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    normal.font.color.rgb = black
    normal.paragraph_format.space_after = Pt(4)
    # The document's language, for spelling and screen readers.
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    rpr.append(lang)
    for name, size in (
        ("Title", 22),
        ("Subtitle", 14),
        ("Heading 1", 16),
        ("Heading 2", 13),
        ("Heading 3", 11),
    ):
        style = styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = black
        style.font.bold = name != "Subtitle"
        style.paragraph_format.space_before = Pt(12 if name.startswith("Heading") else 0)
        style.paragraph_format.keep_with_next = True
    styles["Heading 1"].paragraph_format.page_break_before = True
    styles["Caption"].font.color.rgb = black
    styles["Caption"].font.italic = False
    styles["Caption"].font.bold = True

    table = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    table.base_style = styles["Table Grid"]
    table.font.size = Pt(9)
    notice = styles.add_style(NOTICE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    notice.base_style = normal
    notice.font.bold = True
    notice.font.size = Pt(11)
    _paragraph_border(notice.element.get_or_add_pPr(), "942514")
    small = styles.add_style(SMALL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = normal
    small.font.size = Pt(8.5)
    small.font.color.rgb = RGBColor(0x50, 0x5A, 0x5F)

    footer = section.footer.paragraphs[0]
    footer.style = small
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")

    # The body holds a sample of each style, so a council sees what it is restyling; the
    # report replaces the body and keeps the styles, headers and footers.
    document.add_paragraph("Safety Valve monitoring report", style="Title")
    document.add_paragraph("Council name, 2024-25 Update 3", style="Subtitle")
    document.add_paragraph("DRAFT. This sample shows the notice style.", style=NOTICE_STYLE)
    document.add_paragraph("Heading 1: a section", style="Heading 1")
    document.add_paragraph("Heading 2: a condition or a group of key measures", style="Heading 2")
    document.add_paragraph("Heading 3: a key measure", style="Heading 3")
    document.add_paragraph("Body text in the Normal style.")
    document.add_paragraph("Small print: sources and footnotes.", style=SMALL_STYLE)
    sample = document.add_table(rows=2, cols=2, style=TABLE_STYLE)
    sample.rows[0].cells[0].text, sample.rows[0].cells[1].text = "Header", "Header"
    sample.rows[1].cells[0].text, sample.rows[1].cells[1].text = "Cell", "Cell"

    props = document.core_properties
    props.title = "Safety Valve monitoring report template"
    props.author = props.last_modified_by = "svmonitor"
    props.language = "en-GB"
    props.revision = 1
    props.created = props.modified = dt.datetime(2024, 1, 1)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _paragraph_border(ppr, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("val", "single"), ("sz", "36"), ("space", "8"), ("color", colour)):
        left.set(qn(f"w:{key}"), value)
    borders.append(left)
    ppr.append(borders)


def _field(paragraph, code: str) -> None:
    """A simple field (PAGE, NUMPAGES) that Word fills in."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _fixed_zip(content: bytes) -> bytes:
    """The same .docx with every entry dated 1980-01-01, so a rebuild is byte for byte equal."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
