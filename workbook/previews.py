"""Uploaded workbooks kept between preview and confirm, in the database (`ImportPreview`).

Any app server can confirm what another previewed, and any queue worker can run the import:
nothing is kept in one server's files, memory or session. A preview is the user's own (any of
their sessions may confirm it, nobody else). The confirm checks it is there (`preview_find`)
and queues the import; the import job takes it exactly once (`preview_take` deletes it), so two
confirms of one preview import once. Rows older than IMPORT_MAX_AGE are deleted on the next
upload and by `purge_expired`.
"""

from __future__ import annotations

import hashlib
import io
import uuid

from django.db import transaction
from django.utils import timezone

from svmonitor.housekeeping import IMPORT_MAX_AGE
from svmonitor.models import ImportPreview


class PreviewFile(io.BytesIO):
    """A kept upload's bytes, read as the importer reads an upload (it has a name)."""

    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name = name


def upload_read(upload) -> bytes:
    """The uploaded file's bytes (an upload is at most WORKBOOK_MAX_BYTES)."""
    return b"".join(upload.chunks())


def preview_keep(
    *, user, content: bytes, filename: str, council_slug: str, stamps: dict, create: bool = False
) -> str:
    """Keep a previewed upload for its user to confirm; return the token the page carries."""
    ImportPreview.objects.filter(created_at__lt=timezone.now() - IMPORT_MAX_AGE).delete()
    token = uuid.uuid4().hex
    ImportPreview.objects.create(
        token=token,
        user=user,
        council_slug=council_slug,
        create=create,
        filename=filename[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        stamps=stamps,
    )
    return token


def preview_find(*, user, token: str) -> ImportPreview | None:
    """The user's kept preview for `token` if it is still there and within its age (without
    its bytes, and left in place: the import job takes it)."""
    if not token:
        return None
    return (
        ImportPreview.objects.defer("content")
        .filter(token=token, user=user, created_at__gte=timezone.now() - IMPORT_MAX_AGE)
        .first()
    )


def preview_take(*, user, token: str) -> ImportPreview | None:
    """The user's kept preview for `token`, deleted as it is taken (None if there is none,
    it is another user's, it is past its age, or its bytes no longer match their hash)."""
    if not token:
        return None
    with transaction.atomic():
        preview = (
            ImportPreview.objects.select_for_update()
            .filter(token=token, user=user, created_at__gte=timezone.now() - IMPORT_MAX_AGE)
            .first()
        )
        if preview is None:
            return None
        preview.delete()
    content = bytes(preview.content)
    if hashlib.sha256(content).hexdigest() != preview.sha256:
        return None
    preview.content = content
    return preview


def preview_file(preview: ImportPreview) -> PreviewFile:
    """The kept bytes as a file for `workbook_import`."""
    return PreviewFile(bytes(preview.content), preview.filename)
