"""The only way the PDF renderer may read anything: files under static/, and data: URIs.

A report carries text typed by council officers. Should any of it ever reach the HTML as a
URL (an <img>, a CSS url()), WeasyPrint would fetch it: from the network (server-side request
forgery) or from the file system (reading secrets into a PDF). This fetcher refuses every URL
that is not a data: URI or a file inside the shipped static directory, so neither can happen.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

MEDIA_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


class RefusedURL(ValueError):
    """A URL outside static/ (or not a data: URI) that the renderer may not read."""


def static_root() -> Path:
    """The shipped static directory the renderer may read from."""
    return (Path(settings.BASE_DIR) / "static").resolve()


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher serving data: URIs and files under static/, refusing the rest."""

    def __init__(self, root: Path | None = None):
        # fail_on_errors=False: a refused URL is left out of the PDF (and logged), not fatal.
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.root = (root or static_root()).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"The PDF renderer may not read {url[:80]!r}")
        path = Path(unquote(parts.path)).resolve()
        # resolve() follows symlinks and "..", so the check is on the real file.
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedURL(
                f"The PDF renderer may only read files under static/, not {url[:80]!r}"
            )
        media_type = MEDIA_TYPES.get(path.suffix.lower())
        if media_type is None:
            raise RefusedURL(f"The PDF renderer does not read {path.suffix!r} files")
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), headers={"Content-Type": media_type}
        )
