"""Stored files (kept renders, job results) go to a temporary MEDIA_ROOT."""

from tests.pdf.conftest import media  # noqa: F401
