"""Reading the DSG outputs back: the text of a .docx, a PDF's pages."""

import io

import pytest

from tests.pdf.conftest import pdf_text  # noqa: F401 - re-exported for the DSG tests


def docx_text(content: bytes) -> str:
    """Every paragraph and table cell of a .docx, headers and footers too, as one string."""
    import docx

    document = docx.Document(io.BytesIO(content))
    chunks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            chunks.extend(cell.text for cell in row.cells)
    for section in document.sections:
        for part in (section.header, section.footer):
            chunks.extend(p.text for p in part.paragraphs)
    return " ".join(chunks)


@pytest.fixture
def media(settings, tmp_path):
    """Stored files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
