"""Keeping the PDF of a signed-off round: stored once, with the SHA-256 of its bytes.

What the officers signed and what DfE received must be retrievable as it was. The first
render of a signed-off or submitted round's report is stored (file + hash) against the frozen
snapshot it was built from and the round's lifecycle version; later requests get the stored
bytes, checked against their hash. Drafts are never stored: they change.
"""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from pypdf import PdfReader

from reports.models import ReportFile, RoundSnapshot
from svmonitor.choices import RoundStatus
from svmonitor.models import ReportingRound

# Only these states are final enough to keep: both officers have signed.
STORED_STATES = (RoundStatus.SIGNED_OFF, RoundStatus.SUBMITTED)


class ReportFileCorrupt(Exception):
    """A stored report's bytes no longer match the SHA-256 recorded when it was made."""


def sha256_hex(content: bytes) -> str:
    """SHA-256 of bytes, as hex."""
    return hashlib.sha256(content).hexdigest()


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def report_file_get(*, snapshot: RoundSnapshot, kind: str, round_version: int) -> ReportFile | None:
    """The stored file of a snapshot for one kind and lifecycle version, if any."""
    return (
        ReportFile.objects.filter(snapshot=snapshot, kind=kind, round_version=round_version)
        .select_related("round__agreement__council")
        .first()
    )


def report_file_read(report_file: ReportFile) -> bytes:
    """The stored bytes, refused if they no longer match their recorded SHA-256."""
    with report_file.file.open("rb") as handle:
        content = handle.read()
    if sha256_hex(content) != report_file.sha256:
        raise ReportFileCorrupt(
            f"The stored file {report_file.file.name} does not match its SHA-256; "
            "it has been changed since it was made."
        )
    return content


def report_file_store(
    *,
    round: ReportingRound,
    snapshot: RoundSnapshot,
    kind: str,
    pdf: bytes,
    by=None,
) -> ReportFile:
    """Store a signed-off round's PDF with its SHA-256; the first one stored wins a race."""
    if kind not in ReportFile.Kind.values:
        raise ValueError(f"kind must be one of {ReportFile.Kind.values}, not {kind!r}")
    digest = sha256_hex(pdf)
    filename = f"{round.fy}-update-{round.update_number}-{kind}-{digest[:16]}.pdf"
    report_file = ReportFile(
        round=round,
        snapshot=snapshot,
        kind=kind,
        round_version=round.version,
        sha256=digest,
        size=len(pdf),
        pages=page_count(pdf),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    # The file goes to storage first; the row (in its own transaction) makes it official.
    report_file.file.save(filename, ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            report_file.save()
    except IntegrityError:
        # Another request stored this version first: keep theirs, drop our copy.
        report_file.file.delete(save=False)
        existing = report_file_get(snapshot=snapshot, kind=kind, round_version=round.version)
        if existing is None:
            raise
        return existing
    return report_file
