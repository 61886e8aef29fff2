"""A signed-off round's report comes from its frozen snapshot and is kept with its SHA-256."""

import hashlib

import pytest

from conditions.models import AgreementCondition, ConditionUpdate
from reports.models import ReportFile
from reports.pdf.produce import report_pdf_produce
from reports.pdf.render import pdf_from_html, report_html
from reports.pdf.selectors import report_source_for_round
from reports.pdf.storage import ReportFileCorrupt, report_file_read, report_file_store
from reports.snapshot import round_snapshot_build
from svmonitor.choices import Rag, RoundStatus
from svmonitor.services import round_record_submission
from tests.pdf.conftest import pdf_pages_text, pdf_text
from tests.round_builders import programme, round_in

REPORT = ReportFile.Kind.REPORT


def _produce(rnd):
    return report_pdf_produce(round=rnd, kind=REPORT, bounded=False)


@pytest.mark.django_db
def test_changing_live_data_after_sign_off_does_not_change_the_report(media):
    rnd = round_in(RoundStatus.SIGNED_OFF)
    condition = AgreementCondition.objects.filter(agreement=rnd.agreement).order_by("order")[0]
    original_title = condition.title
    first = _produce(rnd)
    assert first.stored is not None
    assert first.sha256 == hashlib.sha256(first.content).hexdigest() == first.stored.sha256

    # Live data changes after the sign-off (the dashboard shows the change)...
    condition.title = "Retitled after sign-off"
    condition.save()
    ConditionUpdate.objects.filter(round=rnd).update(narrative="Rewritten later", rag=Rag.RED)
    assert round_snapshot_build(rnd).conditions[0].title == "Retitled after sign-off"

    # ...but the report is the stored file, byte for byte...
    again = _produce(rnd)
    assert again.content == first.content
    assert ReportFile.objects.filter(round=rnd).count() == 1
    # ...and even a fresh render of the round is built from the frozen payload.
    fresh = pdf_text(pdf_from_html(report_html(report_source_for_round(round=rnd)), bounded=False))
    assert f"Condition 1: {original_title}" in fresh
    assert "Retitled after sign-off" not in fresh
    assert "Rewritten later" not in fresh


@pytest.mark.django_db
def test_a_signed_off_report_names_its_signatories_and_its_snapshot(media):
    prog = programme()
    rnd = round_in(RoundStatus.SIGNED_OFF, prog)
    produced = _produce(rnd)
    text = pdf_text(produced.content)
    assert f"S151 officer: signed off by {prog.s151.username}" in text
    assert f"Director of children's services: signed off by {prog.dcs.username}" in text
    assert produced.source.sha256 in text.replace(" ", "")
    assert "DRAFT" not in text
    assert "Not yet submitted (signed off)" in text


@pytest.mark.django_db
def test_recording_the_submission_stores_a_new_file_with_the_date_sent(media):
    prog = programme()
    rnd = round_in(RoundStatus.SIGNED_OFF, prog)
    signed = _produce(rnd)
    rnd = round_record_submission(round=rnd, by=prog.officer, submitted_on=rnd.due_date)
    submitted = _produce(rnd)
    assert submitted.stored.pk != signed.stored.pk
    assert submitted.stored.snapshot_id == signed.stored.snapshot_id
    assert f"{rnd.due_date:%-d %B %Y}" in pdf_text(submitted.content)
    assert ReportFile.objects.filter(round=rnd).count() == 2


@pytest.mark.django_db
def test_a_draft_says_draft_on_every_page_and_is_not_stored(media):
    rnd = round_in(RoundStatus.DRAFT)
    produced = _produce(rnd)
    pages = pdf_pages_text(produced.content)
    assert len(pages) >= 2
    assert all("DRAFT" in page for page in pages)
    assert produced.source.frozen is None
    assert produced.filename.endswith("-DRAFT.pdf")
    assert not ReportFile.objects.exists()


@pytest.mark.django_db
def test_a_return_awaiting_sign_off_is_frozen_but_still_says_draft(media):
    rnd = round_in(RoundStatus.READY)
    produced = _produce(rnd)
    assert produced.source.frozen is not None
    assert all("DRAFT" in page for page in pdf_pages_text(produced.content))
    assert not ReportFile.objects.exists()


@pytest.mark.django_db
def test_a_stored_file_that_was_changed_is_refused(media):
    rnd = round_in(RoundStatus.SIGNED_OFF)
    stored = _produce(rnd).stored
    with open(stored.file.path, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ReportFileCorrupt, match="does not match its SHA-256"):
        report_file_read(stored)
    with pytest.raises(ReportFileCorrupt):
        _produce(rnd)


@pytest.mark.django_db
def test_the_first_file_stored_for_a_version_wins(media):
    rnd = round_in(RoundStatus.SIGNED_OFF)
    snapshot = report_source_for_round(round=rnd).frozen
    first = report_file_store(round=rnd, snapshot=snapshot, kind=REPORT, pdf=_tiny_pdf("one"))
    second = report_file_store(round=rnd, snapshot=snapshot, kind=REPORT, pdf=_tiny_pdf("two"))
    assert second.pk == first.pk
    assert report_file_read(second) == _tiny_pdf("one")
    assert ReportFile.objects.count() == 1
    # The loser's file was removed from storage, so only one PDF is on disk.
    assert len(list((media / "reports").rglob("*.pdf"))) == 1


def _tiny_pdf(word: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=f"<p>{word}</p>").write_pdf()
