"""The Word report of a locked round is built from its frozen record, as the PDF is; a draft
or a return awaiting sign-off says DRAFT at the top of the document and of every page."""

import pytest
from django.core.management import CommandError, call_command

from conditions.models import AgreementCondition, ConditionUpdate
from reports.docx.produce import report_docx_produce
from reports.models import ReportFile
from reports.snapshot import round_snapshot_build
from risks.models import Risk, RiskUpdate
from svmonitor.choices import Rag, RoundStatus
from tests.docx.conftest import document, full_text, section
from tests.round_builders import programme, round_in

pytestmark = pytest.mark.django_db

DRAFT_MARK = "DRAFT: not signed off. Do not send to DfE."


def _pages_say_draft(doc) -> bool:
    return all(
        DRAFT_MARK in " ".join(p.text for p in part.paragraphs)
        for s in doc.sections
        for part in (s.header, s.footer)
    )


def test_changing_live_data_after_sign_off_does_not_change_the_word_report():
    rnd = round_in(RoundStatus.SIGNED_OFF)
    condition = AgreementCondition.objects.filter(agreement=rnd.agreement).order_by("order")[0]
    original = condition.title
    before = document(report_docx_produce(round=rnd).content)
    frozen_narrative = ConditionUpdate.objects.get(round=rnd, condition=condition).narrative
    frozen_rag = section(before, f"Condition {condition.label}: {original}").tables[0]
    risk = Risk.objects.get(council=rnd.agreement.council)
    frozen_mitigation = risk.mitigation

    # Live data moves on after the sign-off (the dashboard's live view would show it)...
    condition.title = "Retitled after sign-off"
    condition.save()
    ConditionUpdate.objects.filter(round=rnd).update(narrative="Rewritten later", rag=Rag.RED)
    Risk.objects.filter(pk=risk.pk).update(mitigation="A mitigation written later")
    RiskUpdate.objects.filter(round=rnd).update(rag=Rag.BLUE)
    assert round_snapshot_build(rnd).conditions[0].title == "Retitled after sign-off"

    # ...the Word report still shows the frozen return.
    produced = report_docx_produce(round=rnd)
    doc = document(produced.content)
    text = full_text(doc)
    assert produced.source.frozen is not None
    assert f"Condition {condition.label}: {original}" in text
    assert frozen_narrative in text
    assert frozen_mitigation in text
    for later in ("Retitled after sign-off", "Rewritten later", "A mitigation written later"):
        assert later not in text
    now_rag = section(doc, f"Condition {condition.label}: {original}").tables[0]
    assert [c.text for c in now_rag.rows[1].cells] == [c.text for c in frozen_rag.rows[1].cells]
    # Its cover names the signatories and the payload's SHA-256; it is not a draft.
    assert produced.source.sha256 in text
    assert "S151 officer: signed off by" in text
    assert "DRAFT" not in text
    # The signed PDF is the record of what was sent: the Word copy is never stored.
    assert not ReportFile.objects.exists()


def test_a_draft_says_draft_on_every_page_and_in_its_name():
    rnd = round_in(RoundStatus.DRAFT)
    produced = report_docx_produce(round=rnd)
    doc = document(produced.content)
    assert produced.source.frozen is None
    assert produced.filename.endswith("-DRAFT.docx")
    assert doc.paragraphs[0].text.startswith("DRAFT. This return is draft")
    assert _pages_say_draft(doc)
    assert "(DRAFT)" in doc.core_properties.title


def test_a_return_awaiting_sign_off_is_read_frozen_but_still_says_draft():
    rnd = round_in(RoundStatus.READY)
    produced = report_docx_produce(round=rnd)
    doc = document(produced.content)
    assert produced.source.frozen is not None
    assert _pages_say_draft(doc)
    assert "it has not been signed off by both the S151 officer" in full_text(doc)


def test_a_submitted_return_is_not_marked_draft_and_gives_its_date():
    rnd = round_in(RoundStatus.SUBMITTED, programme())
    doc = document(report_docx_produce(round=rnd).content)
    text = full_text(doc)
    assert f"{rnd.due_date:%-d %B %Y}" in text
    assert "DRAFT" not in text
    assert not _pages_say_draft(doc)


def test_export_report_writes_word_for_a_docx_file_or_when_asked(tmp_path, capsys):
    rnd = round_in(RoundStatus.SIGNED_OFF)
    slug = rnd.agreement.council.slug
    out = tmp_path / "report.docx"
    call_command("export_report", slug, "2024-25", "1", "-o", str(out))
    assert out.read_bytes().startswith(b"PK")
    said = capsys.readouterr().out
    assert "From the frozen snapshot" in said
    assert "SAFETY VALVE PROGRAMME DETAILED UPDATE" in full_text(document(out.read_bytes()))
    named = tmp_path / "report.out"
    call_command("export_report", slug, "2024-25", "1", "-o", str(named), "--format", "docx")
    assert "SAFETY VALVE PROGRAMME RISK REGISTER" in full_text(document(named.read_bytes()))
    # A PDF still comes out for a .pdf name; no report file is stored for the Word copies.
    assert not ReportFile.objects.exists()
    with pytest.raises(CommandError, match="board pack is a PDF only"):
        call_command(
            "export_report", slug, "2024-25", "1", "-o", str(tmp_path / "x.docx"), "--board-pack"
        )
