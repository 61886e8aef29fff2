"""The DSG outputs as bytes: each a plain function of (round, source), so a task queue can call it.

PDF: the document's HTML (templates/reports/dsg/document.html, on the DfE report's stylesheet:
A4 landscape, fonts, running header and footer, DRAFT in the margins) through WeasyPrint as a
tagged PDF/UA-1. .docx: the same blocks written with python-docx (reports.dsg.docx).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from reports.dsg.build import forum_document, plan_document
from reports.dsg.document import Document
from reports.dsg.source import DsgSource
from reports.pdf.render import pdf_from_html
from svmonitor.models import ReportingRound

PLAN = "plan"
SCHOOLS_FORUM = "schools_forum"
BUILDERS = {PLAN: plan_document, SCHOOLS_FORUM: forum_document}


def document_html(document: Document) -> str:
    """A DSG document as the HTML WeasyPrint renders."""
    return render_to_string("reports/dsg/document.html", {"doc": document})


def plan_pdf(round: ReportingRound, source: DsgSource, *, bounded: bool = True) -> bytes:
    """The DSG deficit management plan as a tagged PDF."""
    return pdf_from_html(document_html(plan_document(source)), bounded=bounded)


def forum_pdf(round: ReportingRound, source: DsgSource, *, bounded: bool = True) -> bytes:
    """The termly Schools Forum paper as a tagged PDF."""
    return pdf_from_html(document_html(forum_document(source)), bounded=bounded)


def plan_docx(round: ReportingRound, source: DsgSource) -> bytes:
    """The DSG deficit management plan as .docx."""
    from reports.dsg.docx import document_docx

    return document_docx(plan_document(source))


def forum_docx(round: ReportingRound, source: DsgSource) -> bytes:
    """The termly Schools Forum paper as .docx."""
    from reports.dsg.docx import document_docx

    return document_docx(forum_document(source))
